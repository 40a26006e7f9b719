//! From a `MetricsQuery` to statements: validation, row-level security, rollup routing
//! and comparison ranges. Pure: no clock, no database; `today` comes from the caller.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use jiuye_sql_value::{SqlValue, Statement};

use crate::SemanticError;
use crate::catalog::{Catalog, Rollup};
use crate::model::{Aggregation, MeasureDef, SourceDef};
use crate::request::{Caller, DimensionFilter, MetricsQuery};
use crate::sql::{AggFunc, Dialect, Expr, Join, Select, SqlType, TableRef, render_select};
use crate::time::{Compare, Grain, date_key};

mod known;
mod stock;

pub(crate) use known::read_as_known;
use known::rollups_unknowing;
use stock::{route_snapshot, snapshot_select, stock_select};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartPurpose {
    Main,
    Base(Compare),
    /// The year to date of the query period with this key (TARGET's completion).
    YearToDate(i64),
    /// The annual targets and warning values (TARGET).
    Targets,
}

/// One statement of a plan. Its result columns are `period`, the query's dimensions in
/// order, then `measures`.
#[derive(Debug, Clone)]
pub struct PlanPart {
    pub purpose: PartPurpose,
    pub source: String,
    /// The table that serves it: a `dws_` rollup or the source's `dwd_` table.
    pub table: String,
    pub measures: Vec<String>,
    pub statement: Statement,
}

/// Why each rollup did or did not serve a part (shown by `explain`).
#[derive(Debug, Clone)]
pub struct RoutingNote {
    pub purpose: PartPurpose,
    pub source: String,
    pub chosen: String,
    pub rejected: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
/// A query's plan: borrows the catalog it was made from (a request plans in proportion
/// to its answer, never copying the model).
pub struct Plan<'c> {
    pub grain: Grain,
    pub dimensions: Vec<String>,
    pub indicators: Vec<String>,
    pub compare: Vec<Compare>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub parts: Vec<PlanPart>,
    pub routing: Vec<RoutingNote>,
    /// The one district the rows are limited to, if a filter pins it (TARGET takes that
    /// district's targets when `district` is not grouped); `Some("")` when other filters
    /// narrow the rows so that no target applies.
    pub pinned_district: Option<String>,
    pub(crate) catalog: &'c Catalog,
}

const FACT: &str = "f";
const DATES: &str = "d";

/// Dates whose rollup periods a load has changed but not rebuilt yet, per source: the
/// first and last such date. A rollup whose answer would cover them is not used.
#[derive(Debug, Clone, Default)]
pub struct StaleDates(pub BTreeMap<String, (NaiveDate, NaiveDate)>);

pub fn plan<'c>(
    catalog: &'c Catalog,
    dialect: &dyn Dialect,
    query: &MetricsQuery,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Plan<'c>, SemanticError> {
    plan_with(catalog, dialect, query, caller, today, &StaleDates::default())
}

/// `plan`, avoiding rollups that are stale for the query's dates.
pub fn plan_with<'c>(
    catalog: &'c Catalog,
    dialect: &dyn Dialect,
    query: &MetricsQuery,
    caller: &Caller,
    today: NaiveDate,
    stale: &StaleDates,
) -> Result<Plan<'c>, SemanticError> {
    if query.indicators.is_empty() {
        return Err(SemanticError::InvalidQuery("ask for at least one indicator".into()));
    }
    caller.check_indicators(&query.indicators)?;
    crate::time::check_date("timeRange.from", query.from)?;
    crate::time::check_date("timeRange.to", query.to)?;
    if query.from > query.to {
        return Err(SemanticError::InvalidQuery(format!(
            "timeRange.from {} is after timeRange.to {}",
            query.from, query.to
        )));
    }
    let mut seen = BTreeSet::new();
    for d in &query.dimensions {
        catalog.dimension(d)?;
        if !seen.insert(d) {
            return Err(SemanticError::InvalidQuery(format!("dimension `{d}` is listed twice")));
        }
    }
    let filters = secure_filters(catalog, &query.filters, caller)?;

    // Group the measures behind the requested indicators by source, checking that every
    // source carries every requested dimension.
    let mut by_source: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for code in &query.indicators {
        let indicator = catalog.indicator(code)?;
        for base in catalog.base_measures(code)? {
            let source = catalog.source(&catalog.indicator(&base)?.source);
            for dim in query.dimensions.iter().chain(filters.iter().map(|f| &f.dimension)) {
                if !source.dimensions.contains_key(dim) {
                    return Err(SemanticError::DimensionNotInSource {
                        indicator: indicator.code.clone(),
                        dimension: dim.clone(),
                        source_code: source.code.clone(),
                        available: source.dimensions.keys().cloned().collect::<Vec<_>>().join(", "),
                    });
                }
            }
            let list = by_source.entry(source.code.clone()).or_default();
            // A caller without detail permission gets protected figures: each measure
            // brings the person count and cell key of its rows (`companions`).
            let companions = match caller.has_detail_permission() {
                true => vec![],
                false => catalog.companions_of(&base),
            };
            for m in std::iter::once(base.as_str()).chain(companions) {
                if !list.iter().any(|l| l == m) {
                    list.push(m.to_string());
                }
            }
        }
    }

    // An as-of answer cannot describe days after the instant it reproduces.
    let today = query.known_at.map_or(today, |k| today.min(k.city_date()));
    let to = query.to.min(today);
    let mut ranges = vec![(PartPurpose::Main, query.grain, query.from, to)];
    for c in query.compare.iter().filter(|c| **c != Compare::Target) {
        let (base_from, base_to) = query.grain.shift_range(query.from, to, *c);
        ranges.push((PartPurpose::Base(*c), query.grain, base_from, base_to));
    }
    let mut parts = Vec::new();
    if query.compare.contains(&Compare::Target) {
        ranges.extend(crate::target::year_to_date_ranges(query.grain, query.from, to)?);
        parts.push(crate::target::targets_part(
            &query.indicators,
            query.from,
            to,
            query.known_at,
            dialect,
        ));
    }

    let mut routing = Vec::new();
    for (purpose, grain, from, to) in ranges {
        for (source_code, measures) in &by_source {
            let source = catalog.source(source_code);
            let request = PartRequest {
                grain,
                dimensions: &query.dimensions,
                filters: &filters,
                from,
                to,
                stale: stale.0.get(source_code).copied(),
            };
            let (rollup, rejected) = match (&source.interval, query.known_at) {
                (_, Some(known)) => (None, rollups_unknowing(catalog, source_code, known)),
                (Some(_), None) => route_snapshot(catalog, source_code, measures, &request),
                (None, None) => route(catalog, source_code, measures, &request),
            };
            let mut select = match (rollup, &source.interval) {
                (Some(r), Some(_)) => snapshot_select(r, measures, catalog, &request)?,
                (Some(r), None) => rollup_select(r, measures, catalog, &request),
                (None, Some(interval)) => stock_select(source, interval, measures, catalog, &request)?,
                (None, None) => detail_select(source, measures, catalog, &request),
            };
            if let Some(known) = query.known_at {
                read_as_known(&mut select, known);
            }
            let table = rollup.map(|r| r.table.clone()).unwrap_or_else(|| source.table.clone());
            routing.push(RoutingNote {
                purpose,
                source: source_code.clone(),
                chosen: table.clone(),
                rejected,
            });
            parts.push(PlanPart {
                purpose,
                source: source_code.clone(),
                table,
                measures: measures.clone(),
                statement: render_select(&select, dialect),
            });
        }
    }
    // The district whose targets un-split rows compare with: the one a filter pins, the
    // city when nothing narrows the rows, none when another filter (or several
    // districts) makes them a subset no target describes.
    let narrowed = filters.iter().any(|f| f.dimension != "district" || f.values.len() != 1);
    let pinned_district = if narrowed {
        Some(String::new())
    } else {
        filters.iter().find(|f| f.dimension == "district").map(|f| f.values[0].clone())
    };
    Ok(Plan {
        pinned_district,
        grain: query.grain,
        dimensions: query.dimensions.clone(),
        indicators: query.indicators.clone(),
        compare: query.compare.clone(),
        from: query.from,
        to,
        parts,
        routing,
        catalog,
    })
}

/// Row-level security lives here so that every surface gets it: a district caller is
/// limited to its district, and asking for another one is refused, not silently emptied.
fn secure_filters(catalog: &Catalog, filters: &[DimensionFilter], caller: &Caller) -> Result<Vec<DimensionFilter>, SemanticError> {
    let mut out: Vec<DimensionFilter> = Vec::new();
    for f in filters {
        catalog.dimension(&f.dimension)?;
        if f.values.is_empty() {
            return Err(SemanticError::InvalidQuery(format!("filter on `{}` lists no values", f.dimension)));
        }
        if out.iter().any(|o| o.dimension == f.dimension) {
            return Err(SemanticError::InvalidQuery(format!(
                "`{}` is filtered twice; list all values in one filter",
                f.dimension
            )));
        }
        out.push(f.clone());
    }
    if let Some(own) = &caller.district {
        match out.iter().find(|f| f.dimension == "district") {
            Some(f) => {
                if let Some(other) = f.values.iter().find(|v| *v != own) {
                    return Err(SemanticError::Forbidden(format!(
                        "a district token for {own} cannot read district {other}"
                    )));
                }
            }
            None => out.push(DimensionFilter {
                dimension: "district".into(),
                values: vec![own.clone()],
            }),
        }
    }
    Ok(out)
}

impl PartRequest<'_> {
    /// Dimensions the part groups by or filters on: a table serving it must carry them.
    fn needed_dimensions(&self) -> BTreeSet<&str> {
        self.dimensions
            .iter()
            .chain(self.filters.iter().map(|f| &f.dimension))
            .map(String::as_str)
            .collect()
    }

    /// Dimensions filtered to a single value.
    fn pinned_dimensions(&self) -> BTreeSet<&str> {
        self.filters
            .iter()
            .filter(|f| f.values.len() == 1)
            .map(|f| f.dimension.as_str())
            .collect()
    }
}

struct PartRequest<'a> {
    grain: Grain,
    dimensions: &'a [String],
    filters: &'a [DimensionFilter],
    from: NaiveDate,
    to: NaiveDate,
    stale: Option<(NaiveDate, NaiveDate)>,
}

/// The smallest rollup that answers exactly, or `None` for the detail table, with the
/// reason each other rollup was passed over.
fn route<'c>(catalog: &'c Catalog, source: &str, measures: &[String], q: &PartRequest) -> (Option<&'c Rollup>, Vec<(String, String)>) {
    let has_distinct = measures
        .iter()
        .any(|m| catalog.measure_def(m).is_none_or(|d| !d.aggregation.is_additive()));
    let needed = q.needed_dimensions();
    let single_valued = q.pinned_dimensions();
    let grouped: BTreeSet<&str> = q.dimensions.iter().map(String::as_str).collect();

    let mut rejected = Vec::new();
    let mut candidates: Vec<&Rollup> = Vec::new();
    for r in catalog.rollups.iter().filter(|r| r.source == source) {
        let dims: BTreeSet<&str> = r.dimensions.iter().map(String::as_str).collect();
        // The periods the rollup would read, widened to its grain (a to-date rollup: to
        // the periods its first occurrences are counted in), must all be rebuilt.
        let span = r.first_in.unwrap_or(r.grain);
        let stale = q
            .stale
            .filter(|(first, last)| *first <= span.period_end(q.to) && *last >= span.period_start(q.from));
        // A to-date rollup's distinct counts hold for ranges starting on a period's
        // first day, at that period's grain.
        let to_date = r.first_in.filter(|_| has_distinct);
        let reason = if let Some(m) = measures.iter().find(|m| !r.indicators.contains(m)) {
            Some(format!("does not hold `{m}`"))
        } else if let Some((first, last)) = stale {
            Some(format!("a load changed dates {first}..{last} and its periods are not rebuilt yet"))
        } else if let Some(g) = to_date
            && g != q.grain
        {
            Some(format!(
                "it counts each person once per {0}, so it answers {0} periods only",
                g.name()
            ))
        } else if let Some(g) = to_date
            && q.from != g.period_start(q.from)
        {
            Some(format!(
                "it counts each person from a {0}'s first day; the range starts on {1}",
                g.name(),
                q.from
            ))
        } else if !r.grain.rolls_up_to(q.grain) {
            Some(format!("its grain {} does not roll up to {}", r.grain.name(), q.grain.name()))
        } else if q.from != r.grain.period_start(q.from) || q.to != r.grain.period_end(q.to) {
            Some(format!(
                "the range {}..{} does not align with whole {} periods",
                q.from,
                q.to,
                r.grain.name()
            ))
        } else if let Some(d) = needed.iter().find(|d| !dims.contains(*d)) {
            Some(format!("lacks dimension `{d}`"))
        } else if has_distinct && to_date.is_none() && r.grain != q.grain {
            Some(format!(
                "distinct counts at {} cannot be added up to {}",
                r.grain.name(),
                q.grain.name()
            ))
        } else if has_distinct && let Some(d) = dims.iter().find(|d| !grouped.contains(*d) && !single_valued.contains(*d)) {
            Some(format!("distinct counts split by `{d}` cannot be added across it"))
        } else {
            None
        };
        match reason {
            Some(why) => rejected.push((r.table.clone(), why)),
            None => candidates.push(r),
        }
    }
    candidates.sort_by_key(|r| (r.dimensions.len(), std::cmp::Reverse(r.grain)));
    let chosen = candidates.first().copied();
    for r in candidates.iter().skip(1) {
        rejected.push((r.table.clone(), "a smaller rollup also answers exactly".into()));
    }
    (chosen, rejected)
}

fn date_join(fact_alias: &str, date_column: &str) -> Join {
    Join {
        table: TableRef::new("dim_date", DATES),
        on: Expr::eq(Expr::col(DATES, "date_key"), Expr::col(fact_alias, date_column)),
        left: false,
    }
}

fn range_filter(q: &PartRequest, date: Expr) -> Expr {
    Expr::Between {
        expr: Box::new(date),
        low: SqlValue::Int(date_key(q.from)),
        high: SqlValue::Int(date_key(q.to)),
    }
}

/// Where a source keeps a dimension: its own column, or a lookup's (`alias.column`).
fn dimension_expr(source: &SourceDef, dimension: &str) -> Expr {
    let column = &source.dimensions[dimension];
    match column.split_once('.') {
        Some((alias, name)) => Expr::col(alias, name),
        None => Expr::col(FACT, column),
    }
}

/// The lookups the query's dimensions and filters read, as `LEFT JOIN`s: a fact row
/// without a match keeps counting (under an empty dimension value).
fn lookup_joins(source: &SourceDef, q: &PartRequest, date: &Expr) -> Vec<Join> {
    let used: BTreeSet<&str> = q
        .dimensions
        .iter()
        .chain(q.filters.iter().map(|f| &f.dimension))
        .filter_map(|d| source.dimensions.get(d))
        .filter_map(|c| c.split_once('.').map(|(alias, _)| alias))
        .collect();
    used.into_iter()
        .map(|alias| {
            let lookup = &source.lookups[alias];
            let mut on = vec![Expr::eq(Expr::col(alias, &lookup.key), Expr::col(FACT, &lookup.on))];
            if lookup.dated {
                on.push(Expr::AtLeast(Box::new(date.clone()), Box::new(Expr::col(alias, "valid_from"))));
                on.push(Expr::Below(Box::new(date.clone()), Box::new(Expr::col(alias, "valid_to"))));
            }
            Join {
                table: TableRef::new(&lookup.table, alias),
                on: Expr::And(on),
                left: true,
            }
        })
        .collect()
}

/// Adds the period and dimension columns, the range filter on `date` and the filters.
fn finish(mut select: Select, q: &PartRequest, date: Expr, column_of: &dyn Fn(&str) -> Expr) -> Select {
    let period = Expr::col(DATES, q.grain.key_column());
    select.columns.insert(0, (period.clone(), "period".into()));
    select.group_by.push(period.clone());
    select.order_by.push(period);
    for (i, d) in q.dimensions.iter().enumerate() {
        let col = column_of(d);
        select.columns.insert(i + 1, (col.clone(), d.clone()));
        select.group_by.push(col.clone());
        select.order_by.push(col);
    }
    select.filter.push(range_filter(q, date));
    for f in q.filters {
        select.filter.push(Expr::in_list(
            column_of(&f.dimension),
            f.values.iter().map(|v| SqlValue::Text(v.clone())).collect(),
        ));
    }
    select
}

fn detail_select(source: &SourceDef, measures: &[String], catalog: &Catalog, q: &PartRequest) -> Select {
    let mut select = Select::from(&source.table, FACT);
    select.joins.push(date_join(FACT, &source.date_column));
    let mut conditions = Vec::new();
    for m in measures {
        let def = catalog.measure_def(m).expect("routing only passes measures");
        select.columns.push((measure_expr(def, FACT), m.clone()));
        conditions.push(measure_condition(def, FACT));
    }
    // Scan only rows some measure counts: faster, and a group made only of rows no
    // measure counts (a district with separations but no hires, asked for hires) does
    // not appear, just as it would not from a rollup.
    if let Some(conditions) = conditions.into_iter().collect::<Option<Vec<Expr>>>() {
        select.filter.extend(match conditions.len() {
            1 => conditions,
            _ => vec![Expr::Or(conditions)],
        });
    }
    let date = Expr::col(FACT, &source.date_column);
    select.joins.extend(lookup_joins(source, q, &date));
    finish(select, q, date, &|d| dimension_expr(source, d))
}

fn rollup_select(rollup: &Rollup, measures: &[String], catalog: &Catalog, q: &PartRequest) -> Select {
    let mut select = Select::from(&rollup.table, FACT);
    select.joins.push(date_join(FACT, "date_key"));
    for m in measures {
        let ty = value_type(catalog.measure_def(m).expect("measure"));
        select
            .columns
            .push((Expr::cast(Expr::aggregate(AggFunc::Sum, Some(Expr::col(FACT, m))), ty), m.clone()));
    }
    finish(select, q, Expr::col(FACT, "date_key"), &|d| Expr::col(FACT, d))
}

pub(crate) fn value_type(def: &MeasureDef) -> SqlType {
    match def.aggregation {
        Aggregation::Sum if !def.integer => SqlType::Double,
        _ => SqlType::BigInt,
    }
}

/// The aggregate of one measure over detail rows aliased `alias`. Conditional
/// aggregation lets several measures share one scan.
/// The rows a measure counts, or `None` when it counts every row.
pub(crate) fn measure_condition(def: &MeasureDef, alias: &str) -> Option<Expr> {
    let mut conditions: Vec<Expr> = def
        .where_in
        .iter()
        .map(|(col, values)| Expr::in_list(Expr::col(alias, col), values.iter().map(|v| SqlValue::Text(v.clone())).collect()))
        .collect();
    conditions.extend(
        def.at_least
            .iter()
            .map(|(col, least)| Expr::AtLeast(Box::new(Expr::col(alias, col)), Box::new(Expr::Param(SqlValue::Int(*least))))),
    );
    // A count with a column counts the rows where it is filled.
    if let (Aggregation::Count, Some(col)) = (def.aggregation, &def.column) {
        conditions.push(Expr::IsNotNull(Box::new(Expr::col(alias, col))));
    }
    if let Some(col) = &def.filled {
        conditions.push(Expr::IsNotNull(Box::new(Expr::col(alias, col))));
    }
    Expr::all(conditions)
}

pub(crate) fn measure_expr(def: &MeasureDef, alias: &str) -> Expr {
    let condition = measure_condition(def, alias);
    let value = |e: Expr| match &condition {
        Some(c) => Expr::CaseWhen {
            condition: Box::new(c.clone()),
            then: Box::new(e),
        },
        None => e,
    };
    match def.aggregation {
        Aggregation::Count => match &condition {
            Some(_) => Expr::aggregate(AggFunc::Count, Some(value(Expr::Literal(1)))),
            None => Expr::aggregate(AggFunc::Count, None),
        },
        Aggregation::CountDistinct => {
            let col = def.column.as_deref().expect("validated: count_distinct has a column");
            Expr::aggregate(AggFunc::CountDistinct, Some(value(Expr::col(alias, col))))
        }
        Aggregation::Sum => {
            let col = def.column.as_deref().expect("validated: sum has a column");
            Expr::cast(Expr::aggregate(AggFunc::Sum, Some(value(Expr::col(alias, col)))), value_type(def))
        }
        Aggregation::KeySum => {
            let col = def.column.as_deref().expect("derived: a key sum has a column");
            let key = Expr::RecordKey(Box::new(Expr::col(alias, col)));
            Expr::cast(Expr::aggregate(AggFunc::Sum, Some(value(key))), value_type(def))
        }
    }
}
