//! 失业保险基金月度收支 → dwd_ui_fund_monthly: one row per month, keyed by `YYYY-MM`.

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct UiFundMonthly;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("month", Text),
    ("date_key", Int),
    ("insured", Int),
    ("contributors", Int),
    ("income", Float),
    ("expense", Float),
    ("balance", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
    // The month's row holds until the next month starts (the stock source ui_fund_stock).
    ("next_month_key", Int),
];

impl Feed for UiFundMonthly {
    fn name(&self) -> &'static str {
        "ui_fund_monthly"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_ui_fund_monthly"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let month = f.get("month").date().expect("required month");
        let next_month = month.checked_add_months(chrono::Months::new(1)).expect("a month before 9999");
        let mut row = f.dwd_row(
            ctx,
            vec![
                month.format("%Y-%m").to_string().into(),
                f.date_key("month"),
                f.number("insured"),
                f.number("contributors"),
                f.number("income"),
                f.number("expense"),
                f.number("balance"),
            ],
        );
        row.values.push(SqlValue::Int(jiuye_semantic::date_key(next_month)));
        Ok(row)
    }
}
