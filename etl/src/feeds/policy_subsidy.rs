//! 政策补贴发放 → dwd_policy_subsidy.

use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::startup_support::subject_person;
use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct PolicySubsidy;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("policy_code", Text),
    ("policy_name", Text),
    ("subject_type", Text),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("employer_uscc", Text),
    ("district_reported", Text),
    ("district", Text),
    ("amount", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for PolicySubsidy {
    fn name(&self) -> &'static str {
        "policy_subsidy"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_policy_subsidy"
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
                f.text("policy_code"),
                f.text("policy_name"),
                f.text("subject_type"),
                person_key,
                masked,
                f.text("employer_uscc"),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.number("amount"),
            ],
        ))
    }
}
