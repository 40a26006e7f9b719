//! The ETL, one job: land legacy exports in the warehouse — read (CSV UTF-8/GB18030,
//! XLSX, Parquet, JSON Lines), conform by feed spec (types, code tables, check characters, cross-field rules),
//! quarantine what breaks a rule, keep ODS as received (personal fields SM4-encrypted),
//! merge DWD (newest 更新时间 wins, pseudonymised), account for every row, and rebuild
//! the DWS periods a load touched.
//!
//! It depends on the warehouse (execution), the semantic model (rollup definitions),
//! privacy and seeds; never on GraphQL or the CLI.

pub mod bench;
pub mod conform;
mod dws;
mod feeds;
mod history;
mod known;
pub mod ledger;
mod load;
mod pending;
mod read;
mod reference;
mod retry;
mod snapshot;
mod source_db;
mod spec;
mod status;

use std::path::{Path, PathBuf};

use jiuye_privacy::Keys;
use jiuye_semantic::Catalog;
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::Warehouse;
use serde::Serialize;

pub use conform::CodeTables;
pub use dws::rebuild_dirty;
pub use feeds::{Feed, all_feeds};
pub use load::FileReport;
pub use reference::{check_prepared, prepare_warehouse};
pub use retry::{RetryReport, retry_quarantine};
pub use source_db::{DbSource, run_source};
pub use spec::{FeedSpec, builtin_specs};

#[derive(Debug, thiserror::Error)]
pub enum EtlError {
    #[error(
        "the warehouse is not ready for this version of jiuye ({what}): run `jiuye migrate` with the same --database-url and --schema first"
    )]
    NotPrepared { what: String },
    #[error("cannot read {file}: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("{file} {message}")]
    Encoding { file: String, message: String },
    #[error("{file}, line {line}: {message}")]
    Parse { file: String, line: u64, message: String },
    #[error("{file} is empty: an export starts with a header row")]
    EmptyFile { file: String },
    #[error(
        "{file} lacks the required column `{column}` of feed {feed}; the file was not loaded. Headers found: {found}. Re-export with the column, or add the header as an alias in etl/feeds/{feed}.yaml"
    )]
    MissingColumn {
        file: String,
        column: String,
        feed: String,
        found: String,
    },
    #[error("{file}: format `.{extension}` is not supported; export as .csv, .xlsx, .parquet or .jsonl")]
    UnsupportedFormat { file: String, extension: String },
    #[error("feed spec {file}: {message}")]
    Spec { file: String, message: String },
    #[error("input directory {0} does not exist or is not a directory")]
    NoInput(String),
    #[error(
        "this warehouse holds pseudonyms made with key {stored}, but the configured key is {configured}; \
         person keys would not join. Configure the original key (JIUYE_SECRET_KEY / JIUYE_KEY_FILE)"
    )]
    KeyMismatch { stored: String, configured: String },
    #[error(transparent)]
    Warehouse(#[from] jiuye_warehouse::WarehouseError),
    #[error(transparent)]
    Seeds(#[from] jiuye_seeds::SeedError),
    #[error("source database {source_label}: {message}")]
    Source { source_label: String, message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl EtlError {
    /// Errors that reject one file while the run goes on.
    fn rejects_file_only(&self) -> bool {
        matches!(
            self,
            EtlError::Encoding { .. }
                | EtlError::Parse { .. }
                | EtlError::EmptyFile { .. }
                | EtlError::MissingColumn { .. }
                | EtlError::UnsupportedFormat { .. }
        )
    }
}

/// Progress of a run, for bars and logs.
pub trait Progress: Send + Sync {
    fn file_started(&self, _file: &str, _rows: u64) {}
    fn rows(&self, _n: u64) {}
    fn file_finished(&self, _report: &FileReport) {}
    fn message(&self, _text: &str) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub files: Vec<FileReport>,
    /// Files in the directory that match no feed.
    pub skipped: Vec<String>,
}

/// Files of `dir` per feed: a file belongs to the feed whose name is the longest prefix
/// of its name; feeds load in `all_feeds` order, a feed's files in name order.
/// Files of a directory: (feed index, path) in load order, and names matching no feed.
pub type Discovered = (Vec<(usize, PathBuf)>, Vec<String>);

pub fn discover(dir: &Path, feeds: &[Box<dyn Feed>]) -> Result<Discovered, EtlError> {
    if !dir.is_dir() {
        return Err(EtlError::NoInput(dir.display().to_string()));
    }
    let entries = std::fs::read_dir(dir).map_err(|source| EtlError::Io {
        file: dir.display().to_string(),
        source,
    })?;
    let mut matched = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| EtlError::Io {
            file: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if !path.is_file() || name.starts_with('.') {
            continue;
        }
        let feed = feeds
            .iter()
            .enumerate()
            .filter(|(_, f)| name.starts_with(f.name()))
            .max_by_key(|(_, f)| f.name().len());
        match feed {
            Some((i, _)) => matched.push((i, path)),
            None => skipped.push(name),
        }
    }
    matched.sort();
    skipped.sort();
    Ok((matched, skipped))
}

/// The key fingerprint the warehouse recorded at its first load, if any.
async fn recorded_fingerprint(warehouse: &Warehouse) -> Result<Option<String>, EtlError> {
    let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
    let stored = warehouse
        .fetch(&Statement {
            sql: format!("SELECT value FROM meta_setting WHERE name = {}", dialect.placeholder(1)),
            params: vec!["key_fingerprint".into()],
        })
        .await?;
    Ok(stored.rows.first().map(|r| r[0].to_key()))
}

/// Refuses keys of another master secret than the warehouse's (reads only; a warehouse
/// never loaded accepts any). Says whether the warehouse has recorded one.
pub async fn check_key_matches(warehouse: &Warehouse, keys: &Keys) -> Result<bool, EtlError> {
    match recorded_fingerprint(warehouse).await? {
        Some(fp) if fp != keys.fingerprint() => Err(EtlError::KeyMismatch {
            stored: fp,
            configured: keys.fingerprint().into(),
        }),
        recorded => Ok(recorded.is_some()),
    }
}

/// Checks the keys against the warehouse's, recording them at the first load.
pub(crate) async fn check_key(warehouse: &Warehouse, keys: &Keys) -> Result<(), EtlError> {
    if !check_key_matches(warehouse, keys).await? {
        let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
        warehouse
            .execute(&Statement {
                sql: format!(
                    "INSERT INTO meta_setting (name, value) VALUES ({}, {})",
                    dialect.placeholder(1),
                    dialect.placeholder(2)
                ),
                params: vec!["key_fingerprint".into(), keys.fingerprint().into()],
            })
            .await?;
    }
    Ok(())
}

/// Loads every file of `input` that belongs to a feed, then rebuilds touched rollups.
pub async fn run(
    warehouse: &Warehouse,
    catalog: &Catalog,
    keys: &Keys,
    input: &Path,
    progress: &dyn Progress,
) -> Result<RunReport, EtlError> {
    let codes = CodeTables::load()?;
    prepare_warehouse(warehouse, catalog, &codes).await?;
    check_key(warehouse, keys).await?;
    let feeds = all_feeds();
    let specs = builtin_specs()?;
    let (files, skipped) = discover(input, &feeds)?;
    let run_id = start_run(warehouse, &input.display().to_string()).await?;
    let ctx = load::LoadContext {
        warehouse,
        catalog,
        codes: &codes,
        keys,
        run_id,
        progress,
    };
    let mut reports = Vec::new();
    for (feed_index, path) in files {
        let feed = feeds[feed_index].as_ref();
        let spec = spec_of(&specs, feed)?;
        let report = load::load_file(&ctx, feed, spec, &path).await?;
        progress.file_finished(&report);
        reports.push(report);
    }
    finish_run(warehouse, catalog, run_id, &reports, progress).await?;
    Ok(RunReport {
        run_id,
        files: reports,
        skipped,
    })
}

pub(crate) fn spec_of<'s>(specs: &'s [FeedSpec], feed: &dyn Feed) -> Result<&'s FeedSpec, EtlError> {
    specs
        .iter()
        .find(|s| s.feed == feed.name())
        .ok_or_else(|| EtlError::Internal(format!("no spec for feed {}", feed.name())))
}

pub(crate) async fn start_run(warehouse: &Warehouse, input: &str) -> Result<i64, EtlError> {
    let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
    let started = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut tx = warehouse.begin().await?;
    let run = tx
        .fetch(&Statement {
            sql: format!(
                "INSERT INTO meta_etl_run (started_at, status, input) VALUES ({}, 'running', {}) RETURNING run_id",
                dialect.placeholder(1),
                dialect.placeholder(2)
            ),
            params: vec![started.into(), input.into()],
        })
        .await?;
    tx.commit().await?;
    run.rows
        .first()
        .and_then(|r| r.first())
        .and_then(SqlValue::as_i64)
        .ok_or_else(|| EtlError::Internal("no run_id".into()))
}

/// Files commit their detail rows and the dates they touched; the person states and
/// rollups of those dates are rebuilt once here. Until then (or after a crash, until the
/// next run) the planner answers the touched periods from detail, never from a stale
/// rollup.
pub(crate) async fn finish_run(
    warehouse: &Warehouse,
    catalog: &Catalog,
    run_id: i64,
    reports: &[FileReport],
    progress: &dyn Progress,
) -> Result<(), EtlError> {
    let feeds = all_feeds();
    let mut tables: Vec<&str> = reports
        .iter()
        .filter_map(|r| feeds.iter().find(|f| f.name() == r.feed))
        .map(|f| f.dwd_table())
        .collect();
    tables.sort();
    tables.dedup();
    // Statistics first: the rebuilds below select by person and by date from tables a
    // bulk load has just filled, and PostgreSQL without fresh statistics plans them as
    // full scans (measured: a 10 M-row load's state rebuild ran for many minutes).
    warehouse.analyze(&tables).await?;
    progress.message("rebuilding person states and rollups for what these files touched");
    rebuild_dirty(warehouse, catalog).await?;
    let mut derived: Vec<&str> = catalog.rollups.iter().map(|r| r.table.as_str()).collect();
    derived.extend(["dws_status_unemployed", "dws_status_employed", "dws_employment_transition"]);
    warehouse.analyze(&derived).await?;
    let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
    let finished = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    warehouse
        .execute(&Statement {
            sql: format!(
                "UPDATE meta_etl_run SET finished_at = {}, status = 'finished' WHERE run_id = {}",
                dialect.placeholder(1),
                dialect.placeholder(2)
            ),
            params: vec![finished.into(), run_id.into()],
        })
        .await?;
    Ok(())
}
