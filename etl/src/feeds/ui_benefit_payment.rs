//! 失业保险金发放 → dwd_ui_benefit_payment, dated by the first day of 发放年月.
//! `person_month` (pseudonym + month) makes person-months a distinct count, so the
//! monthly average per person is a ratio of sums at any grain.

use chrono::Datelike;
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct UiBenefitPayment;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("gender", Text),
    ("age", Int),
    ("age_band", Text),
    ("district_reported", Text),
    ("district", Text),
    ("person_month", Text),
    ("amount", Float),
    ("approved_months", Int),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for UiBenefitPayment {
    fn name(&self) -> &'static str {
        "ui_benefit_payment"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_ui_benefit_payment"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let month = f.get("handled_on").date().expect("required month");
        let p = person::derive_working_age(ctx.keys, f.str("id_number"), "", month)?;
        let district = f.str("district");
        let person_month = format!("{}:{}{:02}", p.person_key, month.year(), month.month());
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.date_key("handled_on"),
                p.person_key.into(),
                p.id_masked.into(),
                f.text("gender"),
                SqlValue::Int(p.age),
                p.age_band.into(),
                district.into(),
                ctx.codes.current("district", district).into(),
                person_month.into(),
                f.number("amount"),
                f.number("approved_months"),
            ],
        ))
    }
}
