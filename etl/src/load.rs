//! Loading one file: ODS rows, quarantine, the DWD merge (newest 更新时间 wins) and the
//! file's accounting, all in one transaction, so a file is loaded whole or not at all.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use jiuye_privacy::Keys;
use jiuye_semantic::Catalog;
use jiuye_semantic::sql::dialect_for;
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction, Warehouse};
use serde::Serialize;

use crate::conform::{CodeTables, Conformer, Violation};
use crate::feeds::{DwdRow, Feed, FeedContext, Fields};
use crate::read::{self, RawRow, RowReader};
use crate::spec::FeedSpec;
use crate::{EtlError, Progress, pending};

/// The accounting of one file: read = loaded + unchanged + quarantined.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileReport {
    pub file: String,
    pub feed: String,
    pub read: u64,
    pub loaded: u64,
    pub unchanged: u64,
    pub quarantined: u64,
    /// Rows waiting for a row of another feed (an application for a posting not loaded
    /// yet); read = loaded + unchanged + quarantined + pending.
    pub pending: u64,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub(crate) struct LoadContext<'a> {
    pub warehouse: &'a Warehouse,
    pub catalog: &'a Catalog,
    pub codes: &'a CodeTables,
    pub keys: &'a Keys,
    pub run_id: i64,
    pub progress: &'a dyn Progress,
}

fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Rows conformed and written per batch: bounds memory whatever the file size.
const BATCH_ROWS: usize = 20_000;

pub(crate) async fn load_file(ctx: &LoadContext<'_>, feed: &dyn Feed, spec: &FeedSpec, path: &Path) -> Result<FileReport, EtlError> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let opened = read::open(path);
    let outcome = match opened {
        Ok(reader) => load_rows(ctx, feed, spec, reader, &file_name, size).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => Ok(report),
        // The transaction was dropped (rolled back); the file is recorded as rejected.
        Err(e) if e.rejects_file_only() => {
            record_rejected(ctx, feed, &file_name, path, &e).await?;
            Ok(FileReport {
                file: file_name,
                feed: feed.name().into(),
                read: 0,
                loaded: 0,
                unchanged: 0,
                quarantined: 0,
                pending: 0,
                status: "rejected".into(),
                error: Some(e.to_string()),
            })
        }
        Err(e) => Err(e),
    }
}

/// Counts of one batch or of a whole file.
#[derive(Default)]
struct Tally {
    read: u64,
    loaded: u64,
    unchanged: u64,
    quarantined: u64,
    pending: i64,
}

/// Loads the rows of one export — a file, or an extraction from a source database —
/// in one transaction, batch by batch.
pub(crate) async fn load_rows(
    ctx: &LoadContext<'_>,
    feed: &dyn Feed,
    spec: &FeedSpec,
    mut reader: Box<dyn RowReader>,
    file_name: &str,
    size: u64,
) -> Result<FileReport, EtlError> {
    let conformer = Conformer::new(spec, ctx.codes, file_name, reader.headers())?;
    ctx.progress.file_started(file_name, 0);

    let mut tx = ctx.warehouse.begin().await?;
    lock_loads(&mut tx).await?;
    let stamp = crate::known::stamp_now();
    let file_id = insert_file_row(&mut tx, ctx.run_id, feed, file_name, size, reader.encoding()).await?;
    let feed_ctx = FeedContext {
        keys: ctx.keys,
        indicator_codes: &ctx.catalog.all_codes(),
        codes: ctx.codes,
        file_id,
    };
    let ods_columns: Vec<(String, ColumnType)> = [("file_id".to_string(), ColumnType::Int), ("line_no".to_string(), ColumnType::Int)]
        .into_iter()
        .chain(spec.columns.iter().map(|c| (c.ods_column(), ColumnType::Text)))
        .chain(std::iter::once((crate::spec::RAW_LINE_COLUMN.to_string(), ColumnType::Text)))
        .collect();
    let ods_columns: Vec<(&str, ColumnType)> = ods_columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let ods_table = spec.ods_table();

    let dated = dated_sources(ctx.catalog, feed);
    let mut total = Tally::default();
    loop {
        let batch = reader.next_batch(BATCH_ROWS)?;
        if batch.is_empty() {
            break;
        }
        let (ods_rows, quarantine_rows, mut candidates, quarantined) = conform_batch(ctx, feed, spec, &conformer, &feed_ctx, &batch);
        tx.copy_rows(&ods_table, &ods_columns, &ods_rows).await?;
        tx.copy_rows("meta_quarantine", QUARANTINE_COLUMNS, &quarantine_rows).await?;
        if let Some(reference) = feed.reference() {
            let line_index = feed
                .dwd_columns()
                .iter()
                .position(|(c, _)| *c == "line_no")
                .expect("DWD rows end with lineage");
            let lines: HashMap<String, i64> = candidates
                .iter()
                .map(|r| (r.business_key.clone(), r.values[line_index].as_i64().unwrap_or(0)))
                .collect();
            let (ready, waiting) = pending::resolve(&mut tx, feed, reference, candidates).await?;
            let held = pending::hold(&mut tx, feed, reference, waiting, file_id, &lines, &dated, &stamp).await?;
            let (ready, outdated) = pending::drop_outdated_by_waiting(&mut tx, feed, ready).await?;
            total.pending += held.pending;
            total.unchanged += (held.unchanged + outdated) as u64;
            candidates = ready;
        }
        if feed.keeps_history() {
            crate::history::record(&mut tx, feed, &candidates, &stamp).await?;
        }
        // Later batches merge against earlier ones already in DWD (same transaction), by
        // the same newest-wins rule as across files.
        let (loaded, unchanged, written) = merge_into_dwd(&mut tx, feed, &dated, candidates, file_id, &stamp).await?;
        // Rows copied from the ones written take their new values; unchanged ones have them.
        pending::propagate(&mut tx, ctx.catalog, feed, &written, &stamp).await?;
        if feed.reference().is_some() {
            let dropped = pending::drop_superseded(&mut tx, feed, file_id).await?;
            total.pending += dropped.pending;
            total.unchanged = (total.unchanged as i64 + dropped.unchanged) as u64;
        }
        total.read += batch.len() as u64;
        total.loaded += loaded;
        total.unchanged += unchanged;
        total.quarantined += quarantined;
        ctx.progress.rows(batch.len() as u64);
    }
    debug_assert_eq!(
        total.read as i64,
        (total.loaded + total.unchanged + total.quarantined) as i64 + total.pending
    );
    // Rows of other files that waited for this file's rows load now, in this transaction.
    let released = pending::release(&mut tx, ctx.catalog, feed, &stamp).await?;
    if released > 0 {
        ctx.progress.message(&format!(
            "{released} waiting rows loaded now that {file_name} brought their references"
        ));
    }
    let update = Statement {
        sql: placeholders(
            &tx,
            "UPDATE meta_load_file SET status = 'loaded', content_hash = ?, rows_read = ?, rows_loaded = ?, rows_unchanged = ?, rows_quarantined = ?, rows_pending = ? WHERE file_id = ?",
        ),
        params: vec![
            reader.content_hash().into(),
            (total.read as i64).into(),
            (total.loaded as i64).into(),
            (total.unchanged as i64).into(),
            (total.quarantined as i64).into(),
            total.pending.into(),
            file_id.into(),
        ],
    };
    tx.execute(&update).await?;
    crate::known::record_commit(&mut tx, &stamp).await?;
    tx.commit().await?;
    Ok(FileReport {
        file: file_name.to_string(),
        feed: feed.name().into(),
        read: total.read,
        loaded: total.loaded,
        unchanged: total.unchanged,
        quarantined: total.quarantined,
        pending: total.pending as u64,
        status: "loaded".into(),
        error: None,
    })
}

type BatchOutput = (Vec<Vec<SqlValue>>, Vec<Vec<SqlValue>>, Vec<DwdRow>, u64);

/// ODS rows (personal fields encrypted), quarantine rows and DWD candidates of a batch.
fn conform_batch(
    ctx: &LoadContext<'_>,
    feed: &dyn Feed,
    spec: &FeedSpec,
    conformer: &Conformer,
    feed_ctx: &FeedContext,
    batch: &[RawRow],
) -> BatchOutput {
    let file_id = feed_ctx.file_id;
    let mut ods_rows = Vec::with_capacity(batch.len());
    let mut quarantine_rows = Vec::new();
    let mut candidates: Vec<DwdRow> = Vec::with_capacity(batch.len());
    let mut quarantined = 0u64;
    let key_index = spec.columns.iter().position(|c| c.field == spec.business_key).unwrap_or(0);
    // Sealed values are bound to their table, column and row (associated data).
    let ods_table = spec.ods_table();
    let enc_columns: Vec<String> = spec.columns.iter().map(|c| c.ods_column()).collect();
    for raw in batch {
        let row_id = format!("{file_id}:{}", raw.line);
        let (table, row) = (ods_table.as_str(), row_id.as_str());
        let place = |column| jiuye_privacy::Place { table, column, row };
        // A row that does not fit its header cannot be mapped to columns (a personal value
        // could sit under any header): ODS keeps it whole and encrypted, nothing else.
        let fits = conformer.fits(raw);
        let cells = if fits {
            conformer.raw_cells(raw)
        } else {
            vec![None; spec.columns.len()]
        };
        let mut ods = vec![SqlValue::Int(file_id), SqlValue::Int(raw.line as i64)];
        for ((column, cell), enc) in spec.columns.iter().zip(&cells).zip(&enc_columns) {
            ods.push(match (cell, column.personal) {
                (Some(text), true) => SqlValue::Text(ctx.keys.seal(text, &place(enc))),
                (Some(text), false) => SqlValue::Text(text.to_string()),
                (None, _) => SqlValue::Null,
            });
        }
        ods.push(if fits {
            SqlValue::Null
        } else {
            SqlValue::Text(ctx.keys.seal(&raw.cells.join(","), &place(crate::spec::RAW_LINE_COLUMN)))
        });
        ods_rows.push(ods);
        let outcome = conformer
            .conform(raw)
            .and_then(|row| feed.to_dwd(&Fields { spec, row: &row }, feed_ctx).map_err(|v| vec![v]));
        match outcome {
            Ok(dwd) => candidates.push(dwd),
            Err(violations) => {
                quarantined += 1;
                let business_key = cells.get(key_index).copied().flatten().map(str::to_string);
                quarantine_rows.extend(
                    violations
                        .into_iter()
                        .map(|v| quarantine_row(file_id, feed.name(), raw.line, business_key.clone(), v)),
                );
            }
        }
    }
    (ods_rows, quarantine_rows, candidates, quarantined)
}

const QUARANTINE_COLUMNS: &[(&str, ColumnType)] = &[
    ("file_id", ColumnType::Int),
    ("feed", ColumnType::Text),
    ("line_no", ColumnType::Int),
    ("business_key", ColumnType::Text),
    ("rule", ColumnType::Text),
    ("column_name", ColumnType::Text),
    ("value", ColumnType::Text),
    ("message", ColumnType::Text),
];

fn quarantine_row(file_id: i64, feed: &str, line: u64, business_key: Option<String>, v: Violation) -> Vec<SqlValue> {
    vec![
        file_id.into(),
        feed.into(),
        (line as i64).into(),
        business_key.into(),
        v.rule.into(),
        v.column.into(),
        v.value.into(),
        v.message.into(),
    ]
}

/// Rewrites `?` placeholders into the transaction's dialect.
pub(crate) fn placeholders(tx: &Transaction, sql: &str) -> String {
    let dialect = dialect_for(tx.backend());
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&dialect.placeholder(n));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Takes the load lock (a row lock on PostgreSQL, the write lock on SQLite) before the
/// transaction reads anything, so concurrent loaders queue instead of interleaving their
/// read-compare-write of the same keys.
pub(crate) async fn lock_loads(tx: &mut Transaction) -> Result<(), EtlError> {
    tx.execute(&Statement {
        sql: "UPDATE meta_setting SET value = value WHERE name = 'etl_lock'".into(),
        params: vec![],
    })
    .await?;
    Ok(())
}

async fn insert_file_row(
    tx: &mut Transaction,
    run_id: i64,
    feed: &dyn Feed,
    file: &str,
    size: u64,
    encoding: &str,
) -> Result<i64, EtlError> {
    // The content hash is known once the file has been read through; set at the end.
    let insert = Statement {
        sql: placeholders(
            tx,
            "INSERT INTO meta_load_file (run_id, feed, file_name, content_hash, size_bytes, encoding, status, rows_read, rows_loaded, rows_unchanged, rows_quarantined, loaded_at) \
             VALUES (?, ?, ?, '', ?, ?, 'loading', 0, 0, 0, 0, ?) RETURNING file_id",
        ),
        params: vec![
            run_id.into(),
            feed.name().into(),
            file.into(),
            (size as i64).into(),
            encoding.into(),
            now_text().into(),
        ],
    };
    let rows = tx.fetch(&insert).await?;
    rows.rows
        .first()
        .and_then(|r| r.first())
        .and_then(SqlValue::as_i64)
        .ok_or_else(|| EtlError::Internal("INSERT … RETURNING file_id returned nothing".into()))
}

async fn record_rejected(ctx: &LoadContext<'_>, feed: &dyn Feed, file: &str, path: &Path, error: &EtlError) -> Result<(), EtlError> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let hash = read::file_hash(path);
    let mut tx = ctx.warehouse.begin().await?;
    lock_loads(&mut tx).await?;
    let id = insert_file_row(&mut tx, ctx.run_id, feed, file, size, "-").await?;
    let update = Statement {
        sql: placeholders(
            &tx,
            "UPDATE meta_load_file SET status = 'rejected', content_hash = ?, message = ? WHERE file_id = ?",
        ),
        params: vec![hash.into(), error.to_string().into(), id.into()],
    };
    tx.execute(&update).await?;
    tx.commit().await?;
    Ok(())
}

/// What the merge needs of a key's stored version: which wins, where its accounting
/// goes, and what its replacement makes dirty.
struct StoredVersion {
    updated_at: String,
    file_id: i64,
    /// The date of the row for each semantic source reading the table.
    dates: Vec<Option<i64>>,
    person: Option<String>,
}

/// The semantic sources reading `feed`'s DWD table, with the column dating a row for each.
pub(crate) fn dated_sources(catalog: &Catalog, feed: &dyn Feed) -> Vec<(String, String)> {
    catalog
        .sources
        .values()
        .filter(|s| s.table == feed.dwd_table())
        .map(|s| (s.code.clone(), s.date_column.clone()))
        .collect()
}

/// Newest version per business key wins; an equal or older 更新时间 changes nothing.
/// Returns (loaded, unchanged, the keys whose DWD row it wrote). `dated` lists the semantic sources reading the feed's
/// table and the column dating a row for each (see [`dated_sources`]).
/// A stored version written by the same file earlier (a previous batch) that a newer one
/// replaces counts as superseded, not loaded, so a file's accounting does not depend on
/// how it was batched.
pub(crate) async fn merge_into_dwd(
    tx: &mut Transaction,
    feed: &dyn Feed,
    dated: &[(String, String)],
    candidates: Vec<DwdRow>,
    file_id: i64,
    stamp: &str,
) -> Result<(u64, u64, Vec<String>), EtlError> {
    let total = candidates.len() as u64;
    // Within the file: first the newest version of each key (ties: the earlier line).
    let mut best: HashMap<String, DwdRow> = HashMap::with_capacity(candidates.len());
    for row in candidates {
        match best.get(&row.business_key) {
            Some(kept) if kept.updated_at >= row.updated_at => {}
            _ => {
                best.insert(row.business_key.clone(), row);
            }
        }
    }
    // Against the warehouse: the stored version of each key, with the dates it counts
    // under in each semantic source (their periods need rebuilding when it is replaced).
    let columns = feed.dwd_columns();
    let key_column = columns[0].0;
    let date_indexes: Vec<usize> = dated
        .iter()
        .map(|(_, column)| {
            columns
                .iter()
                .position(|(c, _)| c == column)
                .unwrap_or_else(|| panic!("{} has no date column {column}", feed.dwd_table()))
        })
        .collect();
    let status = crate::status::status_of(feed.dwd_table());
    let person_index = status.map(|_| {
        columns
            .iter()
            .position(|(c, _)| *c == "person_key")
            .expect("a tracked table has person_key")
    });
    let mut date_list: String = dated.iter().map(|(_, c)| format!(", {c}")).collect();
    if status.is_some() {
        date_list.push_str(", person_key");
    }
    let keys: Vec<&String> = best.keys().collect();
    let mut stored: HashMap<String, StoredVersion> = HashMap::new();
    for chunk in keys.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {key_column}, updated_at, file_id{date_list} FROM {} WHERE {key_column} IN ({marks})",
            feed.dwd_table()
        );
        let statement = Statement {
            sql: placeholders(tx, &sql),
            params: chunk.iter().map(|k| SqlValue::Text((*k).clone())).collect(),
        };
        for row in tx.fetch(&statement).await?.rows {
            let dates = row[3..3 + dated.len()].iter().map(SqlValue::as_i64).collect();
            let person = status.map(|_| row[3 + dated.len()].to_key());
            stored.insert(
                row[0].to_key(),
                StoredVersion {
                    updated_at: row[1].to_key(),
                    file_id: row[2].as_i64().unwrap_or(0),
                    dates,
                    person,
                },
            );
        }
    }
    let mut dirty = BTreeSet::new();
    let mut dirty_persons = BTreeSet::new();
    let mut writes = Vec::new();
    let mut superseded_in_file = 0u64;
    let mut replaced = Vec::new();
    let mut written = Vec::new();
    for (key, row) in best {
        match stored.get(&key) {
            Some(v) if v.updated_at >= row.updated_at => {}
            previous => {
                if let Some(i) = person_index {
                    dirty_persons.insert(row.values[i].to_key());
                }
                if let Some(StoredVersion {
                    file_id: old_file,
                    dates: old_dates,
                    person: old_person,
                    ..
                }) = previous
                {
                    dirty_persons.extend(old_person.clone());
                    for ((source, _), date) in dated.iter().zip(old_dates) {
                        if let Some(d) = date {
                            dirty.insert((source.clone(), *d));
                        }
                    }
                    if *old_file == file_id {
                        superseded_in_file += 1;
                    }
                    replaced.push(key.clone());
                }
                for ((source, _), i) in dated.iter().zip(&date_indexes) {
                    if let Some(d) = row.values[*i].as_i64() {
                        dirty.insert((source.clone(), d));
                    }
                }
                writes.push(row.values);
                written.push(key);
            }
        }
    }
    let loaded = writes.len() as u64 - superseded_in_file;
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    for chunk in replaced.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let params = chunk.iter().map(|k| SqlValue::Text(k.clone())).collect();
        crate::known::supersede(tx, feed.dwd_table(), &names, &format!("{key_column} IN ({marks})"), params, stamp).await?;
    }
    let columns = crate::known::with_known_at(columns);
    crate::known::stamp_rows(&mut writes, stamp);
    let set: Vec<String> = columns.iter().skip(1).map(|(c, _)| format!("{c} = excluded.{c}")).collect();
    // The WHERE repeats the version rule inside the statement itself: never overwrite a
    // newer stored version, whatever was read before.
    let trailer = format!(
        "ON CONFLICT ({key_column}) DO UPDATE SET {} WHERE {}.updated_at < excluded.updated_at",
        set.join(", "),
        feed.dwd_table()
    );
    tx.insert_rows_with(feed.dwd_table(), &columns, &writes, &trailer).await?;
    if let Some(status) = status {
        crate::status::mark_dirty(tx, status, dirty_persons.into_iter().collect()).await?;
    }
    if !dirty.is_empty() {
        let rows: Vec<Vec<SqlValue>> = dirty.into_iter().map(|(source, d)| vec![source.into(), d.into()]).collect();
        tx.insert_rows_with(
            "meta_dirty_date",
            &[("source", ColumnType::Text), ("date_key", ColumnType::Int)],
            &rows,
            "ON CONFLICT (source, date_key) DO NOTHING",
        )
        .await?;
    }
    Ok((loaded, total - loaded, written))
}
