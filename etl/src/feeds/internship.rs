//! 就业见习 → dwd_internship. Sent at the start and again at the end; interns count by
//! 开始日期 (source internship), long-term unemployed youth helped by 结束日期 (source
//! internship_completion).

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct Internship;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("business_key", Text),
    ("date_key", Int),
    ("end_date_key", Int),
    ("base_code", Text),
    ("person_key", Text),
    ("id_number_masked", Text),
    ("gender", Text),
    ("age", Int),
    ("age_band", Text),
    ("education", Text),
    ("district_reported", Text),
    ("district", Text),
    ("retained", Text),
    ("long_term_unemployed_youth", Text),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for Internship {
    fn name(&self) -> &'static str {
        "internship"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_internship"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let started_on = f.get("handled_on").date().expect("required date");
        let p = person::derive_working_age(ctx.keys, f.str("id_number"), "", started_on)?;
        let district = f.str("district");
        Ok(f.dwd_row(
            ctx,
            vec![
                f.text("business_key"),
                f.date_key("handled_on"),
                f.date_key("ended_on"),
                f.text("base_code"),
                p.person_key.into(),
                p.id_masked.into(),
                f.text("gender"),
                SqlValue::Int(p.age),
                p.age_band.into(),
                f.text("education"),
                district.into(),
                ctx.codes.current("district", district).into(),
                f.text("retained"),
                f.text("long_term_unemployed_youth"),
            ],
        ))
    }
}
