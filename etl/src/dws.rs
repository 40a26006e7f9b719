//! Rebuilding the DWS periods that loads touched (listed in `meta_dirty_date`), at the end
//! of a run, one transaction per source. The planner does not use a rollup for dates
//! still listed there, so answers are exact before, during and after a rebuild.

use jiuye_semantic::sql::dialect_for;
use jiuye_semantic::{Catalog, rollup_build_statements};
use jiuye_sql_value::Statement;
use jiuye_warehouse::{Transaction, Warehouse};

use crate::EtlError;
use crate::load::placeholders;

/// Rebuilds every rollup of `source` for its dirty dates and clears them; returns the
/// number of rollup tables rebuilt (0 when nothing was dirty).
pub async fn rebuild_source(tx: &mut Transaction, catalog: &Catalog, source: &str) -> Result<usize, EtlError> {
    let pending = tx
        .fetch(&Statement {
            sql: placeholders(tx, "SELECT COUNT(*) FROM meta_dirty_date WHERE source = ?"),
            params: vec![source.into()],
        })
        .await?;
    if pending.rows.first().and_then(|r| r.first()).and_then(|v| v.as_i64()).unwrap_or(0) == 0 {
        return Ok(0);
    }
    let dialect = dialect_for(tx.backend());
    let mut rebuilt = 0;
    let stock = catalog.source(source).interval.is_some();
    for rollup in catalog.rollups.iter().filter(|r| r.source == source) {
        if stock {
            crate::snapshot::rebuild(tx, catalog, rollup).await?;
        } else {
            for statement in rollup_build_statements(rollup, catalog, dialect) {
                tx.execute(&statement).await?;
            }
        }
        rebuilt += 1;
    }
    tx.execute(&Statement {
        sql: placeholders(tx, "DELETE FROM meta_dirty_date WHERE source = ?"),
        params: vec![source.into()],
    })
    .await?;
    Ok(rebuilt)
}

/// Rebuilds whatever is still dirty: the person states behind the stocks, then the
/// rollups, one transaction per state and per source.
pub async fn rebuild_dirty(warehouse: &Warehouse, catalog: &Catalog) -> Result<usize, EtlError> {
    crate::status::rebuild_dirty(warehouse, catalog).await?;
    let mut rebuilt = 0;
    for source in catalog.sources.keys() {
        let mut tx = warehouse.begin().await?;
        rebuilt += rebuild_source(&mut tx, catalog, source).await?;
        tx.commit().await?;
    }
    Ok(rebuilt)
}
