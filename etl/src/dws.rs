//! Rebuilding the DWS periods that loads touched (listed in `meta_dirty_date`), one
//! transaction per source, so a crash leaves the dates listed for the next run.

use jiuye_semantic::sql::dialect_for;
use jiuye_semantic::{Catalog, rollup_build_statements};
use jiuye_sql_value::Statement;
use jiuye_warehouse::Warehouse;

use crate::EtlError;
use crate::load::placeholders;

/// Returns the number of rollup tables rebuilt.
pub async fn rebuild_dirty(warehouse: &Warehouse, catalog: &Catalog) -> Result<usize, EtlError> {
    let dialect = dialect_for(warehouse.backend());
    let mut rebuilt = 0;
    for source in catalog.sources.keys() {
        let rollups: Vec<_> = catalog.rollups.iter().filter(|r| &r.source == source).collect();
        let mut tx = warehouse.begin().await?;
        let pending = tx
            .fetch(&Statement {
                sql: placeholders(&tx, "SELECT COUNT(*) FROM meta_dirty_date WHERE source = ?"),
                params: vec![source.clone().into()],
            })
            .await?;
        if pending.rows.first().and_then(|r| r.first()).and_then(|v| v.as_i64()).unwrap_or(0) == 0 {
            continue;
        }
        for rollup in &rollups {
            for statement in rollup_build_statements(rollup, catalog, dialect) {
                tx.execute(&statement).await?;
            }
            rebuilt += 1;
        }
        tx.execute(&Statement {
            sql: placeholders(&tx, "DELETE FROM meta_dirty_date WHERE source = ?"),
            params: vec![source.clone().into()],
        })
        .await?;
        tx.commit().await?;
    }
    Ok(rebuilt)
}
