//! GraphQL over HTTP (the GraphQL-over-HTTP specification): POST with JSON bodies, GET
//! for queries only, `Accept` negotiation between `application/graphql-response+json`
//! and `application/json`, and the status codes the specification prescribes. Every
//! `/graphql` request needs a bearer token and runs within the server's `Limits`: 413
//! past the body size, 429 past the token's rate, 503 when the server is full, 504 past
//! the request timeout — each with a JSON error and `extensions.code`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response as GqlResponse, Variables};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::FutureExt;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::audit::{ClientAddr, event_for};
use crate::auth::{Access, MAX_TOKEN_BYTES, TokenHolder, access_of, bearer_token};
use crate::limits::RateLimiter;
use crate::schema::{JiuyeSchema, build_schema};
use crate::{AppState, graphiql};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone)]
struct Shared {
    state: AppState,
    schema: JiuyeSchema,
    rates: Arc<RateLimiter>,
    running: Arc<Semaphore>,
}

pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    let limits = state.limits.clone();
    let shared = Shared {
        rates: Arc::new(RateLimiter::new(limits.per_token_rate, limits.per_token_burst)),
        running: Arc::new(Semaphore::new(limits.max_concurrent.max(1))),
        state,
        schema,
    };
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{file}", get(graphiql::asset))
        .route("/health", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(|State(s): State<Shared>| async move { crate::ops::readyz(&s.state).await }),
        )
        .route(
            "/metrics",
            get(|State(s): State<Shared>, headers: HeaderMap| async move { crate::ops::metrics(&s.state, &headers).await }),
        )
        // The screens (`/`, `/app/…`, `/styles/…`, `/vendor/…`): jiuye-web's files.
        .fallback(get(jiuye_web::serve))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(shared.clone())
        .merge(
            Router::new()
                .route("/graphql/ws", get(crate::ws::upgrade))
                .with_state((shared.state, shared.schema)),
        )
}

/// Scripts, styles and connections from this server only (GraphiQL's start script is a
/// file, not inline), no framing, no sniffing, no referrer.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Headers on every answer; answers to `/graphql` (authenticated data) are never cached.
async fn security_headers(uri: axum::http::Uri, mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if uri.path() == "/graphql" {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

/// A year, the usual `max-age`: browsers then refuse plain HTTP to this host.
const HSTS: &str = "max-age=31536000";

/// `router` for a server that answers HTTPS only: every answer tells the browser to
/// keep to HTTPS.
pub(crate) fn with_hsts(router: Router) -> Router {
    router.layer(axum::middleware::map_response(|mut response: Response| async move {
        response
            .headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
        response
    }))
}

/// Marks that execution started: errors before it (parse, validation, unknown
/// operation) are request errors, answered 400 under `application/graphql-response+json`.
pub(crate) struct ExecutionMarker;

struct ExecutionMarkerExtension;

#[derive(Default)]
struct Executed(AtomicBool);

impl ExtensionFactory for ExecutionMarker {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ExecutionMarkerExtension)
    }
}

#[async_trait::async_trait]
impl Extension for ExecutionMarkerExtension {
    async fn execute(&self, ctx: &ExtensionContext<'_>, operation_name: Option<&str>, next: NextExecute<'_>) -> GqlResponse {
        if let Some(flag) = ctx.data_opt::<Arc<Executed>>() {
            flag.0.store(true, Ordering::SeqCst);
        }
        next.run(ctx, operation_name).await
    }
}

#[derive(Clone, Copy, PartialEq)]
enum MediaType {
    GraphQlResponse,
    Json,
}

impl MediaType {
    fn name(self) -> &'static str {
        match self {
            MediaType::GraphQlResponse => GRAPHQL_RESPONSE,
            MediaType::Json => JSON,
        }
    }
}

/// The response media type the client accepts, preferring the specification's own.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let all: Vec<(String, f32)> = accept
        .split(',')
        .map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (media, q)
        })
        .collect();
    // q=0 refuses a type outright; a wildcard does not bring it back.
    let refused = |name: &str| all.iter().any(|(m, q)| m == name && *q == 0.0);
    let types: Vec<(String, f32)> = all.iter().filter(|(_, q)| *q > 0.0).cloned().collect();
    let q_of = |name: &str| {
        types
            .iter()
            .filter(|(m, _)| m == name)
            .map(|(_, q)| *q)
            .fold(None, |a: Option<f32>, q| Some(a.map_or(q, |a| a.max(q))))
    };
    let wildcard = types.iter().any(|(m, _)| m == "*/*" || m == "application/*");
    match (q_of(GRAPHQL_RESPONSE), q_of(JSON)) {
        (Some(g), Some(j)) if j > g => Some(MediaType::Json),
        (Some(_), _) => Some(MediaType::GraphQlResponse),
        (None, Some(_)) => Some(MediaType::Json),
        (None, None) if wildcard && !refused(JSON) => Some(MediaType::Json),
        (None, None) if wildcard && !refused(GRAPHQL_RESPONSE) => Some(MediaType::GraphQlResponse),
        (None, None) => None,
    }
}

fn error_response(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media.name()));
    response
}

/// Who is asking, and the key their requests are counted under.
struct Authenticated {
    access: Access,
    holder: TokenHolder,
    rate_key: u64,
    token: Option<String>,
}

/// The caller behind the request's bearer token. A request without a valid token is
/// refused and recorded in the audit log (`login.failed`, with the client's address).
async fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    source: &ClientAddr,
    request: &Request,
    media: MediaType,
) -> Result<Authenticated, Response> {
    let refused = |reason: &str| {
        let mut event = event_for(None, None, Some(source), "login.failed");
        event.outcome = "UNAUTHENTICATED".into();
        event.detail = json!({ "reason": reason });
        event
    };
    let token = bearer_token(headers);
    let unauthorized = |message: &str| {
        let mut r = error_response(StatusCode::UNAUTHORIZED, media, "UNAUTHENTICATED", message);
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"jiuye\""));
        r
    };
    let Some(token) = token else {
        if only_logs_in(request) {
            // Counted per client address: guessing passwords is rate limited too.
            return Ok(Authenticated {
                access: Access::Anonymous,
                holder: TokenHolder("anonymous".into()),
                rate_key: rate_key(&source.0),
                token: None,
            });
        }
        shared.state.audit.record(refused("no bearer token")).await;
        return Err(unauthorized(
            "send `Authorization: Bearer <token>`; create a token with `jiuye token create --role city_analyst`, or log in (`login`)",
        ));
    };
    if token.len() > MAX_TOKEN_BYTES {
        shared.state.audit.record(refused("an over-long bearer token")).await;
        return Err(unauthorized("the bearer token is not valid for this warehouse"));
    }
    match access_of(&shared.state, token).await {
        Ok(Some((access, holder))) => Ok(Authenticated {
            access,
            holder,
            rate_key: rate_key(token),
            token: Some(token.to_string()),
        }),
        Ok(None) => {
            shared.state.audit.record(refused("an unknown bearer token")).await;
            Err(unauthorized("the bearer token is not valid for this warehouse"))
        }
        // The caller is not known yet: nothing of the failure (SQL, table names) is
        // theirs to see; the log has it.
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            Err(error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                "INTERNAL",
                "the server cannot check tokens right now; try again later",
            ))
        }
    }
}

/// Whether the request's operations select nothing but `login` (the one thing a request
/// without a token may do).
fn only_logs_in(request: &Request) -> bool {
    use async_graphql::parser::types::Selection;
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let mut operations = doc.operations.iter().peekable();
    operations.peek().is_some()
        && operations.all(|(_, op)| {
            op.node.ty == OperationType::Mutation
                && op.node.selection_set.node.items.iter().all(|item| match &item.node {
                    Selection::Field(f) => f.node.name.node == "login",
                    _ => false,
                })
        })
}

/// The key a token's requests are counted under: a keyed hash, so the limiter holds no
/// token.
fn rate_key(token: &str) -> u64 {
    use std::hash::BuildHasher;
    static KEYS: std::sync::LazyLock<std::hash::RandomState> = std::sync::LazyLock::new(std::hash::RandomState::new);
    KEYS.hash_one(token.trim())
}

fn too_many(media: MediaType, status: StatusCode, code: &str, message: &str, retry_after: Duration) -> Response {
    let mut r = error_response(status, media, code, message);
    let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// Runs a request within the limits: the server's concurrency (checking the token is
/// work too), the request timeout, the token's rate; a panic is answered, not propagated.
async fn execute(shared: &Shared, media: MediaType, headers: &HeaderMap, source: ClientAddr, request: Request) -> Response {
    let limits = &shared.state.limits;
    let Ok(Ok(_permit)) = tokio::time::timeout(limits.queue_wait, shared.running.acquire()).await else {
        return too_many(
            media,
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_BUSY",
            "the server is answering as many requests as it may; retry shortly",
            Duration::from_secs(1),
        );
    };
    let work = async {
        let who = match authenticate(shared, headers, &source, &request, media).await {
            Ok(who) => who,
            Err(response) => return response,
        };
        if let Err(wait) = shared.rates.check(who.rate_key) {
            return too_many(
                media,
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                &format!(
                    "this token sent more than {} requests a second; wait and retry",
                    limits.per_token_rate
                ),
                wait,
            );
        }
        run_request(shared, media, who, source, request).await
    };
    match tokio::time::timeout(limits.request_timeout, std::panic::AssertUnwindSafe(work).catch_unwind()).await {
        Ok(Ok(response)) => response,
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(error = %what, "a request panicked");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                "INTERNAL",
                "the server failed on this request; the server log has the details",
            )
        }
        Err(_) => error_response(
            StatusCode::GATEWAY_TIMEOUT,
            media,
            "TIMEOUT",
            &format!(
                "the request ran longer than {} s; ask for a shorter range, a coarser grain or fewer indicators",
                limits.request_timeout.as_secs_f64()
            ),
        ),
    }
}

async fn run_request(shared: &Shared, media: MediaType, who: Authenticated, source: ClientAddr, request: Request) -> Response {
    let executed = Arc::new(Executed::default());
    let mut request = request
        .data(who.access.clone())
        .data(who.holder.clone())
        .data(source.clone())
        .data(executed.clone());
    if let Some(token) = &who.token {
        request = request.data(crate::auth::BearerToken(token.clone()));
    }
    if let Some(caller) = who.access.caller() {
        request = request.data(caller);
    }
    let response = shared.schema.execute(request).await;
    let request_error = !executed.0.load(Ordering::SeqCst) && response.is_err();
    if request_error {
        // Refused before any field ran (parse, validation, cost): the audit extension
        // saw nothing, so the refusal is recorded here.
        let mut event = event_for(Some(&who.access), Some(&who.holder), Some(&source), "request.refused");
        event.outcome = "GRAPHQL_VALIDATION_FAILED".into();
        let messages: Vec<&str> = response.errors.iter().take(5).map(|e| e.message.as_str()).collect();
        event.detail = json!({ "errors": messages });
        shared.state.audit.record(event).await;
    }
    let status = if request_error && media == MediaType::GraphQlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // A request error has no `data` entry at all (the request never executed).
    let mut value = serde_json::to_value(&response).unwrap_or_else(|e| json!({"errors": [{"message": e.to_string()}]}));
    if let Some(map) = value.as_object_mut() {
        if request_error {
            map.remove("data");
        }
        if let Some(serde_json::Value::Array(errors)) = map.get_mut("errors") {
            errors.iter_mut().for_each(|e| give_code(e, request_error));
        }
    }
    let body = value.to_string();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.name()));
    r
}

/// Every error carries `extensions.code`: a request error (parse, validation, cost) is
/// `GRAPHQL_VALIDATION_FAILED`; an argument the schema refused (a wrong type, a value out
/// of its type's range) is `BAD_USER_INPUT`. Resolvers set their own codes.
fn give_code(error: &mut serde_json::Value, request_error: bool) {
    let Some(error) = error.as_object_mut() else { return };
    // An argument of the wrong type or out of its type's range is found while the
    // document is validated, but it is bad input all the same.
    let bad_argument = error
        .get("message")
        .and_then(|m| m.as_str())
        .is_some_and(|m| m.starts_with("Invalid value for argument"));
    let code = if request_error && !bad_argument {
        "GRAPHQL_VALIDATION_FAILED"
    } else {
        "BAD_USER_INPUT"
    };
    let extensions = error.entry("extensions").or_insert_with(|| json!({}));
    if let Some(ext) = extensions.as_object_mut() {
        ext.entry("code").or_insert_with(|| json!(code));
    }
}

fn parse_variables(text: Option<&str>, media: MediaType) -> Result<Variables, Response> {
    match text {
        None => Ok(Variables::default()),
        Some(t) => match serde_json::from_str::<serde_json::Value>(t) {
            Ok(v @ serde_json::Value::Object(_)) => Ok(Variables::from_json(v)),
            Ok(serde_json::Value::Null) => Ok(Variables::default()),
            _ => Err(error_response(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_REQUEST",
                "`variables` must be a JSON object",
            )),
        },
    }
}

/// The client's address (the TCP peer; a proxy's `X-Forwarded-For` is the proxy's
/// claim, kept beside it).
fn client_addr(extensions: &Extensions, headers: &HeaderMap) -> ClientAddr {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or("unknown".to_string(), |c| c.0.ip().to_string());
    match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(forwarded) => ClientAddr(format!(
            "{peer} (forwarded for {})",
            forwarded.chars().take(100).collect::<String>()
        )),
        None => ClientAddr(peer),
    }
}

async fn graphql_get(
    State(shared): State<Shared>,
    extensions: Extensions,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        );
    };
    let Some(query) = params.get("query") else {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "a GET request needs the `query` parameter",
        );
    };
    let size: usize = params.values().map(String::len).sum();
    if size > shared.state.limits.max_body_bytes {
        return too_large(media, shared.state.limits.max_body_bytes);
    }
    let variables = match parse_variables(params.get("variables").map(String::as_str), media) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let operation_name = params.get("operationName").cloned();
    // Mutations are never run over GET (it must stay safe and cacheable).
    if let Ok(doc) = async_graphql::parser::parse_query(query) {
        // The operation that would run: the named one, or the only one. Several unnamed
        // candidates are a request error the executor reports (400), not a 405.
        let operations: Vec<_> = doc.operations.iter().collect();
        let selected = match &operation_name {
            Some(wanted) => operations
                .iter()
                .find(|(name, _)| name.map(|n| n.as_str()) == Some(wanted.as_str())),
            None if operations.len() == 1 => operations.first(),
            None => None,
        };
        let is_mutation = selected.is_some_and(|(_, op)| op.node.ty == OperationType::Mutation);
        if is_mutation {
            let mut r = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                "METHOD_NOT_ALLOWED",
                "mutations must be sent with POST",
            );
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return r;
        }
    }
    let mut request = Request::new(query.clone()).variables(variables);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    execute(&shared, media, &headers, client_addr(&extensions, &headers), request).await
}

fn too_large(media: MediaType, max: usize) -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        "PAYLOAD_TOO_LARGE",
        &format!("the request is larger than {max} bytes; send a smaller query or fewer variables"),
    )
}

async fn graphql_post(State(shared): State<Shared>, extensions: Extensions, headers: HeaderMap, body: Body) -> Response {
    let Some(media) = negotiate(&headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        );
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != JSON {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST a JSON body with Content-Type: application/json",
        );
    }
    let max = shared.state.limits.max_body_bytes;
    let Ok(body) = axum::body::to_bytes(body, max).await else {
        return too_large(media, max);
    };
    let body: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", &format!("the body is not JSON: {e}")),
    };
    let Some(query) = body.get("query").and_then(|q| q.as_str()) else {
        return error_response(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "the body needs a string `query`");
    };
    let variables = match body.get("variables") {
        None | Some(serde_json::Value::Null) => Variables::default(),
        Some(v @ serde_json::Value::Object(_)) => Variables::from_json(v.clone()),
        Some(_) => return error_response(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "`variables` must be a JSON object"),
    };
    let mut request = Request::new(query).variables(variables);
    match body.get("operationName") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(name)) => request = request.operation_name(name.clone()),
        Some(_) => return error_response(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "`operationName` must be a string"),
    }
    execute(&shared, media, &headers, client_addr(&extensions, &headers), request).await
}
