//! What each root field needs (deny by default: a field missing here is refused), and
//! the roles in force, cached briefly so a request does not read `meta_role`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiuye_identity::{Identity, IdentityError, Permission, Roles};
use tokio::sync::Mutex;

use crate::auth::Access;

/// What a root field needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Anyone, without a token (logging in).
    Anyone,
    /// A signed-in holder, about their own account (个人中心), whatever their role.
    Account,
    /// One of these permissions.
    Any(&'static [Permission]),
}

use Permission as P;

/// Every root field and what it needs.
pub(crate) const FIELDS: &[(&str, Need)] = &[
    ("login", Need::Anyone),
    ("me", Need::Account),
    ("logout", Need::Account),
    ("changePassword", Need::Account),
    ("mySessions", Need::Account),
    ("revokeMySession", Need::Account),
    ("myTokens", Need::Account),
    ("createMyToken", Need::Account),
    ("revokeMyToken", Need::Account),
    ("beginTotpEnrolment", Need::Account),
    ("confirmTotpEnrolment", Need::Account),
    ("myActivity", Need::Account),
    ("messages", Need::Account),
    ("unreadCount", Need::Account),
    ("markMessagesRead", Need::Account),
    ("messageAdded", Need::Account),
    ("metrics", Need::Any(&[P::IndicatorRead])),
    ("indicators", Need::Any(&[P::IndicatorRead])),
    ("dimensionMembers", Need::Any(&[P::IndicatorRead])),
    ("dimensions", Need::Any(&[P::IndicatorRead])),
    ("drill", Need::Any(&[P::IndicatorRead])),
    ("mapLayer", Need::Any(&[P::IndicatorRead])),
    ("drillDetail", Need::Any(&[P::DetailRead])),
    ("board", Need::Any(&[P::BoardRead])),
    ("boards", Need::Any(&[P::BoardRead])),
    ("latestDataDay", Need::Any(&[P::IndicatorRead, P::BoardRead])),
    ("dataVersion", Need::Any(&[P::IndicatorRead, P::BoardRead])),
    ("dataVersionChanged", Need::Any(&[P::IndicatorRead, P::BoardRead])),
    ("kbSearch", Need::Any(&[P::GlossaryRead])),
    ("term", Need::Any(&[P::GlossaryRead])),
    ("indicator", Need::Any(&[P::GlossaryRead])),
    ("codeTable", Need::Any(&[P::GlossaryRead])),
    ("termHistory", Need::Any(&[P::GlossaryRead])),
    ("updateTerm", Need::Any(&[P::GlossaryEdit])),
    ("auditLog", Need::Any(&[P::AuditRead])),
    ("users", Need::Any(&[P::UserManage, P::RoleManage])),
    ("createUser", Need::Any(&[P::UserManage])),
    ("setUserDisabled", Need::Any(&[P::UserManage])),
    ("unlockUser", Need::Any(&[P::UserManage])),
    ("resetPassword", Need::Any(&[P::UserManage])),
    ("tokens", Need::Any(&[P::TokenManage])),
    ("revokeToken", Need::Any(&[P::TokenManage])),
    ("roles", Need::Any(&[P::RoleManage])),
    ("permissions", Need::Any(&[P::RoleManage])),
    ("saveRole", Need::Any(&[P::RoleManage])),
    ("deleteRole", Need::Any(&[P::RoleManage])),
    ("assignRole", Need::Any(&[P::RoleManage])),
    ("cryptography", Need::Any(&[P::KeyManage])),
];

/// Root fields a session with an expired password may run.
const EXPIRED_FIELDS: &[&str] = &["changePassword", "logout", "me"];

/// Why `access` may not run the root field `field`, if it may not.
pub(crate) fn refusal(access: Option<&Access>, field: &str) -> Option<String> {
    let Some(access) = access else { return Some("no access".into()) };
    // Introspection (`__schema`, `__type`, `__typename`) describes the schema, which is
    // public to anyone signed in (GraphiQL and code generators need it).
    let introspection = (field.starts_with("__"), Need::Account);
    let need = match FIELDS.iter().find(|(name, _)| *name == field) {
        Some((_, need)) => need,
        None if introspection.0 => &introspection.1,
        None => return Some(format!("`{field}` is not open to any role")),
    };
    match (access, need) {
        (_, Need::Anyone) => None,
        (Access::Anonymous, _) => Some("log in first (`login`), or send `Authorization: Bearer <token>`".into()),
        (Access::MustChangePassword, _) if !EXPIRED_FIELDS.contains(&field) => {
            Some("the password has expired: change it with `changePassword` first".into())
        }
        (_, Need::Account) => None,
        (_, Need::Any(permissions)) if permissions.iter().any(|p| access.has(*p)) => None,
        (_, Need::Any(permissions)) => Some(format!(
            "the {} role may not run `{field}` (it needs {})",
            access.role_name(),
            permissions.iter().map(|p| p.name()).collect::<Vec<_>>().join(" or ")
        )),
    }
}

/// How long a server trusts the roles it read: a security administrator's change on
/// another server is in force everywhere within this.
const ROLES_TTL: Duration = Duration::from_secs(5);

/// The roles in force, read at most every `ROLES_TTL`.
#[derive(Default)]
pub struct RoleCache {
    loaded: Mutex<Option<(Instant, Arc<Roles>)>>,
}

impl RoleCache {
    pub async fn current(&self, identity: &Identity) -> Result<Arc<Roles>, IdentityError> {
        let mut loaded = self.loaded.lock().await;
        if let Some((at, roles)) = loaded.as_ref()
            && at.elapsed() < ROLES_TTL
        {
            return Ok(roles.clone());
        }
        let roles = Arc::new(identity.roles().await?);
        *loaded = Some((Instant::now(), roles.clone()));
        Ok(roles)
    }

    /// Forgets the roles read, after this server changed them.
    pub async fn invalidate(&self) {
        *self.loaded.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: &str, district: Option<&str>) -> Access {
        Access::of_role(&Roles::builtin(), role, district)
    }

    #[test]
    fn the_three_administrators_share_no_field() {
        let admins = ["system_admin", "security_admin", "audit_admin"].map(|r| access(r, None));
        for (field, need) in FIELDS {
            let Need::Any(_) = need else { continue };
            let allowed: Vec<&str> = admins
                .iter()
                .filter(|a| refusal(Some(a), field).is_none())
                .map(|a| a.role_name())
                .collect();
            let shared = allowed.len() > 1 && *field != "users";
            assert!(!shared, "`{field}` is open to {allowed:?}");
        }
        let auditor = &admins[2];
        assert!(refusal(Some(auditor), "auditLog").is_none());
        assert!(refusal(Some(auditor), "metrics").is_some());
        assert!(refusal(Some(auditor), "saveRole").is_some());
    }

    #[test]
    fn business_roles_never_administer() {
        for role in ["city_analyst", "viewer", "data_engineer"] {
            let a = access(role, None);
            assert!(refusal(Some(&a), "metrics").is_none(), "{role}");
            for field in ["auditLog", "users", "saveRole", "tokens", "assignRole"] {
                assert!(refusal(Some(&a), field).is_some(), "{role} {field}");
            }
        }
        let district = access("district_analyst", Some("310115"));
        assert!(refusal(Some(&district), "drillDetail").is_some());
        assert!(refusal(Some(&district), "board").is_none());
    }

    /// Root fields of the schema's `type Query` and `type Mutation`, from its SDL.
    fn root_fields() -> Vec<String> {
        let schema = async_graphql::Schema::build(
            crate::schema::Query::default(),
            crate::schema::Mutation::default(),
            crate::schema::Subscription::default(),
        )
        .finish();
        let sdl = schema.sdl();
        let mut out = Vec::new();
        for root in ["type Query {", "type Mutation {", "type Subscription {"] {
            let body = sdl.split(root).nth(1).and_then(|b| b.split("\n}").next()).unwrap_or_default();
            // A field starts one indent in; its arguments and descriptions are deeper
            // or quoted.
            let indent = |l: &str| l.len() - l.trim_start().len();
            let first = body.lines().find(|l| !l.trim().is_empty()).map(indent).unwrap_or(0);
            let mut in_description = false;
            for line in body.lines() {
                let t = line.trim();
                if t.starts_with("\"\"\"") {
                    let one_line = t.len() > 6 && t.ends_with("\"\"\"");
                    in_description ^= !one_line;
                    continue;
                }
                if in_description || indent(line) != first || t.starts_with('"') {
                    continue;
                }
                let name = t.split(['(', ':']).next().unwrap_or_default();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn every_root_field_says_what_it_needs() {
        let fields = root_fields();
        assert!(fields.len() > 30, "{fields:?}");
        for field in &fields {
            assert!(FIELDS.iter().any(|(name, _)| name == field), "`{field}` has no entry in FIELDS");
        }
        for (name, _) in FIELDS {
            assert!(fields.iter().any(|f| f == name), "FIELDS names `{name}`, which the schema lacks");
        }
    }

    #[test]
    fn unknown_fields_and_callers_are_refused() {
        assert!(refusal(Some(&access("data_engineer", None)), "dropEverything").is_some());
        assert!(refusal(None, "metrics").is_some());
        assert!(refusal(Some(&Access::Anonymous), "metrics").is_some());
        assert!(refusal(Some(&Access::Anonymous), "login").is_none());
        let unassigned = Access::Holder {
            role: None,
            district: None,
        };
        assert!(refusal(Some(&unassigned), "me").is_none());
        assert!(refusal(Some(&unassigned), "metrics").is_some());
        assert!(refusal(Some(&Access::MustChangePassword), "mySessions").is_some());
        assert!(refusal(Some(&unassigned), "__schema").is_none());
        assert!(refusal(Some(&Access::Anonymous), "__schema").is_some());
    }
}
