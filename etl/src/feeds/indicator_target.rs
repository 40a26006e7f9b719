//! 年度目标与预警值 → dwd_indicator_target, one row per (年度, 指标代码, 区县代码).
//! 310000 stands for the whole city; a retired district code counts as today's district.

use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType::{self, Float, Int, Text};

use super::{DwdRow, Feed, FeedContext, Fields};
use crate::conform::Violation;

pub struct IndicatorTarget;

/// 区县代码 of the whole city in indicator_target.
pub const CITY: &str = "310000";

const COLUMNS: &[(&str, ColumnType)] = &[
    ("target_key", Text),
    ("year", Int),
    ("indicator_code", Text),
    ("district", Text),
    ("target", Float),
    ("warning", Float),
    ("updated_at", Text),
    ("file_id", Int),
    ("line_no", Int),
];

impl Feed for IndicatorTarget {
    fn name(&self) -> &'static str {
        "indicator_target"
    }
    fn dwd_table(&self) -> &'static str {
        "dwd_indicator_target"
    }
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)] {
        COLUMNS
    }

    fn to_dwd(&self, f: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation> {
        let code = f.str("indicator_code");
        if !ctx.indicator_codes.contains(code) {
            return Err(Violation {
                rule: "unknown_code",
                column: "指标代码".into(),
                value: Some(code.to_string()),
                message: "指标代码 is not an indicator of the model; see `jiuye kb search` or docs/catalog for the codes".into(),
            });
        }
        let reported = f.str("district");
        let district = if reported == CITY {
            CITY.to_string()
        } else if ctx.codes.get("district", reported).is_some() {
            ctx.codes.current("district", reported)
        } else {
            return Err(Violation {
                rule: "unknown_code",
                column: "区县代码".into(),
                value: Some(reported.to_string()),
                message: "区县代码 must be 310000 (全市) or a district code".into(),
            });
        };
        let year = f.get("year").number().unwrap_or_default() as i64;
        Ok(f.dwd_row(
            ctx,
            vec![
                format!("{year}|{code}|{district}").into(),
                SqlValue::Int(year),
                code.into(),
                district.into(),
                f.number("target"),
                f.number("warning"),
            ],
        ))
    }
}
