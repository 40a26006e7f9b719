//! 单位用工登记（招工/退工） → dwd_employment_registration.

use std::sync::LazyLock;

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct EmploymentRegistration;

static COLUMNS: LazyLock<Vec<(&str, ColumnType)>> = LazyLock::new(|| {
    person::event_columns(&[
        ("employer_uscc", Text),
        ("employer_name", Text),
        ("employer_type", Text),
        ("industry", Text),
        ("industry_section", Text),
        ("district_reported", Text),
        ("district", Text),
        ("employment_form", Text),
        ("separation_reason", Text),
        ("monthly_wage", Float),
    ])
});

impl Feed for EmploymentRegistration {
    fn name(&self) -> &'static str {
        "employment_registration"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_employment_registration"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        &COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let industry = f.str("industry");
        let district_reported = f.str("district");
        // 退工原因 belongs to 退工 rows only.
        let separation_reason = if f.str("business_type") == "2" {
            f.text("separation_reason")
        } else {
            SqlValue::Null
        };
        person::event_row(f, ctx, |_| {
            vec![
                f.text("employer_uscc"),
                f.text("employer_name"),
                f.text("employer_type"),
                industry.into(),
                ctx.codes.parent("industry", industry).unwrap_or_default().into(),
                district_reported.into(),
                ctx.codes.current("district", district_reported).into(),
                f.text("employment_form"),
                separation_reason,
                f.number("monthly_wage"),
            ]
        })
    }
}
