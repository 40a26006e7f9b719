//! 失业登记/注销 → dwd_unemployment_registration. 原因 is checked against the list of its
//! 业务类型 and stored as one code of table unemployment_reason (R… 登记, C… 注销).

use std::sync::LazyLock;

use jiuye_warehouse::ColumnType::{self, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct UnemploymentRegistration;

static COLUMNS: LazyLock<Vec<(&str, ColumnType)>> = LazyLock::new(|| {
    person::event_columns(&[
        ("district_reported", Text),
        ("district", Text),
        ("industry", Text),
        ("industry_section", Text),
        ("reason", Text),
    ])
});

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
        &COLUMNS
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
        let district_reported = f.str("district");
        let industry = f.str("previous_industry");
        person::event_row(f, ctx, |_| {
            vec![
                district_reported.into(),
                ctx.codes.current("district", district_reported).into(),
                f.text("previous_industry"),
                ctx.codes.parent("industry", industry).map(str::to_string).into(),
                format!("{prefix}{raw_reason}").into(),
            ]
        })
    }
}
