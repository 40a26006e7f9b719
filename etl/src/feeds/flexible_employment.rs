//! 灵活就业登记/注销 → dwd_flexible_employment.

use jiuye_semantic::date_key;
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct FlexibleEmployment;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("business_type", Text),
    ("date_key", Int),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("name_masked", Text),
    ("gender", Text),
    ("birth_date", Text),
    ("age", Int),
    ("age_band", Text),
    ("hukou_type", Text),
    ("education", Text),
    ("district_reported", Text),
    ("district", Text),
    ("flexible_type", Text),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for FlexibleEmployment {
    fn name(&self) -> &'static str {
        "flexible_employment"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_flexible_employment"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }
    fn semantic_source(&self) -> Option<&'static str> {
        Some("flexible_employment")
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let handled_on = f.get("handled_on").date().expect("required date");
        let p = person::derive_working_age(ctx.keys, f.str("id_number"), f.str("name"), handled_on)?;
        let district_reported = f.str("district");
        let updated_at = f.text("updated_at").to_key();
        let date_key = date_key(handled_on);
        Ok(DwdRow {
            business_key: f.str("business_key").to_string(),
            updated_at: updated_at.clone(),
            date_key: Some(date_key),
            values: vec![
                f.text("business_key"),
                f.text("business_type"),
                SqlValue::Int(date_key),
                p.person_key.into(),
                p.id_masked.into(),
                p.name_masked.into(),
                f.text("gender"),
                p.birth_date.format("%Y-%m-%d").to_string().into(),
                SqlValue::Int(p.age),
                p.age_band.into(),
                f.text("hukou_type"),
                f.text("education"),
                district_reported.into(),
                ctx.codes.current("district", district_reported).into(),
                f.text("flexible_type"),
                updated_at.into(),
                SqlValue::Int(ctx.file_id),
                SqlValue::Int(f.row.line as i64),
            ],
        })
    }
}
