//! The operations endpoints: `/readyz` for load balancers and `/metrics` for a
//! Prometheus scraper (its exposition is `telemetry`).

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use jiuye_identity::Permission;

use crate::auth::{access_of, bearer_token};

/// `/metrics` for a holder of `system.monitor` (a scraper's machine token of role
/// `monitor`, or the system administrator): the numbers are aggregates, but what the
/// platform is asked is still nobody else's.
pub(crate) async fn metrics(state: &AppState, headers: &HeaderMap) -> Response {
    let Some(token) = bearer_token(headers) else {
        return (StatusCode::UNAUTHORIZED, "send `Authorization: Bearer <token of role monitor>`").into_response();
    };
    match access_of(state, token).await {
        Ok(Some((access, _))) if access.has(Permission::SystemMonitor) => {
            let body = crate::telemetry::render(&state.request_metrics, &state.warehouse).await;
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
        }
        Ok(Some(_)) => (
            StatusCode::FORBIDDEN,
            "/metrics needs system.monitor (role monitor or system_admin)",
        )
            .into_response(),
        Ok(None) => (StatusCode::UNAUTHORIZED, "the bearer token is not valid for this warehouse").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "the server cannot check tokens right now").into_response()
        }
    }
}

/// Whether this server can answer: the database answers, its schema is this build's, and
/// the key held is the one the warehouse was loaded under (and the audit chain was
/// linked under). 200 with each check, or 503 naming the failed ones — never their
/// internals, which go to the log.
pub(crate) async fn readyz(state: &AppState) -> Response {
    let database = state
        .warehouse
        .fetch(&jiuye_sql_value::Statement {
            sql: "SELECT 1".into(),
            params: vec![],
        })
        .await
        .map_err(|e| e.to_string());
    let schema = match state.warehouse.pending_migrations().await {
        Ok(pending) if pending.is_empty() => Ok(()),
        Ok(pending) => Err(format!("migrations not applied: {}", pending.join(", "))),
        Err(e) => Err(e.to_string()),
    };
    let key = key_matches(state).await;
    let checks = [("database", database.map(|_| ())), ("schema", schema), ("key", key)];
    let mut ok = true;
    let mut report = serde_json::Map::new();
    for (name, result) in checks {
        if let Err(e) = &result {
            tracing::error!(check = name, error = %e, "readiness check failed");
            ok = false;
        }
        report.insert(name.into(), json!(if result.is_ok() { "ok" } else { "failed" }));
    }
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(json!({ "ready": ok, "checks": report }))).into_response()
}

/// The warehouse's recorded key fingerprint (set by the first load) is the server's, and
/// the audit chain's head verifies under it.
async fn key_matches(state: &AppState) -> Result<(), String> {
    use jiuye_semantic::sql::{Expr, Select, dialect_for, render_select};
    let mut select = Select::from("meta_setting", "s");
    select.columns.push((Expr::col("s", "value"), "value".into()));
    select
        .filter
        .push(Expr::eq(Expr::col("s", "name"), Expr::Param("key_fingerprint".into())));
    let rows = state
        .warehouse
        .fetch(&render_select(&select, dialect_for(state.warehouse.backend())))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(stored) = rows.rows.first().map(|r| r[0].to_key()) {
        if stored != state.key_fingerprint {
            return Err(format!(
                "the warehouse was loaded under key {stored}, the server holds {}",
                state.key_fingerprint
            ));
        }
    }
    state.audit_log.check_key().await.map_err(|e| e.to_string())
}
