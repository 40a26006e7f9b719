//! The message tables' columns (declared once) and every statement on them, through
//! the typed query layer with bound values.

use jiuye_semantic::sql::{AggFunc, Expr, Join, Select, TableRef};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

pub(crate) const MESSAGE: &str = "meta_message";
pub(crate) const READ: &str = "meta_message_read";

/// `meta_message` without its generated id.
pub(crate) const MESSAGE_COLUMNS: [(&str, ColumnType); 8] = [
    ("created_at", ColumnType::Text),
    ("kind", ColumnType::Text),
    ("severity", ColumnType::Text),
    ("title", ColumnType::Text),
    ("body", ColumnType::Text),
    ("audience_kind", ColumnType::Text),
    ("audience", ColumnType::Text),
    ("dedup_key", ColumnType::Text),
];

pub(crate) const READ_COLUMNS: [(&str, ColumnType); 3] = [
    ("message_id", ColumnType::Int),
    ("username", ColumnType::Text),
    ("read_at", ColumnType::Text),
];

/// The columns a reader's listing returns, in order (`Message::from_row`).
pub(crate) const LISTED: [&str; 7] = ["message_id", "created_at", "kind", "severity", "title", "body", "audience_kind"];

fn text(v: &str) -> Expr {
    Expr::Param(SqlValue::Text(v.into()))
}

/// Who reads: their own messages and their role's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub username: String,
    /// Empty for a user without a role.
    pub role: String,
}

/// Messages addressed to `reader`, joined to the reader's read marks.
fn addressed(reader: &Reader) -> Select {
    let mut s = Select::from(MESSAGE, "m");
    s.joins.push(Join {
        table: TableRef::new(READ, "r"),
        on: Expr::And(vec![
            Expr::eq(Expr::col("r", "message_id"), Expr::col("m", "message_id")),
            Expr::eq(Expr::col("r", "username"), text(&reader.username)),
        ]),
        left: true,
    });
    let to = |kind: &str, who: &str| {
        Expr::And(vec![
            Expr::eq(Expr::col("m", "audience_kind"), text(kind)),
            Expr::eq(Expr::col("m", "audience"), text(who)),
        ])
    };
    s.filter
        .push(Expr::Or(vec![to("user", &reader.username), to("role", &reader.role)]));
    s
}

/// A page of `reader`'s messages, newest first: only unread ones if asked, only those
/// after `after_id` if given.
pub(crate) fn listing(reader: &Reader, unread_only: bool, after_id: Option<i64>, limit: u64) -> Select {
    let mut s = addressed(reader);
    for c in LISTED {
        s.columns.push((Expr::col("m", c), c.into()));
    }
    s.columns.push((Expr::col("r", "read_at"), "read_at".into()));
    if unread_only {
        s.filter.push(Expr::IsNull(Box::new(Expr::col("r", "read_at"))));
    }
    if let Some(after) = after_id {
        s.filter.push(Expr::AtLeast(
            Box::new(Expr::col("m", "message_id")),
            Box::new(Expr::Param(SqlValue::Int(after.saturating_add(1)))),
        ));
    }
    s.order_by.push(Expr::col("m", "message_id"));
    s.descending = true;
    s.limit = Some(limit);
    s
}

/// How many of `reader`'s messages are unread.
pub(crate) fn unread_count(reader: &Reader) -> Select {
    let mut s = addressed(reader);
    s.columns.push((Expr::aggregate(AggFunc::Count, None), "n".into()));
    s.filter.push(Expr::IsNull(Box::new(Expr::col("r", "read_at"))));
    s
}

/// Whether a message with `key` was posted already.
pub(crate) fn posted(key: &str) -> Select {
    let mut s = Select::from(MESSAGE, "m");
    s.columns.push((Expr::aggregate(AggFunc::Count, None), "n".into()));
    s.filter.push(Expr::eq(Expr::col("m", "dedup_key"), text(key)));
    s
}

/// The newest message id (0 when there is none): where a live listener starts.
pub(crate) fn newest_id() -> Select {
    let mut s = Select::from(MESSAGE, "m");
    s.columns
        .push((Expr::aggregate(AggFunc::Max, Some(Expr::col("m", "message_id"))), "id".into()));
    s
}

#[cfg(test)]
mod tests {
    use jiuye_semantic::sql::{Dialect, PostgresDialect, SqliteDialect, render_select};

    use super::*;

    #[test]
    fn statements_render_for_both_dialects() {
        let reader = Reader {
            username: "li".into(),
            role: "city_analyst".into(),
        };
        let mut out = String::new();
        for (name, dialect) in [("sqlite", &SqliteDialect as &dyn Dialect), ("postgres", &PostgresDialect)] {
            out.push_str(&format!("-- {name}\n"));
            for s in [
                listing(&reader, true, Some(41), 50),
                listing(&reader, false, None, 20),
                unread_count(&reader),
                posted("etl.finished:7"),
                newest_id(),
            ] {
                let st = render_select(&s, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
        }
        insta::assert_snapshot!(out);
    }
}
