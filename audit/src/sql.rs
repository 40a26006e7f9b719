//! Every statement the audit log runs, through the typed query layer (values bound).

use jiuye_semantic::sql::{AggFunc, Expr, Select, WriteStatement};
use jiuye_sql_value::SqlValue;

use crate::event::COLUMNS;
use crate::store::AuditFilter;

pub(crate) const AUDIT: &str = "meta_audit";
pub(crate) const HEAD: &str = "meta_audit_head";

fn head_row() -> Expr {
    Expr::eq(Expr::col(HEAD, "id"), Expr::Param(SqlValue::Int(1)))
}

/// A write that changes nothing, taken first so that appenders queue on the head row
/// (a row lock on PostgreSQL, the write lock on SQLite) before reading it.
pub(crate) fn lock_head() -> WriteStatement {
    WriteStatement::Update {
        table: HEAD.into(),
        set: vec![("seq".into(), Expr::col(HEAD, "seq"))],
        filter: vec![head_row()],
    }
}

pub(crate) fn read_head() -> Select {
    let mut s = Select::from(HEAD, HEAD);
    for c in ["seq", "mac", "head_mac"] {
        s.columns.push((Expr::col(HEAD, c), c.into()));
    }
    s.filter.push(head_row());
    s
}

pub(crate) fn move_head(seq: i64, mac: &str, head_mac: &str) -> WriteStatement {
    WriteStatement::Update {
        table: HEAD.into(),
        set: vec![
            ("seq".into(), Expr::Param(SqlValue::Int(seq))),
            ("mac".into(), Expr::Param(SqlValue::Text(mac.into()))),
            ("head_mac".into(), Expr::Param(SqlValue::Text(head_mac.into()))),
        ],
        filter: vec![head_row()],
    }
}

/// Records matching `filter`, oldest first, at most `limit`.
pub(crate) fn list(filter: &AuditFilter, limit: u64) -> Select {
    let mut s = Select::from(AUDIT, "a");
    for (c, _) in COLUMNS {
        s.columns.push((Expr::col("a", c), c.into()));
    }
    let text = |v: &str| Expr::Param(SqlValue::Text(v.into()));
    if let Some(after) = filter.after_seq {
        s.filter.push(Expr::AtLeast(
            Box::new(Expr::col("a", "seq")),
            Box::new(Expr::Param(SqlValue::Int(after.saturating_add(1)))),
        ));
    }
    if let Some(from) = &filter.from {
        s.filter.push(Expr::AtLeast(Box::new(Expr::col("a", "at")), Box::new(text(from))));
    }
    if let Some(to) = &filter.to {
        s.filter.push(Expr::Below(Box::new(Expr::col("a", "at")), Box::new(text(to))));
    }
    if let Some(actor) = &filter.actor {
        s.filter.push(Expr::eq(Expr::col("a", "actor"), text(actor)));
    }
    if let Some(action) = &filter.action {
        s.filter.push(Expr::eq(Expr::col("a", "action"), text(action)));
    }
    s.order_by.push(Expr::col("a", "seq"));
    s.limit = Some(limit);
    s
}

/// The newest `limit` records matching `filter`, newest first.
pub(crate) fn latest(filter: &AuditFilter, limit: u64) -> Select {
    let mut s = list(filter, limit);
    s.descending = true;
    s
}

/// The newest record older than `cutoff` (UTC text).
pub(crate) fn last_before(cutoff: &str) -> Select {
    let mut s = Select::from(AUDIT, "a");
    s.columns
        .push((Expr::aggregate(AggFunc::Max, Some(Expr::col("a", "seq"))), "seq".into()));
    s.filter.push(Expr::Below(
        Box::new(Expr::col("a", "at")),
        Box::new(Expr::Param(SqlValue::Text(cutoff.into()))),
    ));
    s
}

/// Removes records 1..=`seq`.
pub(crate) fn delete_through(seq: i64) -> WriteStatement {
    WriteStatement::Delete {
        table: AUDIT.into(),
        filter: vec![Expr::Below(
            Box::new(Expr::col(AUDIT, "seq")),
            Box::new(Expr::Param(SqlValue::Int(seq.saturating_add(1)))),
        )],
    }
}

#[cfg(test)]
mod tests {
    use jiuye_semantic::sql::{PostgresDialect, SqliteDialect, render_select, render_write};

    use super::*;

    #[test]
    fn statements_render_for_both_dialects() {
        let filter = AuditFilter {
            after_seq: Some(10),
            from: Some("2026-01-01T00:00:00Z".into()),
            to: None,
            actor: Some("王科长".into()),
            action: None,
        };
        let mut out = String::new();
        for (name, dialect) in [
            ("sqlite", &SqliteDialect as &dyn jiuye_semantic::sql::Dialect),
            ("postgres", &PostgresDialect),
        ] {
            out.push_str(&format!("-- {name}\n"));
            for w in [lock_head(), move_head(3, "ab", "cd"), delete_through(9)] {
                let st = render_write(&w, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
            for s in [
                read_head(),
                list(&filter, 100),
                latest(&filter, 20),
                last_before("2026-06-01T00:00:00Z"),
            ] {
                let st = render_select(&s, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
        }
        insta::assert_snapshot!(out);
    }
}
