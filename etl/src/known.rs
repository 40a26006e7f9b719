//! Knowledge time on the writing side (the reading side is `jiuye_semantic::KnownAt`):
//! every row a transaction writes to a DWD or person-state table carries the
//! transaction's stamp in `known_at`, and a version it replaces or removes is copied to
//! `<table>_superseded` first, stamped `superseded_at`. Nothing is lost, so an answer
//! as known at any past instant can be recomputed.

use jiuye_semantic::{KnownAt, superseded_table};
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction};

use crate::EtlError;
use crate::load::placeholders;

/// The stamp of a transaction's writes, taken once so that a version it supersedes ends
/// exactly where the version replacing it begins.
pub(crate) fn stamp_now() -> String {
    KnownAt::from_utc(chrono::Utc::now()).stamp()
}

/// Records, as the last write of the transaction that stamped its rows `stamp`, the
/// instant it commits: as-of answers resolve an instant to the stamps committed by then
/// (see `meta_knowledge`), so a long load is not visible before its commit.
pub(crate) async fn record_commit(tx: &mut Transaction, stamp: &str) -> Result<(), EtlError> {
    tx.execute(&Statement {
        sql: placeholders(tx, "INSERT INTO meta_knowledge (stamp, committed_at) VALUES (?, ?)"),
        params: vec![stamp.into(), stamp_now().into()],
    })
    .await?;
    Ok(())
}

/// `columns` plus `known_at`, for writing rows stamped by [`stamp_rows`].
pub(crate) fn with_known_at<'a>(columns: &[(&'a str, ColumnType)]) -> Vec<(&'a str, ColumnType)> {
    let mut out = columns.to_vec();
    out.push(("known_at", ColumnType::Text));
    out
}

pub(crate) fn stamp_rows(rows: &mut [Vec<SqlValue>], stamp: &str) {
    for row in rows {
        row.push(SqlValue::Text(stamp.to_string()));
    }
}

/// Copies the rows of `table` matching `condition` (SQL with `?` marks for `params`) to
/// its superseded table before they are replaced or removed. `columns` are the table's
/// own columns, without `known_at`.
pub(crate) async fn supersede(
    tx: &mut Transaction,
    table: &str,
    columns: &[&str],
    condition: &str,
    params: Vec<SqlValue>,
    stamp: &str,
) -> Result<(), EtlError> {
    let list = columns.iter().copied().chain(["known_at"]).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO {} ({list}, superseded_at) SELECT {list}, ? FROM {table} WHERE {condition}",
        superseded_table(table)
    );
    let mut bound = vec![SqlValue::Text(stamp.to_string())];
    bound.extend(params);
    tx.execute(&Statement {
        sql: placeholders(tx, &sql),
        params: bound,
    })
    .await?;
    Ok(())
}
