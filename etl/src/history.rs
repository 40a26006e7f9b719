//! Registry history (SCD2): every version of a registry row as received, in
//! `<dwd_table>_history`, valid from the day of its 更新时间 until the next version's (the
//! oldest version from the beginning), so a figure can take an employer's attributes as
//! they were on the event date. An equal 更新时间 for a key already kept changes nothing,
//! as in DWD.

use std::collections::BTreeSet;

use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction};

use crate::EtlError;
use crate::feeds::{DwdRow, Feed};
use crate::load::placeholders;
use crate::status::OPEN;

/// Adds the versions of `rows` to the feed's history and recomputes the validity of
/// every version of the keys they touch.
pub(crate) async fn record(tx: &mut Transaction, feed: &dyn Feed, rows: &[DwdRow], stamp: &str) -> Result<(), EtlError> {
    let table = format!("{}_history", feed.dwd_table());
    let columns = feed.dwd_columns();
    let key_column = columns[0].0;
    // History columns: key, updated_at, valid_from, valid_to, then the DWD columns
    // except key and updated_at.
    let mut history_columns: Vec<(&str, ColumnType)> = vec![
        (key_column, ColumnType::Text),
        ("updated_at", ColumnType::Text),
        ("valid_from", ColumnType::Int),
        ("valid_to", ColumnType::Int),
    ];
    let kept: Vec<usize> = (1..columns.len()).filter(|i| columns[*i].0 != "updated_at").collect();
    history_columns.extend(kept.iter().map(|i| columns[*i]));
    let mut keys = BTreeSet::new();
    let mut values: Vec<Vec<SqlValue>> = rows
        .iter()
        .map(|r| {
            keys.insert(r.business_key.clone());
            let mut v = vec![
                r.values[0].clone(),
                r.updated_at.clone().into(),
                SqlValue::Int(0),
                SqlValue::Int(OPEN),
            ];
            v.extend(kept.iter().map(|i| r.values[*i].clone()));
            v
        })
        .collect();
    let names: Vec<&str> = history_columns.iter().map(|(c, _)| *c).collect();
    crate::known::stamp_rows(&mut values, stamp);
    tx.insert_rows_with(
        &table,
        &crate::known::with_known_at(&history_columns),
        &values,
        &format!("ON CONFLICT ({key_column}, updated_at) DO NOTHING"),
    )
    .await?;
    let keys: Vec<String> = keys.into_iter().collect();
    for chunk in keys.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let versions = tx
            .fetch(&Statement {
                sql: placeholders(
                    tx,
                    &format!(
                        "SELECT {key_column}, updated_at, valid_from, valid_to FROM {table} WHERE {key_column} IN ({marks}) \
                         ORDER BY {key_column}, updated_at"
                    ),
                ),
                params: chunk.iter().map(|k| SqlValue::Text(k.clone())).collect(),
            })
            .await?;
        let list: Vec<(String, String)> = versions.rows.iter().map(|r| (r[0].to_key(), r[1].to_key())).collect();
        let stored: Vec<(Option<i64>, Option<i64>)> = versions.rows.iter().map(|r| (r[2].as_i64(), r[3].as_i64())).collect();
        for (i, (key, updated_at)) in list.iter().enumerate() {
            let first = i == 0 || list[i - 1].0 != *key;
            let valid_from = if first { 0 } else { day_of(updated_at)? };
            let valid_to = match list.get(i + 1) {
                Some((next_key, next_updated)) if next_key == key => day_of(next_updated)?,
                _ => OPEN,
            };
            // Only a changed validity makes a new version of the history row, so an
            // answer as known earlier still finds the old one.
            if stored[i] == (Some(valid_from), Some(valid_to)) {
                continue;
            }
            let condition = format!("{key_column} = ? AND updated_at = ?");
            let which: Vec<SqlValue> = vec![key.clone().into(), updated_at.clone().into()];
            crate::known::supersede(tx, &table, &names, &condition, which.clone(), stamp).await?;
            let mut params = vec![valid_from.into(), valid_to.into(), stamp.into()];
            params.extend(which);
            tx.execute(&Statement {
                sql: placeholders(
                    tx,
                    &format!("UPDATE {table} SET valid_from = ?, valid_to = ?, known_at = ? WHERE {condition}"),
                ),
                params,
            })
            .await?;
        }
    }
    Ok(())
}

/// `YYYY-MM-DD HH:MM:SS` → the date key of its day. Versions carry normalised 更新时间,
/// so anything else is a bug to stop at, not an interval from 0 that would overlap.
fn day_of(timestamp: &str) -> Result<i64, EtlError> {
    timestamp
        .get(..10)
        .map(|d| d.replace('-', ""))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| EtlError::Internal(format!("registry version with 更新时间 `{timestamp}` is not normalised")))
}
