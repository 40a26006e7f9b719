//! Roles in the warehouse: the security administrator's business roles (`meta_role`)
//! over the built-in ones, and users' role assignments.

use chrono::{DateTime, Utc};
use jiuye_semantic::Allowed;
use jiuye_semantic::sql::{dialect_for, render_select, render_write};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::Warehouse;

use crate::roles::{Duty, Role, RoleError, RoleSpec, Roles, Scope};
use crate::service::{Identity, IdentityError, stamp};
use crate::sql::{self, ROLE_COLUMNS};

fn words(text: &SqlValue) -> Vec<String> {
    text.to_key().split_whitespace().map(str::to_string).collect()
}

fn optional(v: &SqlValue) -> Option<String> {
    Some(v.to_key()).filter(|s| !s.is_empty())
}

fn codes(v: &SqlValue) -> Option<Vec<String>> {
    optional(v).map(|_| words(v))
}

fn joined(allowed: &Allowed) -> SqlValue {
    match allowed {
        Allowed::All => SqlValue::Null,
        Allowed::Only(codes) => SqlValue::Text(codes.iter().cloned().collect::<Vec<_>>().join(" ")),
    }
}

/// A stored row back as the spec it was saved from (validated again: a row edited
/// behind the server's back that breaks the rules is skipped, not obeyed).
fn spec_of(r: &[SqlValue]) -> RoleSpec {
    RoleSpec {
        name: r[0].to_key(),
        title: r[1].to_key(),
        duty: r[2].to_key(),
        scope: optional(&r[3]),
        detail_view: optional(&r[4]),
        permissions: words(&r[5]),
        indicators: codes(&r[6]),
        boards: codes(&r[7]),
    }
}

/// The roles in force in `warehouse`: built-in, with the stored business roles over them.
pub async fn load_roles(warehouse: &Warehouse) -> Result<Roles, IdentityError> {
    let statement = render_select(&sql::roles(), dialect_for(warehouse.backend()));
    let rows = warehouse.fetch(&statement).await?.rows;
    let stored: Vec<Role> = rows.iter().filter_map(|r| spec_of(r).validate().ok()).collect();
    Ok(Roles::with_stored(stored))
}

impl Identity {
    /// The roles in force: built-in, with the stored business roles over them.
    pub async fn roles(&self) -> Result<Roles, IdentityError> {
        load_roles(&self.warehouse).await
    }

    /// Adds or replaces a business role (the security administrator's job).
    pub async fn save_role(&self, spec: &RoleSpec, by: &str, now: DateTime<Utc>) -> Result<Role, IdentityError> {
        let role = self.roles().await?.check_save(spec)?;
        let row = vec![
            SqlValue::Text(role.name.clone()),
            SqlValue::Text(role.title.clone()),
            SqlValue::Text(Duty::Business.name().into()),
            role.scope.map(Scope::name).map(str::to_string).into(),
            role.detail_view.clone().into(),
            SqlValue::Text(role.permissions.iter().map(|p| p.name()).collect::<Vec<_>>().join(" ")),
            joined(&role.indicators),
            joined(&role.boards),
            SqlValue::Text(stamp(now)),
            SqlValue::Text(by.into()),
        ];
        let dialect = dialect_for(self.warehouse.backend());
        let mut tx = self.warehouse.begin().await?;
        tx.execute(&render_write(&sql::delete(sql::ROLE, "name", &role.name), dialect))
            .await?;
        tx.insert_rows(sql::ROLE, &ROLE_COLUMNS, &[row]).await?;
        tx.commit().await?;
        Ok(role)
    }

    /// Removes a business role the security administrator added; a built-in one cannot
    /// be removed (its stored edits can: it returns to `roles.yaml`), nor a role someone
    /// holds. `false` when there was nothing to remove.
    pub async fn delete_role(&self, name: &str) -> Result<bool, IdentityError> {
        let roles = self.roles().await?;
        let Some(role) = roles.get(name) else { return Ok(false) };
        if role.duty != Duty::Business {
            return Err(RoleError::Fixed.into());
        }
        if !role.builtin {
            let held = self.count(sql::USER, "role", name).await? + self.count("meta_token", "role", name).await?;
            if held > 0 {
                return Err(IdentityError::RoleInUse(name.into(), held));
            }
        }
        Ok(self.write(&sql::delete(sql::ROLE, "name", name)).await? > 0)
    }

    async fn count(&self, table: &str, key: &str, value: &str) -> Result<i64, IdentityError> {
        let rows = self.fetch(&sql::count(table, key, value)).await?;
        Ok(rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0))
    }

    /// Gives `username` a business role (the security administrator's job): the
    /// administrators' roles are given only at the console (`jiuye user create`), so no
    /// administrator can make anyone — themself included — another administrator.
    pub async fn assign_role(&self, username: &str, role: &str, district: Option<&str>, by: &str) -> Result<(), IdentityError> {
        if username == by {
            return Err(IdentityError::NotAllowed("no one changes their own role"));
        }
        let roles = self.roles().await?;
        if roles.get(role).is_some_and(|r| r.duty != Duty::Business) {
            return Err(IdentityError::NotAllowed(
                "administrators' roles are given at the console (`jiuye user create --role …`)",
            ));
        }
        roles.assignable(role, district)?;
        let held = self.user_role(username).await?;
        if roles.get(&held).is_some_and(|r| r.duty != Duty::Business) {
            return Err(IdentityError::NotAllowed("an administrator's role is changed at the console only"));
        }
        self.write(&sql::update(
            sql::USER,
            "username",
            username,
            vec![
                ("role", SqlValue::Text(role.into())),
                ("district", district.map(str::to_string).into()),
            ],
        ))
        .await?;
        Ok(())
    }
}
