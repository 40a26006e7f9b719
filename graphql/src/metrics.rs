//! Running a planned indicator query: its statements concurrently, then assembly. Shared
//! by the GraphQL resolver and `jiuye query`, so both answer with the same rows.

use chrono::{Duration, NaiveDate, Utc};
use jiuye_semantic::{Caller, Catalog, MetricsQuery, SemanticError, Table, plan, sql::dialect_for};
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
            MetricsError::Warehouse(e) => {
                eprintln!("error: warehouse query failed: {e}");
                "the warehouse could not answer this query; the server log has the details".to_string()
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            MetricsError::Semantic(e) => e.code(),
            MetricsError::Warehouse(_) => "INTERNAL",
        }
    }
}

pub struct MetricsAnswer {
    pub table: Table,
    /// The statements, for callers allowed to see them.
    pub sql: Option<Vec<String>>,
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
    let plan = plan(catalog, dialect_for(warehouse.backend()), query, caller, shanghai_today())?;
    let results = futures::future::try_join_all(plan.parts.iter().map(|p| warehouse.fetch(&p.statement))).await?;
    let table = plan.assemble(&results)?;
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
    Ok(MetricsAnswer { table, sql })
}
