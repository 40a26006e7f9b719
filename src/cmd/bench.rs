use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use jiuye_privacy::{KeySource, Keys};
use jiuye_warehouse::Warehouse;

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time the ETL on one large employment_registration CSV: reading, conforming and the
    /// whole load, plus (on PostgreSQL) the raw `COPY … FROM` of the same file into an
    /// index-less table as the ceiling. Prints a Markdown table with rows/s and peak memory.
    Etl {
        /// Rows in the generated file.
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Where the file (and the SQLite warehouse) go; a temporary directory by default.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A PostgreSQL URL to load into instead of SQLite (its schema is dropped first).
        #[arg(long)]
        postgres: Option<String>,
        /// The PostgreSQL schema used (and dropped) by the benchmark.
        #[arg(long, default_value = "jiuye_bench")]
        schema: String,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Time indicator queries (one a rollup serves, one only detail can) and the whole
    /// decision-support board on a loaded warehouse, in process and over HTTP: p50, p99
    /// and max of --runs repetitions. Example, after `bench etl --postgres URL`:
    /// jiuye bench query --database-url postgres://… --schema jiuye_bench --as-of 2025-06-30
    Query {
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// Repetitions of the detail-served query (seconds each on 10 M rows).
        #[arg(long, default_value_t = 10)]
        detail_runs: usize,
        /// The board's date; the queries cover January–June of its year.
        #[arg(long)]
        as_of: chrono::NaiveDate,
        /// The warehouse's secret key file (else JIUYE_SECRET_KEY or JIUYE_KEY_FILE): the
        /// HTTP half writes the audit log, as a server does.
        #[arg(long)]
        key_file: Option<std::path::PathBuf>,
    },
}

/// The process's peak resident memory (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    let (rows, dir, postgres, schema, seed) = match command {
        BenchCommand::Etl {
            rows,
            dir,
            postgres,
            schema,
            seed,
        } => (rows, dir, postgres, schema, seed),
        BenchCommand::Query {
            db,
            runs,
            detail_runs,
            as_of,
            key_file,
        } => {
            let keys = super::etl::load_keys(key_file)?;
            super::bench_query::run(&db, runs.max(1), detail_runs.max(1), as_of, keys).await?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let cleanup = dir.is_none();
    let temp = tempfile_dir(dir)?;
    let input = temp.join("input");
    std::fs::create_dir_all(&input)?;
    let file = input.join("employment_registration_bench.csv");
    eprintln!("generating {rows} rows into {} …", file.display());
    let t = Instant::now();
    jiuye_etl::bench::generate_registrations(&file, rows, seed)?;
    eprintln!(
        "  {:.1} s, {:.0} MiB",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&file)?.len() as f64 / 1048576.0
    );

    // The configured key when there is one, so that other feeds can be loaded into the
    // same warehouse afterwards (`etl run` refuses a warehouse written under another key).
    let configured = std::env::var_os("JIUYE_SECRET_KEY").is_some() || std::env::var_os("JIUYE_KEY_FILE").is_some();
    let keys = Keys::load(&if configured {
        KeySource::Environment
    } else {
        KeySource::Hex(Keys::generate_hex())
    })?;
    let codes = jiuye_etl::CodeTables::load()?;
    let mut lines = Vec::new();
    let mut stage = |name: &str, n: u64, secs: f64| {
        eprintln!("  {name}: {n} rows in {secs:.1} s");
        lines.push(format!("| {name} | {n} | {secs:.1} | {:.0} |", n as f64 / secs));
    };

    let t = Instant::now();
    let n = jiuye_etl::bench::read_only(&file)?;
    stage("read + decode + CSV parse", n, t.elapsed().as_secs_f64());
    let t = Instant::now();
    let (n, _) = jiuye_etl::bench::conform_only(&file, &keys, &codes)?;
    stage(
        "… + conform, validate, pseudonymise, encrypt (no database)",
        n,
        t.elapsed().as_secs_f64(),
    );

    let backend = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    let db = match &postgres {
        Some(url) => {
            Warehouse::drop_postgres_schema(url, &schema).await?;
            DatabaseArgs {
                database_url: url.clone(),
                schema: Some(schema.clone()),
            }
        }
        None => {
            let path = temp.join("bench.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            DatabaseArgs {
                database_url: path.display().to_string(),
                schema: None,
            }
        }
    };
    let (warehouse, catalog) = super::open_warehouse(&db).await?;
    let t = Instant::now();
    let report = jiuye_etl::run(&warehouse, &catalog, &keys, &input, &jiuye_etl::Silent).await?;
    let read: u64 = report.files.iter().map(|f| f.read).sum();
    let etl_secs = t.elapsed().as_secs_f64();
    stage(&format!("end to end into {backend} (ODS + DWD + DWS)"), read, etl_secs);

    if postgres.is_some() {
        let columns: Vec<String> = (1..=18).map(|i| format!("c{i} TEXT")).collect();
        warehouse
            .execute_script(&format!(
                "DROP TABLE IF EXISTS bench_raw_copy; CREATE TABLE bench_raw_copy ({})",
                columns.join(", ")
            ))
            .await?;
        let t = Instant::now();
        let copied = warehouse
            .postgres_copy_from_file("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", &file)
            .await?;
        let copy_secs = t.elapsed().as_secs_f64();
        stage("ceiling: raw COPY FROM into an index-less table", copied, copy_secs);
        eprintln!(
            "  ETL end to end = {:.1} % of the raw COPY rows/s",
            100.0 * (read as f64 / etl_secs) / (copied as f64 / copy_secs)
        );
    }
    println!("| stage | rows | seconds | rows/s |\n|---|---:|---:|---:|");
    for l in &lines {
        println!("{l}");
    }
    if let Some(mib) = peak_rss_mib() {
        println!("\npeak memory of the benchmark process: {mib:.0} MiB");
    }
    warehouse.close().await;
    if cleanup {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(ExitCode::SUCCESS)
}

fn tempfile_dir(dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("jiuye-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
