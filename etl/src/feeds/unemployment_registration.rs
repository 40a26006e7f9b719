//! 失业登记/注销 → dwd_unemployment_registration. 原因 is checked against the list of its
//! 业务类型 and stored as one code of table unemployment_reason (R… 登记, C… 注销).

use jiuye_semantic::date_key;
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct UnemploymentRegistration;

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
    ("industry", Text),
    ("industry_section", Text),
    ("reason", Text),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

/// 原因 codes of source-feeds.md per 业务类型.
const REGISTRATION_REASONS: [&str; 4] = ["1", "2", "3", "9"];
const CANCELLATION_REASONS: [&str; 7] = ["1", "2", "3", "4", "5", "6", "9"];

impl Feed for UnemploymentRegistration {
    fn name(&self) -> &'static str {
        "unemployment_registration"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_unemployment_registration"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }
    fn semantic_source(&self) -> Option<&'static str> {
        Some("unemployment_registration")
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let business_type = f.str("business_type");
        let raw_reason = f.str("reason");
        let (prefix, allowed, kind) = if business_type == "1" {
            ("R", &REGISTRATION_REASONS[..], "登记")
        } else {
            ("C", &CANCELLATION_REASONS[..], "注销")
        };
        if !allowed.contains(&raw_reason) {
            return Err(Violation {
                rule: "unknown_code",
                column: "原因".into(),
                value: Some(raw_reason.to_string()),
                message: format!("原因 of a {kind} must be one of {}", allowed.join(", ")),
            });
        }
        let handled_on = f.get("handled_on").date().expect("required date");
        let p = person::derive_working_age(ctx.keys, f.str("id_number"), f.str("name"), handled_on)?;
        let district_reported = f.str("district");
        let industry = f.str("previous_industry");
        let updated_at = f.text("updated_at").to_key();
        let date_key = date_key(handled_on);
        Ok(DwdRow {
            business_key: f.str("business_key").to_string(),
            updated_at: updated_at.clone(),
            date_key: Some(date_key),
            values: vec![
                f.text("business_key"),
                business_type.into(),
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
                f.text("previous_industry"),
                ctx.codes.parent("industry", industry).map(str::to_string).into(),
                format!("{prefix}{raw_reason}").into(),
                updated_at.into(),
                SqlValue::Int(ctx.file_id),
                SqlValue::Int(f.row.line as i64),
            ],
        })
    }
}
