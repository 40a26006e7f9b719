//! `jiuye audit`: verify, export and purge the audit log (docs/security.md).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use clap::{Subcommand, ValueEnum};
use jiuye_audit::{AuditEvent, AuditFilter, AuditLog, RETENTION_DAYS};
use jiuye_privacy::Keys;
use jiuye_warehouse::Warehouse;

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every link of the audit chain; exit 1 and list each changed, inserted or
    /// removed record when it is broken. Read-only.
    ///
    /// Keep the printed head (sequence number and MAC) outside the warehouse: it is what
    /// proves later that no record before it was removed by someone holding the key.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The secret key file (else JIUYE_SECRET_KEY or JIUYE_KEY_FILE).
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Write audit records as JSON Lines or CSV (to stdout, or --out). Read-only.
    Export {
        #[command(flatten)]
        db: DatabaseArgs,
        /// First day (UTC), YYYY-MM-DD.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Day after the last (UTC), YYYY-MM-DD.
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long)]
        actor: Option<String>,
        /// e.g. login.failed, query.metrics, query.drillDetail, token.created
        #[arg(long)]
        action: Option<String>,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Remove records older than a day (at least 180 days ago) and record the purge in
    /// the chain, which then starts after the removed records.
    Purge {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Records before this day (UTC) go; it must be at least 180 days ago.
        #[arg(long)]
        before: NaiveDate,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

/// Who runs a command, as the audit log names them.
pub fn cli_actor() -> String {
    format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
}

/// Appends one event of a command (token created, audit purged …) to the chain.
pub async fn record(warehouse: &Warehouse, keys: &Keys, mut event: AuditEvent) -> anyhow::Result<()> {
    event.source = Some("cli".into());
    let log = AuditLog::new(warehouse.clone(), keys.clone());
    log.check_key().await?;
    log.append(vec![event]).await.context("cannot write the audit log")?;
    Ok(())
}

/// The warehouse as it is: no migration, no reference data (these commands only read,
/// or write the audit tables alone).
async fn connect(db: &DatabaseArgs) -> anyhow::Result<Warehouse> {
    Ok(Warehouse::connect(&super::connect_options(db)).await?)
}

fn utc_day(day: NaiveDate) -> String {
    format!("{}T00:00:00.000000Z", day.format("%Y-%m-%d"))
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { db, key_file } => verify(&db, key_file).await,
        AuditCommand::Export {
            db,
            from,
            to,
            actor,
            action,
            format,
            out,
            key_file,
        } => {
            let filter = AuditFilter {
                after_seq: None,
                from: from.map(utc_day),
                to: to.map(utc_day),
                actor,
                action,
            };
            let log = AuditLog::new(connect(&db).await?, super::etl::load_keys(key_file)?);
            export(&log, filter, format, out).await.context("cannot export the audit log")
        }
        AuditCommand::Purge { db, key_file, before } => {
            let keys = super::etl::load_keys(key_file)?;
            let log = AuditLog::new(connect(&db).await?, keys);
            log.check_key().await?;
            let before = Utc.from_utc_datetime(&before.and_hms_opt(0, 0, 0).unwrap_or_default());
            let report = log.purge(before, Utc::now(), &cli_actor()).await?;
            match report.through_seq {
                Some(seq) => eprintln!("removed {} records (through record {seq}); the purge is recorded", report.deleted),
                None => eprintln!("no record is older than that; nothing removed (records are kept at least {RETENTION_DAYS} days)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn verify(db: &DatabaseArgs, key_file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let keys = super::etl::load_keys(key_file)?;
    let log = AuditLog::new(connect(db).await?, keys);
    let v = log.verify().await.context(
        "cannot read the audit log (a warehouse from before the audit log: run `jiuye etl run` or `jiuye serve` once to bring its schema up to date)",
    )?;
    for problem in &v.problems {
        println!("BROKEN: {problem}");
    }
    let range = match (v.first_seq, v.last_seq) {
        (Some(a), Some(b)) => format!("records {a}–{b}"),
        _ => "no records".into(),
    };
    println!("{} records ({range}); head MAC {}", v.records, v.head_mac);
    if v.is_intact() {
        println!("the audit chain is intact");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("the audit chain is BROKEN: {} problems", v.problems.len());
        Ok(ExitCode::FAILURE)
    }
}

async fn export(log: &AuditLog, mut filter: AuditFilter, format: ExportFormat, out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut writer = RecordWriter::new(format, sink)?;
    let mut written = 0u64;
    loop {
        let page = log.list(&filter, 5_000).await?;
        let Some(last) = page.last() else { break };
        filter.after_seq = Some(last.seq);
        for r in &page {
            writer.write(r)?;
            written += 1;
        }
    }
    writer.finish()?;
    eprintln!("exported {written} audit records");
    Ok(ExitCode::SUCCESS)
}

/// One audit record a line (JSON Lines) or a row (CSV with a header).
enum RecordWriter {
    Jsonl(Box<dyn Write>),
    Csv(csv::Writer<Box<dyn Write>>),
}

impl RecordWriter {
    fn new(format: ExportFormat, sink: Box<dyn Write>) -> anyhow::Result<RecordWriter> {
        Ok(match format {
            ExportFormat::Jsonl => RecordWriter::Jsonl(sink),
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(sink);
                w.write_record([
                    "seq",
                    "at",
                    "actor",
                    "role",
                    "district",
                    "source",
                    "action",
                    "outcome",
                    "detail",
                    "row_count",
                    "mac",
                ])?;
                RecordWriter::Csv(w)
            }
        })
    }

    fn write(&mut self, r: &jiuye_audit::AuditRecord) -> anyhow::Result<()> {
        match self {
            RecordWriter::Jsonl(w) => writeln!(w, "{}", r.to_json())?,
            RecordWriter::Csv(w) => w.write_record([
                r.seq.to_string(),
                r.at.clone(),
                r.actor.clone(),
                r.role.clone().unwrap_or_default(),
                r.district.clone().unwrap_or_default(),
                r.source.clone().unwrap_or_default(),
                r.action.clone(),
                r.outcome.clone(),
                r.detail.clone(),
                r.row_count.map(|n| n.to_string()).unwrap_or_default(),
                r.mac.clone(),
            ])?,
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            RecordWriter::Jsonl(mut w) => w.flush()?,
            RecordWriter::Csv(mut w) => w.flush()?,
        }
        Ok(())
    }
}
