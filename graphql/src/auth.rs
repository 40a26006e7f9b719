//! Bearer tokens: created by `jiuye token create`, stored as SM3 hashes in `meta_token`,
//! resolved to an `Access` (and who holds it, for curation history and the audit log) on
//! every request.

use chrono::{DateTime, Duration, Utc};
use jiuye_privacy::{Keys, sm3_hex};
use jiuye_semantic::sql::{Expr, Select, WriteStatement, dialect_for, render_select, render_write};
use jiuye_semantic::{Caller, Role};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::{ColumnType, Warehouse, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a district token needs --district CODE (a GB/T 2260 district code such as 310115)")]
    DistrictMissing,
    #[error("--district is only for the district role")]
    DistrictNotAllowed,
    #[error("unknown role `{0}`; use admin, analyst, district or auditor")]
    UnknownRole(String),
    #[error("a token id is at least 8 hex digits, as `jiuye token list` shows them")]
    BadTokenId,
    #[error("more than one live token starts with `{0}`; give more of its id")]
    AmbiguousTokenId(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// What a token may do: business queries as a `Caller` (the planner applies its district),
/// or, for the audit administrator, read the audit log and nothing else (三员分立: no
/// business role reads the audit log, the auditor reads nothing else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Business(Caller),
    Auditor,
    /// No token: the request may only log in.
    Anonymous,
    /// A session whose password has expired: it may only change it, or log out.
    MustChangePassword,
}

/// The bearer token of the request, for `logout` (kept in the request's memory only).
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

impl Access {
    /// The access a logged-in user's role gives; `None` for a role this build does not
    /// know (the user cannot act until an administrator fixes it).
    pub fn for_user(role: &str, district: Option<&str>, password_expired: bool) -> Option<Access> {
        if password_expired {
            return Some(Access::MustChangePassword);
        }
        if role == "auditor" {
            return Some(Access::Auditor);
        }
        parse_role(role, district).ok().map(|role| Access::Business(Caller { role }))
    }
}

impl Access {
    pub fn role_name(&self) -> &'static str {
        match self {
            Access::Business(c) => c.role.name(),
            Access::Auditor => "auditor",
            Access::Anonymous => "anonymous",
            Access::MustChangePassword => "must-change-password",
        }
    }

    pub fn district(&self) -> Option<&str> {
        match self {
            Access::Business(Caller { role: Role::District(d) }) => Some(d),
            _ => None,
        }
    }
}

/// Who sent a request: the token's label, or its role and hash prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder(pub String);

pub fn parse_role(role: &str, district: Option<&str>) -> Result<Role, AuthError> {
    match (role, district) {
        ("admin", None) => Ok(Role::Admin),
        ("analyst", None) => Ok(Role::Analyst),
        ("district", Some(d)) => Ok(Role::District(d.to_string())),
        ("district", None) => Err(AuthError::DistrictMissing),
        ("admin" | "analyst", Some(_)) => Err(AuthError::DistrictNotAllowed),
        (other, _) => Err(AuthError::UnknownRole(other.to_string())),
    }
}

/// Days a machine token is valid unless its creator says otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The columns of `meta_token`, declared once.
const TOKEN_COLUMNS: [(&str, ColumnType); 7] = [
    ("token_hash", ColumnType::Text),
    ("role", ColumnType::Text),
    ("district", ColumnType::Text),
    ("created_at", ColumnType::Text),
    ("label", ColumnType::Text),
    ("expires_at", ColumnType::Text),
    ("revoked_at", ColumnType::Text),
];

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Creates a token for `role`, valid `DEFAULT_TOKEN_DAYS`; returns it in clear text
/// (shown once, stored hashed). `label` names its holder (a person or a system).
pub async fn create_token(warehouse: &Warehouse, role: &Role, label: Option<&str>) -> Result<String, AuthError> {
    create_token_for_days(warehouse, role.name(), role_district(role), label, DEFAULT_TOKEN_DAYS).await
}

fn role_district(role: &Role) -> Option<String> {
    match role {
        Role::District(d) => Some(d.clone()),
        _ => None,
    }
}

/// Creates a token for the audit administrator, who may read the audit log only.
pub async fn create_auditor_token(warehouse: &Warehouse, label: Option<&str>) -> Result<String, AuthError> {
    create_token_for_days(warehouse, "auditor", None, label, DEFAULT_TOKEN_DAYS).await
}

/// Creates a token of `role` (admin, analyst, district, auditor) valid for `days`.
pub async fn create_token_for_days(
    warehouse: &Warehouse,
    role: &str,
    district: Option<String>,
    label: Option<&str>,
    days: i64,
) -> Result<String, AuthError> {
    let token = format!("jy_{}", Keys::generate_hex());
    let now = Utc::now();
    let row = vec![
        sm3_hex(&token).into(),
        role.into(),
        district.into(),
        utc(now).into(),
        label.map(str::to_string).into(),
        utc(now + Duration::days(days)).into(),
        SqlValue::Null,
    ];
    let mut tx = warehouse.begin().await?;
    tx.insert_rows("meta_token", &TOKEN_COLUMNS, &[row]).await?;
    tx.commit().await?;
    Ok(token)
}

/// One token as `jiuye token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// The first 12 hex digits of the token's SM3 hash: enough to name it for `revoke`.
    pub id: String,
    pub role: String,
    pub district: Option<String>,
    pub holder: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn token_select() -> Select {
    let mut s = Select::from("meta_token", "t");
    for (c, _) in TOKEN_COLUMNS {
        s.columns.push((Expr::col("t", c), c.into()));
    }
    s
}

fn optional(v: &SqlValue) -> Option<String> {
    Some(v.to_key()).filter(|s| !s.is_empty())
}

fn token_info(r: &[SqlValue]) -> TokenInfo {
    TokenInfo {
        id: r[0].to_key().chars().take(12).collect(),
        role: r[1].to_key(),
        district: optional(&r[2]),
        created_at: r[3].to_key(),
        holder: optional(&r[4]),
        expires_at: optional(&r[5]),
        revoked_at: optional(&r[6]),
    }
}

/// Every token, oldest first.
pub async fn list_tokens(warehouse: &Warehouse) -> Result<Vec<TokenInfo>, AuthError> {
    let mut select = token_select();
    select.order_by.push(Expr::col("t", "created_at"));
    let rows = warehouse.fetch(&render_select(&select, dialect_for(warehouse.backend()))).await?;
    Ok(rows.rows.iter().map(|r| token_info(r)).collect())
}

/// Revokes the one live token whose hash starts with `id` (at least 8 hex digits);
/// returns it, or `None` when no live token has that id.
pub async fn revoke_token(warehouse: &Warehouse, id: &str) -> Result<Option<TokenInfo>, AuthError> {
    if id.len() < 8 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AuthError::BadTokenId);
    }
    let id = id.to_ascii_lowercase();
    let dialect = dialect_for(warehouse.backend());
    let rows = warehouse.fetch(&render_select(&token_select(), dialect)).await?;
    let live: Vec<&Vec<SqlValue>> = rows
        .rows
        .iter()
        .filter(|r| r[0].to_key().starts_with(&id) && optional(&r[6]).is_none())
        .collect();
    let row = match live.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => return Err(AuthError::AmbiguousTokenId(id)),
    };
    let update = WriteStatement::Update {
        table: "meta_token".into(),
        set: vec![("revoked_at".into(), Expr::Param(utc(Utc::now()).into()))],
        filter: vec![Expr::eq(Expr::col("meta_token", "token_hash"), Expr::Param(row[0].clone()))],
    };
    warehouse.execute(&render_write(&update, dialect)).await?;
    Ok(Some(token_info(row)))
}

/// What a bearer token may do and its holder, or `None` for an unknown, revoked or
/// expired token.
pub async fn access_for_token(warehouse: &Warehouse, token: &str) -> Result<Option<(Access, TokenHolder)>, AuthError> {
    let hash = sm3_hex(token.trim());
    let mut select = token_select();
    select
        .filter
        .push(Expr::eq(Expr::col("t", "token_hash"), Expr::Param(hash.clone().into())));
    let rows = warehouse.fetch(&render_select(&select, dialect_for(warehouse.backend()))).await?;
    let Some(row) = rows.rows.first() else { return Ok(None) };
    let expired = optional(&row[5]).is_some_and(|e| e <= utc(Utc::now()));
    if expired || optional(&row[6]).is_some() {
        return Ok(None);
    }
    let row = [row[1].clone(), row[2].clone(), row[4].clone()];
    let district = Some(row[1].to_key()).filter(|d| !d.is_empty());
    let role_name = row[0].to_key();
    let holder = Some(row[2].to_key())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| format!("{role_name} token {}", &hash[..8]));
    if role_name == "auditor" {
        return Ok(Some((Access::Auditor, TokenHolder(holder))));
    }
    Ok(parse_role(&role_name, district.as_deref())
        .ok()
        .map(|role| (Access::Business(Caller { role }), TokenHolder(holder))))
}

/// Longest bearer token looked up (ours are 67 characters).
pub(crate) const MAX_TOKEN_BYTES: usize = 256;

/// The bearer token of a request's `Authorization` header, if it has one.
pub(crate) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
}

/// What a bearer token may do and who holds it: a session token (`js_…`) through the
/// identity store, a machine token through `meta_token`; `None` for an unknown,
/// expired or revoked one. Errors are for the log, never the caller.
pub(crate) async fn access_of(state: &crate::AppState, token: &str) -> Result<Option<(Access, TokenHolder)>, String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Ok(None);
    }
    if !token.starts_with(jiuye_identity::SESSION_PREFIX) {
        return access_for_token(&state.warehouse, token).await.map_err(|e| e.to_string());
    }
    let user = state.identity.session_user(token, Utc::now()).await.map_err(|e| e.to_string())?;
    Ok(user.and_then(|u| Access::for_user(&u.role, u.district.as_deref(), u.password_expired).map(|a| (a, TokenHolder(u.username)))))
}
