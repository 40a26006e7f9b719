//! GraphQL over HTTP (the GraphQL-over-HTTP specification): POST with JSON bodies, GET
//! for queries only, `Accept` negotiation between `application/graphql-response+json`
//! and `application/json`, and the status codes the specification prescribes. Every
//! `/graphql` request needs a bearer token.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response as GqlResponse, Variables};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiuye_semantic::Caller;
use serde_json::json;

use crate::auth::{TokenHolder, caller_for_token};
use crate::schema::{JiuyeSchema, build_schema};
use crate::{AppState, graphiql};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone)]
struct Shared {
    state: AppState,
    schema: JiuyeSchema,
}

pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{file}", get(graphiql::asset))
        .route("/", get(|| async { Redirect::temporary("/graphiql") }))
        .route("/health", get(|| async { "ok" }))
        .with_state(Shared { state, schema })
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

async fn authenticate(shared: &Shared, headers: &HeaderMap, media: MediaType) -> Result<(Caller, TokenHolder), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let unauthorized = |message: &str| {
        let mut r = error_response(StatusCode::UNAUTHORIZED, media, "UNAUTHENTICATED", message);
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"jiuye\""));
        r
    };
    let Some(token) = token else {
        return Err(unauthorized(
            "send `Authorization: Bearer <token>`; create a token with `jiuye token create --role analyst`",
        ));
    };
    match caller_for_token(&shared.state.warehouse, token).await {
        Ok(Some(caller)) => Ok(caller),
        Ok(None) => Err(unauthorized("the bearer token is not valid for this warehouse")),
        Err(e) => Err(error_response(StatusCode::INTERNAL_SERVER_ERROR, media, "INTERNAL", &e.to_string())),
    }
}

async fn execute(shared: &Shared, media: MediaType, (caller, holder): (Caller, TokenHolder), request: Request) -> Response {
    let executed = Arc::new(Executed::default());
    let response = shared
        .schema
        .execute(request.data(caller).data(holder).data(executed.clone()))
        .await;
    let request_error = !executed.0.load(Ordering::SeqCst) && response.is_err();
    let status = if request_error && media == MediaType::GraphQlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // A request error has no `data` entry at all (the request never executed).
    let mut value = serde_json::to_value(&response).unwrap_or_else(|e| json!({"errors": [{"message": e.to_string()}]}));
    if request_error && let Some(map) = value.as_object_mut() {
        map.remove("data");
    }
    let body = value.to_string();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.name()));
    r
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

async fn graphql_get(State(shared): State<Shared>, headers: HeaderMap, Query(params): Query<HashMap<String, String>>) -> Response {
    let Some(media) = negotiate(&headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        );
    };
    let caller = match authenticate(&shared, &headers, media).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(query) = params.get("query") else {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "a GET request needs the `query` parameter",
        );
    };
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
    execute(&shared, media, caller, request).await
}

async fn graphql_post(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
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
    let caller = match authenticate(&shared, &headers, media).await {
        Ok(c) => c,
        Err(r) => return r,
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
    execute(&shared, media, caller, request).await
}
