//! `jiuye key`: the secret key file and its data keys (docs/security.md, 密钥管理).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use jiuye_audit::AuditEvent;
use jiuye_privacy::{KeyFile, KeySource, Keys};
use jiuye_reseal::{Progress, RowKey, SealedTable, TableReport};
use jiuye_warehouse::Warehouse;

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Write a new random secret key (64 hex characters) to a file readable only by you.
    ///
    /// Point JIUYE_KEY_FILE at it. Losing it means new loads cannot join old pseudonyms
    /// and ODS can no longer be decrypted: keep a copy in your secret store.
    Generate {
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a new random data key to the key file, then re-seal every older value under
    /// it (as `jiuye key reseal` does).
    ///
    /// Rotation needs no downtime: running servers re-read the key file when they meet
    /// a value sealed under a key they have not loaded, and every minute. Pseudonyms and
    /// the audit chain keep deriving from the master secret (the file's first line),
    /// which a rotation never changes. Copy the new file to your secret store. With
    /// jiuye on several hosts, pass --no-reseal, copy the file to every host, then run
    /// `jiuye key reseal`.
    Rotate {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The key file (default: JIUYE_KEY_FILE).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Only add the key; older values stay under their keys until `jiuye key reseal`.
        #[arg(long)]
        no_reseal: bool,
        /// Rows per transaction when re-sealing (1 to 50000).
        #[arg(long, default_value_t = 5_000)]
        batch: u64,
    },
    /// Count the sealed values per data key version, table by table (reads only).
    Status {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Re-seal every value not under the newest data key, a batch per transaction,
    /// while the service and loads go on. Safe to stop and to run again.
    Reseal {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Rows per transaction (1 to 50000).
        #[arg(long, default_value_t = 5_000)]
        batch: u64,
    },
    /// Retire a data key: values sealed under it will no longer open. Refused while
    /// any value is still sealed under it (run `jiuye key reseal` first).
    Retire {
        /// The data key version to retire (see `jiuye key status`).
        #[arg(value_name = "VERSION")]
        data_key: u32,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
}

pub async fn run(command: KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::Generate { out } => {
            KeyFile::generate().save_new(&out)?;
            eprintln!("wrote a new key to {}; set JIUYE_KEY_FILE={}", out.display(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Rotate {
            db,
            key_file,
            no_reseal,
            batch,
        } => {
            let path = key_path(key_file.clone())?;
            let mut file = KeyFile::read(&path)?;
            let (warehouse, keys) = open(&db, &path).await?;
            let version = file.rotate();
            file.replace(&path)?;
            audit(&warehouse, &keys, "key.rotated", serde_json::json!({ "version": version })).await?;
            eprintln!(
                "data key {version} added to {} and sealing from now on; copy the file to your secret store",
                path.display()
            );
            if no_reseal {
                eprintln!("copy the file to every host running jiuye, then run `jiuye key reseal` to move older values to it");
                return Ok(ExitCode::SUCCESS);
            }
            reseal(&db, key_file, batch).await
        }
        KeyCommand::Status { db, key_file } => {
            let path = key_path(key_file)?;
            let (warehouse, keys) = open(&db, &path).await?;
            let reports = jiuye_reseal::survey(&warehouse, &sealed_tables()?, 5_000, &Bar::new()).await?;
            print_reports(&reports, &KeyFile::read(&path)?, keys.sealing_version());
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Reseal { db, key_file, batch } => reseal(&db, key_file, batch).await,
        KeyCommand::Retire { data_key, db, key_file } => retire(&db, key_file, data_key).await,
    }
}

async fn reseal(db: &DatabaseArgs, key_file: Option<PathBuf>, batch: u64) -> anyhow::Result<ExitCode> {
    let path = key_path(key_file)?;
    let (warehouse, keys) = open(db, &path).await?;
    let started = std::time::Instant::now();
    let reports = jiuye_reseal::reseal(&warehouse, &keys, &sealed_tables()?, batch, &Bar::new()).await?;
    let resealed: u64 = reports.iter().map(|r| r.resealed).sum();
    let unreadable: u64 = reports.iter().map(|r| r.unreadable).sum();
    let changed: u64 = reports.iter().map(|r| r.changed_meanwhile).sum();
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    let detail = serde_json::json!({ "version": keys.sealing_version(), "resealed": resealed, "unreadable": unreadable });
    audit(&warehouse, &keys, "key.resealed", detail).await?;
    print_reports(&reports, &KeyFile::read(&path)?, keys.sealing_version());
    eprintln!(
        "re-sealed {resealed} values under data key {} ({rows} rows in {:.1} s)",
        keys.sealing_version(),
        started.elapsed().as_secs_f64()
    );
    if changed > 0 {
        eprintln!("{changed} rows changed while being re-sealed and were left to their writer; run `jiuye key reseal` again");
    }
    if unreadable > 0 {
        eprintln!("{unreadable} values did not open under any key of the file and were left as they were");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

async fn retire(db: &DatabaseArgs, key_file: Option<PathBuf>, version: u32) -> anyhow::Result<ExitCode> {
    let path = key_path(key_file)?;
    let mut file = KeyFile::read(&path)?;
    file.retire(version)?;
    let (warehouse, keys) = open(db, &path).await?;
    let reports = jiuye_reseal::survey(&warehouse, &sealed_tables()?, 5_000, &Bar::new()).await?;
    let remaining: u64 = reports
        .iter()
        .flat_map(|r| &r.found)
        .filter(|(s, _)| s.version == version)
        .map(|(_, n)| n)
        .sum();
    anyhow::ensure!(
        remaining == 0,
        "{remaining} values are still sealed under data key {version}; run `jiuye key reseal`, then retire it"
    );
    file.replace(&path)?;
    audit(&warehouse, &keys, "key.retired", serde_json::json!({ "version": version })).await?;
    eprintln!("data key {version} retired: nothing sealed under it is left, and nothing will open under it");
    Ok(ExitCode::SUCCESS)
}

/// The key file named by `--key-file` or JIUYE_KEY_FILE: rotation writes to a file.
fn key_path(key_file: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    key_file.or_else(|| KeySource::Environment.path()).context(
        "data keys live in a key file: pass --key-file or set JIUYE_KEY_FILE \
         (JIUYE_SECRET_KEY holds a master secret only; move it into a file with `jiuye key generate`'s format)",
    )
}

/// The warehouse as it is (no migration), and the keys, which must be the warehouse's.
async fn open(db: &DatabaseArgs, path: &Path) -> anyhow::Result<(Warehouse, Keys)> {
    let keys = Keys::load(&KeySource::File(path.to_path_buf()))?;
    let warehouse = Warehouse::connect(&super::connect_options(db)).await?;
    jiuye_etl::check_key_matches(&warehouse, &keys).await?;
    jiuye_audit::AuditLog::new(warehouse.clone(), keys.clone()).check_key().await?;
    Ok((warehouse, keys))
}

async fn audit(warehouse: &Warehouse, keys: &Keys, action: &str, detail: serde_json::Value) -> anyhow::Result<()> {
    let mut event = AuditEvent::new(super::audit::cli_actor(), action);
    event.detail = detail;
    super::audit::record(warehouse, keys, event).await
}

/// Every sealed column of the warehouse: ODS's personal fields and raw lines, and the
/// users' TOTP secrets.
fn sealed_tables() -> anyhow::Result<Vec<SealedTable>> {
    let mut tables: Vec<SealedTable> = jiuye_etl::builtin_specs()?
        .iter()
        .map(|spec| SealedTable {
            table: spec.ods_table(),
            row: RowKey::FileLine,
            columns: spec.sealed_columns(),
        })
        .collect();
    let (table, key, columns) = jiuye_identity::SEALED_COLUMNS;
    tables.push(SealedTable {
        table: table.into(),
        row: RowKey::Text(key.into()),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    });
    Ok(tables)
}

fn print_reports(reports: &[TableReport], file: &KeyFile, sealing: u32) {
    let versions = file
        .versions()
        .iter()
        .map(|v| match (file.is_retired(*v), *v == sealing) {
            (true, _) => format!("{v} (retired)"),
            (_, true) => format!("{v} (sealing)"),
            _ => v.to_string(),
        })
        .collect::<Vec<_>>();
    println!("data keys: {}", versions.join(", "));
    let width = reports.iter().map(|r| r.table.len()).max().unwrap_or(5).max(5);
    println!("{:width$}  {:>9}  sealed values by key", "table", "rows");
    for report in reports {
        let found = report
            .found
            .iter()
            .map(|(sealing, n)| format!("{sealing}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "{:width$}  {:>9}  {}",
            report.table,
            report.rows,
            if found.is_empty() { "-".into() } else { found }
        );
    }
}

/// A spinner counting rows, on standard error.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Bar {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} rows ({per_sec})").expect("a valid template"));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn table_started(&self, table: &str) {
        self.0.set_message(table.to_string());
        self.0.set_position(0);
    }
    fn rows_done(&self, rows: u64) {
        self.0.inc(rows);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
