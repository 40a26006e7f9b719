use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use jiuye_etl::{FileReport, Progress, RunReport};
use jiuye_privacy::{KeySource, Keys};

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum EtlCommand {
    /// Load every file in a directory whose name starts with a feed name
    /// (e.g. employment_registration_202401.csv), then rebuild the touched rollups.
    ///
    /// Formats: CSV (UTF-8 with or without BOM, or GB18030), XLSX (first sheet), Parquet
    /// and JSON Lines; files stream in batches, each file in one transaction. Rows that
    /// break a rule are quarantined with the rule and the value; every file's accounting
    /// balances: read = loaded + unchanged + quarantined + pending (applications waiting
    /// for their posting). Loading a file twice changes
    /// nothing. Needs the secret key (JIUYE_SECRET_KEY or JIUYE_KEY_FILE).
    ///
    /// A feed may instead be extracted from a table of the source system's database
    /// (PostgreSQL or MySQL), incrementally: only rows whose 更新时间 is at or after the
    /// last watermark minus --overlap-minutes are read, and the watermark is the newest
    /// 更新时间 among them (the source's clock, never ours).
    ///
    /// Examples:
    ///   jiuye etl run --input /data/exports/2025-06 --database-url warehouse.db
    ///   jiuye etl run --source-url postgres://etl@hr-db/hr --feed job_posting --table public.gw_posting
    Run {
        /// Directory of export files.
        #[arg(long, required_unless_present = "source_url", conflicts_with = "source_url")]
        input: Option<PathBuf>,
        /// Source database URL (postgres://… or mysql://…) to extract --feed from.
        #[arg(long, requires = "feed")]
        source_url: Option<String>,
        /// The feed to extract from the source database.
        #[arg(long)]
        feed: Option<String>,
        /// The source table (schema.table allowed); defaults to the feed name.
        #[arg(long)]
        table: Option<String>,
        /// Re-read this many minutes before the watermark, for rows committed late.
        #[arg(long, default_value_t = 60)]
        overlap_minutes: i64,
        #[command(flatten)]
        db: DatabaseArgs,
        /// Key file (instead of JIUYE_SECRET_KEY / JIUYE_KEY_FILE).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Print one JSON document with each file's accounting instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Recent runs with their accounting, per-feed totals, and rollup work still pending.
    Status {
        /// How many runs to show, newest first.
        #[arg(long, default_value_t = 10)]
        runs: i64,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        json: bool,
    },
    /// Re-validate quarantined rows (after a code-table or rule fix) and load those that
    /// now pass; each file's accounting moves them from quarantined to loaded.
    RetryQuarantine {
        /// Only this feed.
        #[arg(long)]
        feed: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
        /// Key file (instead of JIUYE_SECRET_KEY / JIUYE_KEY_FILE): ODS is decrypted to re-check rows.
        #[arg(long)]
        key_file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Quarantined rows with the rule, the column and the value (personal values masked).
    Quarantine {
        /// Only this feed, e.g. employment_registration.
        #[arg(long)]
        feed: Option<String>,
        /// Only this rule, e.g. id_number, unknown_code, conditional_required.
        #[arg(long)]
        rule: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        json: bool,
    },
}

/// Progress bars on stderr: one per file, with rows/s.
pub struct Bars {
    multi: MultiProgress,
    current: Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            multi: MultiProgress::new(),
            current: Mutex::new(None),
            quiet,
        }
    }
}

impl Progress for Bars {
    fn file_started(&self, file: &str, rows: u64) {
        // Files stream, so the row count is known only at the end: a counter with rows/s.
        let (bar, template) = if rows == 0 {
            (ProgressBar::new_spinner(), "{spinner} {msg:40} {pos} rows, {per_sec} ({elapsed})")
        } else {
            (ProgressBar::new(rows), "{spinner} {msg:40} [{bar:30}] {pos}/{len} rows {per_sec}")
        };
        let bar = self.multi.add(bar);
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar.set_message(file.to_string());
        if let Ok(mut c) = self.current.lock() {
            *c = Some(bar);
        }
    }
    fn rows(&self, n: u64) {
        if let Ok(c) = self.current.lock()
            && let Some(bar) = c.as_ref()
        {
            bar.inc(n);
        }
    }
    fn file_finished(&self, _report: &FileReport) {
        if let Ok(mut c) = self.current.lock()
            && let Some(bar) = c.take()
        {
            bar.finish();
        }
    }
    fn message(&self, text: &str) {
        if !self.quiet {
            let _ = self.multi.println(text);
        }
    }
}

pub fn load_keys(key_file: Option<PathBuf>) -> anyhow::Result<Keys> {
    let source = key_file.map(KeySource::File).unwrap_or(KeySource::Environment);
    Ok(Keys::load(&source)?)
}

pub fn print_table(report: &RunReport) {
    let width = report.files.iter().map(|f| f.file.chars().count()).max().unwrap_or(4).max(4);
    println!(
        "{:width$}  {:>9} {:>9} {:>9} {:>11} {:>8}  status",
        "file", "read", "loaded", "unchanged", "quarantined", "pending"
    );
    let mut totals = [0u64; 5];
    for f in &report.files {
        println!(
            "{:width$}  {:>9} {:>9} {:>9} {:>11} {:>8}  {}",
            f.file, f.read, f.loaded, f.unchanged, f.quarantined, f.pending, f.status
        );
        if let Some(e) = &f.error {
            println!("    {e}");
        }
        for (t, v) in totals.iter_mut().zip([f.read, f.loaded, f.unchanged, f.quarantined, f.pending]) {
            *t += v;
        }
    }
    println!(
        "{:width$}  {:>9} {:>9} {:>9} {:>11} {:>8}",
        "total", totals[0], totals[1], totals[2], totals[3], totals[4]
    );
    if totals[4] > 0 {
        println!(
            "{} row(s) wait for the row they refer to (an application for a posting not loaded yet); they load when it arrives",
            totals[4]
        );
    }
    for s in &report.skipped {
        println!("skipped {s}: its name starts with no feed name");
    }
}

pub async fn run(command: EtlCommand) -> anyhow::Result<ExitCode> {
    match command {
        EtlCommand::Run {
            input,
            source_url,
            feed,
            table,
            overlap_minutes,
            db,
            key_file,
            json,
        } => {
            let keys = load_keys(key_file)?;
            let (warehouse, catalog) = super::open_warehouse(&db).await?;
            let bars = Bars::new(json);
            let what = input
                .as_ref()
                .map(|i| i.display().to_string())
                .or_else(|| source_url.as_ref().map(|_| format!("feed {}", feed.as_deref().unwrap_or("?"))))
                .unwrap_or_default();
            let result = match (input, source_url, feed) {
                (Some(input), _, _) => jiuye_etl::run(&warehouse, &catalog, &keys, &input, &bars)
                    .await
                    .with_context(|| format!("loading {} into {}", input.display(), warehouse.display_url())),
                (None, Some(url), Some(feed)) => {
                    let source = jiuye_etl::DbSource {
                        url,
                        table: table.unwrap_or_else(|| feed.clone()),
                        feed,
                        overlap: chrono::Duration::minutes(overlap_minutes.max(0)),
                    };
                    jiuye_etl::run_source(&warehouse, &catalog, &keys, &source, &bars)
                        .await
                        .with_context(|| format!("extracting {} into {}", source.label(), warehouse.display_url()))
                }
                _ => anyhow::bail!("give --input DIR, or --source-url URL with --feed FEED"),
            };
            super::notify::etl_outcome(&warehouse, &what, &result).await;
            let report = result?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "run_id": report.run_id, "files": report.files, "skipped": report.skipped })
                );
            } else {
                print_table(&report);
            }
            let rejected = report.files.iter().any(|f| f.status == "rejected");
            Ok(if rejected { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
        EtlCommand::Status { runs, db, json } => {
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            let status = jiuye_etl::ledger::status(&warehouse, runs).await?;
            if json {
                println!("{}", serde_json::to_string(&status)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{:>5}  {:19}  {:8} {:>5} {:>9} {:>9} {:>9} {:>11} {:>8}  input",
                "run", "started", "status", "files", "read", "loaded", "unchanged", "quarantined", "pending"
            );
            for r in &status.runs {
                println!(
                    "{:>5}  {:19}  {:8} {:>5} {:>9} {:>9} {:>9} {:>11} {:>8}  {}",
                    r.run_id, r.started_at, r.status, r.files, r.read, r.loaded, r.unchanged, r.quarantined, r.pending, r.input
                );
            }
            println!();
            println!(
                "{:26} {:>5} {:>8} {:>9} {:>9} {:>9} {:>11} {:>8}  last loaded",
                "feed", "files", "rejected", "read", "loaded", "unchanged", "quarantined", "pending"
            );
            for f in &status.feeds {
                println!(
                    "{:26} {:>5} {:>8} {:>9} {:>9} {:>9} {:>11} {:>8}  {}",
                    f.feed,
                    f.files,
                    f.rejected_files,
                    f.read,
                    f.loaded,
                    f.unchanged,
                    f.quarantined,
                    f.pending,
                    f.last_loaded_at.clone().unwrap_or_default()
                );
            }
            if !status.watermarks.is_empty() {
                println!("\n{:26} {:19}  {:>5}  source", "feed", "watermark (更新时间)", "run");
                for w in &status.watermarks {
                    println!("{:26} {:19}  {:>5}  {}", w.feed, w.watermark, w.run_id, w.source);
                }
            }
            if status.dirty_dates > 0 {
                println!(
                    "\n{} date(s) await a rollup rebuild (answered from detail meanwhile); the next `jiuye etl run` rebuilds them",
                    status.dirty_dates
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EtlCommand::RetryQuarantine { feed, db, key_file, json } => {
            let keys = load_keys(key_file)?;
            let (warehouse, catalog) = super::open_warehouse(&db).await?;
            let codes = jiuye_etl::CodeTables::load()?;
            let reports = jiuye_etl::retry_quarantine(&warehouse, &catalog, &keys, &codes, feed.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string(&reports)?);
            } else {
                println!("{:26} {:>8} {:>8} {:>17}", "feed", "retried", "moved", "still quarantined");
                for r in &reports {
                    println!("{:26} {:>8} {:>8} {:>17}", r.feed, r.retried, r.moved, r.still_quarantined);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EtlCommand::Quarantine {
            feed,
            rule,
            limit,
            db,
            json,
        } => {
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            let rows = jiuye_etl::ledger::quarantine(&warehouse, feed.as_deref(), rule.as_deref(), limit).await?;
            if json {
                println!("{}", serde_json::to_string(&rows)?);
            } else if rows.is_empty() {
                eprintln!("no quarantined rows match");
            } else {
                for q in &rows {
                    println!(
                        "{}:{}  {}  {} [{}] = {}  — {}",
                        q.file,
                        q.line,
                        q.business_key.clone().unwrap_or("-".into()),
                        q.rule,
                        q.column,
                        q.value.clone().unwrap_or_default(),
                        q.message
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
