//! The audit trail of the API: every root field a caller runs is recorded (who, from
//! where, the field and its arguments with variables filled in, the outcome, the rows
//! returned), and root fields are checked against the caller's access first: the audit
//! administrator may read the audit log and nothing else; no business role may read it.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextResolve, ResolveInfo};
use async_graphql::{Context, Error, Name, Object, Pos, Request, ServerError, ServerResult, SimpleObject, Value, Variables};
use jiuye_audit::{AuditEvent, AuditFilter, AuditRecord};
use serde_json::json;

use crate::AppState;
use crate::auth::{Access, TokenHolder};
use crate::input::{self, coded};
use crate::permissions::refusal;

/// Root fields that write their own, more telling, audit records (`login` records the
/// failure's reason, which its caller is not told).
const SELF_RECORDING: &[&str] = &["login"];
/// Arguments never written to the log.
const SECRET_ARGUMENTS: &[&str] = &["password", "oldPassword", "newPassword", "temporaryPassword", "code"];
/// Most records of one `auditLog` page.
const MAX_PAGE: i32 = 500;

/// The client's address as the server saw it (`cli` for commands).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// Who is asking, as the audit log writes it.
pub(crate) fn event_for(access: Option<&Access>, holder: Option<&TokenHolder>, source: Option<&ClientAddr>, action: &str) -> AuditEvent {
    let mut event = AuditEvent::new(holder.map_or("anonymous".to_string(), |h| h.0.clone()), action);
    event.role = access.map(|a| a.role_name().to_string());
    event.district = access.and_then(|a| a.district().map(str::to_string));
    event.source = source.map(|s| s.0.clone());
    event
}

pub(crate) struct Audit;

impl ExtensionFactory for Audit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuditExtension::default())
    }
}

#[derive(Default)]
struct AuditExtension {
    /// The request's variables, to record arguments as the resolver saw them.
    variables: Mutex<Variables>,
}

#[async_trait::async_trait]
impl Extension for AuditExtension {
    async fn prepare_request(&self, ctx: &ExtensionContext<'_>, request: Request, next: NextPrepareRequest<'_>) -> ServerResult<Request> {
        if let Ok(mut v) = self.variables.lock() {
            *v = request.variables.clone();
        }
        next.run(ctx, request).await
    }

    async fn resolve(&self, ctx: &ExtensionContext<'_>, info: ResolveInfo<'_>, next: NextResolve<'_>) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_some() || info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        let access = ctx.data_opt::<Access>();
        let started = std::time::Instant::now();
        let state = ctx.data_opt::<AppState>();
        let field = info.name.to_string();
        let observe = |outcome: &str| {
            if let Some(s) = state {
                s.request_metrics.observe(&field, outcome, started.elapsed());
            }
        };
        if SELF_RECORDING.contains(&info.name) && refusal(access, info.name).is_none() {
            let result = next.run(ctx, info).await;
            observe(result.as_ref().map_or_else(|e| error_code(e), |_| "ok".into()).as_str());
            return result;
        }
        let action = format!(
            "{}.{}",
            if info.parent_type.contains("Mutation") {
                "mutation"
            } else {
                "query"
            },
            info.name
        );
        let mut event = event_for(access, ctx.data_opt::<TokenHolder>(), ctx.data_opt::<ClientAddr>(), &action);
        event.detail = json!({ "arguments": self.arguments(&info) });
        let result = match refusal(access, info.name) {
            Some(message) => Err(coded(message, "FORBIDDEN").into_server_error(Pos::default())),
            None => next.run(ctx, info).await,
        };
        match &result {
            Ok(value) => event.row_count = value.as_ref().and_then(count_rows),
            Err(e) => event.outcome = error_code(e),
        }
        observe(&event.outcome);
        if let Some(sink) = ctx.data_opt::<AppState>().map(|s| &s.audit) {
            sink.record(event).await;
        }
        result
    }
}

impl AuditExtension {
    /// The field's arguments with variables filled in, as JSON.
    fn arguments(&self, info: &ResolveInfo<'_>) -> serde_json::Value {
        let variables = self.variables.lock().map(|v| v.clone()).unwrap_or_default();
        let mut out = serde_json::Map::new();
        for (name, value) in &info.field.arguments {
            if SECRET_ARGUMENTS.contains(&name.node.as_str()) {
                out.insert(name.node.to_string(), serde_json::Value::String("[not logged]".into()));
                continue;
            }
            let resolved = value
                .node
                .clone()
                .into_const_with(|var: Name| Ok::<_, ()>(variables.get(&var).cloned().unwrap_or(Value::Null)))
                .unwrap_or(Value::Null);
            out.insert(name.node.to_string(), resolved.into_json().unwrap_or_default());
        }
        serde_json::Value::Object(out)
    }
}

fn error_code(e: &ServerError) -> String {
    e.extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .map(|c| match c {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| "error".into())
}

/// Rows an answer returned: the lengths of its `rows` lists (metrics, detail pages,
/// boards' panels), else the length of the answer when it is a list.
fn count_rows(value: &Value) -> Option<i64> {
    fn rows_in(value: &Value) -> Option<i64> {
        match value {
            Value::Object(map) => {
                if let Some(Value::List(rows)) = map.get("rows") {
                    return Some(rows.len() as i64);
                }
                map.values().filter_map(rows_in).reduce(|a, b| a + b)
            }
            Value::List(items) => items.iter().filter_map(rows_in).reduce(|a, b| a + b),
            _ => None,
        }
    }
    rows_in(value).or(match value {
        Value::List(items) => Some(items.len() as i64),
        _ => None,
    })
}

/// One audit record as the audit administrator reads it.
#[derive(SimpleObject)]
pub struct AuditEntry {
    pub seq: i64,
    /// UTC.
    pub at: String,
    pub actor: String,
    pub role: Option<String>,
    pub district: Option<String>,
    pub source: Option<String>,
    pub action: String,
    pub outcome: String,
    pub detail: async_graphql::Json<serde_json::Value>,
    pub row_count: Option<i64>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> AuditEntry {
        let detail = r.detail_json();
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            role: r.role,
            district: r.district,
            source: r.source,
            action: r.action,
            outcome: r.outcome,
            detail: async_graphql::Json(detail),
            row_count: r.row_count,
        }
    }
}

#[derive(SimpleObject)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; null on the last page.
    pub next: Option<i64>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, oldest first (audit administrator only). `from`/`to` are UTC
    /// instants or days (`2026-12-01`, `2026-12-01T08:00:00Z`); `after` pages.
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        from: Option<String>,
        to: Option<String>,
        actor: Option<String>,
        action: Option<String>,
        #[graphql(default = 100)] first: i32,
        after: Option<i64>,
    ) -> async_graphql::Result<AuditPage> {
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(input::bad_input(format!("`first` must be 1–{MAX_PAGE}, not {first}")));
        }
        for (name, value) in [("from", &from), ("to", &to), ("actor", &actor), ("action", &action)] {
            if let Some(v) = value {
                input::text(name, v, input::MAX_CODE_CHARS)?;
            }
        }
        let filter = AuditFilter {
            after_seq: after,
            from: from.as_deref().map(|v| instant("from", v)).transpose()?,
            to: to.as_deref().map(|v| instant("to", v)).transpose()?,
            actor,
            action,
        };
        let state = ctx.data::<AppState>()?;
        let records = state.audit_log.list(&filter, first as u64 + 1).await.map_err(|e| {
            tracing::error!(error = %e, "reading the audit log");
            coded("the audit log cannot be read right now; the server log has the details", "INTERNAL")
        })?;
        let more = records.len() > first as usize;
        let entries: Vec<AuditEntry> = records.into_iter().take(first as usize).map(AuditEntry::from).collect();
        let next = more.then(|| entries.last().map(|e| e.seq)).flatten();
        Ok(AuditPage { entries, next })
    }
}

/// A UTC instant as the log stores it, from a day or an RFC 3339 instant.
fn instant(argument: &str, value: &str) -> Result<String, Error> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
    }
    let day = input::day(argument, value)?;
    Ok(format!("{}T00:00:00.000000Z", day.format("%Y-%m-%d")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_counted_from_rows_lists_or_the_answer() {
        let v = Value::from_json(json!({ "columns": ["a"], "rows": [[1], [2], [3]] })).unwrap();
        assert_eq!(count_rows(&v), Some(3));
        let board = Value::from_json(json!({ "panels": [{ "rows": [[1]] }, { "rows": [[1], [2]] }] })).unwrap();
        assert_eq!(count_rows(&board), Some(3));
        let list = Value::from_json(json!([{ "code": "a" }, { "code": "b" }])).unwrap();
        assert_eq!(count_rows(&list), Some(2));
        assert_eq!(count_rows(&Value::from_json(json!({ "code": "a" })).unwrap()), None);
    }
}
