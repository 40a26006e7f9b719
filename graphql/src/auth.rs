//! Bearer tokens: created by `jiuye token create`, stored as SM3 hashes in `meta_token`,
//! resolved to a `Caller` on every request.

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
    #[error("unknown role `{0}`; use admin, analyst or district")]
    UnknownRole(String),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

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
pub async fn create_token(warehouse: &Warehouse, role: &Role) -> Result<String, AuthError> {
    let token = format!("jy_{}", Keys::generate_hex());
    let dialect = dialect_for(warehouse.backend());
    let district = match role {
        Role::District(d) => Some(d.clone()),
        _ => None,
    };
    let p = |i| dialect.placeholder(i);
    warehouse
        .execute(&Statement {
            sql: format!(
                "INSERT INTO meta_token (token_hash, role, district, created_at) VALUES ({}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4)
            ),
            params: vec![
                sm3_hex(&token).into(),
                role.name().into(),
                district.into(),
                chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string().into(),
            ],
        })
        .await?;
    Ok(token)
}

/// The caller a bearer token stands for, or `None` for an unknown token.
pub async fn caller_for_token(warehouse: &Warehouse, token: &str) -> Result<Option<Caller>, AuthError> {
    let dialect = dialect_for(warehouse.backend());
    let rows = warehouse
        .fetch(&Statement {
            sql: format!(
                "SELECT role, district FROM meta_token WHERE token_hash = {}",
                dialect.placeholder(1)
            ),
            params: vec![sm3_hex(token.trim()).into()],
        })
        .await?;
    let Some(row) = rows.rows.first() else { return Ok(None) };
    let district = Some(row[1].to_key()).filter(|d| !d.is_empty());
    Ok(parse_role(&row[0].to_key(), district.as_deref()).ok().map(|role| Caller { role }))
}
