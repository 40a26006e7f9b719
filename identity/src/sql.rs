//! The identity tables' columns (declared once) and every statement on them, through
//! the typed query layer with bound values.

use jiuye_semantic::sql::{Expr, Select, WriteStatement};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

pub(crate) const USER: &str = "meta_user";
pub(crate) const HISTORY: &str = "meta_password_history";
pub(crate) const SESSION: &str = "meta_session";
pub(crate) const ROLE: &str = "meta_role";

pub(crate) const USER_COLUMNS: [(&str, ColumnType); 13] = [
    ("username", ColumnType::Text),
    ("display_name", ColumnType::Text),
    ("role", ColumnType::Text),
    ("district", ColumnType::Text),
    ("password_hash", ColumnType::Text),
    ("password_changed_at", ColumnType::Text),
    ("failed_logins", ColumnType::Int),
    ("locked_until", ColumnType::Text),
    ("totp_secret_enc", ColumnType::Text),
    ("totp_last_step", ColumnType::Int),
    ("disabled", ColumnType::Int),
    ("created_at", ColumnType::Text),
    ("totp_pending_enc", ColumnType::Text),
];

pub(crate) const HISTORY_COLUMNS: [(&str, ColumnType); 3] = [
    ("username", ColumnType::Text),
    ("password_hash", ColumnType::Text),
    ("changed_at", ColumnType::Text),
];

pub(crate) const SESSION_COLUMNS: [(&str, ColumnType); 7] = [
    ("session_hash", ColumnType::Text),
    ("username", ColumnType::Text),
    ("created_at", ColumnType::Text),
    ("last_seen_at", ColumnType::Text),
    ("expires_at", ColumnType::Text),
    ("revoked_at", ColumnType::Text),
    ("source", ColumnType::Text),
];

/// Business roles the security administrator saved; lists are space-separated codes,
/// `indicators`/`boards` null for all.
pub(crate) const ROLE_COLUMNS: [(&str, ColumnType); 10] = [
    ("name", ColumnType::Text),
    ("title", ColumnType::Text),
    ("duty", ColumnType::Text),
    ("scope", ColumnType::Text),
    ("detail_view", ColumnType::Text),
    ("permissions", ColumnType::Text),
    ("indicators", ColumnType::Text),
    ("boards", ColumnType::Text),
    ("updated_at", ColumnType::Text),
    ("updated_by", ColumnType::Text),
];

fn text(v: &str) -> Expr {
    Expr::Param(SqlValue::Text(v.into()))
}

fn select_all(table: &str, columns: &[(&str, ColumnType)], key: &str, value: &str) -> Select {
    let mut s = Select::from(table, "t");
    for (c, _) in columns {
        s.columns.push((Expr::col("t", c), (*c).into()));
    }
    s.filter.push(Expr::eq(Expr::col("t", key), text(value)));
    s
}

pub(crate) fn user(username: &str) -> Select {
    select_all(USER, &USER_COLUMNS, "username", username)
}

pub(crate) fn history(username: &str) -> Select {
    let mut s = select_all(HISTORY, &HISTORY_COLUMNS, "username", username);
    s.order_by.push(Expr::col("t", "changed_at"));
    s
}

pub(crate) fn roles() -> Select {
    let mut s = Select::from(ROLE, "t");
    for (c, _) in ROLE_COLUMNS {
        s.columns.push((Expr::col("t", c), c.into()));
    }
    s.order_by.push(Expr::col("t", "name"));
    s
}

/// Revokes every session of `username` that is not revoked yet.
pub(crate) fn end_sessions(username: &str, at: &str) -> WriteStatement {
    WriteStatement::Update {
        table: SESSION.into(),
        set: vec![("revoked_at".into(), text(at))],
        filter: vec![
            Expr::eq(Expr::col(SESSION, "username"), text(username)),
            Expr::IsNull(Box::new(Expr::col(SESSION, "revoked_at"))),
        ],
    }
}

/// `DELETE FROM table WHERE key = value`.
pub(crate) fn delete(table: &str, key: &str, value: &str) -> WriteStatement {
    WriteStatement::Delete {
        table: table.into(),
        filter: vec![Expr::eq(Expr::col(table, key), text(value))],
    }
}

/// How many rows of `table` have `key = value`.
pub(crate) fn count(table: &str, key: &str, value: &str) -> Select {
    let mut s = Select::from(table, "t");
    s.columns
        .push((Expr::aggregate(jiuye_semantic::sql::AggFunc::Count, None), "n".into()));
    s.filter.push(Expr::eq(Expr::col("t", key), text(value)));
    s
}

/// Every user, by name.
pub(crate) fn users() -> Select {
    let mut s = Select::from(USER, "t");
    for (c, _) in USER_COLUMNS {
        s.columns.push((Expr::col("t", c), c.into()));
    }
    s.order_by.push(Expr::col("t", "username"));
    s
}

/// A user's sessions, newest first.
pub(crate) fn sessions_of(username: &str) -> Select {
    let mut s = select_all(SESSION, &SESSION_COLUMNS, "username", username);
    s.order_by.push(Expr::col("t", "created_at"));
    s
}

pub(crate) fn session(hash: &str) -> Select {
    select_all(SESSION, &SESSION_COLUMNS, "session_hash", hash)
}

/// `UPDATE table SET … WHERE key = value`, every value bound.
pub(crate) fn update(table: &str, key: &str, value: &str, set: Vec<(&str, SqlValue)>) -> WriteStatement {
    WriteStatement::Update {
        table: table.into(),
        set: set.into_iter().map(|(c, v)| (c.to_string(), Expr::Param(v))).collect(),
        filter: vec![Expr::eq(Expr::col(table, key), text(value))],
    }
}

#[cfg(test)]
mod tests {
    use jiuye_semantic::sql::{PostgresDialect, SqliteDialect, render_select, render_write};

    use super::*;

    #[test]
    fn statements_render_for_both_dialects() {
        let mut out = String::new();
        for (name, dialect) in [
            ("sqlite", &SqliteDialect as &dyn jiuye_semantic::sql::Dialect),
            ("postgres", &PostgresDialect),
        ] {
            out.push_str(&format!("-- {name}\n"));
            for s in [
                user("wang"),
                history("wang"),
                session("ab12"),
                roles(),
                count(USER, "role", "viewer"),
                users(),
                sessions_of("wang"),
            ] {
                let st = render_select(&s, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
            let w = update(
                USER,
                "username",
                "wang",
                vec![("failed_logins", SqlValue::Int(0)), ("locked_until", SqlValue::Null)],
            );
            for w in [
                w,
                delete(ROLE, "name", "viewer"),
                end_sessions("wang", "2026-12-03T00:00:00.000000Z"),
            ] {
                let st = render_write(&w, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
        }
        insta::assert_snapshot!(out);
    }
}
