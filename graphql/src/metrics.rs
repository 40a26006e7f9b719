//! Running a planned indicator query: its statements concurrently, then assembly. Shared
//! by the GraphQL resolver and `jiuye query`, so both answer with the same rows.

use chrono::{Duration, NaiveDate, Utc};
use jiuye_semantic::{
    Caller, Catalog, MetricsQuery, RoutingNote, SemanticError, StaleDates, Table, date_from_key, plan_with, sql::dialect_for,
};
use jiuye_warehouse::{Warehouse, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Semantic(#[from] SemanticError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

impl MetricsError {
    /// The message for an API caller: a database failure is reported without its SQL
    /// (which district callers may not see); the full error goes to the server log.
    pub fn public_message(&self) -> String {
        match self {
            MetricsError::Semantic(e) => e.to_string(),
            MetricsError::Warehouse(WarehouseError::Timeout { limit, .. }) => format!(
                "the warehouse stopped a statement after {} s; ask for a shorter range, a coarser grain or fewer dimensions",
                limit.as_secs_f64()
            ),
            MetricsError::Warehouse(e) => {
                tracing::error!(error = %e, "warehouse query failed");
                "the warehouse could not answer this query; the server log has the details".to_string()
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            MetricsError::Semantic(e) => e.code(),
            MetricsError::Warehouse(WarehouseError::Timeout { .. }) => "TIMEOUT",
            MetricsError::Warehouse(_) => "INTERNAL",
        }
    }
}

pub struct MetricsAnswer {
    pub table: Table,
    /// The statements, for callers allowed to see them.
    pub sql: Option<Vec<String>>,
    /// Which table served each part and why each rollup did not, for the same callers.
    pub routing: Option<Vec<RoutingNote>>,
}

/// Person counts below this are suppressed for callers without detail permission:
/// `JIUYE_SMALL_CELL_THRESHOLD` (1 turns protection off), else 5.
pub fn small_cell_threshold() -> i64 {
    static THRESHOLD: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *THRESHOLD.get_or_init(|| {
        std::env::var("JIUYE_SMALL_CELL_THRESHOLD")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(jiuye_semantic::DEFAULT_SMALL_CELL_THRESHOLD)
    })
}

/// Today in Asia/Shanghai (UTC+8, no daylight saving), where the users are.
pub fn shanghai_today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

pub async fn run_metrics(
    warehouse: &Warehouse,
    catalog: &Catalog,
    query: &MetricsQuery,
    caller: &Caller,
) -> Result<MetricsAnswer, MetricsError> {
    let stale = stale_dates(warehouse).await?;
    let mut query = query.clone();
    if let Some(known) = query.known_at {
        query.known_at = Some(known.visible_through(committed_stamp(warehouse, &known).await?.as_deref()));
    }
    let plan = plan_with(catalog, dialect_for(warehouse.backend()), &query, caller, shanghai_today(), &stale)?;
    for part in &plan.parts {
        crate::telemetry::count_statement(&part.table);
    }
    let results = futures::future::try_join_all(plan.parts.iter().map(|p| warehouse.fetch(&p.statement))).await?;
    let table = plan.assemble_for(&results, caller, small_cell_threshold())?;
    let sql = caller.may_see_sql().then(|| {
        plan.parts
            .iter()
            .map(|p| {
                format!(
                    "-- {:?} from {}\n{}\n-- params: {:?}",
                    p.purpose, p.table, p.statement.sql, p.statement.params
                )
            })
            .collect()
    });
    let routing = caller.may_see_sql().then(|| plan.routing.clone());
    Ok(MetricsAnswer { table, sql, routing })
}

/// The newest knowledge stamp committed by the instant `known` asks for.
async fn committed_stamp(warehouse: &Warehouse, known: &jiuye_semantic::KnownAt) -> Result<Option<String>, WarehouseError> {
    let rows = warehouse
        .fetch(&jiuye_sql_value::Statement {
            sql: format!(
                "SELECT MAX(stamp) FROM meta_knowledge WHERE committed_at <= {}",
                dialect_for(warehouse.backend()).placeholder(1)
            ),
            params: vec![known.instant_stamp().into()],
        })
        .await?;
    Ok(rows.rows.first().map(|r| r[0].to_key()).filter(|s| !s.is_empty()))
}

/// Dates loads have changed whose rollup periods are not rebuilt yet (normally none: a
/// run rebuilds them before it ends). One small aggregate over `meta_dirty_date`.
async fn stale_dates(warehouse: &Warehouse) -> Result<StaleDates, WarehouseError> {
    let rows = warehouse
        .fetch(&jiuye_sql_value::Statement {
            sql: "SELECT source, MIN(date_key), MAX(date_key) FROM meta_dirty_date GROUP BY source".into(),
            params: vec![],
        })
        .await?;
    let mut stale = StaleDates::default();
    for r in rows.rows {
        if let (Some(first), Some(last)) = (r[1].as_i64().and_then(date_from_key), r[2].as_i64().and_then(date_from_key)) {
            stale.0.insert(r[0].to_key(), (first, last));
        }
    }
    Ok(stale)
}
