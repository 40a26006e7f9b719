//! Bearer tokens: created by `jiuye token create`, stored as SM3 hashes in `meta_token`,
//! resolved to an `Access` (and who holds it, for curation history and the audit log) on
//! every request.

use chrono::{DateTime, Duration, Utc};
use jiuye_identity::{Permission, Role, Roles};
use jiuye_privacy::{Keys, sm3_hex};
use jiuye_semantic::Caller;
use jiuye_semantic::sql::{Expr, Select, WriteStatement, dialect_for, render_select, render_write};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::{ColumnType, Warehouse, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Role(#[from] jiuye_identity::RoleError),
    #[error(transparent)]
    Identity(#[from] jiuye_identity::IdentityError),
    #[error("a token id is at least 8 hex digits, as `jiuye token list` shows them")]
    BadTokenId,
    #[error("more than one live token starts with `{0}`; give more of its id")]
    AmbiguousTokenId(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// What a request may do, from its token's role (`jiuye_identity::Roles`).
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// No token: the request may only log in.
    Anonymous,
    /// A session whose password has expired: it may only change it, or log out.
    MustChangePassword,
    /// A user or machine token with a role; `None` for a user not yet given one (their
    /// own account only) or holding a role this warehouse no longer has.
    Holder { role: Option<Role>, district: Option<String> },
}

/// The bearer token of the request, for `logout` (kept in the request's memory only).
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

impl Access {
    /// The access of a holder of `role` (a name) in `district`, under `roles`.
    pub fn of_role(roles: &Roles, role: &str, district: Option<&str>) -> Access {
        Access::Holder {
            role: roles.assignable(role, district).ok().cloned(),
            district: district.map(str::to_string),
        }
    }

    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        matches!(self, Access::Holder { role: Some(r), .. } if r.has(permission))
    }

    /// What the planner needs of a business role's holder.
    pub fn caller(&self) -> Option<Caller> {
        match self {
            Access::Holder { role: Some(r), district } => r.caller(district.as_deref()),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<&Role> {
        match self {
            Access::Holder { role, .. } => role.as_ref(),
            _ => None,
        }
    }

    pub fn role_name(&self) -> &str {
        match self {
            Access::Holder { role: Some(r), .. } => &r.name,
            Access::Holder { role: None, .. } => "none",
            Access::Anonymous => "anonymous",
            Access::MustChangePassword => "must-change-password",
        }
    }

    pub fn district(&self) -> Option<&str> {
        match self {
            Access::Holder { district, .. } => district.as_deref(),
            _ => None,
        }
    }
}

/// Who sent a request: the token's label, or its role and hash prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder(pub String);

/// Days a machine token is valid unless its creator says otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;

/// The columns of `meta_token`, declared once.
const TOKEN_COLUMNS: [(&str, ColumnType); 8] = [
    ("token_hash", ColumnType::Text),
    ("role", ColumnType::Text),
    ("district", ColumnType::Text),
    ("created_at", ColumnType::Text),
    ("label", ColumnType::Text),
    ("expires_at", ColumnType::Text),
    ("revoked_at", ColumnType::Text),
    ("owner", ColumnType::Text),
];

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A machine token to create.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// A role of this warehouse (`Roles`), with a district exactly when it is
    /// district-scoped.
    pub role: &'a str,
    pub district: Option<&'a str>,
    /// Names its holder (a person or a system).
    pub label: Option<&'a str>,
    pub days: i64,
    /// The user it was made for (个人中心 lists and revokes one's own).
    pub owner: Option<&'a str>,
}

impl<'a> NewToken<'a> {
    /// A token of `role` valid `DEFAULT_TOKEN_DAYS`.
    pub fn new(role: &'a str, district: Option<&'a str>) -> NewToken<'a> {
        NewToken {
            role,
            district,
            label: None,
            days: DEFAULT_TOKEN_DAYS,
            owner: None,
        }
    }
}

/// Creates a token for `role` (in `district`), valid `DEFAULT_TOKEN_DAYS`; returns it
/// in clear text (shown once, stored hashed). `label` names its holder.
pub async fn create_token(warehouse: &Warehouse, role: &str, district: Option<&str>, label: Option<&str>) -> Result<String, AuthError> {
    create(
        warehouse,
        &NewToken {
            label,
            ..NewToken::new(role, district)
        },
    )
    .await
}

/// Creates the token `new` describes, after checking its role and district.
pub async fn create(warehouse: &Warehouse, new: &NewToken<'_>) -> Result<String, AuthError> {
    let roles = jiuye_identity::load_roles(warehouse).await?;
    if !roles.assignable(new.role, new.district)?.fits_machine_token() {
        return Err(jiuye_identity::RoleError::NotForTokens(new.role.into()).into());
    }
    let token = format!("jy_{}", Keys::generate_hex());
    let now = Utc::now();
    let row = vec![
        sm3_hex(&token).into(),
        new.role.into(),
        new.district.map(str::to_string).into(),
        utc(now).into(),
        new.label.map(str::to_string).into(),
        utc(now + Duration::days(new.days)).into(),
        SqlValue::Null,
        new.owner.map(str::to_string).into(),
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
    pub owner: Option<String>,
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
        owner: optional(&r[7]),
    }
}

/// Every token, oldest first.
pub async fn list_tokens(warehouse: &Warehouse) -> Result<Vec<TokenInfo>, AuthError> {
    let mut select = token_select();
    select.order_by.push(Expr::col("t", "created_at"));
    let rows = warehouse.fetch(&render_select(&select, dialect_for(warehouse.backend()))).await?;
    Ok(rows.rows.iter().map(|r| token_info(r)).collect())
}

/// Revokes the one live token whose hash starts with `id` (at least 8 hex digits) and,
/// given `owner`, that was made for that user; returns it, or `None` when no such live
/// token has that id.
pub async fn revoke_token(warehouse: &Warehouse, id: &str, owner: Option<&str>) -> Result<Option<TokenInfo>, AuthError> {
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
        .filter(|r| owner.is_none_or(|o| optional(&r[7]).as_deref() == Some(o)))
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

/// What a bearer token may do under `roles` and its holder, or `None` for an unknown,
/// revoked or expired token.
pub async fn access_for_token(warehouse: &Warehouse, roles: &Roles, token: &str) -> Result<Option<(Access, TokenHolder)>, AuthError> {
    let hash = sm3_hex(token.trim());
    let mut select = token_select();
    select
        .filter
        .push(Expr::eq(Expr::col("t", "token_hash"), Expr::Param(hash.clone().into())));
    let rows = warehouse.fetch(&render_select(&select, dialect_for(warehouse.backend()))).await?;
    let Some(row) = rows.rows.first() else { return Ok(None) };
    let info = token_info(row);
    if info.expires_at.as_ref().is_some_and(|e| *e <= utc(Utc::now())) || info.revoked_at.is_some() {
        return Ok(None);
    }
    let holder = info.holder.clone().unwrap_or_else(|| format!("{} token {}", info.role, &hash[..8]));
    let mut access = Access::of_role(roles, &info.role, info.district.as_deref());
    if let Access::Holder { role, .. } = &mut access
        && role.as_ref().is_some_and(|r| !r.fits_machine_token())
    {
        // An administrator's role on a machine token (from before tokens were limited):
        // it does nothing.
        *role = None;
    }
    Ok(Some((access, TokenHolder(holder))))
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
    let roles = state.roles.current(&state.identity).await.map_err(|e| e.to_string())?;
    if !token.starts_with(jiuye_identity::SESSION_PREFIX) {
        return access_for_token(&state.warehouse, &roles, token).await.map_err(|e| e.to_string());
    }
    let user = state.identity.session_user(token, Utc::now()).await.map_err(|e| e.to_string())?;
    Ok(user.map(|u| {
        let access = if u.password_expired {
            Access::MustChangePassword
        } else {
            Access::of_role(&roles, &u.role, u.district.as_deref())
        };
        (access, TokenHolder(u.username))
    }))
}
