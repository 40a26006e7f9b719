//! Writing a stock's daily snapshot (`jiuye_semantic::snapshot_change_statements`): the
//! openings and closings of intervals per day and dimension values, added up day by day
//! over the calendar, one row per day on which a value is not zero. Rebuilt whole when the
//! stock changed: a change on one day moves every later day.

use std::collections::BTreeMap;

use jiuye_semantic::sql::dialect_for;
use jiuye_semantic::{Aggregation, Catalog, Rollup, snapshot_change_statements};
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction};

use crate::EtlError;
use crate::load::placeholders;

type Changes = BTreeMap<Vec<Option<String>>, BTreeMap<i64, Vec<f64>>>;

pub(crate) async fn rebuild(tx: &mut Transaction, catalog: &Catalog, rollup: &Rollup) -> Result<(), EtlError> {
    let dims = rollup.dimensions.len();
    let measures = rollup.indicators.len();
    let mut changes: Changes = BTreeMap::new();
    let statements = snapshot_change_statements(rollup, catalog, dialect_for(tx.backend()));
    for (sign, statement) in [1.0, -1.0].into_iter().zip(&statements) {
        for row in tx.fetch(statement).await?.rows {
            let Some(day) = row[0].as_i64() else { continue };
            let key = row[1..=dims]
                .iter()
                .map(|v| match v {
                    SqlValue::Null => None,
                    other => Some(other.to_key()),
                })
                .collect();
            let values = changes.entry(key).or_default().entry(day).or_insert_with(|| vec![0.0; measures]);
            for (i, value) in values.iter_mut().enumerate() {
                *value += sign * row[1 + dims + i].as_f64().unwrap_or(0.0);
            }
        }
    }
    tx.execute(&Statement {
        sql: format!("DELETE FROM {}", rollup.table),
        params: vec![],
    })
    .await?;
    let Some(first) = changes.values().filter_map(|days| days.keys().next()).min().copied() else {
        return Ok(());
    };
    let days: Vec<i64> = tx
        .fetch(&Statement {
            sql: placeholders(tx, "SELECT date_key FROM dim_date WHERE date_key >= ? ORDER BY date_key"),
            params: vec![first.into()],
        })
        .await?
        .rows
        .iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    let integer: Vec<bool> = rollup
        .indicators
        .iter()
        .map(|m| {
            catalog
                .measure_def(m)
                .is_none_or(|d| d.aggregation != Aggregation::Sum || d.integer)
        })
        .collect();
    let columns: Vec<(&str, ColumnType)> = std::iter::once(("date_key", ColumnType::Int))
        .chain(rollup.dimensions.iter().map(|d| (d.as_str(), ColumnType::Text)))
        .chain(
            rollup
                .indicators
                .iter()
                .zip(&integer)
                .map(|(m, int)| (m.as_str(), if *int { ColumnType::Int } else { ColumnType::Float })),
        )
        .collect();
    let mut rows = Vec::new();
    for (key, per_day) in &changes {
        let mut running = vec![0.0; measures];
        let mut pending = per_day.iter().peekable();
        for day in &days {
            while let Some((_, delta)) = pending.next_if(|(d, _)| **d <= *day) {
                running.iter_mut().zip(delta).for_each(|(r, d)| *r += d);
            }
            if running.iter().all(|v| v.abs() < 0.005) {
                continue;
            }
            let mut row = vec![SqlValue::Int(*day)];
            row.extend(key.iter().map(|v| v.clone().map(SqlValue::Text).unwrap_or(SqlValue::Null)));
            // Amounts are exact to the 分; what a running float sum leaves beyond is noise.
            row.extend(running.iter().zip(&integer).map(|(v, int)| match int {
                true => SqlValue::Int(v.round() as i64),
                false => SqlValue::Float((v * 100.0).round() / 100.0),
            }));
            rows.push(row);
            if rows.len() >= 20_000 {
                tx.insert_rows(&rollup.table, &columns, &rows).await?;
                rows.clear();
            }
        }
    }
    tx.insert_rows(&rollup.table, &columns, &rows).await?;
    Ok(())
}
