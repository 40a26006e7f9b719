//! Logging in and the caller's own account (个人中心): `login` (the one field a request
//! without a token may run), `logout`, `changePassword`, `me`. A session token is a
//! bearer token like a machine's; its user's role and district decide what it may do.

use async_graphql::{Context, Object, SimpleObject};
use chrono::Utc;
use jiuye_identity::{IdentityError, LoginFailure};
use serde_json::json;

use crate::AppState;
use crate::audit::{ClientAddr, event_for};
use crate::auth::{Access, BearerToken, TokenHolder};
use crate::input::{self, bad_input, coded};

/// Longest password accepted as input (the policy allows 128 characters).
const MAX_PASSWORD_CHARS: usize = 128;

#[derive(SimpleObject)]
pub struct LoginResult {
    /// Send as `Authorization: Bearer <token>`; shown once.
    pub token: String,
    /// UTC; the session also ends after 30 idle minutes.
    pub expires_at: String,
    /// The password is older than 90 days: only `changePassword` and `logout` work
    /// until it is changed.
    pub password_expired: bool,
}

#[derive(SimpleObject)]
pub struct Me {
    pub holder: String,
    pub role: String,
    pub district: Option<String>,
    /// The role's permissions (what the screens offer).
    pub permissions: Vec<String>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who the caller is.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let access = ctx.data::<Access>()?;
        Ok(Me {
            holder: ctx.data::<TokenHolder>()?.0.clone(),
            role: access.role_name().into(),
            district: access.district().map(str::to_string),
            permissions: access
                .role()
                .map(|r| r.permissions.iter().map(|p| p.name().to_string()).collect())
                .unwrap_or_default(),
        })
    }
}

#[derive(Default)]
pub struct AccountMutation;

/// Days before a password expires from which each login tells its holder (消息中心).
const EXPIRY_NOTICE_DAYS: i64 = 14;

/// Posts "your password expires on …" once per password, to its holder, when a login
/// finds it within `EXPIRY_NOTICE_DAYS` of expiring.
async fn warn_of_expiry(state: &AppState, username: &str, session: &jiuye_identity::Session) {
    let Some(at) = session.password_expires_at else { return };
    let now = Utc::now();
    if session.password_expired || at - now > chrono::Duration::days(EXPIRY_NOTICE_DAYS) {
        return;
    }
    let shanghai = at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
    let message = jiuye_messages::NewMessage {
        kind: "password.expiry".into(),
        severity: jiuye_messages::Severity::Warning,
        title: format!("密码将于 {} 到期", shanghai.format("%Y-%m-%d")),
        body: format!(
            "Your password expires at {} (Asia/Shanghai); after that a login may only change it. Change it in 个人中心 (changePassword).",
            shanghai.format("%Y-%m-%d %H:%M")
        ),
        audience: jiuye_messages::Audience::User(username.into()),
        dedup_key: Some(format!("password.expiry:{username}:{}", at.timestamp())),
    };
    if let Err(e) = state.inbox.post(&message, now).await {
        tracing::error!(error = %e, "messages");
    }
}

/// An identity error as the caller sees it (internals go to the server log).
pub(crate) fn identity_error(e: IdentityError) -> async_graphql::Error {
    match e {
        IdentityError::Policy(p) => bad_input(p.to_string()),
        IdentityError::NotAllowed(m) => coded(m, "FORBIDDEN"),
        IdentityError::Login(_) => coded(e.to_string(), "UNAUTHENTICATED"),
        IdentityError::Warehouse(w) => {
            tracing::error!(error = %w, "identity");
            coded("the server cannot check accounts right now; try again later", "INTERNAL")
        }
        other => bad_input(other.to_string()),
    }
}

#[Object]
impl AccountMutation {
    /// Opens a session: username, password and, for administrators, the six-digit code
    /// of their authenticator app. Five failures in a row lock the account for 15
    /// minutes; the answer does not say which part was wrong.
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
        code: Option<String>,
    ) -> async_graphql::Result<LoginResult> {
        input::text("username", &username, input::MAX_CODE_CHARS)?;
        input::text("password", &password, MAX_PASSWORD_CHARS)?;
        if let Some(c) = &code {
            input::text("code", c, 10)?;
        }
        let state = ctx.data::<AppState>()?;
        let source = ctx.data_opt::<ClientAddr>().cloned().unwrap_or(ClientAddr("unknown".into()));
        let result = state
            .identity
            .login(&username, &password, code.as_deref(), &source.0, Utc::now())
            .await;
        let mut event = event_for(None, Some(&TokenHolder(username.clone())), Some(&source), "login");
        match &result {
            Ok(session) => event.detail = json!({ "password_expired": session.password_expired }),
            Err(IdentityError::Login(failure)) => {
                event.action = "login.failed".into();
                event.outcome = "UNAUTHENTICATED".into();
                event.detail = json!({ "reason": failure.reason() });
                if *failure == LoginFailure::UnknownUser {
                    // Not a user's name: perhaps a password typed into the wrong field.
                    event.actor = "anonymous".into();
                }
            }
            Err(_) => event.outcome = "INTERNAL".into(),
        }
        state.audit.record(event).await;
        let session = result.map_err(identity_error)?;
        warn_of_expiry(state, &username, &session).await;
        Ok(LoginResult {
            token: session.token,
            expires_at: session.expires_at,
            password_expired: session.password_expired,
        })
    }

    /// Ends the caller's session (a session token only).
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let token = session_token(ctx)?;
        let state = ctx.data::<AppState>()?;
        state.identity.logout(&token, Utc::now()).await.map_err(identity_error)
    }

    /// Changes the caller's password: the policy (12+ characters, three character
    /// classes, not the username, none of the last five) applies.
    async fn change_password(&self, ctx: &Context<'_>, old_password: String, new_password: String) -> async_graphql::Result<bool> {
        input::text("oldPassword", &old_password, MAX_PASSWORD_CHARS)?;
        input::text("newPassword", &new_password, MAX_PASSWORD_CHARS)?;
        session_token(ctx)?;
        let username = ctx.data::<TokenHolder>()?.0.clone();
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .change_password(&username, &old_password, &new_password, Utc::now())
            .await
            .map_err(identity_error)?;
        Ok(true)
    }
}

pub(crate) fn session_token(ctx: &Context<'_>) -> async_graphql::Result<String> {
    match ctx.data_opt::<BearerToken>() {
        Some(BearerToken(t)) if t.starts_with(jiuye_identity::SESSION_PREFIX) => Ok(t.clone()),
        _ => Err(bad_input("this needs a session from `login`, not a machine token")),
    }
}
