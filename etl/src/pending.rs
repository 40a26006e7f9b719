//! Rows that wait for a row of another feed (an application for a posting not loaded
//! yet). They are kept, never lost: their DWD values wait in `meta_pending_row`, their
//! file counts them under `rows_pending`, and they load — counted then as loaded or
//! unchanged in that same file — in the transaction of the file that brings the row they
//! refer to. Newest 更新时间 wins among waiting versions too.

use std::collections::{BTreeMap, HashMap};

use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction};

use crate::EtlError;
use crate::feeds::{DwdRow, Feed, Reference, all_feeds};
use crate::load::{dated_sources, merge_into_dwd, placeholders};

/// Accounting changes of the file being loaded (pending and unchanged rows).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct PendingTally {
    pub pending: i64,
    pub unchanged: i64,
}

/// Fills the referenced columns of rows whose referenced row is in DWD; returns those
/// rows and the ones that must wait.
pub(crate) async fn resolve(
    tx: &mut Transaction,
    feed: &dyn Feed,
    reference: &Reference,
    rows: Vec<DwdRow>,
) -> Result<(Vec<DwdRow>, Vec<DwdRow>), EtlError> {
    let columns = feed.dwd_columns();
    let position = |name: &str| {
        columns
            .iter()
            .position(|(c, _)| *c == name)
            .unwrap_or_else(|| panic!("{} has no column {name}", feed.dwd_table()))
    };
    let ref_index = position(reference.column);
    let targets: Vec<usize> = reference.copy.iter().map(|(mine, _)| position(mine)).collect();
    let mut wanted: Vec<String> = rows.iter().map(|r| r.values[ref_index].to_key()).collect();
    wanted.sort();
    wanted.dedup();
    let copied: String = reference.copy.iter().map(|(_, theirs)| format!(", {theirs}")).collect();
    let mut found: HashMap<String, Vec<SqlValue>> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {key}{copied} FROM {table} WHERE {key} IN ({marks})",
            key = reference.key,
            table = reference.table
        );
        let statement = Statement {
            sql: placeholders(tx, &sql),
            params: chunk.iter().map(|k| SqlValue::Text(k.clone())).collect(),
        };
        for mut row in tx.fetch(&statement).await?.rows {
            let key = row.remove(0).to_key();
            found.insert(key, row);
        }
    }
    let (mut ready, mut waiting) = (Vec::new(), Vec::new());
    for mut row in rows {
        match found.get(&row.values[ref_index].to_key()) {
            Some(values) => {
                for (target, value) in targets.iter().zip(values) {
                    row.values[*target] = value.clone();
                }
                ready.push(row);
            }
            None => waiting.push(row),
        }
    }
    Ok((ready, waiting))
}

/// Ready rows no newer than a version of the same key that is still waiting change
/// nothing (the waiting one is the newest known); returns the rest and their number.
pub(crate) async fn drop_outdated_by_waiting(
    tx: &mut Transaction,
    feed: &dyn Feed,
    rows: Vec<DwdRow>,
) -> Result<(Vec<DwdRow>, i64), EtlError> {
    let keys: Vec<String> = rows.iter().map(|r| r.business_key.clone()).collect();
    let mut waiting: HashMap<String, String> = HashMap::new();
    for chunk in keys.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params: Vec<SqlValue> = vec![feed.name().into()];
        params.extend(chunk.iter().map(|k| SqlValue::Text(k.clone())));
        let found = tx
            .fetch(&Statement {
                sql: placeholders(
                    tx,
                    &format!("SELECT business_key, updated_at FROM meta_pending_row WHERE feed = ? AND business_key IN ({marks})"),
                ),
                params,
            })
            .await?;
        waiting.extend(found.rows.iter().map(|r| (r[0].to_key(), r[1].to_key())));
    }
    if waiting.is_empty() {
        return Ok((rows, 0));
    }
    let before = rows.len();
    let kept: Vec<DwdRow> = rows
        .into_iter()
        .filter(|r| waiting.get(&r.business_key).is_none_or(|w| *w < r.updated_at))
        .collect();
    let dropped = (before - kept.len()) as i64;
    Ok((kept, dropped))
}

/// Stores waiting rows of file `file_id`: a version no newer than one already in DWD or
/// already waiting changes nothing (unchanged); a newer one replaces the waiting one,
/// which then counts as superseded in its own file.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn hold(
    tx: &mut Transaction,
    feed: &dyn Feed,
    reference: &Reference,
    rows: Vec<DwdRow>,
    file_id: i64,
    lines: &HashMap<String, i64>,
    dated: &[(String, String)],
    stamp: &str,
) -> Result<PendingTally, EtlError> {
    let mut tally = PendingTally::default();
    let mut best: BTreeMap<String, DwdRow> = BTreeMap::new();
    for row in rows {
        match best.get(&row.business_key) {
            Some(kept) if kept.updated_at >= row.updated_at => tally.unchanged += 1,
            Some(_) => {
                tally.unchanged += 1;
                best.insert(row.business_key.clone(), row);
            }
            None => {
                best.insert(row.business_key.clone(), row);
            }
        }
    }
    let key_column = feed.dwd_columns()[0].0;
    let ref_index = feed
        .dwd_columns()
        .iter()
        .position(|(c, _)| *c == reference.column)
        .expect("reference column");
    let mut replaced: BTreeMap<i64, i64> = BTreeMap::new();
    let mut writes = Vec::new();
    for (key, row) in best {
        let newest_known = newest_version(tx, feed, key_column, &key).await?;
        let waiting = tx
            .fetch(&Statement {
                sql: placeholders(
                    tx,
                    "SELECT updated_at, file_id FROM meta_pending_row WHERE feed = ? AND business_key = ?",
                ),
                params: vec![feed.name().into(), key.clone().into()],
            })
            .await?;
        let waiting = waiting.rows.first().map(|r| (r[0].to_key(), r[1].as_i64().unwrap_or(0)));
        let newer_exists =
            newest_known.as_ref().is_some_and(|v| *v >= row.updated_at) || waiting.as_ref().is_some_and(|(v, _)| *v >= row.updated_at);
        if newer_exists {
            tally.unchanged += 1;
            continue;
        }
        if newest_known.is_some() {
            // An older version is loaded: the newest wins and the older one no longer
            // counts anywhere, so it leaves DWD while the newest waits.
            withdraw(tx, feed, dated, key_column, &key, stamp).await?;
        }
        if let Some((_, old_file)) = waiting {
            *replaced.entry(old_file).or_default() += 1;
        }
        let line = lines.get(&key).copied().unwrap_or(0);
        let encoded = serde_json::to_string(&row.values.iter().map(SqlValue::to_json).collect::<Vec<_>>())
            .map_err(|e| EtlError::Internal(format!("encoding a pending row: {e}")))?;
        writes.push(vec![
            feed.name().into(),
            key.into(),
            row.updated_at.into(),
            row.values[ref_index].clone(),
            file_id.into(),
            line.into(),
            encoded.into(),
        ]);
        tally.pending += 1;
    }
    for (old_file, n) in replaced {
        if old_file == file_id {
            tally.pending -= n;
            tally.unchanged += n;
        } else {
            shift_accounting(tx, old_file, -n, 0, n).await?;
        }
    }
    tx.insert_rows_with("meta_pending_row", PENDING_COLUMNS, &writes, UPSERT).await?;
    Ok(tally)
}

const PENDING_COLUMNS: &[(&str, ColumnType)] = &[
    ("feed", ColumnType::Text),
    ("business_key", ColumnType::Text),
    ("updated_at", ColumnType::Text),
    ("ref_key", ColumnType::Text),
    ("file_id", ColumnType::Int),
    ("line_no", ColumnType::Int),
    ("row_values", ColumnType::Text),
];

const UPSERT: &str = "ON CONFLICT (feed, business_key) DO UPDATE SET updated_at = excluded.updated_at, ref_key = excluded.ref_key, \
     file_id = excluded.file_id, line_no = excluded.line_no, row_values = excluded.row_values";

/// Removes a key's DWD row and marks the dates it counted under for rebuilding.
async fn withdraw(
    tx: &mut Transaction,
    feed: &dyn Feed,
    dated: &[(String, String)],
    key_column: &str,
    key: &str,
    stamp: &str,
) -> Result<(), EtlError> {
    if !dated.is_empty() {
        let columns: Vec<&str> = dated.iter().map(|(_, c)| c.as_str()).collect();
        let found = tx
            .fetch(&Statement {
                sql: placeholders(
                    tx,
                    &format!("SELECT {} FROM {} WHERE {key_column} = ?", columns.join(", "), feed.dwd_table()),
                ),
                params: vec![key.into()],
            })
            .await?;
        let rows: Vec<Vec<SqlValue>> = found
            .rows
            .iter()
            .flat_map(|r| {
                dated
                    .iter()
                    .zip(r)
                    .filter_map(|((source, _), v)| v.as_i64().map(|d| vec![source.clone().into(), d.into()]))
            })
            .collect();
        tx.insert_rows_with(
            "meta_dirty_date",
            &[("source", ColumnType::Text), ("date_key", ColumnType::Int)],
            &rows,
            "ON CONFLICT (source, date_key) DO NOTHING",
        )
        .await?;
    }
    let names: Vec<&str> = feed.dwd_columns().iter().map(|(c, _)| *c).collect();
    let condition = format!("{key_column} = ?");
    crate::known::supersede(tx, feed.dwd_table(), &names, &condition, vec![key.into()], stamp).await?;
    tx.execute(&Statement {
        sql: placeholders(tx, &format!("DELETE FROM {} WHERE {condition}", feed.dwd_table())),
        params: vec![key.into()],
    })
    .await?;
    Ok(())
}

/// After rows of `feed` were written: rows of other feeds copied from them (an
/// application's district, industry and occupation from its posting) take the new
/// values, and the dates they count under are rebuilt.
pub(crate) async fn propagate(
    tx: &mut Transaction,
    catalog: &jiuye_semantic::Catalog,
    feed: &dyn Feed,
    keys: &[String],
    stamp: &str,
) -> Result<(), EtlError> {
    for dependent in all_feeds() {
        let Some(reference) = dependent.reference().filter(|r| r.table == feed.dwd_table()) else {
            continue;
        };
        let dated = dated_sources(catalog, dependent.as_ref());
        for chunk in keys.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let params: Vec<SqlValue> = chunk.iter().map(|k| SqlValue::Text(k.clone())).collect();
            for (source, column) in &dated {
                let mut p = vec![SqlValue::Text(source.clone())];
                p.extend(params.iter().cloned());
                tx.execute(&Statement {
                    sql: placeholders(
                        tx,
                        &format!(
                            "INSERT INTO meta_dirty_date (source, date_key) SELECT DISTINCT ?, {column} FROM {} WHERE {} IN ({marks}) \
                             ON CONFLICT (source, date_key) DO NOTHING",
                            dependent.dwd_table(),
                            reference.column
                        ),
                    ),
                    params: p,
                })
                .await?;
            }
            let set: Vec<String> = reference
                .copy
                .iter()
                .map(|(mine, theirs)| {
                    format!(
                        "{mine} = (SELECT r.{theirs} FROM {table} r WHERE r.{key} = {dependent_table}.{column})",
                        table = reference.table,
                        key = reference.key,
                        dependent_table = dependent.dwd_table(),
                        column = reference.column
                    )
                })
                .collect();
            let condition = format!("{} IN ({marks})", reference.column);
            let names: Vec<&str> = dependent.dwd_columns().iter().map(|(c, _)| *c).collect();
            crate::known::supersede(tx, dependent.dwd_table(), &names, &condition, params.clone(), stamp).await?;
            let mut bound = vec![SqlValue::Text(stamp.to_string())];
            bound.extend(params.iter().cloned());
            tx.execute(&Statement {
                sql: placeholders(
                    tx,
                    &format!(
                        "UPDATE {} SET {}, known_at = ? WHERE {condition}",
                        dependent.dwd_table(),
                        set.join(", ")
                    ),
                ),
                params: bound,
            })
            .await?;
        }
    }
    Ok(())
}

async fn newest_version(tx: &mut Transaction, feed: &dyn Feed, key_column: &str, key: &str) -> Result<Option<String>, EtlError> {
    let sql = format!("SELECT updated_at FROM {} WHERE {key_column} = ?", feed.dwd_table());
    let rows = tx
        .fetch(&Statement {
            sql: placeholders(tx, &sql),
            params: vec![key.into()],
        })
        .await?;
    Ok(rows.rows.first().map(|r| r[0].to_key()))
}

/// Moves counts of file `file_id` between pending, loaded and unchanged.
async fn shift_accounting(tx: &mut Transaction, file_id: i64, pending: i64, loaded: i64, unchanged: i64) -> Result<(), EtlError> {
    tx.execute(&Statement {
        sql: placeholders(
            tx,
            "UPDATE meta_load_file SET rows_pending = rows_pending + ?, rows_loaded = rows_loaded + ?, rows_unchanged = rows_unchanged + ? WHERE file_id = ?",
        ),
        params: vec![pending.into(), loaded.into(), unchanged.into(), file_id.into()],
    })
    .await?;
    Ok(())
}

/// Drops waiting versions that a version now in DWD makes stale (no newer than it);
/// they count as superseded in their files. Returns the change for `file_id` itself.
pub(crate) async fn drop_superseded(tx: &mut Transaction, feed: &dyn Feed, file_id: i64) -> Result<PendingTally, EtlError> {
    let key_column = feed.dwd_columns()[0].0;
    let stale = tx
        .fetch(&Statement {
            sql: placeholders(
                tx,
                &format!(
                    "SELECT p.business_key, p.file_id FROM meta_pending_row p JOIN {table} d ON d.{key_column} = p.business_key \
                     WHERE p.feed = ? AND d.updated_at >= p.updated_at",
                    table = feed.dwd_table()
                ),
            ),
            params: vec![feed.name().into()],
        })
        .await?;
    let mut tally = PendingTally::default();
    let mut by_file: BTreeMap<i64, i64> = BTreeMap::new();
    for row in &stale.rows {
        *by_file.entry(row[1].as_i64().unwrap_or(0)).or_default() += 1;
        tx.execute(&Statement {
            sql: placeholders(tx, "DELETE FROM meta_pending_row WHERE feed = ? AND business_key = ?"),
            params: vec![feed.name().into(), row[0].clone()],
        })
        .await?;
    }
    for (old_file, n) in by_file {
        if old_file == file_id {
            tally.pending -= n;
            tally.unchanged += n;
        } else {
            shift_accounting(tx, old_file, -n, 0, n).await?;
        }
    }
    Ok(tally)
}

/// After a file of `loaded_feed`: loads the waiting rows of every feed that refers to
/// its table and whose referenced row is now there. Returns the rows released.
pub(crate) async fn release(
    tx: &mut Transaction,
    catalog: &jiuye_semantic::Catalog,
    loaded_feed: &dyn Feed,
    stamp: &str,
) -> Result<u64, EtlError> {
    let mut released = 0u64;
    for feed in all_feeds() {
        let Some(reference) = feed.reference().filter(|r| r.table == loaded_feed.dwd_table()) else {
            continue;
        };
        let rows = tx
            .fetch(&Statement {
                sql: placeholders(
                    tx,
                    &format!(
                        "SELECT p.business_key, p.updated_at, p.file_id, p.row_values FROM meta_pending_row p \
                         JOIN {table} r ON r.{key} = p.ref_key WHERE p.feed = ? ORDER BY p.file_id",
                        table = reference.table,
                        key = reference.key
                    ),
                ),
                params: vec![feed.name().into()],
            })
            .await?;
        let mut by_file: BTreeMap<i64, Vec<DwdRow>> = BTreeMap::new();
        for row in rows.rows {
            let values: Vec<serde_json::Value> = serde_json::from_str(&row[3].to_key())
                .map_err(|e| EtlError::Internal(format!("a pending row of {} does not decode: {e}", feed.name())))?;
            by_file.entry(row[2].as_i64().unwrap_or(0)).or_default().push(DwdRow {
                business_key: row[0].to_key(),
                updated_at: row[1].to_key(),
                values: values.iter().map(SqlValue::from_json).collect(),
            });
        }
        let dated = dated_sources(catalog, feed.as_ref());
        for (file_id, rows) in by_file {
            let keys: Vec<String> = rows.iter().map(|r| r.business_key.clone()).collect();
            let n = rows.len() as i64;
            let (ready, _) = resolve(tx, feed.as_ref(), reference, rows).await?;
            let (loaded, unchanged, _) = merge_into_dwd(tx, feed.as_ref(), &dated, ready, file_id, stamp).await?;
            shift_accounting(tx, file_id, -n, loaded as i64, unchanged as i64).await?;
            for key in keys {
                tx.execute(&Statement {
                    sql: placeholders(tx, "DELETE FROM meta_pending_row WHERE feed = ? AND business_key = ?"),
                    params: vec![feed.name().into(), key.into()],
                })
                .await?;
            }
            released += n as u64;
        }
    }
    Ok(released)
}
