//! Users, logins and sessions over the warehouse.

use chrono::{DateTime, Duration, Utc};
use jiuye_privacy::{Keys, sm3_hex};
use jiuye_semantic::sql::{Select, WriteStatement, dialect_for, render_select, render_write};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::{Warehouse, WarehouseError};

use crate::password;
use crate::policy::{self, PolicyError};
use crate::sql::{self, HISTORY_COLUMNS, SESSION_COLUMNS, USER_COLUMNS};
use crate::totp::Totp;

/// Why a login failed: recorded in the audit log, never told the caller (who hears only
/// that it failed, so usernames cannot be probed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    UnknownUser,
    Disabled,
    Locked,
    WrongPassword,
    CodeRequired,
    WrongCode,
}

impl LoginFailure {
    pub fn reason(self) -> &'static str {
        match self {
            LoginFailure::UnknownUser => "unknown user",
            LoginFailure::Disabled => "account disabled",
            LoginFailure::Locked => "account locked after repeated failures",
            LoginFailure::WrongPassword => "wrong password",
            LoginFailure::CodeRequired => "second factor missing",
            LoginFailure::WrongCode => "wrong or reused second-factor code",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("user `{0}` exists already")]
    UserExists(String),
    #[error("no user `{0}`")]
    UnknownUser(String),
    #[error("login failed: wrong username, password or code, or the account is locked for a while")]
    Login(LoginFailure),
    #[error("a username is 1–64 letters, digits, `.`, `_` or `-`")]
    BadUsername,
    #[error(transparent)]
    Role(#[from] crate::RoleError),
    #[error("role `{0}` is held by {1} users or tokens; give them another role first")]
    RoleInUse(String, i64),
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error("a session id is at least 8 hex digits, as mySessions shows it")]
    BadSessionId,
}

pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    /// A role of `Roles` (checked here with the district), or empty for none yet.
    pub role: String,
    pub district: Option<String>,
    pub password: String,
}

/// A session just opened: its token is shown once.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
    /// The password is older than the policy allows: only changing it is possible.
    pub password_expired: bool,
    /// When the password stops working for anything but changing it (UTC).
    pub password_expires_at: Option<DateTime<Utc>>,
}

/// The user behind a live session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
    pub district: Option<String>,
    pub password_expired: bool,
}

/// One user row.
pub(crate) struct User {
    pub(crate) username: String,
    pub(crate) display_name: Option<String>,
    pub(crate) role: String,
    pub(crate) district: Option<String>,
    pub(crate) password_hash: String,
    pub(crate) password_changed_at: String,
    pub(crate) failed_logins: i64,
    pub(crate) locked_until: Option<String>,
    pub(crate) totp_secret_enc: Option<String>,
    pub(crate) totp_last_step: Option<i64>,
    pub(crate) disabled: bool,
    pub(crate) created_at: String,
    pub(crate) totp_pending_enc: Option<String>,
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn opt(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Null => None,
        v => Some(v.to_key()),
    }
}

impl User {
    pub(crate) fn from_row(r: &[SqlValue]) -> User {
        User {
            username: r[0].to_key(),
            display_name: opt(&r[1]),
            role: r[2].to_key(),
            district: opt(&r[3]),
            password_hash: r[4].to_key(),
            password_changed_at: r[5].to_key(),
            failed_logins: r[6].as_i64().unwrap_or(0),
            locked_until: opt(&r[7]),
            totp_secret_enc: opt(&r[8]),
            totp_last_step: r[9].as_i64(),
            disabled: r[10].as_i64().unwrap_or(0) != 0,
            created_at: r[11].to_key(),
            totp_pending_enc: opt(&r[12]),
        }
    }

    pub(crate) fn password_expired(&self, now: DateTime<Utc>) -> bool {
        parse(&self.password_changed_at).is_none_or(|t| now - t > Duration::days(policy::MAX_AGE_DAYS))
    }
}

/// Roles that must log in with a second factor: those that administer.
fn needs_second_factor(role: &str) -> bool {
    // Administrators' roles are built in and fixed, so the built-in set decides.
    crate::Roles::builtin().get(role).is_some_and(|r| r.duty.needs_second_factor())
}

/// The column of a user's TOTP secret, and of one being enrolled.
pub(crate) const TOTP_SECRET: &str = "totp_secret_enc";
pub(crate) const TOTP_PENDING: &str = "totp_pending_enc";

/// Where a user's sealed TOTP secret lives (bound into its ciphertext).
pub(crate) fn totp_place<'a>(column: &'a str, username: &'a str) -> jiuye_privacy::Place<'a> {
    jiuye_privacy::Place {
        table: sql::USER,
        column,
        row: username,
    }
}

/// Users and sessions of one warehouse; TOTP secrets are sealed under its key.
#[derive(Clone)]
pub struct Identity {
    pub(crate) warehouse: Warehouse,
    pub(crate) keys: Keys,
}

impl Identity {
    pub fn new(warehouse: Warehouse, keys: Keys) -> Identity {
        Identity { warehouse, keys }
    }

    pub(crate) async fn fetch(&self, select: &Select) -> Result<Vec<Vec<SqlValue>>, IdentityError> {
        let dialect = dialect_for(self.warehouse.backend());
        Ok(self.warehouse.fetch(&render_select(select, dialect)).await?.rows)
    }

    pub(crate) async fn write(&self, statement: &WriteStatement) -> Result<u64, IdentityError> {
        let dialect = dialect_for(self.warehouse.backend());
        Ok(self.warehouse.execute(&render_write(statement, dialect)).await?)
    }

    /// The role `username` holds (empty: none given yet).
    pub(crate) async fn user_role(&self, username: &str) -> Result<String, IdentityError> {
        let user = self.user(username).await?;
        user.map(|u| u.role).ok_or_else(|| IdentityError::UnknownUser(username.into()))
    }

    pub(crate) async fn user(&self, username: &str) -> Result<Option<User>, IdentityError> {
        Ok(self.fetch(&sql::user(username)).await?.first().map(|r| User::from_row(r)))
    }

    /// Creates a user. Administrators (admin, auditor) get a TOTP secret at once, to be
    /// enrolled in an authenticator app; it is returned here only.
    pub async fn create_user(&self, new: NewUser, now: DateTime<Utc>) -> Result<Option<Totp>, IdentityError> {
        self.insert_user(new, now, now).await
    }

    /// Creates an account whose password is temporary: expired from the start, so the
    /// first login may only change it (the system administrator's `createUser`).
    pub async fn create_account(&self, new: NewUser, now: DateTime<Utc>) -> Result<Option<Totp>, IdentityError> {
        self.insert_user(new, DateTime::<Utc>::UNIX_EPOCH, now).await
    }

    async fn insert_user(
        &self,
        new: NewUser,
        password_changed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<Totp>, IdentityError> {
        let valid = (1..=64).contains(&new.username.chars().count())
            && new.username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !valid {
            return Err(IdentityError::BadUsername);
        }
        policy::check_password(&new.username, &new.password)?;
        // No role yet (the system administrator creates accounts; the security
        // administrator gives roles) or a role this warehouse has.
        if !(new.role.is_empty() && new.district.is_none()) {
            self.roles().await?.assignable(&new.role, new.district.as_deref())?;
        }
        if self.user(&new.username).await?.is_some() {
            return Err(IdentityError::UserExists(new.username));
        }
        let totp = needs_second_factor(&new.role).then(Totp::generate);
        let hash = password::hash(&new.password);
        let row = vec![
            SqlValue::Text(new.username.clone()),
            new.display_name.clone().into(),
            SqlValue::Text(new.role.clone()),
            new.district.clone().into(),
            SqlValue::Text(hash.clone()),
            SqlValue::Text(stamp(password_changed_at)),
            SqlValue::Int(0),
            SqlValue::Null,
            totp.as_ref()
                .map(|t| self.keys.seal(&hex::encode(t.secret()), &totp_place(TOTP_SECRET, &new.username)))
                .into(),
            SqlValue::Null,
            SqlValue::Int(0),
            SqlValue::Text(stamp(now)),
            SqlValue::Null,
        ];
        let mut tx = self.warehouse.begin().await?;
        tx.insert_rows(sql::USER, &USER_COLUMNS, &[row]).await?;
        tx.insert_rows(sql::HISTORY, &HISTORY_COLUMNS, &[history_row(&new.username, &hash, now)])
            .await?;
        tx.commit().await?;
        Ok(totp)
    }

    /// Checks a password (and, for administrators or whoever enrolled one, a TOTP code)
    /// and opens a session. Five failures in a row lock the account for 15 minutes.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Session, IdentityError> {
        let Some(user) = self.user(username).await? else {
            // The same work as for a real user, so timing does not tell who exists.
            password::verify(password, DUMMY_HASH);
            return Err(IdentityError::Login(LoginFailure::UnknownUser));
        };
        if user.disabled {
            return Err(IdentityError::Login(LoginFailure::Disabled));
        }
        if user.locked_until.as_deref().and_then(parse).is_some_and(|t| now < t) {
            return Err(IdentityError::Login(LoginFailure::Locked));
        }
        if !password::verify(password, &user.password_hash) {
            self.count_failure(&user, now).await?;
            return Err(IdentityError::Login(LoginFailure::WrongPassword));
        }
        let step = match self.second_factor(&user, code, now) {
            Ok(step) => step,
            Err(failure) => {
                if failure == LoginFailure::WrongCode {
                    self.count_failure(&user, now).await?;
                }
                return Err(IdentityError::Login(failure));
            }
        };
        let mut reset = vec![("failed_logins", SqlValue::Int(0)), ("locked_until", SqlValue::Null)];
        if let Some(step) = step {
            reset.push(("totp_last_step", SqlValue::Int(step)));
        }
        self.write(&sql::update(sql::USER, "username", username, reset)).await?;
        self.open_session(&user, source, now).await
    }

    /// The step of a valid, unused code; `None` when no second factor applies.
    fn second_factor(&self, user: &User, code: Option<&str>, now: DateTime<Utc>) -> Result<Option<i64>, LoginFailure> {
        let Some(sealed) = &user.totp_secret_enc else {
            return if needs_second_factor(&user.role) {
                Err(LoginFailure::CodeRequired)
            } else {
                Ok(None)
            };
        };
        let code = code.filter(|c| !c.trim().is_empty()).ok_or(LoginFailure::CodeRequired)?;
        let secret = self
            .keys
            .open(sealed, &totp_place(TOTP_SECRET, &user.username))
            .ok()
            .and_then(|h| hex::decode(h).ok())
            .ok_or(LoginFailure::WrongCode)?;
        let step = Totp::from_secret(secret)
            .matching_step(code, now.timestamp())
            .ok_or(LoginFailure::WrongCode)?;
        if user.totp_last_step.is_some_and(|last| step <= last) {
            return Err(LoginFailure::WrongCode);
        }
        Ok(Some(step))
    }

    async fn count_failure(&self, user: &User, now: DateTime<Utc>) -> Result<(), IdentityError> {
        let failures = user.failed_logins + 1;
        let (count, locked) = if failures >= policy::LOCKOUT_AFTER {
            (0, SqlValue::Text(stamp(now + Duration::minutes(policy::LOCKOUT_MINUTES))))
        } else {
            (failures, SqlValue::Null)
        };
        self.write(&sql::update(
            sql::USER,
            "username",
            &user.username,
            vec![("failed_logins", SqlValue::Int(count)), ("locked_until", locked)],
        ))
        .await?;
        Ok(())
    }

    async fn open_session(&self, user: &User, source: &str, now: DateTime<Utc>) -> Result<Session, IdentityError> {
        let token = format!("{}{}", crate::SESSION_PREFIX, Keys::generate_hex());
        let expires_at = stamp(now + Duration::hours(policy::SESSION_ABSOLUTE_HOURS));
        let row = vec![
            SqlValue::Text(sm3_hex(&token)),
            SqlValue::Text(user.username.clone()),
            SqlValue::Text(stamp(now)),
            SqlValue::Text(stamp(now)),
            SqlValue::Text(expires_at.clone()),
            SqlValue::Null,
            SqlValue::Text(source.chars().take(200).collect()),
        ];
        let mut tx = self.warehouse.begin().await?;
        tx.insert_rows(sql::SESSION, &SESSION_COLUMNS, &[row]).await?;
        tx.commit().await?;
        Ok(Session {
            token,
            expires_at,
            password_expired: user.password_expired(now),
            password_expires_at: parse(&user.password_changed_at).map(|t| t + Duration::days(policy::MAX_AGE_DAYS)),
        })
    }

    /// The user of a live session token: not revoked, within its absolute limit, used
    /// within the idle limit, its user not disabled. Marks the session used.
    pub async fn session_user(&self, token: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>, IdentityError> {
        let hash = sm3_hex(token.trim());
        let Some(row) = self.fetch(&sql::session(&hash)).await?.into_iter().next() else {
            return Ok(None);
        };
        let (username, last_seen, expires, revoked) = (row[1].to_key(), parse(&row[3].to_key()), parse(&row[4].to_key()), opt(&row[5]));
        let live = revoked.is_none()
            && expires.is_some_and(|e| now < e)
            && last_seen.is_some_and(|s| now - s < Duration::minutes(policy::SESSION_IDLE_MINUTES));
        if !live {
            return Ok(None);
        }
        let Some(user) = self.user(&username).await?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        // Marking every request would write on every read; a minute is fine-grained
        // enough for a 30-minute idle limit.
        if last_seen.is_some_and(|s| now - s >= Duration::minutes(1)) {
            self.write(&sql::update(
                sql::SESSION,
                "session_hash",
                &hash,
                vec![("last_seen_at", SqlValue::Text(stamp(now)))],
            ))
            .await?;
        }
        Ok(Some(SessionUser {
            password_expired: user.password_expired(now),
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            district: user.district,
        }))
    }

    /// Ends a session; `false` when it was not live.
    pub async fn logout(&self, token: &str, now: DateTime<Utc>) -> Result<bool, IdentityError> {
        let hash = sm3_hex(token.trim());
        let n = self
            .write(&sql::update(
                sql::SESSION,
                "session_hash",
                &hash,
                vec![("revoked_at", SqlValue::Text(stamp(now)))],
            ))
            .await?;
        Ok(n > 0)
    }

    /// Changes a password after checking the old one, the policy and the last
    /// `HISTORY` passwords, and ends every session of the user in the same transaction:
    /// whoever holds one (a session opened with the old password, or one left open
    /// elsewhere) must log in with the new password.
    pub async fn change_password(&self, username: &str, old: &str, new: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
        let user = self
            .user(username)
            .await?
            .ok_or_else(|| IdentityError::UnknownUser(username.into()))?;
        if !password::verify(old, &user.password_hash) {
            return Err(IdentityError::Login(LoginFailure::WrongPassword));
        }
        policy::check_password(username, new)?;
        let history = self.fetch(&sql::history(username)).await?;
        let recent = history.iter().rev().take(policy::HISTORY);
        if recent.map(|r| r[1].to_key()).any(|h| password::verify(new, &h)) {
            return Err(PolicyError::Reused.into());
        }
        let hash = password::hash(new);
        let dialect = dialect_for(self.warehouse.backend());
        let mut tx = self.warehouse.begin().await?;
        let update = sql::update(
            sql::USER,
            "username",
            username,
            vec![
                ("password_hash", SqlValue::Text(hash.clone())),
                ("password_changed_at", SqlValue::Text(stamp(now))),
            ],
        );
        tx.execute(&render_write(&update, dialect)).await?;
        tx.insert_rows(sql::HISTORY, &HISTORY_COLUMNS, &[history_row(username, &hash, now)])
            .await?;
        tx.execute(&render_write(&sql::end_sessions(username, &stamp(now)), dialect))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lockout now (an administrator's action).
    pub async fn unlock(&self, username: &str) -> Result<(), IdentityError> {
        let n = self
            .write(&sql::update(
                sql::USER,
                "username",
                username,
                vec![("failed_logins", SqlValue::Int(0)), ("locked_until", SqlValue::Null)],
            ))
            .await?;
        if n == 0 {
            return Err(IdentityError::UnknownUser(username.into()));
        }
        Ok(())
    }
}

fn history_row(username: &str, hash: &str, now: DateTime<Utc>) -> Vec<SqlValue> {
    vec![
        SqlValue::Text(username.into()),
        SqlValue::Text(hash.into()),
        SqlValue::Text(stamp(now)),
    ]
}

/// An argon2id hash of a random password: what an unknown user's login is checked
/// against, so it costs the same time as a known user's.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Hk1ldXc8zTrXqE1jVDW0qcTtcX1UsHVTFNeD0wJQG0I";

#[cfg(test)]
mod tests {
    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        use argon2::password_hash::PasswordHash;
        let parsed = PasswordHash::new(super::DUMMY_HASH).expect("parses, so verifying against it costs a full hash");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(!crate::password::verify("anything", super::DUMMY_HASH));
    }
}
