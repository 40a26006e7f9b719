//! One module per command group.

pub mod audit;
pub mod bench;
pub mod bench_query;
pub mod demo;
pub mod etl;
pub mod kb;
pub mod key;
pub mod model;
pub mod notify;
pub mod query;
pub mod seeds;
pub mod token;
pub mod user;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiuye_semantic::Catalog;
use jiuye_warehouse::{ConnectOptions, Warehouse};

use crate::{DatabaseArgs, LimitArgs};

pub(crate) fn connect_options(db: &DatabaseArgs) -> ConnectOptions {
    ConnectOptions {
        schema: db.schema.clone(),
        ..ConnectOptions::new(db.database_url.clone())
    }
}

/// Opens a warehouse for reading only: it must already be prepared for this build
/// (`jiuye migrate`); nothing is created, migrated or rebuilt, so the serving commands
/// run under a database role that may only read (and write its own session and audit
/// tables).
pub async fn open_prepared(db: &DatabaseArgs, statement_timeout: Option<Duration>) -> anyhow::Result<(Warehouse, Arc<Catalog>)> {
    let catalog = Arc::new(Catalog::builtin().context("the built-in semantic model is invalid")?);
    let warehouse = Warehouse::connect(&ConnectOptions {
        statement_timeout,
        ..connect_options(db)
    })
    .await?;
    jiuye_etl::check_prepared(&warehouse, &catalog).await?;
    Ok((warehouse, catalog))
}

/// Opens the warehouse and brings its schema and reference data up to date.
pub async fn open_warehouse(db: &DatabaseArgs) -> anyhow::Result<(Warehouse, Arc<Catalog>)> {
    let catalog = Arc::new(Catalog::builtin().context("the built-in semantic model is invalid")?);
    let warehouse = Warehouse::connect(&connect_options(db)).await?;
    let codes = jiuye_etl::CodeTables::load()?;
    jiuye_etl::prepare_warehouse(&warehouse, &catalog, &codes).await?;
    Ok((warehouse, catalog))
}

pub async fn migrate(db: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let (warehouse, _) = open_warehouse(db).await?;
    warehouse.close().await;
    eprintln!("the warehouse at {} is ready for this version", db.database_url);
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(
    db: &DatabaseArgs,
    addr: SocketAddr,
    limits: &LimitArgs,
    keys: jiuye_privacy::Keys,
    tls: Option<jiuye_graphql::TlsFiles>,
) -> anyhow::Result<ExitCode> {
    let seconds = |name: &str, s: f64| {
        (s.is_finite() && s > 0.0)
            .then(|| Duration::from_secs_f64(s))
            .with_context(|| format!("--{name} must be a positive number of seconds, not {s}"))
    };
    let statement_timeout = seconds("statement-timeout", limits.statement_timeout)?;
    let request_timeout = seconds("request-timeout", limits.request_timeout)?;
    anyhow::ensure!(limits.max_concurrent > 0, "--max-concurrent must be at least 1");
    anyhow::ensure!(
        limits.rate_per_token > 0.0 && limits.burst_per_token >= 1.0,
        "--rate-per-token must be above 0 and --burst-per-token at least 1"
    );
    if let Some(files) = &tls {
        // Checked before anything else starts, so a wrong file is the first thing said.
        jiuye_graphql::tls_config(files).await?;
    }
    let (warehouse, catalog) = open_prepared(db, Some(statement_timeout)).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, "serving GraphQL at {scheme}://{addr}/graphql and GraphiQL at {scheme}://{addr}/graphiql (Ctrl-C stops)");
    if tls.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            %addr,
            "plain HTTP: passwords and figures cross the network in clear; pass --tls-cert/--tls-key or put a TLS terminator in front (docs/security.md)"
        );
    }
    refresh_keys_every_minute(keys.clone());
    let state = jiuye_graphql::AppState::new(warehouse, catalog, keys)
        .await?
        .with_limits(jiuye_graphql::Limits {
            request_timeout,
            max_concurrent: limits.max_concurrent,
            per_token_rate: limits.rate_per_token,
            per_token_burst: limits.burst_per_token,
            ..jiuye_graphql::Limits::default()
        });
    jiuye_graphql::serve(state, addr, tls)
        .await
        .with_context(|| format!("cannot serve on {addr}; is the port in use? pass --addr"))?;
    Ok(ExitCode::SUCCESS)
}

/// A rotation (`jiuye key rotate`) reaches a running server within a minute: from then on
/// it seals under the new data key. (Values under a key it has not loaded yet make it
/// re-read the file at once.)
fn refresh_keys_every_minute(keys: jiuye_privacy::Keys) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = keys.refresh() {
                tracing::warn!(error = %e, "cannot re-read the key file; keeping the data keys loaded");
            }
        }
    });
}
