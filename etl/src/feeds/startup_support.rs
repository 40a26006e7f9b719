//! 创业帮扶 → dwd_startup_support. A person (对象类型 1) is pseudonymised; an employer
//! (2) is kept by its 统一社会信用代码.

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct StartupSupport;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("support_type", Text),
    ("subject_type", Text),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("employer_uscc", Text),
    ("park_code", Text),
    ("district_reported", Text),
    ("district", Text),
    ("loan_amount", Float),
    ("jobs_driven", Int),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for StartupSupport {
    fn name(&self) -> &'static str {
        "startup_support"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_startup_support"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let (person_key, masked) = subject_person(f, ctx)?;
        let district = f.str("district");
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.date_key("handled_on"),
                f.text("support_type"),
                f.text("subject_type"),
                person_key,
                masked,
                f.text("employer_uscc"),
                f.text("park_code"),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.number("loan_amount"),
                f.number("jobs_driven"),
            ],
        ))
    }
}

/// The pseudonym and masked ID of a 对象类型 1 个人 row (NULLs for an employer).
pub(super) fn subject_person(f: &Fields, ctx: &FeedContext) -> Result<(SqlValue, SqlValue), Violation> {
    if f.str("subject_type") != "1" {
        return Ok((SqlValue::Null, SqlValue::Null));
    }
    let day = f.get("handled_on").date().expect("required date");
    let p = person::derive_working_age(ctx.keys, f.str("id_number"), "", day)?;
    Ok((p.person_key.into(), p.id_masked.into()))
}
