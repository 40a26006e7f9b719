//! Identity (身份鉴别), one job: people who log in — their passwords (argon2id, a
//! published policy, no reuse of recent ones), lockout after repeated failures, a second
//! factor (TOTP, RFC 6238) required of administrators, and sessions with idle and
//! absolute time limits. Session tokens are stored as SM3 hashes only.
//!
//! Roles and permissions are data (`roles.yaml`, and the security administrator's
//! business roles in `meta_role`): a role has one duty (system, security, audit or
//! business) and only that duty's permissions (三员分立). The API layer checks a caller's
//! permissions; a business role becomes the planner's `Caller`. Depends on warehouse,
//! privacy, sql-value and the semantic crate; must not depend on graphql, the ETL or
//! the CLI.

mod accounts;
mod password;
mod policy;
mod role_store;
mod roles;
mod service;
mod sql;
mod totp;

pub use accounts::{Enrolment, SessionInfo, UserInfo};
pub use policy::{
    HISTORY, LOCKOUT_AFTER, LOCKOUT_MINUTES, MAX_AGE_DAYS, MIN_LENGTH, PolicyError, SESSION_ABSOLUTE_HOURS, SESSION_IDLE_MINUTES,
    check_password,
};
pub use role_store::load_roles;
pub use roles::{BUILTIN_ROLES, Duty, Permission, Role, RoleError, RoleSpec, Roles, Scope};
pub use service::{Identity, IdentityError, LoginFailure, NewUser, Session, SessionUser};
pub use totp::{Totp, base32_decode, base32_encode};

/// What every session token starts with (machine tokens start `jy_`).
/// The user table's sealed columns (TOTP secrets, enrolled and pending), for
/// re-sealing under a new data key: table, the key column naming each row's place, columns.
pub const SEALED_COLUMNS: (&str, &str, [&str; 2]) = (sql::USER, "username", [service::TOTP_SECRET, service::TOTP_PENDING]);

pub const SESSION_PREFIX: &str = "js_";
