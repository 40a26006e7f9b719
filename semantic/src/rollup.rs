//! DWS rollups as the ETL builds them: table DDL and the statements that rebuild the
//! periods touched by a load. The same measure expressions serve the planner's detail
//! queries, so a rollup and the detail it summarises cannot disagree by construction.

use jiuye_sql_value::{SqlValue, Statement};

use crate::catalog::{Catalog, Rollup};
use crate::planner::{measure_expr, value_type};
use crate::sql::{Dialect, Expr, Join, Select, SqlType, TableRef, WriteStatement, render_write};

/// `CREATE TABLE IF NOT EXISTS` and its index. Rows are keyed by the first day of their
/// period (`date_key`), so every grain joins `dim_date` the same way.
pub fn rollup_create_table(rollup: &Rollup, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<String> {
    let mut columns = vec![format!("date_key {} NOT NULL", dialect.type_name(SqlType::BigInt))];
    for d in &rollup.dimensions {
        columns.push(format!("{d} {}", dialect.type_name(SqlType::Text)));
    }
    for m in &rollup.indicators {
        let def = catalog
            .indicator(m)
            .ok()
            .and_then(|i| i.measure())
            .expect("validated: rollups list measures");
        columns.push(format!("{m} {}", dialect.type_name(value_type(def))));
    }
    vec![
        format!("CREATE TABLE IF NOT EXISTS {} (\n  {}\n)", rollup.table, columns.join(",\n  ")),
        format!("CREATE INDEX IF NOT EXISTS {0}_date ON {0} (date_key)", rollup.table),
    ]
}

/// Delete and re-insert every period of `rollup` that holds a date listed for `source`
/// in `meta_dirty_date`. Run inside the transaction that clears those dates.
pub fn rollup_build_statements(rollup: &Rollup, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<Statement> {
    let source = catalog.source(&rollup.source);
    let start = rollup.grain.start_column();
    let dirty_periods = || {
        let mut s = Select::from("meta_dirty_date", "m");
        s.distinct = true;
        s.joins.push(Join {
            table: TableRef::new("dim_date", "dd"),
            on: Expr::eq(Expr::col("dd", "date_key"), Expr::col("m", "date_key")),
            left: false,
        });
        s.columns.push((Expr::col("dd", start), "period_start".into()));
        s.filter.push(Expr::eq(
            Expr::col("m", "source"),
            Expr::Param(SqlValue::Text(rollup.source.clone())),
        ));
        Box::new(s)
    };
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
        let def = catalog.indicator(m).ok().and_then(|i| i.measure()).expect("validated");
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
