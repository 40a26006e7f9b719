//! Administration over GraphQL, split by duty (三员分立; `permissions` decides who runs
//! what): the system administrator's 用户管理 (accounts, machine tokens) and the
//! security administrator's 角色管理 (roles, their permissions, users' roles). Every
//! field is recorded by the audit extension with its arguments (passwords never).

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::Utc;
use jiuye_identity::{Permission, Role, RoleSpec, UserInfo};

use crate::AppState;
use crate::account::identity_error;
use crate::auth::{TokenHolder, TokenInfo};
use crate::input::{self, bad_input};

/// Longest password accepted as input (the policy allows 128 characters).
const MAX_PASSWORD_CHARS: usize = 128;
/// Most codes a role's indicator or board list holds.
const MAX_ROLE_CODES: usize = 500;

#[derive(SimpleObject)]
pub struct UserView {
    pub username: String,
    pub display_name: Option<String>,
    /// Empty until the security administrator gives one.
    pub role: String,
    pub district: Option<String>,
    pub disabled: bool,
    pub locked: bool,
    pub second_factor: bool,
    /// UTC.
    pub password_changed_at: String,
    pub password_expired: bool,
    pub created_at: String,
}

impl From<UserInfo> for UserView {
    fn from(u: UserInfo) -> UserView {
        UserView {
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            district: u.district,
            disabled: u.disabled,
            locked: u.locked,
            second_factor: u.second_factor,
            password_changed_at: u.password_changed_at,
            password_expired: u.password_expired,
            created_at: u.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct RoleView {
    pub name: String,
    pub title: String,
    /// system, security, audit or business.
    pub duty: String,
    /// city or district (business roles).
    pub scope: Option<String>,
    pub detail_view: Option<String>,
    pub permissions: Vec<String>,
    /// Null: every indicator.
    pub indicators: Option<Vec<String>>,
    /// Null: every board.
    pub boards: Option<Vec<String>>,
    /// From roles.yaml (the administrators' roles cannot be edited).
    pub builtin: bool,
}

fn codes(allowed: &jiuye_semantic::Allowed) -> Option<Vec<String>> {
    match allowed {
        jiuye_semantic::Allowed::All => None,
        jiuye_semantic::Allowed::Only(c) => Some(c.iter().cloned().collect()),
    }
}

impl From<&Role> for RoleView {
    fn from(r: &Role) -> RoleView {
        RoleView {
            name: r.name.clone(),
            title: r.title.clone(),
            duty: r.duty.name().into(),
            scope: r.scope.map(|s| s.name().into()),
            detail_view: r.detail_view.clone(),
            permissions: r.permissions.iter().map(|p| p.name().to_string()).collect(),
            indicators: codes(&r.indicators),
            boards: codes(&r.boards),
            builtin: r.builtin,
        }
    }
}

/// A permission and the duty it belongs to.
#[derive(SimpleObject)]
pub struct PermissionView {
    pub name: String,
    pub duty: String,
}

/// A business role to save (the administrators' roles are fixed).
#[derive(InputObject)]
pub struct RoleInput {
    pub name: String,
    pub title: String,
    /// city or district.
    pub scope: String,
    /// deidentified or masked_identity, with detail.read.
    pub detail_view: Option<String>,
    pub permissions: Vec<String>,
    /// Omit for every indicator.
    pub indicators: Option<Vec<String>>,
    /// Omit for every board.
    pub boards: Option<Vec<String>>,
}

impl RoleInput {
    /// Bounds, and codes that name the model's indicators and boards.
    fn spec(self, catalog: &jiuye_semantic::Catalog) -> async_graphql::Result<RoleSpec> {
        for (name, value) in [("name", &self.name), ("title", &self.title), ("scope", &self.scope)] {
            input::text(name, value, input::MAX_CODE_CHARS)?;
        }
        input::codes("permissions", &self.permissions, Permission::ALL.len())?;
        if let Some(v) = &self.detail_view {
            input::text("detailView", v, input::MAX_CODE_CHARS)?;
        }
        for code in self.indicators.iter().flatten() {
            catalog
                .indicator(code)
                .map_err(|_| bad_input(format!("unknown indicator `{code}`")))?;
        }
        for code in self.boards.iter().flatten() {
            if !catalog.boards.contains_key(code) {
                return Err(bad_input(format!("unknown board `{code}`")));
            }
        }
        input::codes("indicators", self.indicators.as_deref().unwrap_or_default(), MAX_ROLE_CODES)?;
        input::codes("boards", self.boards.as_deref().unwrap_or_default(), MAX_ROLE_CODES)?;
        Ok(RoleSpec {
            name: self.name,
            title: self.title,
            duty: "business".into(),
            scope: Some(self.scope),
            detail_view: self.detail_view,
            permissions: self.permissions,
            indicators: self.indicators,
            boards: self.boards,
        })
    }
}

#[derive(SimpleObject)]
pub struct TokenView {
    /// The first 12 hex digits of the token's SM3 hash.
    pub id: String,
    pub role: String,
    pub district: Option<String>,
    pub holder: Option<String>,
    pub owner: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> TokenView {
        TokenView {
            id: t.id,
            role: t.role,
            district: t.district,
            holder: t.holder,
            owner: t.owner,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    crate::input::internal("administration", e)
}

fn by(ctx: &Context<'_>) -> async_graphql::Result<String> {
    Ok(ctx.data::<TokenHolder>()?.0.clone())
}

fn username(value: &str) -> async_graphql::Result<()> {
    input::text("username", value, input::MAX_CODE_CHARS)
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Every account (system administrator; the security administrator reads it to give
    /// roles).
    async fn users(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UserView>> {
        let state = ctx.data::<AppState>()?;
        let users = state.identity.users(Utc::now()).await.map_err(identity_error)?;
        Ok(users.into_iter().map(UserView::from).collect())
    }

    /// Every machine token, oldest first (system administrator).
    async fn tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TokenView>> {
        let state = ctx.data::<AppState>()?;
        let tokens = crate::auth::list_tokens(&state.warehouse).await.map_err(internal)?;
        Ok(tokens.into_iter().map(TokenView::from).collect())
    }

    /// The roles in force (security administrator).
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoleView>> {
        let state = ctx.data::<AppState>()?;
        let roles = state.identity.roles().await.map_err(identity_error)?;
        Ok(roles.iter().map(RoleView::from).collect())
    }

    /// Every permission a role may hold, with its duty (security administrator).
    async fn permissions(&self) -> Vec<PermissionView> {
        Permission::ALL
            .iter()
            .map(|p| PermissionView {
                name: p.name().into(),
                duty: p.duty().name().into(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Creates an account without a role (system administrator); the security
    /// administrator gives it one (`assignRole`). The password follows the policy and
    /// must be changed at the first login.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        username: String,
        display_name: Option<String>,
        temporary_password: String,
    ) -> async_graphql::Result<UserView> {
        self::username(&username)?;
        input::text("displayName", display_name.as_deref().unwrap_or_default(), input::MAX_CODE_CHARS)?;
        input::text("temporaryPassword", &temporary_password, MAX_PASSWORD_CHARS)?;
        let state = ctx.data::<AppState>()?;
        let new = jiuye_identity::NewUser {
            username: username.clone(),
            display_name,
            role: String::new(),
            district: None,
            password: temporary_password,
        };
        let now = Utc::now();
        state.identity.create_account(new, now).await.map_err(identity_error)?;
        let user = state.identity.user_info(&username, now).await.map_err(identity_error)?;
        Ok(user.into())
    }

    /// Disables (ending its sessions) or enables an account (system administrator).
    async fn set_user_disabled(&self, ctx: &Context<'_>, username: String, disabled: bool) -> async_graphql::Result<bool> {
        self::username(&username)?;
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .set_disabled(&username, disabled, &by(ctx)?, Utc::now())
            .await
            .map_err(identity_error)?;
        Ok(true)
    }

    /// Lifts a lockout (system administrator).
    async fn unlock_user(&self, ctx: &Context<'_>, username: String) -> async_graphql::Result<bool> {
        self::username(&username)?;
        let state = ctx.data::<AppState>()?;
        state.identity.unlock(&username).await.map_err(identity_error)?;
        Ok(true)
    }

    /// Sets a temporary password the holder must change at the next login, and ends
    /// their sessions (system administrator; not one's own).
    async fn reset_password(&self, ctx: &Context<'_>, username: String, temporary_password: String) -> async_graphql::Result<bool> {
        self::username(&username)?;
        input::text("temporaryPassword", &temporary_password, MAX_PASSWORD_CHARS)?;
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .reset_password(&username, &temporary_password, &by(ctx)?, Utc::now())
            .await
            .map_err(identity_error)?;
        Ok(true)
    }

    /// Revokes a machine token by its id (at least 8 hex digits; system administrator).
    async fn revoke_token(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<TokenView> {
        input::text("id", &id, input::MAX_CODE_CHARS)?;
        let state = ctx.data::<AppState>()?;
        match crate::auth::revoke_token(&state.warehouse, &id, None).await {
            Ok(Some(t)) => Ok(t.into()),
            Ok(None) => Err(bad_input(format!("no live token has the id `{id}`"))),
            Err(e @ (crate::auth::AuthError::BadTokenId | crate::auth::AuthError::AmbiguousTokenId(_))) => Err(bad_input(e.to_string())),
            Err(e) => Err(internal(e)),
        }
    }

    /// Adds or replaces a business role (security administrator). One duty per role:
    /// administrators' permissions are refused here.
    async fn save_role(&self, ctx: &Context<'_>, role: RoleInput) -> async_graphql::Result<RoleView> {
        let state = ctx.data::<AppState>()?;
        let spec = role.spec(&state.catalog)?;
        let saved = state
            .identity
            .save_role(&spec, &by(ctx)?, Utc::now())
            .await
            .map_err(identity_error)?;
        state.roles.invalidate().await;
        Ok(RoleView::from(&saved))
    }

    /// Removes a business role nobody holds, or a built-in one's edits (security
    /// administrator). False when there was nothing to remove.
    async fn delete_role(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<bool> {
        input::text("name", &name, input::MAX_CODE_CHARS)?;
        let state = ctx.data::<AppState>()?;
        let removed = state.identity.delete_role(&name).await.map_err(identity_error)?;
        state.roles.invalidate().await;
        Ok(removed)
    }

    /// Gives a user a business role, with a district for district-scoped roles
    /// (security administrator; never one's own, never an administrator's role).
    async fn assign_role(
        &self,
        ctx: &Context<'_>,
        username: String,
        role: String,
        district: Option<String>,
    ) -> async_graphql::Result<bool> {
        self::username(&username)?;
        input::text("role", &role, input::MAX_CODE_CHARS)?;
        input::text("district", district.as_deref().unwrap_or_default(), input::MAX_CODE_CHARS)?;
        let state = ctx.data::<AppState>()?;
        state
            .identity
            .assign_role(&username, &role, district.as_deref(), &by(ctx)?)
            .await
            .map_err(identity_error)?;
        Ok(true)
    }
}
