//! Bearer tokens: created by `jiuye token create`, stored as SM3 hashes in `meta_token`,
//! resolved to an `Access` (and who holds it, for curation history and the audit log) on
//! every request.

use jiuye_privacy::{Keys, sm3_hex};
use jiuye_semantic::{Caller, Role, sql::dialect_for};
use jiuye_sql_value::Statement;
use jiuye_warehouse::{Warehouse, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("a district token needs --district CODE (a GB/T 2260 district code such as 310115)")]
    DistrictMissing,
    #[error("--district is only for the district role")]
    DistrictNotAllowed,
    #[error("unknown role `{0}`; use admin, analyst, district or auditor")]
    UnknownRole(String),
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

/// Creates a token for `role`; returns it in clear text (shown once, stored hashed).
/// `label` names its holder (a person or a system) in curation history.
pub async fn create_token(warehouse: &Warehouse, role: &Role, label: Option<&str>) -> Result<String, AuthError> {
    let district = match role {
        Role::District(d) => Some(d.clone()),
        _ => None,
    };
    insert_token(warehouse, role.name(), district, label).await
}

/// Creates a token for the audit administrator, who may read the audit log only.
pub async fn create_auditor_token(warehouse: &Warehouse, label: Option<&str>) -> Result<String, AuthError> {
    insert_token(warehouse, "auditor", None, label).await
}

async fn insert_token(warehouse: &Warehouse, role: &str, district: Option<String>, label: Option<&str>) -> Result<String, AuthError> {
    let token = format!("jy_{}", Keys::generate_hex());
    let dialect = dialect_for(warehouse.backend());
    let p: Vec<String> = (1..=5).map(|i| dialect.placeholder(i)).collect();
    warehouse
        .execute(&Statement {
            sql: format!(
                "INSERT INTO meta_token (token_hash, role, district, created_at, label) VALUES ({}, {}, {}, {}, {})",
                p[0], p[1], p[2], p[3], p[4]
            ),
            params: vec![
                sm3_hex(&token).into(),
                role.into(),
                district.into(),
                chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string().into(),
                label.map(str::to_string).into(),
            ],
        })
        .await?;
    Ok(token)
}

/// What a bearer token may do and its holder, or `None` for an unknown token.
pub async fn access_for_token(warehouse: &Warehouse, token: &str) -> Result<Option<(Access, TokenHolder)>, AuthError> {
    let dialect = dialect_for(warehouse.backend());
    let hash = sm3_hex(token.trim());
    let rows = warehouse
        .fetch(&Statement {
            sql: format!(
                "SELECT role, district, label FROM meta_token WHERE token_hash = {}",
                dialect.placeholder(1)
            ),
            params: vec![hash.clone().into()],
        })
        .await?;
    let Some(row) = rows.rows.first() else { return Ok(None) };
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
