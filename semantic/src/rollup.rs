//! DWS rollups as the ETL builds them: table DDL and the statements that rebuild the
//! periods touched by a load. The same measure expressions serve the planner's detail
//! queries, so a rollup and the detail it summarises cannot disagree by construction.

use jiuye_sql_value::{SqlValue, Statement};

use crate::catalog::{Catalog, Rollup};
use crate::planner::{measure_condition, measure_expr, value_type};
use crate::sql::{AggFunc, Dialect, Expr, Join, Select, SqlType, TableRef, WriteStatement, render_write};
use crate::time::Grain;

/// `CREATE TABLE IF NOT EXISTS` and its index. Rows are keyed by the first day of their
/// period (`date_key`), so every grain joins `dim_date` the same way.
pub fn rollup_create_table(rollup: &Rollup, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<String> {
    let mut columns = vec![format!("date_key {} NOT NULL", dialect.type_name(SqlType::BigInt))];
    for d in &rollup.dimensions {
        columns.push(format!("{d} {}", dialect.type_name(SqlType::Text)));
    }
    for m in &rollup.indicators {
        let def = catalog.measure_def(m).expect("validated: rollups list measures");
        columns.push(format!("{m} {}", dialect.type_name(value_type(def))));
    }
    vec![
        format!("CREATE TABLE IF NOT EXISTS {} (\n  {}\n)", rollup.table, columns.join(",\n  ")),
        format!("CREATE INDEX IF NOT EXISTS {0}_date ON {0} (date_key)", rollup.table),
    ]
}

/// Delete and re-insert every period of `rollup` that holds a date listed for `source`
/// in `meta_dirty_date`. Run inside the transaction that clears those dates. For a
/// stock's daily snapshot these are the queries of its changes instead (see `snapshot`),
/// which the ETL adds up and writes.
pub fn rollup_build_statements(rollup: &Rollup, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<Statement> {
    if let Some(period) = rollup.first_in {
        return to_date_build_statements(rollup, period, catalog, dialect);
    }
    // A stock's daily snapshot: the changes per day, which the ETL adds up.
    if catalog.source(&rollup.source).interval.is_some() {
        return crate::snapshot::snapshot_change_statements(rollup, catalog, dialect);
    }
    let source = catalog.source(&rollup.source);
    let start = rollup.grain.start_column();
    let dirty_periods = || dirty_periods(&rollup.source, start);
    let delete = WriteStatement::Delete {
        table: rollup.table.clone(),
        filter: vec![Expr::InSelect {
            expr: Box::new(Expr::col(&rollup.table, "date_key")),
            select: dirty_periods(),
        }],
    };
    let mut select = Select::from(&source.table, "f");
    select.joins.push(Join {
        table: TableRef::new("dim_date", "d"),
        on: Expr::eq(Expr::col("d", "date_key"), Expr::col("f", &source.date_column)),
        left: false,
    });
    let period = Expr::col("d", start);
    select.columns.push((period.clone(), "date_key".into()));
    select.group_by.push(period.clone());
    let mut columns = vec!["date_key".to_string()];
    for d in &rollup.dimensions {
        let col = Expr::col("f", &source.dimensions[d]);
        select.columns.push((col.clone(), d.clone()));
        select.group_by.push(col);
        columns.push(d.clone());
    }
    for m in &rollup.indicators {
        let def = catalog.measure_def(m).expect("validated");
        select.columns.push((measure_expr(def, "f"), m.clone()));
        columns.push(m.clone());
    }
    select.filter.push(Expr::InSelect {
        expr: Box::new(period),
        select: dirty_periods(),
    });
    let insert = WriteStatement::InsertSelect {
        table: rollup.table.clone(),
        columns,
        select,
    };
    vec![render_write(&delete, dialect), render_write(&insert, dialect)]
}

/// The periods (first days, in `column` of `dim_date`) holding a date a load changed for
/// `source`.
fn dirty_periods(source: &str, column: &str) -> Box<Select> {
    let mut s = Select::from("meta_dirty_date", "m");
    s.distinct = true;
    s.joins.push(Join {
        table: TableRef::new("dim_date", "dd"),
        on: Expr::eq(Expr::col("dd", "date_key"), Expr::col("m", "date_key")),
        left: false,
    });
    s.columns.push((Expr::col("dd", column), "period_start".into()));
    s.filter
        .push(Expr::eq(Expr::col("m", "source"), Expr::Param(SqlValue::Text(source.into()))));
    Box::new(s)
}

/// A to-date rollup is rebuilt per `period` (a year, say) holding a changed date: a
/// change anywhere in it can move an identifier's first day. Additive measures are daily
/// values; each distinct count is the number of (identifier, dimension values) whose
/// first row within the period falls on the day, so that a range from the period's first
/// day adds up to the distinct count over it.
fn to_date_build_statements(rollup: &Rollup, period: Grain, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<Statement> {
    let source = catalog.source(&rollup.source);
    let start = period.start_column();
    let mut days = Select::from("dim_date", "dd2");
    days.columns.push((Expr::col("dd2", "date_key"), "date_key".into()));
    days.filter.push(Expr::InSelect {
        expr: Box::new(Expr::col("dd2", start)),
        select: dirty_periods(&rollup.source, start),
    });
    let delete = WriteStatement::Delete {
        table: rollup.table.clone(),
        filter: vec![Expr::InSelect {
            expr: Box::new(Expr::col(&rollup.table, "date_key")),
            select: Box::new(days),
        }],
    };
    let mut out = vec![render_write(&delete, dialect)];
    let def = |m: &String| catalog.measure_def(m).expect("validated: rollups list measures");
    let columns: Vec<String> = std::iter::once("date_key".to_string())
        .chain(rollup.dimensions.iter().cloned())
        .chain(rollup.indicators.iter().cloned())
        .collect();
    // Rows of the source in the dirty periods, dated by their own day.
    let detail = || {
        let mut select = Select::from(&source.table, "f");
        select.joins.push(Join {
            table: TableRef::new("dim_date", "d"),
            on: Expr::eq(Expr::col("d", "date_key"), Expr::col("f", &source.date_column)),
            left: false,
        });
        select.filter.push(Expr::InSelect {
            expr: Box::new(Expr::col("d", start)),
            select: dirty_periods(&rollup.source, start),
        });
        select
    };
    let additive: Vec<&String> = rollup.indicators.iter().filter(|m| def(m).aggregation.is_additive()).collect();
    if !additive.is_empty() {
        let mut select = detail();
        let day = Expr::col("d", "date_key");
        select.columns.push((day.clone(), "date_key".into()));
        select.group_by.push(day);
        for d in &rollup.dimensions {
            let col = Expr::col("f", &source.dimensions[d]);
            select.columns.push((col.clone(), d.clone()));
            select.group_by.push(col);
        }
        for m in &rollup.indicators {
            let value = match additive.contains(&m) {
                true => measure_expr(def(m), "f"),
                false => Expr::Literal(0),
            };
            select.columns.push((value, m.clone()));
        }
        out.push(render_write(
            &WriteStatement::InsertSelect {
                table: rollup.table.clone(),
                columns: columns.clone(),
                select,
            },
            dialect,
        ));
    }
    for m in rollup.indicators.iter().filter(|m| !def(m).aggregation.is_additive()) {
        let measure = def(m);
        let id = Expr::col("f", measure.column.as_deref().expect("validated: a distinct count has a column"));
        // First day of each (period, dimension values, identifier) the measure counts.
        let mut first = detail();
        first.columns.push((
            Expr::aggregate(AggFunc::Min, Some(Expr::col("f", &source.date_column))),
            "first_day".into(),
        ));
        first.group_by.push(Expr::col("d", start));
        for d in &rollup.dimensions {
            let col = Expr::col("f", &source.dimensions[d]);
            first.columns.push((col.clone(), d.clone()));
            first.group_by.push(col);
        }
        first.group_by.push(id.clone());
        first.filter.push(Expr::IsNotNull(Box::new(id)));
        first.filter.extend(measure_condition(measure, "f"));
        let mut select = Select::from("", "x");
        select.from = TableRef::derived(first, "x");
        let day = Expr::col("x", "first_day");
        select.columns.push((day.clone(), "date_key".into()));
        select.group_by.push(day);
        for d in &rollup.dimensions {
            let col = Expr::col("x", d);
            select.columns.push((col.clone(), d.clone()));
            select.group_by.push(col);
        }
        for other in &rollup.indicators {
            let value = match other == m {
                true => Expr::aggregate(AggFunc::Count, None),
                false => Expr::Literal(0),
            };
            select.columns.push((value, other.clone()));
        }
        out.push(render_write(
            &WriteStatement::InsertSelect {
                table: rollup.table.clone(),
                columns: columns.clone(),
                select,
            },
            dialect,
        ));
    }
    out
}
