//! 用人单位名录 → dwd_employer (the newest version) and dwd_employer_history (every
//! version, valid over dated intervals: SCD2).

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct EmployerRegistry;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("employer_uscc", Text),
    ("employer_name", Text),
    ("employer_type", Text),
    ("industry", Text),
    ("industry_section", Text),
    ("district", Text),
    ("founded_on", Text),
    ("insured", Int),
    ("longitude", Float),
    ("latitude", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for EmployerRegistry {
    fn name(&self) -> &'static str {
        "employer_registry"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_employer"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn keeps_history(&self) -> bool {
        true
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let industry = f.str("industry");
        let updated_at = f.text("updated_at").to_key();
        Ok(DwdRow {
            business_key: f.str("employer_uscc").to_string(),
            updated_at: updated_at.clone(),
            values: vec![
                f.text("employer_uscc"),
                f.text("employer_name"),
                f.text("employer_type"),
                industry.into(),
                ctx.codes.parent("industry", industry).unwrap_or_default().into(),
                ctx.codes.current("district", f.str("district")).into(),
                f.text("founded_on"),
                f.number("insured"),
                f.number("longitude"),
                f.number("latitude"),
                updated_at.into(),
                SqlValue::Int(ctx.file_id),
                SqlValue::Int(f.row.line as i64),
            ],
        })
    }
}
