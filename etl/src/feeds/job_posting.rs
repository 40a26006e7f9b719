//! 公共招聘岗位 → dwd_job_posting. 经办区县 is kept as exported and counted under today's
//! district; the industry's section is derived.

use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct JobPosting;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("deadline_key", Int),
    ("employer_uscc", Text),
    ("employer_name", Text),
    ("industry", Text),
    ("industry_section", Text),
    ("district_reported", Text),
    ("district", Text),
    ("occupation", Text),
    ("title", Text),
    ("headcount", Int),
    ("salary_min", Float),
    ("salary_max", Float),
    ("education_required", Text),
    ("description", Text),
    ("longitude", Float),
    ("latitude", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for JobPosting {
    fn name(&self) -> &'static str {
        "job_posting"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_job_posting"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let industry = f.str("industry");
        let district = f.str("district");
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.date_key("published_on"),
                f.date_key("deadline"),
                f.text("employer_uscc"),
                f.text("employer_name"),
                industry.into(),
                ctx.codes.parent("industry", industry).unwrap_or_default().into(),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.text("occupation"),
                f.text("title"),
                f.number("headcount"),
                f.number("salary_min"),
                f.number("salary_max"),
                f.text("education_required"),
                f.text("description"),
                f.number("longitude"),
                f.number("latitude"),
            ],
        ))
    }
}
