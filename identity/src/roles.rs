//! Roles and permissions as data (角色管理): the built-in roles of `roles.yaml`, business
//! roles the security administrator adds or edits (stored in `meta_role`), and the rule
//! that keeps the three administrators apart (三员分立): a role has one duty and only
//! that duty's permissions.

use std::collections::{BTreeMap, BTreeSet};

use jiuye_semantic::{Allowed, Caller};
use serde::Deserialize;

/// The built-in roles, compiled in.
pub const BUILTIN_ROLES: &str = include_str!("../roles.yaml");

/// What a role is for; permissions of different duties never meet in one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Duty {
    /// 系统管理员: accounts, machine tokens, monitoring.
    System,
    /// 安全管理员: roles, permissions, keys.
    Security,
    /// 审计管理员: the audit log.
    Audit,
    /// The people the platform is for: indicators, boards, detail, the glossary.
    Business,
}

impl Duty {
    pub fn name(self) -> &'static str {
        match self {
            Duty::System => "system",
            Duty::Security => "security",
            Duty::Audit => "audit",
            Duty::Business => "business",
        }
    }

    pub fn parse(text: &str) -> Option<Duty> {
        [Duty::System, Duty::Security, Duty::Audit, Duty::Business]
            .into_iter()
            .find(|d| d.name() == text)
    }

    /// Whether holders must log in with a second factor (the administrators).
    pub fn needs_second_factor(self) -> bool {
        self != Duty::Business
    }
}

/// Everything a role may be granted: a closed list, each of one duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    UserManage,
    TokenManage,
    SystemMonitor,
    RoleManage,
    KeyManage,
    AuditRead,
    IndicatorRead,
    BoardRead,
    DetailRead,
    SqlExplain,
    GlossaryRead,
    GlossaryEdit,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::UserManage,
        Permission::TokenManage,
        Permission::SystemMonitor,
        Permission::RoleManage,
        Permission::KeyManage,
        Permission::AuditRead,
        Permission::IndicatorRead,
        Permission::BoardRead,
        Permission::DetailRead,
        Permission::SqlExplain,
        Permission::GlossaryRead,
        Permission::GlossaryEdit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Permission::UserManage => "user.manage",
            Permission::TokenManage => "token.manage",
            Permission::SystemMonitor => "system.monitor",
            Permission::RoleManage => "role.manage",
            Permission::KeyManage => "key.manage",
            Permission::AuditRead => "audit.read",
            Permission::IndicatorRead => "indicator.read",
            Permission::BoardRead => "board.read",
            Permission::DetailRead => "detail.read",
            Permission::SqlExplain => "sql.explain",
            Permission::GlossaryRead => "glossary.read",
            Permission::GlossaryEdit => "glossary.edit",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == text)
    }

    pub fn duty(self) -> Duty {
        match self {
            Permission::UserManage | Permission::TokenManage | Permission::SystemMonitor => Duty::System,
            Permission::RoleManage | Permission::KeyManage => Duty::Security,
            Permission::AuditRead => Duty::Audit,
            _ => Duty::Business,
        }
    }
}

/// Where a business role's holders look: the whole city, or one district (the holder's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    City,
    District,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::City => "city",
            Scope::District => "district",
        }
    }
}

/// A role: its duty, permissions and, for business roles, scope, detail view and the
/// indicators and boards it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub title: String,
    pub duty: Duty,
    pub scope: Option<Scope>,
    pub detail_view: Option<String>,
    pub permissions: BTreeSet<Permission>,
    pub indicators: Allowed,
    pub boards: Allowed,
    /// Defined in `roles.yaml` (and, for the administrators, not editable).
    pub builtin: bool,
}

/// Why a role definition or assignment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("a role name is 2–40 lowercase letters, digits or `_`, starting with a letter")]
    BadName,
    #[error("a role title is 1–40 characters")]
    BadTitle,
    #[error("unknown duty `{0}`; duties: system, security, audit, business")]
    UnknownDuty(String),
    #[error("unknown permission `{0}`; permissions: {list}", list = Permission::ALL.map(|p| p.name()).join(", "))]
    UnknownPermission(String),
    #[error("`{permission}` belongs to the {belongs} duty, not {duty} (三员分立: one role, one duty)")]
    MixedDuties {
        permission: &'static str,
        belongs: &'static str,
        duty: &'static str,
    },
    #[error("a business role needs a scope: city or district")]
    ScopeMissing,
    #[error("only business roles have a scope, a detail view, indicators or boards")]
    NotBusiness,
    #[error("detail.read needs a detail view ({views}), and a detail view needs detail.read", views = jiuye_semantic::DETAIL_VIEWS.join(", "))]
    DetailView,
    #[error("unknown role `{0}`")]
    UnknownRole(String),
    #[error("the administrators' roles are fixed (roles.yaml); only business roles are edited or added")]
    Fixed,
    #[error("a {0}-scoped role {1}")]
    District(&'static str, &'static str),
    #[error(
        "role `{0}` is an administrator's: administrators log in with a second factor, machine tokens hold business roles or `monitor`"
    )]
    NotForTokens(String),
    #[error("the built-in roles are invalid: {0}")]
    Builtin(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleFile {
    roles: Vec<RoleSpec>,
}

/// A role as written in `roles.yaml` or sent by the security administrator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    pub name: String,
    pub title: String,
    pub duty: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub detail_view: Option<String>,
    pub permissions: Vec<String>,
    /// `None`: every indicator.
    #[serde(default)]
    pub indicators: Option<Vec<String>>,
    /// `None`: every board.
    #[serde(default)]
    pub boards: Option<Vec<String>>,
}

fn allowed(codes: &Option<Vec<String>>) -> Allowed {
    match codes {
        None => Allowed::All,
        Some(list) if list.iter().any(|c| c == "all") => Allowed::All,
        Some(list) => Allowed::Only(list.iter().cloned().collect()),
    }
}

impl RoleSpec {
    /// The role this spec defines, if it keeps the rules: a name, one duty and only its
    /// permissions, a scope for business roles (and nothing business-only elsewhere), a
    /// detail view exactly when it reads detail rows.
    pub fn validate(&self) -> Result<Role, RoleError> {
        let name_ok = (2..=40).contains(&self.name.len())
            && self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Err(RoleError::BadName);
        }
        if !(1..=40).contains(&self.title.chars().count()) {
            return Err(RoleError::BadTitle);
        }
        let duty = Duty::parse(&self.duty).ok_or_else(|| RoleError::UnknownDuty(self.duty.clone()))?;
        let mut permissions = BTreeSet::new();
        for text in &self.permissions {
            let p = Permission::parse(text).ok_or_else(|| RoleError::UnknownPermission(text.clone()))?;
            if p.duty() != duty {
                return Err(RoleError::MixedDuties {
                    permission: p.name(),
                    belongs: p.duty().name(),
                    duty: duty.name(),
                });
            }
            permissions.insert(p);
        }
        let business_only = self.scope.is_some() || self.detail_view.is_some() || self.indicators.is_some() || self.boards.is_some();
        let scope = match (duty, self.scope.as_deref()) {
            (Duty::Business, Some("city")) => Some(Scope::City),
            (Duty::Business, Some("district")) => Some(Scope::District),
            (Duty::Business, _) => return Err(RoleError::ScopeMissing),
            (_, _) if business_only => return Err(RoleError::NotBusiness),
            _ => None,
        };
        let view_ok = match &self.detail_view {
            Some(v) => permissions.contains(&Permission::DetailRead) && jiuye_semantic::DETAIL_VIEWS.contains(&v.as_str()),
            None => !permissions.contains(&Permission::DetailRead),
        };
        if !view_ok {
            return Err(RoleError::DetailView);
        }
        if scope == Some(Scope::District) && permissions.contains(&Permission::DetailRead) {
            // Detail rows and unprotected small counts stay with the city's staff.
            return Err(RoleError::District("district", "reads no detail rows"));
        }
        Ok(Role {
            name: self.name.clone(),
            title: self.title.clone(),
            duty,
            scope,
            detail_view: self.detail_view.clone(),
            permissions,
            indicators: allowed(&self.indicators),
            boards: allowed(&self.boards),
            builtin: false,
        })
    }
}

impl Role {
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Whether a holder of this role must have a district, and may.
    pub fn needs_district(&self) -> bool {
        self.scope == Some(Scope::District)
    }

    /// What the planner needs of a business role's holder; `None` for the
    /// administrators' roles (they query nothing) or a district role without a district.
    pub fn caller(&self, district: Option<&str>) -> Option<Caller> {
        if self.duty != Duty::Business || self.needs_district() != district.is_some() {
            return None;
        }
        Some(Caller {
            role: self.name.clone(),
            district: district.map(str::to_string),
            detail_view: self.detail_view.clone(),
            see_sql: self.has(Permission::SqlExplain),
            indicators: if self.has(Permission::IndicatorRead) {
                self.indicators.clone()
            } else {
                Allowed::Only(BTreeSet::new())
            },
        })
    }

    /// Whether a machine token may hold this role: business roles, and roles that only
    /// read monitoring (a scraper). Administrators log in, with a second factor.
    pub fn fits_machine_token(&self) -> bool {
        self.duty == Duty::Business || self.permissions.iter().all(|p| *p == Permission::SystemMonitor)
    }

    /// Whether a holder may open the board `code`.
    pub fn reads_board(&self, code: &str) -> bool {
        self.has(Permission::BoardRead) && self.boards.allows(code)
    }
}

/// Every role this warehouse knows: the built-in ones, with stored business roles over
/// them.
#[derive(Debug, Clone)]
pub struct Roles {
    roles: BTreeMap<String, Role>,
}

impl Roles {
    /// The roles of `roles.yaml`.
    pub fn builtin() -> Roles {
        // Parsed once: logins and every role reload start from it.
        static BUILTIN: std::sync::LazyLock<Roles> =
            std::sync::LazyLock::new(|| Roles::parse_builtin(BUILTIN_ROLES).expect("roles.yaml is checked by a unit test"));
        BUILTIN.clone()
    }

    fn parse_builtin(text: &str) -> Result<Roles, RoleError> {
        let file: RoleFile = serde_yaml_ng::from_str(text).map_err(|e| RoleError::Builtin(e.to_string()))?;
        let mut roles = BTreeMap::new();
        for spec in file.roles {
            let mut role = spec.validate().map_err(|e| RoleError::Builtin(format!("{}: {e}", spec.name)))?;
            role.builtin = true;
            if roles.insert(role.name.clone(), role).is_some() {
                return Err(RoleError::Builtin(format!("`{}` is defined twice", spec.name)));
            }
        }
        Ok(Roles { roles })
    }

    /// The built-in roles with `stored` business roles over them; a stored row that
    /// would change an administrator's role is ignored (it cannot be saved either).
    pub fn with_stored(stored: Vec<Role>) -> Roles {
        let mut roles = Roles::builtin();
        for mut role in stored {
            let fixed = roles.roles.get(&role.name).is_some_and(|r| r.duty != Duty::Business);
            if fixed || role.duty != Duty::Business {
                continue;
            }
            role.builtin = roles.roles.contains_key(&role.name);
            roles.roles.insert(role.name.clone(), role);
        }
        roles
    }

    pub fn get(&self, name: &str) -> Option<&Role> {
        self.roles.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    /// Whether `spec` may be saved over this set: a valid business role.
    pub fn check_save(&self, spec: &RoleSpec) -> Result<Role, RoleError> {
        if self.roles.get(&spec.name).is_some_and(|r| r.duty != Duty::Business) {
            return Err(RoleError::Fixed);
        }
        let role = spec.validate()?;
        if role.duty != Duty::Business {
            return Err(RoleError::Fixed);
        }
        Ok(role)
    }

    /// The role `name` for a holder in `district`, checked: the role exists and has a
    /// district exactly when it is district-scoped.
    pub fn assignable(&self, name: &str, district: Option<&str>) -> Result<&Role, RoleError> {
        let role = self.get(name).ok_or_else(|| RoleError::UnknownRole(name.into()))?;
        match (role.needs_district(), district) {
            (true, None) => Err(RoleError::District(
                "district",
                "needs a district (a GB/T 2260 code such as 310115)",
            )),
            (false, Some(_)) => Err(RoleError::District("city", "takes no district")),
            _ => Ok(role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(duty: &str, permissions: &[&str]) -> RoleSpec {
        RoleSpec {
            name: "custom".into(),
            title: "自定义".into(),
            duty: duty.into(),
            scope: (duty == "business").then(|| "city".into()),
            detail_view: None,
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            indicators: None,
            boards: None,
        }
    }

    #[test]
    fn the_builtin_roles_keep_the_rules() {
        let roles = Roles::builtin();
        for name in [
            "system_admin",
            "security_admin",
            "audit_admin",
            "city_analyst",
            "district_analyst",
            "viewer",
            "data_engineer",
        ] {
            assert!(roles.get(name).is_some(), "{name}");
        }
        // Each administrator holds exactly their own duty's permissions.
        let duty_of = |name: &str| {
            roles
                .get(name)
                .unwrap()
                .permissions
                .iter()
                .map(|p| p.duty())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(duty_of("system_admin"), [Duty::System].into());
        assert_eq!(duty_of("security_admin"), [Duty::Security].into());
        assert_eq!(duty_of("audit_admin"), [Duty::Audit].into());
        assert!(
            roles.get("audit_admin").unwrap().caller(None).is_none(),
            "administrators query nothing"
        );
    }

    #[test]
    fn no_role_holds_two_duties() {
        for duty in ["system", "security", "audit", "business"] {
            for p in Permission::ALL {
                let mut s = spec(duty, &[p.name()]);
                if p == Permission::DetailRead && duty == "business" {
                    s.detail_view = Some("deidentified".into());
                }
                let result = s.validate();
                assert_eq!(result.is_ok(), p.duty().name() == duty, "{duty} + {}", p.name());
            }
        }
        let err = spec("security", &["role.manage", "audit.read"]).validate().unwrap_err();
        assert!(err.to_string().contains("三员分立"), "{err}");
    }

    #[test]
    fn business_roles_are_checked() {
        let mut s = spec("business", &["indicator.read", "detail.read"]);
        assert_eq!(s.validate().unwrap_err(), RoleError::DetailView);
        s.detail_view = Some("deidentified".into());
        assert!(s.validate().is_ok());
        s.detail_view = Some("everything".into());
        assert_eq!(s.validate().unwrap_err(), RoleError::DetailView);
        s.detail_view = Some("deidentified".into());
        s.scope = Some("district".into());
        assert!(matches!(s.validate(), Err(RoleError::District(..))));
        s.scope = None;
        assert_eq!(s.validate().unwrap_err(), RoleError::ScopeMissing);
        let mut admin = spec("system", &["user.manage"]);
        admin.indicators = Some(vec!["hire_persons".into()]);
        assert_eq!(admin.validate().unwrap_err(), RoleError::NotBusiness);
    }

    #[test]
    fn administrators_roles_cannot_be_saved_or_stored_over() {
        let roles = Roles::builtin();
        let mut s = spec("security", &["role.manage", "key.manage"]);
        s.name = "security_admin".into();
        assert_eq!(roles.check_save(&s).unwrap_err(), RoleError::Fixed);
        s.name = "second_security".into();
        assert_eq!(
            roles.check_save(&s).unwrap_err(),
            RoleError::Fixed,
            "no new administrator roles online"
        );
        let mut forged = roles.get("audit_admin").unwrap().clone();
        forged.permissions.insert(Permission::RoleManage);
        let merged = Roles::with_stored(vec![forged]);
        assert_eq!(merged.get("audit_admin"), roles.get("audit_admin"));
    }

    #[test]
    fn a_business_role_becomes_a_caller() {
        let roles = Roles::builtin();
        let district = roles.get("district_analyst").unwrap();
        assert!(district.caller(None).is_none());
        let c = district.caller(Some("310115")).unwrap();
        assert_eq!(
            (c.district.as_deref(), c.detail_view.as_deref(), c.see_sql),
            (Some("310115"), None, false)
        );
        let engineer = roles.get("data_engineer").unwrap().caller(None).unwrap();
        assert_eq!(engineer.detail_view.as_deref(), Some(jiuye_semantic::MASKED_IDENTITY_VIEW));
        assert!(roles.assignable("viewer", Some("310115")).is_err());
        assert!(roles.assignable("district_analyst", Some("310115")).is_ok());
        assert!(roles.assignable("nobody", None).is_err());
        assert!(roles.get("monitor").unwrap().fits_machine_token());
        assert!(!roles.get("audit_admin").unwrap().fits_machine_token());
        assert!(!roles.get("system_admin").unwrap().fits_machine_token());
    }
}
