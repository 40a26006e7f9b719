//! Identity (身份鉴别), one job: people who log in — their passwords (argon2id, a
//! published policy, no reuse of recent ones), lockout after repeated failures, a second
//! factor (TOTP, RFC 6238) required of administrators, and sessions with idle and
//! absolute time limits. Session tokens are stored as SM3 hashes only.
//!
//! What a user may do once logged in (their role and district) is decided by the API
//! layer, as for bearer tokens. Depends on warehouse, privacy, sql-value and the semantic
//! crate's typed SQL; must not depend on graphql, the ETL or the CLI.

mod password;
mod policy;
mod service;
mod sql;
mod totp;

pub use policy::{
    HISTORY, LOCKOUT_AFTER, LOCKOUT_MINUTES, MAX_AGE_DAYS, MIN_LENGTH, PolicyError, SESSION_ABSOLUTE_HOURS, SESSION_IDLE_MINUTES,
    check_password,
};
pub use service::{Identity, IdentityError, LoginFailure, NewUser, Session, SessionUser};
pub use totp::{Totp, base32_encode};

/// What every session token starts with (machine tokens start `jy_`).
pub const SESSION_PREFIX: &str = "js_";
