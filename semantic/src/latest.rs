//! The warehouse's latest data day: the newest date any event source holds, no later
//! than today. Screens date "today", "this month" and "this year" by it by default, so a
//! warehouse whose exports end in the past (the demo's end in 2025) opens on its last
//! day of data, not on empty panels.

use chrono::NaiveDate;
use jiuye_sql_value::Statement;

use crate::catalog::Catalog;
use crate::sql::{AggFunc, Dialect, Expr, Select, render_select};
use crate::time::date_key;

/// One statement per event table (stocks excluded: their rows hold states, not events),
/// on the date a row happened (`date_key`; a source dated by a planned end such as an
/// internship's is left out, as its dates run ahead of the data): `SELECT MAX(date_key)
/// … WHERE date_key <= today`. The newest of their answers is the latest data day.
pub fn latest_day_statements(catalog: &Catalog, today: NaiveDate, dialect: &dyn Dialect) -> Vec<Statement> {
    let mut seen = std::collections::BTreeSet::new();
    catalog
        .sources
        .values()
        .filter(|s| s.interval.is_none() && s.date_column == crate::model::DEFAULT_DATE_COLUMN)
        .filter(|s| seen.insert(s.table.clone()))
        .map(|s| {
            let mut select = Select::from(&s.table, "t");
            let date = Expr::col("t", &s.date_column);
            select
                .columns
                .push((Expr::aggregate(AggFunc::Max, Some(date.clone())), "latest".into()));
            select
                .filter
                .push(Expr::Below(Box::new(date), Box::new(Expr::Param((date_key(today) + 1).into()))));
            render_select(&select, dialect)
        })
        .collect()
}

/// The warehouse's data version: the newest finished ETL run (`meta_etl_run`). It changes
/// whenever a run has loaded and rebuilt what it touched, so a screen that watches it
/// redraws on new data without waiting for its timer.
pub fn data_version_statement(dialect: &dyn Dialect) -> Statement {
    let mut select = Select::from("meta_etl_run", "r");
    select
        .columns
        .push((Expr::aggregate(AggFunc::Max, Some(Expr::col("r", "run_id"))), "version".into()));
    select.filter.push(Expr::IsNotNull(Box::new(Expr::col("r", "finished_at"))));
    render_select(&select, dialect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{PostgresDialect, SqliteDialect};

    #[test]
    fn one_bounded_maximum_per_event_table() {
        let catalog = Catalog::builtin().unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let mut out = String::new();
        for dialect in [&SqliteDialect as &dyn Dialect, &PostgresDialect] {
            for st in latest_day_statements(&catalog, today, dialect) {
                out.push_str(&format!("{};  {:?}\n", st.sql.replace('\n', " "), st.params));
            }
        }
        assert!(!out.contains("valid_from"), "no stock table: {out}");
        assert!(!out.contains("end_date_key"), "no planned dates: {out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn the_data_version_is_the_newest_finished_run() {
        let sql = data_version_statement(&SqliteDialect).sql.replace('\n', " ");
        insta::assert_snapshot!(sql);
    }
}
