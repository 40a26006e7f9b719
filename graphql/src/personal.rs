//! 个人中心: a signed-in user's own sessions, tokens, second factor and recent activity.
//! Everything here is about the caller's own account, so every role may run it (with a
//! session, not a machine token); nobody reaches another's through it.

use async_graphql::{Context, Object, SimpleObject};
use chrono::Utc;
use jiuye_audit::AuditFilter;
use jiuye_identity::{Identity, SessionInfo};

use crate::AppState;
use crate::account::{identity_error, session_token};
use crate::admin::TokenView;
use crate::auth::{Access, NewToken, TokenHolder};
use crate::input::{self, bad_input, coded};

/// Most records of one's own activity one page shows.
const MAX_ACTIVITY: i32 = 200;
/// Longest a token made in 个人中心 lives.
const MAX_OWN_TOKEN_DAYS: i64 = 90;

#[derive(SimpleObject)]
pub struct SessionView {
    /// The first 12 hex digits of the session token's SM3 hash.
    pub id: String,
    /// UTC.
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub source: Option<String>,
    pub live: bool,
    /// The session this request came with.
    pub current: bool,
}

#[derive(SimpleObject)]
pub struct TotpEnrolment {
    /// Base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub uri: String,
}

#[derive(SimpleObject)]
pub struct NewTokenView {
    /// Send as `Authorization: Bearer <token>`; shown once.
    pub token: String,
    pub info: TokenView,
}

/// One of the caller's own audit records.
#[derive(SimpleObject)]
pub struct ActivityEntry {
    /// UTC.
    pub at: String,
    pub action: String,
    pub outcome: String,
    pub source: Option<String>,
    pub row_count: Option<i64>,
}

/// The caller's username: they hold a session (machine tokens have no 个人中心).
fn own_username(ctx: &Context<'_>) -> async_graphql::Result<String> {
    session_token(ctx)?;
    Ok(ctx.data::<TokenHolder>()?.0.clone())
}

fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    crate::input::internal("personal centre", e)
}

fn view(s: SessionInfo, current: &str) -> SessionView {
    SessionView {
        current: s.id == current,
        id: s.id,
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        expires_at: s.expires_at,
        source: s.source,
        live: s.live,
    }
}

#[derive(Default)]
pub struct PersonalQuery;

#[Object]
impl PersonalQuery {
    /// The caller's sessions, newest first.
    async fn my_sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SessionView>> {
        let username = own_username(ctx)?;
        let current = Identity::session_id(&session_token(ctx)?);
        let state = ctx.data::<AppState>()?;
        let sessions = state.identity.sessions(&username, Utc::now()).await.map_err(identity_error)?;
        Ok(sessions.into_iter().map(|s| view(s, &current)).collect())
    }

    /// The machine tokens made for the caller, oldest first.
    async fn my_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TokenView>> {
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        let tokens = crate::auth::list_tokens(&state.warehouse).await.map_err(internal)?;
        Ok(tokens
            .into_iter()
            .filter(|t| t.owner.as_deref() == Some(username.as_str()))
            .map(TokenView::from)
            .collect())
    }

    /// The caller's own recent actions, newest first (the audit log's records of them;
    /// the whole log is the audit administrator's).
    async fn my_activity(&self, ctx: &Context<'_>, #[graphql(default = 50)] first: i32) -> async_graphql::Result<Vec<ActivityEntry>> {
        if !(1..=MAX_ACTIVITY).contains(&first) {
            return Err(bad_input(format!("`first` must be 1–{MAX_ACTIVITY}, not {first}")));
        }
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        let filter = AuditFilter {
            actor: Some(username),
            ..AuditFilter::default()
        };
        let records = state.audit_log.latest(&filter, first as u64).await.map_err(internal)?;
        Ok(records
            .into_iter()
            .map(|r| ActivityEntry {
                at: r.at,
                action: r.action,
                outcome: r.outcome,
                source: r.source,
                row_count: r.row_count,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct PersonalMutation;

#[Object]
impl PersonalMutation {
    /// Ends one of the caller's sessions by its id (at least 8 hex digits).
    async fn revoke_my_session(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<bool> {
        input::text("id", &id, input::MAX_CODE_CHARS)?;
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .revoke_session(&username, &id, Utc::now())
            .await
            .map_err(identity_error)
    }

    /// A machine token with the caller's own (business) role and district, for their
    /// scripts: valid `days` (1–90), listed in `myTokens`.
    async fn create_my_token(
        &self,
        ctx: &Context<'_>,
        label: String,
        #[graphql(default = 30)] days: i32,
    ) -> async_graphql::Result<NewTokenView> {
        input::text("label", &label, input::MAX_CODE_CHARS)?;
        if !(1..=MAX_OWN_TOKEN_DAYS).contains(&(days as i64)) {
            return Err(bad_input(format!("`days` must be 1–{MAX_OWN_TOKEN_DAYS}, not {days}")));
        }
        let username = own_username(ctx)?;
        let access = ctx.data::<Access>()?;
        let Some(role) = access.role() else {
            return Err(coded("an account without a role has nothing to give a token", "FORBIDDEN"));
        };
        let state = ctx.data::<AppState>()?;
        let holder = format!("{username}: {label}");
        let new = NewToken {
            label: Some(&holder),
            days: days as i64,
            owner: Some(&username),
            ..NewToken::new(&role.name, access.district())
        };
        let token = crate::auth::create(&state.warehouse, &new).await.map_err(|e| match e {
            crate::auth::AuthError::Role(r) => coded(r.to_string(), "FORBIDDEN"),
            other => internal(other),
        })?;
        let info = crate::auth::list_tokens(&state.warehouse)
            .await
            .map_err(internal)?
            .into_iter()
            .find(|t| jiuye_privacy::sm3_hex(&token).starts_with(&t.id))
            .ok_or_else(|| internal("the new token is not listed"))?;
        Ok(NewTokenView { token, info: info.into() })
    }

    /// Revokes one of the caller's own tokens by its id.
    async fn revoke_my_token(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<bool> {
        input::text("id", &id, input::MAX_CODE_CHARS)?;
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        match crate::auth::revoke_token(&state.warehouse, &id, Some(&username)).await {
            Ok(revoked) => Ok(revoked.is_some()),
            Err(e @ (crate::auth::AuthError::BadTokenId | crate::auth::AuthError::AmbiguousTokenId(_))) => Err(bad_input(e.to_string())),
            Err(e) => Err(internal(e)),
        }
    }

    /// Starts enrolling an authenticator app: a new secret, in force once
    /// `confirmTotpEnrolment` gets a code from it.
    async fn begin_totp_enrolment(&self, ctx: &Context<'_>) -> async_graphql::Result<TotpEnrolment> {
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        let e = state.identity.begin_second_factor(&username).await.map_err(identity_error)?;
        Ok(TotpEnrolment {
            secret: e.secret_base32,
            uri: e.uri,
        })
    }

    /// Confirms the enrolment with the app's current six-digit code; every later login
    /// asks for a code.
    async fn confirm_totp_enrolment(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<bool> {
        input::text("code", &code, 10)?;
        let username = own_username(ctx)?;
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .confirm_second_factor(&username, &code, Utc::now())
            .await
            .map_err(identity_error)?;
        Ok(true)
    }
}
