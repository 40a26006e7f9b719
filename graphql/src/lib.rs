//! The GraphQL surface, one job: serve indicators, dimensions and the catalog over
//! GraphQL-over-HTTP with bearer-token auth, within bounds on every request (`limits`,
//! `input`), and a self-hosted GraphiQL.
//!
//! Resolvers hold no business rules: queries go through the semantic planner (which
//! applies row-level security) and the warehouse executes them. Depends on semantic,
//! knowledge-base, warehouse and privacy; never on the ETL or the CLI.

mod account;
mod admin;
mod audit;
pub mod auth;
mod board;
mod crypto;
mod data_day;
mod drill;
mod graphiql;
mod http;
mod input;
mod kb;
pub mod limits;
mod messages;
mod metrics;
mod ops;
mod permissions;
mod personal;
mod schema;
mod target_watch;
mod telemetry;
mod ws;

use std::sync::Arc;

use jiuye_audit::{AuditLog, AuditSink};
use jiuye_privacy::Keys;
use jiuye_semantic::Catalog;
use jiuye_warehouse::Warehouse;

pub use board::{BoardAnswer, PanelAnswer, answer_board};
pub use metrics::{MetricsAnswer, run_metrics, shanghai_today};
pub use schema::{JiuyeSchema, build_schema};
pub use target_watch::watch_targets;

pub use audit::ClientAddr;
pub use kb::KbState;
pub use limits::Limits;

/// What every request needs.
#[derive(Clone)]
pub struct AppState {
    pub warehouse: Warehouse,
    pub catalog: Arc<Catalog>,
    pub kb: Arc<KbState>,
    pub limits: Limits,
    /// Where every request's audit events go (one writer task).
    pub audit: AuditSink,
    /// The log itself, for the audit administrator's queries.
    pub audit_log: AuditLog,
    /// Users, logins and sessions.
    pub identity: jiuye_identity::Identity,
    /// The fingerprint of the key the server holds, checked by `/readyz` against the
    /// one the warehouse was loaded under.
    pub key_fingerprint: String,
    /// Request counts and latencies for `/metrics`.
    pub request_metrics: Arc<telemetry::RequestMetrics>,
    /// The roles in force (built-in and the security administrator's).
    pub roles: Arc<permissions::RoleCache>,
    /// 消息中心.
    pub inbox: jiuye_messages::Inbox,
    /// The keys (data key versions for the 密码应用 page; never shown).
    pub keys: Keys,
    /// The latest data day, the boards' default date.
    pub data_day: Arc<data_day::DataDay>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Kb(#[from] jiuye_kb::KbError),
    #[error(transparent)]
    Warehouse(#[from] jiuye_warehouse::WarehouseError),
    #[error("curated revision of term `{0}` is unreadable: {1}")]
    Revision(String, String),
    #[error(transparent)]
    Audit(#[from] jiuye_audit::AuditError),
}

impl AppState {
    /// Loads the knowledge base (with curated revisions) next to the warehouse handle and
    /// starts the audit writer, whose chain is linked under `keys` (checked against the
    /// log's head first: a server under another key would break the chain).
    pub async fn new(warehouse: Warehouse, catalog: Arc<Catalog>, keys: Keys) -> Result<AppState, StartError> {
        let kb = Arc::new(KbState::load(&warehouse, &catalog).await?);
        let identity = jiuye_identity::Identity::new(warehouse.clone(), keys.clone());
        let key_fingerprint = keys.fingerprint().to_string();
        let audit_log = AuditLog::new(warehouse.clone(), keys.clone());
        let inbox = jiuye_messages::Inbox::new(warehouse.clone());
        audit_log.check_key().await?;
        Ok(AppState {
            warehouse,
            catalog,
            kb,
            limits: Limits::default(),
            audit: AuditSink::start(audit_log.clone()),
            audit_log,
            identity,
            key_fingerprint,
            request_metrics: Arc::default(),
            roles: Arc::default(),
            inbox,
            data_day: Arc::default(),
            keys,
        })
    }

    /// The same state under other limits.
    pub fn with_limits(self, limits: Limits) -> AppState {
        AppState { limits, ..self }
    }
}

/// The HTTP routes: `/graphql`, `/graphiql` (+ its assets) and `/health`.
pub fn router(state: AppState) -> axum::Router {
    http::router(state)
}

/// The certificate chain and private key (PEM files) `serve` answers HTTPS with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// How long open requests may finish after Ctrl-C.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until Ctrl-C — over HTTPS when `tls` is given (TLS 1.2 and 1.3, and
/// `Strict-Transport-Security` on every answer) — then stores the audit events still
/// queued.
pub async fn serve(state: AppState, addr: std::net::SocketAddr, tls: Option<TlsFiles>) -> std::io::Result<()> {
    let audit = state.audit.clone();
    tokio::spawn(target_watch::keep_watching(state.clone()));
    let Some(tls) = tls else {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        audit.flush().await;
        return Ok(());
    };
    let config = tls_config(&tls).await?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
    });
    let app = http::with_hsts(router(state));
    axum_server::bind_rustls(addr, config)
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await?;
    audit.flush().await;
    Ok(())
}

/// The rustls configuration of `tls`, with an error naming the file that is wrong.
pub async fn tls_config(tls: &TlsFiles) -> std::io::Result<axum_server::tls_rustls::RustlsConfig> {
    // One crypto provider (ring) for the process; a second call finds it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot use the TLS certificate {} with the key {}: {e} (both PEM; the key PKCS#8, PKCS#1 or SEC1)",
                    tls.cert.display(),
                    tls.key.display()
                ),
            )
        })
}
