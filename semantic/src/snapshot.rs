//! Daily snapshots of stocks: a rollup of an interval source (`dws_status_employed` …)
//! holds, for every day, the value of each stock measure by its dimensions, so a stock on
//! the last day of each period is a read of a few rows instead of a scan of every
//! interval reaching that day.
//!
//! Each identifier (a person, a fund month) has at most one interval holding on a day —
//! the ETL builds them that way — so a distinct count on a day equals the number of
//! intervals holding then, and a stock changes only where intervals open or close. The
//! statements here give those changes per day and dimension values: the openings (`+`)
//! and closings (`−`); the ETL adds them up day by day (a running sum no dialect
//! needs to compute) and writes the days.

use jiuye_sql_value::Statement;

use crate::catalog::{Catalog, Rollup};
use crate::model::Aggregation;
use crate::planner::measure_condition;
use crate::sql::{AggFunc, Dialect, Expr, Select, render_select};

/// Two statements, openings then closings, each with columns `day`, the rollup's
/// dimensions, then one value per measure: intervals (a distinct count) or the summed
/// column (a sum) starting, respectively ending, on `day`.
pub fn snapshot_change_statements(rollup: &Rollup, catalog: &Catalog, dialect: &dyn Dialect) -> Vec<Statement> {
    let source = catalog.source(&rollup.source);
    let interval = source.interval.as_ref().expect("a snapshot rolls up an interval source");
    [&interval.valid_from, &interval.valid_to]
        .into_iter()
        .map(|day_column| {
            let mut select = Select::from(&source.table, "f");
            let day = Expr::col("f", day_column);
            select.columns.push((day.clone(), "day".into()));
            select.group_by.push(day.clone());
            for d in &rollup.dimensions {
                let col = Expr::col("f", &source.dimensions[d]);
                select.columns.push((col.clone(), d.clone()));
                select.group_by.push(col);
            }
            for m in &rollup.indicators {
                let def = catalog.measure_def(m).expect("validated: rollups list measures");
                let mut column = Expr::col("f", def.column.as_deref().unwrap_or("valid_from"));
                if def.aggregation == Aggregation::KeySum {
                    column = Expr::RecordKey(Box::new(column));
                }
                let value = match measure_condition(def, "f") {
                    Some(c) => Expr::CaseWhen {
                        condition: Box::new(c),
                        then: Box::new(column),
                    },
                    None => column,
                };
                let func = match def.aggregation {
                    Aggregation::Sum | Aggregation::KeySum => AggFunc::Sum,
                    Aggregation::Count | Aggregation::CountDistinct => AggFunc::Count,
                };
                select.columns.push((Expr::aggregate(func, Some(value)), m.clone()));
            }
            // An empty interval holds on no day.
            select.filter.push(Expr::Below(
                Box::new(Expr::col("f", &interval.valid_from)),
                Box::new(Expr::col("f", &interval.valid_to)),
            ));
            select.order_by.push(day);
            render_select(&select, dialect)
        })
        .collect()
}
