//! 灵活就业登记/注销 → dwd_flexible_employment.

use std::sync::LazyLock;

use jiuye_warehouse::ColumnType::{self, Text};

use super::{DwdRow, Feed, FeedContext, Fields, person};
use crate::conform::Violation;

pub struct FlexibleEmployment;

static COLUMNS: LazyLock<Vec<(&str, ColumnType)>> =
    LazyLock::new(|| person::event_columns(&[("district_reported", Text), ("district", Text), ("flexible_type", Text)]));

impl Feed for FlexibleEmployment {
    fn name(&self) -> &'static str {
        "flexible_employment"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_flexible_employment"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        &COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let district_reported = f.str("district");
        person::event_row(f, ctx, |_| {
            vec![
                district_reported.into(),
                ctx.codes.current("district", district_reported).into(),
                f.text("flexible_type"),
            ]
        })
    }
}
