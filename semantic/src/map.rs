//! Map layers (地图图层): service facilities, employers and open job postings with
//! coordinates, by type and district — the statement only; the caller runs it. A district
//! caller sees its district only, as with indicators.

use chrono::{Days, NaiveDate};
use jiuye_sql_value::{SqlValue, Statement};

use crate::SemanticError;
use crate::request::Caller;
use crate::sql::{Dialect, Expr, Select, render_select};

/// Which points a layer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLayer {
    /// `dwd_facility`, open facilities (状态 1): 就业促进中心, 孵化基地, 见习基地 …
    Facilities,
    /// `dwd_employer`, the registry's current version of each employer.
    Employers,
    /// `dwd_job_posting`, postings open on the day: published on or before it, deadline
    /// not passed, and published within [`POSTING_OPEN_DAYS`] when no deadline is given.
    Postings,
}

/// How long a posting without a 截止日期 counts as open (the contract's deadlines run
/// 30–90 days after publication).
pub const POSTING_OPEN_DAYS: i64 = 90;

/// Most points one layer answers with.
pub const MAP_POINT_LIMIT: usize = 5_000;

/// Columns of every layer row: code, name, type, district, longitude, latitude. `day`
/// dates the postings layer (the others show the registry as it is now).
pub fn map_layer_statement(
    layer: MapLayer,
    types: &[String],
    districts: &[String],
    day: NaiveDate,
    caller: &Caller,
    dialect: &dyn Dialect,
) -> Result<Statement, SemanticError> {
    let (table, code, name, kind) = match layer {
        MapLayer::Facilities => ("dwd_facility", "business_key", "facility_name", "facility_type"),
        MapLayer::Employers => ("dwd_employer", "employer_uscc", "employer_name", "employer_type"),
        // A posting's type is its 职业大类; its name the 岗位名称 (no personal data).
        MapLayer::Postings => ("dwd_job_posting", "business_key", "title", "occupation"),
    };
    let mut districts = districts.to_vec();
    if let Some(own) = &caller.district {
        if let Some(other) = districts.iter().find(|d| *d != own) {
            return Err(SemanticError::Forbidden(format!(
                "a district token for {own} cannot read district {other}"
            )));
        }
        districts = vec![own.clone()];
    }
    let mut select = Select::from(table, "m");
    for (column, alias) in [
        (code, "code"),
        (name, "name"),
        (kind, "type"),
        ("district", "district"),
        ("longitude", "longitude"),
        ("latitude", "latitude"),
    ] {
        select.columns.push((Expr::col("m", column), alias.into()));
    }
    match layer {
        MapLayer::Facilities => select
            .filter
            .push(Expr::eq(Expr::col("m", "status"), Expr::Param(SqlValue::Text("1".into())))),
        MapLayer::Postings => select.filter.push(open_on(day)),
        MapLayer::Employers => {}
    }
    if !types.is_empty() {
        select.filter.push(Expr::in_list(
            Expr::col("m", kind),
            types.iter().map(|t| SqlValue::Text(t.clone())).collect(),
        ));
    }
    if !districts.is_empty() {
        select.filter.push(Expr::in_list(
            Expr::col("m", "district"),
            districts.iter().map(|d| SqlValue::Text(d.clone())).collect(),
        ));
    }
    // Newest first for postings, so a layer cut at the limit keeps the freshest.
    if layer == MapLayer::Postings {
        select.order_by.push(Expr::col("m", "date_key"));
        select.descending = true;
    }
    select.order_by.push(Expr::col("m", code));
    // Points without coordinates cannot be drawn; the limit keeps a layer a layer.
    for axis in ["longitude", "latitude"] {
        select.filter.push(Expr::IsNotNull(Box::new(Expr::col("m", axis))));
    }
    select.limit = Some(MAP_POINT_LIMIT as u64);
    Ok(render_select(&select, dialect))
}

/// Published on or before `day`, and its 截止日期 not before it (or, without one, published
/// in the last [`POSTING_OPEN_DAYS`]).
fn open_on(day: NaiveDate) -> Expr {
    let key = |d: NaiveDate| Expr::Param(SqlValue::Int(crate::date_key(d)));
    // The last 90 days end with `day` itself.
    let since = day.checked_sub_days(Days::new(POSTING_OPEN_DAYS as u64 - 1)).unwrap_or(day);
    Expr::And(vec![
        Expr::AtLeast(Box::new(key(day)), Box::new(Expr::col("m", "date_key"))),
        Expr::Or(vec![
            Expr::AtLeast(Box::new(Expr::col("m", "deadline_key")), Box::new(key(day))),
            Expr::And(vec![
                Expr::IsNull(Box::new(Expr::col("m", "deadline_key"))),
                Expr::AtLeast(Box::new(Expr::col("m", "date_key")), Box::new(key(since))),
            ]),
        ]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{PostgresDialect, SqliteDialect};

    #[test]
    fn layers_bind_every_value_and_date_postings() {
        let day = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let mut district = Caller::unrestricted();
        district.district = Some("310115".into());
        let mut out = String::new();
        for dialect in [&SqliteDialect as &dyn Dialect, &PostgresDialect] {
            for (layer, caller) in [(MapLayer::Facilities, &Caller::unrestricted()), (MapLayer::Postings, &district)] {
                let st = map_layer_statement(layer, &["8".into()], &[], day, caller, dialect).unwrap();
                out.push_str(&format!("{};  {:?}\n", st.sql.replace('\n', " "), st.params));
            }
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn a_district_caller_cannot_ask_for_another() {
        let mut caller = Caller::unrestricted();
        caller.district = Some("310115".into());
        let day = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let err = map_layer_statement(MapLayer::Postings, &[], &["310101".into()], day, &caller, &SqliteDialect);
        assert!(matches!(err, Err(SemanticError::Forbidden(_))));
    }
}
