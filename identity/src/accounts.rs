//! Accounts as the system administrator keeps them (用户管理: list, disable, unlock,
//! reset a password) and as their holders see them (个人中心: sessions, enrolling a
//! second factor).

use chrono::{DateTime, Utc};
use jiuye_privacy::sm3_hex;
use jiuye_semantic::sql::{dialect_for, render_write};
use jiuye_sql_value::SqlValue;

use crate::policy::{self, PolicyError};
use crate::service::{Identity, IdentityError, TOTP_PENDING, TOTP_SECRET, User, parse, stamp, totp_place};
use crate::sql::{self, HISTORY_COLUMNS};
use crate::totp::Totp;

/// A user as the system administrator lists them (never a hash or a secret).
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    pub username: String,
    pub display_name: Option<String>,
    /// Empty until the security administrator gives one.
    pub role: String,
    pub district: Option<String>,
    pub disabled: bool,
    pub locked: bool,
    pub second_factor: bool,
    pub password_changed_at: String,
    pub password_expired: bool,
    pub created_at: String,
}

/// One of a user's sessions, as its holder sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    /// The first 12 hex digits of the session token's SM3 hash.
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub source: Option<String>,
    pub live: bool,
}

/// A second factor being enrolled: show the URI as a QR code or the secret for typing.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub uri: String,
}

fn info(u: User, now: DateTime<Utc>) -> UserInfo {
    UserInfo {
        password_expired: u.password_expired(now),
        locked: u.locked_until.as_deref().and_then(parse).is_some_and(|t| now < t),
        second_factor: u.totp_secret_enc.is_some(),
        username: u.username,
        display_name: u.display_name,
        role: u.role,
        district: u.district,
        disabled: u.disabled,
        password_changed_at: u.password_changed_at,
        created_at: u.created_at,
    }
}

/// Shortest session id accepted for a revocation.
const MIN_ID_DIGITS: usize = 8;

impl Identity {
    /// Every user, by name.
    pub async fn users(&self, now: DateTime<Utc>) -> Result<Vec<UserInfo>, IdentityError> {
        let rows = self.fetch(&sql::users()).await?;
        Ok(rows.iter().map(|r| info(User::from_row(r), now)).collect())
    }

    /// One user as `users` lists them.
    pub async fn user_info(&self, username: &str, now: DateTime<Utc>) -> Result<UserInfo, IdentityError> {
        Ok(info(self.existing(username).await?, now))
    }

    async fn existing(&self, username: &str) -> Result<User, IdentityError> {
        self.user(username)
            .await?
            .ok_or_else(|| IdentityError::UnknownUser(username.into()))
    }

    /// Disables or enables an account; disabling ends its sessions at once.
    pub async fn set_disabled(&self, username: &str, disabled: bool, by: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
        if username == by {
            return Err(IdentityError::NotAllowed("no one disables or enables their own account"));
        }
        self.existing(username).await?;
        self.write(&sql::update(
            sql::USER,
            "username",
            username,
            vec![("disabled", SqlValue::Int(disabled as i64))],
        ))
        .await?;
        if disabled {
            self.end_sessions(username, now).await?;
        }
        Ok(())
    }

    /// Ends every session of `username` not ended already, in one statement.
    async fn end_sessions(&self, username: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
        self.write(&sql::end_sessions(username, &stamp(now))).await?;
        Ok(())
    }

    /// Sets a temporary password (policy-checked) that its holder must change at the next
    /// login, lifts a lockout and ends the holder's sessions. Not one's own: that is
    /// `change_password`.
    pub async fn reset_password(&self, username: &str, temporary: &str, by: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
        if username == by {
            return Err(IdentityError::NotAllowed("change your own password with changePassword"));
        }
        self.existing(username).await?;
        policy::check_password(username, temporary)?;
        let hash = crate::password::hash(temporary);
        // Changed "at the epoch": expired at once, so the first login may only change it.
        let expired = SqlValue::Text(stamp(DateTime::<Utc>::UNIX_EPOCH));
        let update = sql::update(
            sql::USER,
            "username",
            username,
            vec![
                ("password_hash", SqlValue::Text(hash.clone())),
                ("password_changed_at", expired),
                ("failed_logins", SqlValue::Int(0)),
                ("locked_until", SqlValue::Null),
            ],
        );
        let mut tx = self.warehouse.begin().await?;
        tx.execute(&render_write(&update, dialect_for(self.warehouse.backend()))).await?;
        let history = vec![SqlValue::Text(username.into()), SqlValue::Text(hash), SqlValue::Text(stamp(now))];
        tx.insert_rows(sql::HISTORY, &HISTORY_COLUMNS, &[history]).await?;
        tx.commit().await?;
        self.end_sessions(username, now).await
    }

    /// A user's sessions, newest first.
    pub async fn sessions(&self, username: &str, now: DateTime<Utc>) -> Result<Vec<SessionInfo>, IdentityError> {
        let rows = self.fetch(&sql::sessions_of(username)).await?;
        let mut out: Vec<SessionInfo> = rows
            .iter()
            .map(|r| {
                let (last_seen, expires) = (r[3].to_key(), r[4].to_key());
                let idle_ok = parse(&last_seen).is_some_and(|s| now - s < chrono::Duration::minutes(policy::SESSION_IDLE_MINUTES));
                SessionInfo {
                    id: r[0].to_key().chars().take(12).collect(),
                    created_at: r[2].to_key(),
                    live: matches!(r[5], SqlValue::Null) && idle_ok && parse(&expires).is_some_and(|e| now < e),
                    last_seen_at: last_seen,
                    expires_at: expires,
                    source: Some(r[6].to_key()).filter(|s| !s.is_empty()),
                }
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// Ends `username`'s session whose id starts with `id`; `false` when none matches
    /// or it was over already.
    pub async fn revoke_session(&self, username: &str, id: &str, now: DateTime<Utc>) -> Result<bool, IdentityError> {
        let id = id.to_ascii_lowercase();
        if id.len() < MIN_ID_DIGITS || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(IdentityError::BadSessionId);
        }
        let rows = self.fetch(&sql::sessions_of(username)).await?;
        let matching: Vec<String> = rows
            .iter()
            .filter(|r| matches!(r[5], SqlValue::Null))
            .map(|r| r[0].to_key())
            .filter(|h| h.starts_with(&id))
            .collect();
        let [hash] = matching.as_slice() else { return Ok(false) };
        let revoke = sql::update(sql::SESSION, "session_hash", hash, vec![("revoked_at", SqlValue::Text(stamp(now)))]);
        Ok(self.write(&revoke).await? > 0)
    }

    /// The session id (as `sessions` shows it) of a session token.
    pub fn session_id(token: &str) -> String {
        sm3_hex(token.trim()).chars().take(12).collect()
    }

    /// Starts enrolling a second factor: a new secret, kept aside until a code from it
    /// confirms the authenticator app has it (`confirm_second_factor`).
    pub async fn begin_second_factor(&self, username: &str) -> Result<Enrolment, IdentityError> {
        self.existing(username).await?;
        let totp = Totp::generate();
        let sealed = self.keys.seal(&hex::encode(totp.secret()), &totp_place(TOTP_PENDING, username));
        self.write(&sql::update(
            sql::USER,
            "username",
            username,
            vec![(TOTP_PENDING, SqlValue::Text(sealed))],
        ))
        .await?;
        Ok(Enrolment {
            secret_base32: crate::base32_encode(totp.secret()),
            uri: totp.uri("jiuye", username),
        })
    }

    /// Confirms an enrolment with a current code: the new secret replaces any old one
    /// and is asked for at every login from now on.
    pub async fn confirm_second_factor(&self, username: &str, code: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
        let user = self.existing(username).await?;
        let pending = user
            .totp_pending_enc
            .as_deref()
            .ok_or(IdentityError::NotAllowed("start enrolling a second factor first"))?;
        let secret_hex = self.keys.open(pending, &totp_place(TOTP_PENDING, username)).ok();
        let secret = secret_hex
            .as_deref()
            .and_then(|h| hex::decode(h).ok())
            .ok_or(IdentityError::NotAllowed(
                "the enrolment cannot be read under this key; start again",
            ))?;
        let step = Totp::from_secret(secret)
            .matching_step(code, now.timestamp())
            .ok_or(PolicyError::WrongCode)?;
        self.write(&sql::update(
            sql::USER,
            "username",
            username,
            vec![
                // Sealed again for the column it now lives in.
                (
                    TOTP_SECRET,
                    SqlValue::Text(
                        self.keys
                            .seal(secret_hex.as_deref().unwrap_or_default(), &totp_place(TOTP_SECRET, username)),
                    ),
                ),
                (TOTP_PENDING, SqlValue::Null),
                ("totp_last_step", SqlValue::Int(step)),
            ],
        ))
        .await?;
        Ok(())
    }
}
