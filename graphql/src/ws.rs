//! `/graphql/ws`: GraphQL over WebSocket (graphql-transport-ws and the older graphql-ws
//! protocol), for subscriptions. The bearer token comes in `connection_init`
//! (`{"Authorization": "Bearer …"}`); a connection without a valid session token is
//! refused before any operation, and each connection is recorded in the audit log.

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::audit::{ClientAddr, event_for};
use crate::auth::{BearerToken, MAX_TOKEN_BYTES, access_of};
use crate::schema::JiuyeSchema;

/// The token of a `connection_init` payload: `Authorization` (or `authorization`) as
/// `Bearer …`, or a bare `token`.
fn token_of(payload: &Value) -> Option<String> {
    let header = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(Value::as_str);
    header
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .or_else(|| payload.get("token").and_then(Value::as_str))
        .map(str::to_string)
}

/// The data an authenticated connection's operations run with, or why it is refused.
async fn connection_data(state: &AppState, source: ClientAddr, payload: Value) -> async_graphql::Result<Data> {
    let refuse = |reason: &str| async_graphql::Error::new(format!("refused: {reason}"));
    let token = token_of(&payload).filter(|t| t.len() <= MAX_TOKEN_BYTES);
    let found = match &token {
        Some(t) if t.starts_with(jiuye_identity::SESSION_PREFIX) => access_of(state, t).await.ok().flatten(),
        _ => None,
    };
    let mut event = event_for(
        found.as_ref().map(|f| &f.0),
        found.as_ref().map(|f| &f.1),
        Some(&source),
        "subscription.connect",
    );
    let Some((access, holder)) = found else {
        event.action = "login.failed".into();
        event.outcome = "UNAUTHENTICATED".into();
        event.detail = json!({ "reason": "a WebSocket connection without a valid session token" });
        state.audit.record(event).await;
        return Err(refuse("send {\"Authorization\": \"Bearer <session token>\"} in connection_init"));
    };
    state.audit.record(event).await;
    let mut data = Data::default();
    if let Some(caller) = access.caller() {
        data.insert(caller);
    }
    data.insert(access);
    data.insert(holder);
    data.insert(source);
    data.insert(BearerToken(token.unwrap_or_default()));
    Ok(data)
}

/// Most WebSocket connections one server holds at once; more are answered 503.
const MAX_SOCKETS: usize = 2_000;
static SOCKETS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_SOCKETS);

pub(crate) async fn upgrade(
    State((state, schema)): State<(AppState, JiuyeSchema)>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Ok(slot) = SOCKETS.try_acquire() else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "too many WebSocket connections; try again later",
        )
            .into_response();
    };
    slot.forget();
    let source = ClientAddr(addr.ip().to_string());
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |stream| async move {
        GraphQLWebSocket::new(stream, schema, protocol)
            .on_connection_init(move |payload| async move { connection_data(&state, source, payload).await })
            .serve()
            .await;
        SOCKETS.add_permits(1);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_the_init_payload() {
        assert_eq!(token_of(&json!({ "Authorization": "Bearer js_1" })).as_deref(), Some("js_1"));
        assert_eq!(token_of(&json!({ "authorization": "bearer js_2" })).as_deref(), Some("js_2"));
        assert_eq!(token_of(&json!({ "token": "js_3" })).as_deref(), Some("js_3"));
        assert_eq!(token_of(&json!({ "Authorization": "Basic x" })), None);
        assert_eq!(token_of(&Value::Null), None);
    }
}
