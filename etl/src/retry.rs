//! `jiuye etl retry-quarantine`: re-validate quarantined rows from ODS (after a code table
//! or rule fix) and move the rows that now pass into DWD, keeping every file's accounting
//! balanced: the rows move from `quarantined` to `loaded` (or `unchanged`, when a newer
//! version of the key is already there).

use std::collections::BTreeMap;

use jiuye_privacy::Keys;
use jiuye_semantic::Catalog;
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::Warehouse;
use serde::Serialize;

use crate::EtlError;
use crate::conform::{CodeTables, Conformer};
use crate::feeds::{FeedContext, Fields, all_feeds};
use crate::load::{dated_sources, lock_loads, merge_into_dwd, placeholders};
use crate::pending::{self, PendingTally};
use crate::read::RawRow;
use crate::spec::builtin_specs;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RetryReport {
    pub feed: String,
    /// Quarantined rows looked at again.
    pub retried: u64,
    /// Rows that now pass and were loaded (or found superseded by a newer version).
    pub moved: u64,
    pub still_quarantined: u64,
}

/// Retries the quarantine of every feed, or of one.
pub async fn retry_quarantine(
    warehouse: &Warehouse,
    catalog: &Catalog,
    keys: &Keys,
    codes: &CodeTables,
    only_feed: Option<&str>,
) -> Result<Vec<RetryReport>, EtlError> {
    let specs = builtin_specs()?;
    let indicator_codes = catalog.all_codes();
    let mut reports = Vec::new();
    for feed in all_feeds().iter().filter(|f| only_feed.is_none_or(|o| o == f.name())) {
        let spec = specs
            .iter()
            .find(|s| s.feed == feed.name())
            .ok_or_else(|| EtlError::Internal(format!("no spec for {}", feed.name())))?;
        let mut report = RetryReport {
            feed: feed.name().into(),
            ..Default::default()
        };
        let mut tx = warehouse.begin().await?;
        lock_loads(&mut tx).await?;
        let stamp = crate::known::stamp_now();
        let lines = tx
            .fetch(&Statement {
                sql: placeholders(
                    &tx,
                    "SELECT DISTINCT file_id, line_no FROM meta_quarantine WHERE feed = ? ORDER BY file_id, line_no",
                ),
                params: vec![feed.name().into()],
            })
            .await?;
        let mut by_file: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for r in &lines.rows {
            by_file
                .entry(r[0].as_i64().unwrap_or(0))
                .or_default()
                .push(r[1].as_i64().unwrap_or(0));
        }
        let headers: Vec<String> = spec.columns.iter().map(|c| c.header.clone()).collect();
        let columns: Vec<String> = spec.columns.iter().map(|c| c.ods_column()).collect();
        let conformer = Conformer::new(spec, codes, "quarantine", &headers)?;
        let ods_table = spec.ods_table();
        for (file_id, file_lines) in by_file {
            report.retried += file_lines.len() as u64;
            let feed_ctx = FeedContext {
                keys,
                indicator_codes: &indicator_codes,
                codes,
                file_id,
            };
            let mut passed: Vec<crate::feeds::DwdRow> = Vec::new();
            let mut passed_lines = Vec::new();
            for chunk in file_lines.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let sql = format!(
                    "SELECT line_no, {} FROM ods_{} WHERE file_id = ? AND raw_line_enc IS NULL AND line_no IN ({marks})",
                    columns.join(", "),
                    feed.name()
                );
                let mut params: Vec<SqlValue> = vec![file_id.into()];
                params.extend(chunk.iter().map(|l| SqlValue::Int(*l)));
                let rows = tx
                    .fetch(&Statement {
                        sql: placeholders(&tx, &sql),
                        params,
                    })
                    .await?;
                for row in rows.rows {
                    let line = row[0].as_i64().unwrap_or(0);
                    let mut cells = Vec::with_capacity(spec.columns.len());
                    let row_id = format!("{file_id}:{line}");
                    for (column, cell) in spec.columns.iter().zip(&row[1..]) {
                        let text = cell.to_key();
                        cells.push(if column.personal && !text.is_empty() {
                            let place = jiuye_privacy::Place {
                                table: &ods_table,
                                column: &column.ods_column(),
                                row: &row_id,
                            };
                            keys.open(&text, &place)
                                .map_err(|e| EtlError::Internal(format!("ODS row {file_id}:{line}: {e}")))?
                        } else {
                            text
                        });
                    }
                    let raw = RawRow { line: line as u64, cells };
                    let outcome = conformer
                        .conform(&raw)
                        .ok()
                        .and_then(|row| feed.to_dwd(&Fields { spec, row: &row }, &feed_ctx).ok());
                    if let Some(dwd) = outcome {
                        passed.push(dwd);
                        passed_lines.push(line);
                    }
                }
            }
            if passed.is_empty() {
                continue;
            }
            if feed.keeps_history() {
                crate::history::record(&mut tx, feed.as_ref(), &passed, &stamp).await?;
            }
            // Rows that refer to another feed's row wait for it here too.
            let mut held = PendingTally::default();
            if let Some(reference) = feed.reference() {
                let line_index = feed.dwd_columns().iter().position(|(c, _)| *c == "line_no").expect("lineage");
                let lines = passed
                    .iter()
                    .map(|r| (r.business_key.clone(), r.values[line_index].as_i64().unwrap_or(0)))
                    .collect();
                let (ready, waiting) = pending::resolve(&mut tx, feed.as_ref(), reference, passed).await?;
                let dated = dated_sources(catalog, feed.as_ref());
                held = pending::hold(&mut tx, feed.as_ref(), reference, waiting, file_id, &lines, &dated, &stamp).await?;
                let (ready, outdated) = pending::drop_outdated_by_waiting(&mut tx, feed.as_ref(), ready).await?;
                held.unchanged += outdated;
                passed = ready;
            }
            let (loaded, merged_unchanged, written) = merge_into_dwd(
                &mut tx,
                feed.as_ref(),
                &dated_sources(catalog, feed.as_ref()),
                passed,
                file_id,
                &stamp,
            )
            .await?;
            pending::propagate(&mut tx, catalog, feed.as_ref(), &written, &stamp).await?;
            // Every passing row leaves quarantine: loaded, unchanged, or waiting.
            let left_quarantine = (loaded + merged_unchanged) as i64 + held.unchanged + held.pending;
            report.moved += left_quarantine as u64;
            // Waiting versions the retried rows make stale count as superseded.
            let dropped = match feed.reference() {
                Some(_) => pending::drop_superseded(&mut tx, feed.as_ref(), file_id).await?,
                None => PendingTally::default(),
            };
            let unchanged = merged_unchanged as i64 + held.unchanged + dropped.unchanged;
            let now_pending = held.pending + dropped.pending;
            for chunk in passed_lines.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let mut params: Vec<SqlValue> = vec![file_id.into()];
                params.extend(chunk.iter().map(|l| SqlValue::Int(*l)));
                tx.execute(&Statement {
                    sql: placeholders(
                        &tx,
                        &format!("DELETE FROM meta_quarantine WHERE file_id = ? AND line_no IN ({marks})"),
                    ),
                    params,
                })
                .await?;
            }
            tx.execute(&Statement {
                sql: placeholders(
                    &tx,
                    "UPDATE meta_load_file SET rows_quarantined = rows_quarantined - ?, rows_loaded = rows_loaded + ?, rows_unchanged = rows_unchanged + ?, rows_pending = rows_pending + ? WHERE file_id = ?",
                ),
                params: vec![
                    left_quarantine.into(),
                    (loaded as i64).into(),
                    unchanged.into(),
                    now_pending.into(),
                    file_id.into(),
                ],
            })
            .await?;
        }
        // Rows of other feeds that waited for a row now out of quarantine load now.
        pending::release(&mut tx, catalog, feed.as_ref(), &stamp).await?;
        report.still_quarantined = report.retried - report.moved;
        crate::known::record_commit(&mut tx, &stamp).await?;
        tx.commit().await?;
        reports.push(report);
    }
    crate::dws::rebuild_dirty(warehouse, catalog).await?;
    Ok(reports)
}
