//! Stocks in a plan: a stock is read at each period's last day, from its daily snapshot
//! when one answers, else from the intervals holding on those days.

use std::collections::BTreeSet;

use jiuye_sql_value::SqlValue;

use super::{DATES, FACT, PartRequest, dimension_expr, finish, lookup_joins, measure_expr, rollup_select};
use crate::SemanticError;
use crate::catalog::{Catalog, Rollup};
use crate::model::{IntervalDef, SourceDef};
use crate::sql::{Expr, Join, Select, TableRef};
use crate::time::date_key;

/// The smallest daily snapshot of a stock holding the measures and dimensions, unless a
/// load changed the stock since it was built.
pub(super) fn route_snapshot<'c>(
    catalog: &'c Catalog,
    source: &str,
    measures: &[String],
    q: &PartRequest,
) -> (Option<&'c Rollup>, Vec<(String, String)>) {
    let needed = q.needed_dimensions();
    let pinned = q.pinned_dimensions();
    let mut rejected = Vec::new();
    let mut candidates: Vec<&Rollup> = Vec::new();
    for r in catalog.rollups.iter().filter(|r| r.source == source) {
        let dims: BTreeSet<&str> = r.dimensions.iter().map(String::as_str).collect();
        let reason = if let Some(m) = measures.iter().find(|m| !r.indicators.contains(m)) {
            Some(format!("does not hold `{m}`"))
        } else if let Some((first, last)) = q.stale {
            Some(format!(
                "a load changed the stock (dates {first}..{last}) and its snapshot is not rebuilt yet"
            ))
        } else if let Some(d) = needed.iter().find(|d| !dims.contains(*d)) {
            Some(format!("lacks dimension `{d}`"))
        } else if let Some(d) = dims.iter().find(|d| !q.dimensions.iter().any(|g| g == *d) && !pinned.contains(*d)) {
            Some(format!("distinct counts split by `{d}` cannot be added across it"))
        } else {
            None
        };
        match reason {
            Some(why) => rejected.push((r.table.clone(), why)),
            None => candidates.push(r),
        }
    }
    candidates.sort_by_key(|r| r.dimensions.len());
    let chosen = candidates.first().copied();
    for r in candidates.iter().skip(1) {
        rejected.push((r.table.clone(), "a smaller snapshot also answers".into()));
    }
    (chosen, rejected)
}

/// Most periods a stock query may ask for (one as-of day each, bound as parameters).
const MAX_STOCK_PERIODS: usize = 1_000;

/// A stock: the rows whose `[valid_from, valid_to)` holds each period's as-of day — its
/// last day, or the query's end for the last, unfinished period.
pub(super) fn stock_select(
    source: &SourceDef,
    interval: &IntervalDef,
    measures: &[String],
    catalog: &Catalog,
    q: &PartRequest,
) -> Result<Select, SemanticError> {
    let as_of = as_of_days(q)?;
    let mut select = Select::from(&source.table, FACT);
    let day = Expr::col(DATES, "date_key");
    select.joins.push(Join {
        table: TableRef::new("dim_date", DATES),
        on: Expr::And(vec![
            Expr::AtLeast(Box::new(day.clone()), Box::new(Expr::col(FACT, &interval.valid_from))),
            Expr::Below(Box::new(day.clone()), Box::new(Expr::col(FACT, &interval.valid_to))),
        ]),
        left: false,
    });
    for m in measures {
        let def = catalog.measure_def(m).expect("measure");
        select.columns.push((measure_expr(def, FACT), m.clone()));
    }
    select.filter.push(Expr::in_list(day, as_of));
    let date = Expr::col(DATES, "date_key");
    select.joins.extend(lookup_joins(source, q, &date));
    Ok(finish(select, q, date, &|d| dimension_expr(source, d)))
}

/// The day each period of a stock is read at: its last day, or the query's end for the
/// last, unfinished period.
fn as_of_days(q: &PartRequest) -> Result<Vec<SqlValue>, SemanticError> {
    let mut as_of = Vec::new();
    let mut start = q.grain.period_start(q.from);
    while start <= q.to {
        let end = q.grain.period_end(start);
        as_of.push(SqlValue::Int(date_key(end.min(q.to))));
        if as_of.len() > MAX_STOCK_PERIODS {
            return Err(SemanticError::InvalidQuery(format!(
                "a stock is read once per period; {}..{} at {} is more than {MAX_STOCK_PERIODS} periods — use a coarser grain",
                q.from,
                q.to,
                q.grain.name()
            )));
        }
        start = end + chrono::Days::new(1);
    }
    Ok(as_of)
}

/// A stock from its daily snapshot: the rows of each period's as-of day.
pub(super) fn snapshot_select(rollup: &Rollup, measures: &[String], catalog: &Catalog, q: &PartRequest) -> Result<Select, SemanticError> {
    let mut select = rollup_select(rollup, measures, catalog, q);
    select.filter.push(Expr::in_list(Expr::col(FACT, "date_key"), as_of_days(q)?));
    Ok(select)
}
