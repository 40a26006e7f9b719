//! 求职应聘 → dwd_job_application. An application counts under its posting's district,
//! industry and occupation (indicators.md), copied in when it loads; one whose posting has
//! not arrived waits (see `Reference`). Gender and age come from the ID number, the only
//! personal field the export carries.

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, Reference, person};
use crate::conform::Violation;

pub struct JobApplication;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("posting_id", Text),
    ("date_key", Int),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("gender", Text),
    ("age", Int),
    ("age_band", Text),
    ("status", Text),
    ("employer_uscc", Text),
    ("district", Text),
    ("industry", Text),
    ("industry_section", Text),
    ("occupation", Text),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

static POSTING: Reference = Reference {
    column: "posting_id",
    table: "dwd_job_posting",
    key: "business_key",
    copy: &[
        ("employer_uscc", "employer_uscc"),
        ("district", "district"),
        ("industry", "industry"),
        ("industry_section", "industry_section"),
        ("occupation", "occupation"),
    ],
};

impl Feed for JobApplication {
    fn name(&self) -> &'static str {
        "job_application"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_job_application"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }
    fn reference(&self) -> Option<&'static Reference> {
        Some(&POSTING)
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let applied_on = f.get("handled_on").date().expect("required date");
        let id = f.str("id_number");
        let p = person::derive_working_age(ctx.keys, id, "", applied_on)?;
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.text("posting_id"),
                f.date_key("handled_on"),
                p.person_key.into(),
                p.id_masked.into(),
                person::gender_of_id(id).into(),
                SqlValue::Int(p.age),
                p.age_band.into(),
                f.text("status"),
                // Filled from the posting on load.
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
                SqlValue::Null,
            ],
        ))
    }
}
