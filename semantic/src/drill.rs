//! Drill-down: from a cell of an answer (an indicator, a period, the cell's dimension
//! values) to the next level — the next grain inside the period, or the child dimension
//! (industry_section → industry, the city → its districts) — and down to the detail rows
//! behind it: paged, only the columns the caller's role may read, each with its lineage
//! (ETL run, file, line).

use chrono::NaiveDate;
use jiuye_sql_value::{SqlValue, Statement};

use crate::SemanticError;
use crate::catalog::Catalog;
use crate::model::SourceDef;
use crate::planner::measure_condition;
use crate::request::{Caller, DimensionFilter, MASKED_IDENTITY_VIEW, MetricsQuery};
use crate::sql::{Dialect, Expr, Join, Select, TableRef, render_select};
use crate::time::{Grain, date_key};

/// The first and last day of the period labelled `label` at `grain` (`2024`, `2024-Q1`,
/// `2024-03`, `2024-W03`, `2024-03-05`).
pub fn period_range(grain: Grain, label: &str) -> Option<(NaiveDate, NaiveDate)> {
    let start = match grain {
        Grain::Day => NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()?,
        Grain::Month => NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").ok()?,
        Grain::Year => NaiveDate::from_ymd_opt(label.parse().ok()?, 1, 1)?,
        Grain::Quarter => {
            let (y, q) = label.split_once("-Q")?;
            let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            NaiveDate::from_ymd_opt(y.parse().ok()?, (q - 1) * 3 + 1, 1)?
        }
        Grain::Week => {
            let (y, w) = label.split_once("-W")?;
            NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)?
        }
    };
    (grain.label(grain.period_key(start)) == label).then(|| (start, grain.period_end(start)))
}

/// The next finer grain: YEAR → QUARTER → MONTH → DAY, WEEK → DAY.
pub fn next_grain(grain: Grain) -> Option<Grain> {
    match grain {
        Grain::Year => Some(Grain::Quarter),
        Grain::Quarter => Some(Grain::Month),
        Grain::Month | Grain::Week => Some(Grain::Day),
        Grain::Day => None,
    }
}

fn bad(message: String) -> SemanticError {
    SemanticError::InvalidQuery(message)
}

/// The query one level below a cell: by `by` (a dimension) within the same period, or,
/// without `by`, the next grain inside the period; the cell's values become filters.
pub fn drill_query(
    catalog: &Catalog,
    indicator: &str,
    grain: Grain,
    period: &str,
    cell: &[DimensionFilter],
    by: Option<&str>,
) -> Result<MetricsQuery, SemanticError> {
    catalog.indicator(indicator)?;
    let (from, to) = period_range(grain, period).ok_or_else(|| bad(format!("`{period}` is not a {} period label", grain.name())))?;
    let (dimensions, grain) = match by {
        Some(dim) => {
            catalog.dimension(dim)?;
            (vec![dim.to_string()], grain)
        }
        None => {
            let finer = next_grain(grain).ok_or_else(|| bad("a day is the finest grain: drill to the detail rows instead".into()))?;
            (vec![], finer)
        }
    };
    Ok(MetricsQuery {
        indicators: vec![indicator.to_string()],
        dimensions,
        grain,
        from,
        to,
        filters: cell.to_vec(),
        compare: vec![],
        known_at: None,
    })
}

/// The child of a dimension in the hierarchy (its first dimension whose parent it is);
/// the city's child is `district`.
pub fn child_dimension(catalog: &Catalog, dimension: Option<&str>) -> Option<String> {
    match dimension {
        None => Some("district".into()),
        Some(d) => catalog
            .dimensions
            .values()
            .find(|x| x.parent.as_deref() == Some(d))
            .map(|x| x.code.clone()),
    }
}

/// Most detail rows one page holds.
pub const MAX_PAGE_SIZE: u32 = 500;

/// The detail views a source's `detail:` lists may name; a role with `detail.read` reads
/// one of them (`identity/roles.yaml`). Only the masked-identity view may show masked
/// personal display values.
pub const DETAIL_VIEWS: [&str; 2] = [DEIDENTIFIED_VIEW, MASKED_IDENTITY_VIEW];

/// The detail view without personal display values (analysts).
pub const DEIDENTIFIED_VIEW: &str = "deidentified";

/// Columns no whitelist may name: join keys (pseudonyms) and anything that, beside a
/// masked ID, rebuilds the number (docs/security.md).
fn never_shown(column: &str) -> bool {
    matches!(column, "person_key" | "person_month" | "birth_date") || column.ends_with("_enc")
}

/// Model validation of a source's `detail:` whitelists.
pub(crate) fn check_detail_columns(source: &SourceDef) -> Result<(), String> {
    for (view, columns) in &source.detail {
        if !DETAIL_VIEWS.contains(&view.as_str()) {
            return Err(format!(
                "source `{}`: unknown detail view `{view}`; the views are {}",
                source.code,
                DETAIL_VIEWS.join(", ")
            ));
        }
        for c in columns {
            if view != MASKED_IDENTITY_VIEW && c.ends_with("_masked") {
                return Err(format!(
                    "source `{}`: the `{view}` view may not show `{c}`; masked values belong to `{MASKED_IDENTITY_VIEW}`",
                    source.code
                ));
            }
            if never_shown(c) {
                return Err(format!("source `{}`: detail column `{c}` may be shown to no one", source.code));
            }
            if c.is_empty() || !c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_') {
                return Err(format!("source `{}`: `{c}` is not a column name", source.code));
            }
        }
    }
    Ok(())
}

/// A page of detail rows to fetch, with its column names (known even when it is empty).
#[derive(Debug, Clone)]
pub struct DetailQuery {
    pub statement: Statement,
    pub columns: Vec<String>,
}

/// Which page of detail rows, how large, and in which order.
#[derive(Debug, Clone, Copy)]
pub struct DetailPaging {
    pub page: u32,
    pub size: u32,
    /// The rows loaded last first (the newest file, its last lines): a day's latest
    /// records for a ticker. Otherwise oldest file first, as loaded.
    pub newest_first: bool,
}

/// The detail rows behind a cell: the rows of the indicator's detail table that it counts
/// in that period and cell, by file and line (`paging`) — only the columns the caller's
/// role may read (the source's `detail:` whitelist), then `source_file`, `line_no` and
/// `etl_run`.
pub fn detail_statement(
    catalog: &Catalog,
    indicator: &str,
    grain: Grain,
    period: &str,
    cell: &[DimensionFilter],
    paging: DetailPaging,
    caller: &Caller,
    dialect: &dyn Dialect,
) -> Result<DetailQuery, SemanticError> {
    if !caller.has_detail_permission() {
        return Err(SemanticError::Forbidden(format!("the {} role reads no detail rows", caller.role)));
    }
    caller.check_indicators([&indicator.to_string()])?;
    let bases = catalog.base_measures(indicator)?;
    let [base] = bases.as_slice() else {
        return Err(bad(format!(
            "`{indicator}` is derived from {}; drill into one of them",
            bases.join(", ")
        )));
    };
    let ind = catalog.indicator(base)?;
    let source = catalog.source(&ind.source);
    if source.interval.is_some() {
        return Err(bad(format!(
            "`{indicator}` is a stock held in person-state intervals; drill into the registrations behind it (e.g. unemployment_registration_persons)"
        )));
    }
    let Some(shown) = caller.detail_view.as_ref().and_then(|view| source.detail.get(view)) else {
        return Err(SemanticError::Forbidden(format!(
            "the {} role reads no detail rows of `{}`",
            caller.role, source.code
        )));
    };
    let (from, to) = period_range(grain, period).ok_or_else(|| bad(format!("`{period}` is not a {} period label", grain.name())))?;
    crate::time::check_date("period", from)?;
    crate::time::check_date("period", to)?;
    let mut select = Select::from(&source.table, "f");
    for column in shown {
        select.columns.push((Expr::col("f", column), column.clone()));
    }
    select.columns.push((Expr::col("l", "file_name"), "source_file".into()));
    select.columns.push((Expr::col("f", "line_no"), "line_no".into()));
    select.columns.push((Expr::col("l", "run_id"), "etl_run".into()));
    select.joins.push(Join {
        table: TableRef::new("meta_load_file", "l"),
        on: Expr::eq(Expr::col("l", "file_id"), Expr::col("f", "file_id")),
        left: true,
    });
    select.filter.push(Expr::Between {
        expr: Box::new(Expr::col("f", &source.date_column)),
        low: SqlValue::Int(date_key(from)),
        high: SqlValue::Int(date_key(to)),
    });
    if let Some(condition) = ind.measure().and_then(|m| measure_condition(m, "f")) {
        select.filter.push(condition);
    }
    let mut filters = cell.to_vec();
    if let Some(own) = &caller.district {
        filters.push(DimensionFilter {
            dimension: "district".into(),
            values: vec![own.clone()],
        });
    }
    for f in &filters {
        let column = source
            .dimensions
            .get(&f.dimension)
            .ok_or_else(|| SemanticError::DimensionNotInSource {
                indicator: indicator.to_string(),
                dimension: f.dimension.clone(),
                source_code: source.code.clone(),
                available: source.dimensions.keys().cloned().collect::<Vec<_>>().join(", "),
            })?;
        if column.contains('.') {
            return Err(bad(format!(
                "`{}` is read through a lookup; drill by a dimension of the table itself",
                f.dimension
            )));
        }
        select.filter.push(Expr::in_list(
            Expr::col("f", column),
            f.values.iter().map(|v| SqlValue::Text(v.clone())).collect(),
        ));
    }
    select.order_by.push(Expr::col("f", "file_id"));
    select.order_by.push(Expr::col("f", "line_no"));
    select.descending = paging.newest_first;
    let mut statement = render_select(&select, dialect);
    let size = paging.size.clamp(1, MAX_PAGE_SIZE) as i64;
    let n = statement.params.len();
    statement.sql.push_str(&format!(
        "\nLIMIT {} OFFSET {}",
        dialect.placeholder(n + 1),
        dialect.placeholder(n + 2)
    ));
    statement.params.push(SqlValue::Int(size));
    statement.params.push(SqlValue::Int(paging.page as i64 * size));
    let columns = select.columns.iter().map(|(_, alias)| alias.clone()).collect();
    Ok(DetailQuery { statement, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_back_to_their_periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(period_range(Grain::Month, "2024-02"), Some((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(period_range(Grain::Quarter, "2024-Q4"), Some((d("2024-10-01"), d("2024-12-31"))));
        assert_eq!(period_range(Grain::Week, "2025-W01"), Some((d("2024-12-30"), d("2025-01-05"))));
        assert_eq!(period_range(Grain::Year, "2024"), Some((d("2024-01-01"), d("2024-12-31"))));
        assert_eq!(period_range(Grain::Month, "2024-13"), None);
        assert_eq!(period_range(Grain::Quarter, "2024-Q5"), None);
        assert_eq!(next_grain(Grain::Year), Some(Grain::Quarter));
        let catalog = Catalog::builtin().unwrap();
        assert_eq!(child_dimension(&catalog, Some("industry_section")).as_deref(), Some("industry"));
        assert_eq!(child_dimension(&catalog, None).as_deref(), Some("district"));
    }

    #[test]
    fn a_detail_whitelist_may_not_name_a_pseudonym_or_an_unknown_view() {
        let source = |detail: &str| {
            format!("source: {{ code: s, name: s, table: t, feeds: [s], refresh: daily, dimensions: {{}}, detail: {detail} }}\n")
        };
        for (detail, complaint) in [
            ("{ deidentified: [business_key, person_key] }", "person_key"),
            ("{ deidentified: [birth_date] }", "birth_date"),
            ("{ masked_identity: [id_number_enc] }", "id_number_enc"),
            ("{ analyst: [business_key] }", "unknown detail view"),
            ("{ deidentified: [id_number_masked] }", "masked values belong to `masked_identity`"),
            ("{ deidentified: [\"a; DROP\"] }", "not a column"),
        ] {
            let err = Catalog::from_files([("s.yaml".to_string(), source(detail))]).unwrap_err();
            assert!(err.to_string().contains(complaint), "{detail}: {err}");
        }
        assert!(
            Catalog::from_files([(
                "s.yaml".to_string(),
                source("{ deidentified: [business_key], masked_identity: [name_masked] }")
            )])
            .is_ok()
        );
    }
}
