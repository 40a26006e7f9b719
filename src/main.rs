//! `jiuye`: the command line of the public employment-service data platform.
//!
//! It wires configuration, the warehouse, the ETL, the semantic layer and the GraphQL
//! server together; every business rule lives in the library crates below it.

mod cmd;

/// See Cargo.toml: the ETL's per-cell allocations made glibc malloc a third of a load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// jiuye (就业): land employment-service exports in a warehouse, define every indicator
/// once, and serve them over GraphQL.
///
/// Start with `jiuye demo`: it generates two years of realistic exports, loads them into
/// an embedded SQLite warehouse and serves GraphQL with GraphiQL at http://127.0.0.1:8080.
#[derive(Parser)]
#[command(name = "jiuye", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How the log (standard error) is written: `text` for people, `json` for a log
    /// collector (one object per line: timestamp in UTC, level, target, message and
    /// fields). The level comes from RUST_LOG (default `info`).
    #[arg(long, global = true, env = "JIUYE_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

/// What is logged without RUST_LOG: info and above, but not sqlx's "slow statement"
/// warnings — rollup rebuilds of a load take seconds by design, and a newcomer's first
/// `jiuye demo` should not scroll warnings (RUST_LOG=info shows them again).
const DEFAULT_LOG_FILTER: &str = "info,sqlx::query=error";

/// The process's log: errors and warnings of the server and the commands (requests are
/// in the audit log, not here).
fn init_log(format: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.with_target(false).try_init()
    };
}

#[derive(Args, Clone)]
pub struct DatabaseArgs {
    /// Warehouse: a SQLite file (created if missing) or postgres://user@host:port/db.
    #[arg(long, env = "JIUYE_DATABASE_URL", default_value = "jiuye.db")]
    pub database_url: String,
    /// PostgreSQL schema for the warehouse tables (created if missing).
    #[arg(long, env = "JIUYE_DATABASE_SCHEMA")]
    pub schema: Option<String>,
}

/// The bounds every GraphQL request runs within (docs/security.md).
#[derive(Args, Clone)]
pub struct LimitArgs {
    /// Longest a request may run before it is answered TIMEOUT (504), in seconds.
    #[arg(long, env = "JIUYE_REQUEST_TIMEOUT", default_value_t = 30.0)]
    pub request_timeout: f64,
    /// Longest one SQL statement may run before the database stops it, in seconds.
    #[arg(long, env = "JIUYE_STATEMENT_TIMEOUT", default_value_t = 20.0)]
    pub statement_timeout: f64,
    /// Requests executing at once over all callers; more wait up to 5 s, then get 503.
    #[arg(long, env = "JIUYE_MAX_CONCURRENT", default_value_t = 64)]
    pub max_concurrent: usize,
    /// Requests a second one token may send on average (429 above it) …
    #[arg(long, env = "JIUYE_RATE_PER_TOKEN", default_value_t = 50.0)]
    pub rate_per_token: f64,
    /// … and in a burst.
    #[arg(long, env = "JIUYE_BURST_PER_TOKEN", default_value_t = 200.0)]
    pub burst_per_token: f64,
}

#[derive(Subcommand)]
enum Command {
    /// Generate demo exports, load them and serve GraphQL (the quickest tour).
    Demo {
        /// Working directory: exports/, warehouse.db and secret.key go here.
        #[arg(long, default_value = "demo")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Demo volume relative to the default (1.0 ≈ 110,000 hires a year).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Load and print the token and query, but do not serve.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Load exports into the warehouse.
    #[command(subcommand)]
    Etl(cmd::etl::EtlCommand),
    /// Answer indicator queries from the command line (same planner and rows as GraphQL).
    Query(cmd::query::QueryArgs),
    /// Serve GraphQL at /graphql and GraphiQL at /graphiql.
    ///
    /// Every request is recorded in the audit log, linked under the secret key: give the
    /// warehouse's key (JIUYE_SECRET_KEY, JIUYE_KEY_FILE or --key-file).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        limits: LimitArgs,
        /// The secret key file (else JIUYE_SECRET_KEY or JIUYE_KEY_FILE).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Answer HTTPS with this certificate chain (PEM; with --tls-key). Without it
        /// the server speaks plain HTTP: put a TLS terminator in front (docs/security.md).
        #[arg(long, env = "JIUYE_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1; readable by the
        /// service only).
        #[arg(long, env = "JIUYE_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Bring the warehouse's schema, reference data and rollups up to date for this
    /// version (the serving commands — serve, query, etl status — only read, and refuse
    /// a warehouse that needs this).
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Bearer tokens for the GraphQL API.
    #[command(subcommand)]
    Token(cmd::token::TokenCommand),
    /// People who log in: create users, lift lockouts.
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// The audit log: verify its chain, export it, purge old records.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// The secret key behind pseudonyms and ODS encryption.
    #[command(subcommand)]
    Key(cmd::key::KeyCommand),
    /// Reference data and demo exports.
    #[command(subcommand)]
    Seeds(cmd::seeds::SeedsCommand),
    /// The semantic model: `model check` reports every problem with file and line.
    #[command(subcommand)]
    Model(cmd::model::ModelCommand),
    /// The knowledge base: glossary, indicator dictionary, code tables.
    #[command(subcommand)]
    Kb(cmd::kb::KbCommand),
    /// Benchmarks that report what they measure (see docs/benchmarks.md).
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_log(&cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo {
                dir,
                addr,
                scale,
                no_serve,
                limits,
            } => cmd::demo::run(&dir, addr, scale, no_serve, &limits).await,
            Command::Etl(c) => cmd::etl::run(c).await,
            Command::Query(args) => cmd::query::run(args).await,
            Command::Serve {
                addr,
                db,
                limits,
                key_file,
                tls_cert,
                tls_key,
            } => {
                let tls = tls_cert.zip(tls_key).map(|(cert, key)| jiuye_graphql::TlsFiles { cert, key });
                cmd::serve(&db, addr, &limits, cmd::etl::load_keys(key_file)?, tls).await
            }
            Command::Audit(c) => cmd::audit::run(c).await,
            Command::Migrate { db } => cmd::migrate(&db).await,
            Command::User(c) => cmd::user::run(c).await,
            Command::Token(c) => cmd::token::run(c).await,
            Command::Key(c) => cmd::key::run(c).await,
            Command::Seeds(c) => cmd::seeds::run(c),
            Command::Kb(c) => cmd::kb::run(c),
            Command::Model(c) => cmd::model::run(c),
            Command::Bench(c) => cmd::bench::run(c).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
