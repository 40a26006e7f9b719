//! `compare: [TARGET]` (indicators.md): each period's year-to-date value against the
//! annual 目标值 of its year, the year's elapsed share, and a green/amber/red status by
//! the indicator's rule in the model. Year-to-date values are separate statements (one per
//! period, so distinct counts stay exact); the targets one more.

use chrono::{Datelike, NaiveDate};
use jiuye_sql_value::SqlValue;
use serde_json::Value;

use crate::SemanticError;
use crate::known::KnownAt;
use crate::model::TargetRule;
use crate::planner::{PartPurpose, PlanPart};
use crate::sql::{Dialect, Expr, Select, render_select};
use crate::time::{Grain, date_key};

/// The table the ETL loads from feed indicator_target, and its city-wide district code.
pub const TARGET_TABLE: &str = "dwd_indicator_target";
pub const CITY: &str = "310000";

/// Most periods a TARGET query may span (each needs its own year-to-date statement).
const MAX_TARGET_PERIODS: usize = 120;

/// For each period of `from..=to`: January 1 of the year of its last day (or of `to`) to
/// that day, at YEAR grain.
pub(crate) fn year_to_date_ranges(
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(PartPurpose, Grain, NaiveDate, NaiveDate)>, SemanticError> {
    let mut out = Vec::new();
    let mut start = grain.period_start(from);
    while start <= to {
        let end = grain.period_end(start).min(to);
        let jan1 = NaiveDate::from_ymd_opt(end.year(), 1, 1).expect("Jan 1 exists");
        out.push((PartPurpose::YearToDate(grain.period_key(start)), Grain::Year, jan1, end));
        if out.len() > MAX_TARGET_PERIODS {
            return Err(SemanticError::InvalidQuery(format!(
                "TARGET compares each period with its year's target; {from}..{to} at {} is more than {MAX_TARGET_PERIODS} periods",
                grain.name()
            )));
        }
        start = grain.period_end(start) + chrono::Days::new(1);
    }
    Ok(out)
}

/// The targets of the requested indicators for the years the range touches.
pub(crate) fn targets_part(
    indicators: &[String],
    from: NaiveDate,
    to: NaiveDate,
    known_at: Option<KnownAt>,
    dialect: &dyn Dialect,
) -> PlanPart {
    let mut select = Select::from(TARGET_TABLE, "t");
    for column in ["year", "indicator_code", "district", "target", "warning"] {
        select.columns.push((Expr::col("t", column), column.into()));
    }
    select.filter.push(Expr::in_list(
        Expr::col("t", "indicator_code"),
        indicators.iter().map(|i| SqlValue::Text(i.clone())).collect(),
    ));
    select.filter.push(Expr::Between {
        expr: Box::new(Expr::col("t", "year")),
        low: SqlValue::Int(from.year() as i64),
        high: SqlValue::Int(to.year() as i64),
    });
    if let Some(known) = known_at {
        crate::planner::read_as_known(&mut select, known);
    }
    PlanPart {
        purpose: PartPurpose::Targets,
        source: "indicator_target".into(),
        table: TARGET_TABLE.into(),
        measures: vec![],
        statement: render_select(&select, dialect),
    }
}

/// The last day a period's year-to-date runs to: its end, or the query's end.
pub(crate) fn period_last_day(grain: Grain, key: i64, to: NaiveDate) -> Option<NaiveDate> {
    let start = grain.start_of_key(key)?;
    Some(grain.period_end(start).min(to))
}

/// Elapsed share of the year at `day` (Jan 1 = 1/365).
pub(crate) fn progress(day: NaiveDate) -> f64 {
    let days_in_year = if NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    day.ordinal() as f64 / days_in_year
}

/// The status of a year-to-date `value` against `target` and `warning` at `progress`.
pub(crate) fn status(rule: TargetRule, value: f64, target: f64, warning: Option<f64>, progress: f64) -> &'static str {
    match rule {
        TargetRule::Floor => {
            let completion = value / target;
            let warning_share = warning.filter(|w| *w > 0.0).map(|w| w / target).unwrap_or(0.9);
            if completion >= progress {
                "green"
            } else if completion >= warning_share * progress {
                "amber"
            } else {
                "red"
            }
        }
        TargetRule::Ceiling => match warning {
            Some(w) if value > w => "red",
            _ if value > target => "amber",
            _ => "green",
        },
    }
}

/// The target row a result row compares with: its district when grouped, the pinned
/// district, or the city when nothing splits the rows; none when other dimensions do.
pub(crate) fn target_district(dimensions: &[String], row_dims: &[Option<String>], pinned: Option<&str>) -> Option<String> {
    if dimensions.iter().any(|d| d != "district") {
        return None;
    }
    match (dimensions.iter().position(|d| d == "district"), pinned) {
        // Other filters narrow the rows: no target describes them.
        (_, Some("")) => None,
        (Some(i), _) => row_dims[i].clone(),
        (None, pinned) => Some(pinned.unwrap_or(CITY).to_string()),
    }
}

pub(crate) fn json(v: Option<f64>) -> Value {
    v.and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
}

pub(crate) fn year_key(day: NaiveDate) -> i64 {
    date_key(day) / 10000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        // Half the year gone, half the target done: on pace.
        assert_eq!(status(TargetRule::Floor, 500.0, 1000.0, Some(900.0), 0.5), "green");
        // 46 % done at half time: behind the target, ahead of the warning pace (45 %).
        assert_eq!(status(TargetRule::Floor, 460.0, 1000.0, Some(900.0), 0.5), "amber");
        assert_eq!(status(TargetRule::Floor, 400.0, 1000.0, Some(900.0), 0.5), "red");
        assert_eq!(status(TargetRule::Ceiling, 1250.0, 1000.0, Some(1200.0), 0.5), "red");
        assert_eq!(status(TargetRule::Ceiling, 1100.0, 1000.0, Some(1200.0), 0.5), "amber");
        assert_eq!(status(TargetRule::Ceiling, 900.0, 1000.0, Some(1200.0), 0.5), "green");
        assert!((progress(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()) - 1.0).abs() < 1e-12);
        assert_eq!(target_district(&[], &[], None), Some("310000".into()));
        assert_eq!(
            target_district(&["district".into()], &[Some("310115".into())], None),
            Some("310115".into())
        );
        assert_eq!(target_district(&["gender".into()], &[Some("1".into())], None), None);
        assert_eq!(target_district(&[], &[], Some("")), None, "a gender filter: no target");
        assert_eq!(target_district(&[], &[], Some("310115")), Some("310115".into()));
    }
}
