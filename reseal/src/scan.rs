//! The keyset scan of one sealed table: a page of rows in key order, each sealed value
//! counted by version and, when re-sealing, opened and sealed again in its place.

use jiuye_privacy::{Keys, Place, Sealing};
use jiuye_semantic::sql::{Expr, Select, WriteStatement, dialect_for, render_select, render_write};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::Warehouse;

use crate::{MAX_BATCH, Progress, ResealError, RowKey, SealedTable, TableReport};

/// Counts the sealed values of each table per key version; writes nothing.
pub async fn survey(
    warehouse: &Warehouse,
    tables: &[SealedTable],
    batch: u64,
    progress: &dyn Progress,
) -> Result<Vec<TableReport>, ResealError> {
    scan_all(warehouse, None, tables, batch, progress).await
}

/// Re-seals every value not under the newest data key (or not bound to its place), one
/// transaction per batch; a row changed since it was read is left alone (the update
/// names the old values). Safe to run again, and beside the service and the ETL.
pub async fn reseal(
    warehouse: &Warehouse,
    keys: &Keys,
    tables: &[SealedTable],
    batch: u64,
    progress: &dyn Progress,
) -> Result<Vec<TableReport>, ResealError> {
    keys.refresh()?;
    scan_all(warehouse, Some(keys), tables, batch, progress).await
}

async fn scan_all(
    warehouse: &Warehouse,
    keys: Option<&Keys>,
    tables: &[SealedTable],
    batch: u64,
    progress: &dyn Progress,
) -> Result<Vec<TableReport>, ResealError> {
    if !(1..=MAX_BATCH).contains(&batch) {
        return Err(ResealError::Batch(batch));
    }
    let mut reports = Vec::with_capacity(tables.len());
    for table in tables {
        progress.table_started(&table.table);
        reports.push(scan_table(warehouse, keys, table, batch, progress).await?);
    }
    Ok(reports)
}

async fn scan_table(
    warehouse: &Warehouse,
    keys: Option<&Keys>,
    table: &SealedTable,
    batch: u64,
    progress: &dyn Progress,
) -> Result<TableReport, ResealError> {
    let dialect = dialect_for(warehouse.backend());
    let key_len = table.row.columns().len();
    let mut report = TableReport {
        table: table.table.clone(),
        ..TableReport::default()
    };
    let mut after: Option<Vec<SqlValue>> = None;
    loop {
        let fetch = |from: After<'_>| {
            let statement = render_select(&page(table, from, batch), dialect);
            async move { warehouse.fetch(&statement).await }
        };
        let mut rows = match &after {
            None => fetch(After::Start).await?.rows,
            Some(key) => fetch(After::Within(key)).await?.rows,
        };
        // ODS pages through one file at a time (each query an index range); at a
        // file's end, on to the next file.
        if rows.is_empty()
            && let (Some(key), RowKey::FileLine) = (&after, &table.row)
        {
            rows = fetch(After::Beyond(key)).await?.rows;
        }
        let Some(last) = rows.last() else { break };
        after = Some(last[..key_len].to_vec());
        let mut updates = Vec::new();
        for row in &rows {
            let (key, sealed) = row.split_at(key_len);
            if let Some(update) = examine(table, keys, key, sealed, &mut report) {
                updates.push(update);
            }
        }
        if !updates.is_empty() {
            let mut tx = warehouse.begin().await?;
            for (update, values) in updates {
                match tx.execute(&render_write(&update, dialect)).await? {
                    1 => report.resealed += values,
                    _ => report.changed_meanwhile += 1,
                }
            }
            tx.commit().await?;
        }
        report.rows += rows.len() as u64;
        progress.rows_done(rows.len() as u64);
    }
    Ok(report)
}

/// Counts one row's sealed values and, when re-sealing, returns the update that seals
/// those behind under the newest key, with how many values it carries.
fn examine(
    table: &SealedTable,
    keys: Option<&Keys>,
    key: &[SqlValue],
    sealed: &[SqlValue],
    report: &mut TableReport,
) -> Option<(WriteStatement, u64)> {
    let row_id = match &table.row {
        RowKey::FileLine => format!("{}:{}", key[0].to_key(), key[1].to_key()),
        RowKey::Text(_) => key[0].to_key(),
    };
    let mut set = Vec::new();
    let mut unchanged = Vec::new();
    for (column, value) in table.columns.iter().zip(sealed) {
        let SqlValue::Text(text) = value else { continue };
        let sealing = Sealing::of(text).0;
        *report.found.entry(sealing).or_default() += 1;
        let Some(keys) = keys else { continue };
        if sealing
            == (Sealing {
                version: keys.sealing_version(),
                bound: true,
            })
        {
            continue;
        }
        let place = Place {
            table: &table.table,
            column,
            row: &row_id,
        };
        match keys.open(text, &place) {
            Ok(plain) => {
                set.push((column.clone(), Expr::Param(SqlValue::Text(keys.seal(&plain, &place)))));
                unchanged.push(Expr::eq(Expr::col(&table.table, column), Expr::Param(value.clone())));
            }
            Err(_) => report.unreadable += 1,
        }
    }
    if set.is_empty() {
        return None;
    }
    let values = set.len() as u64;
    let mut filter: Vec<Expr> = table
        .row
        .columns()
        .iter()
        .zip(key)
        .map(|(c, v)| Expr::eq(Expr::col(&table.table, c), Expr::Param(v.clone())))
        .collect();
    filter.extend(unchanged);
    Some((
        WriteStatement::Update {
            table: table.table.clone(),
            set,
            filter,
        },
        values,
    ))
}

/// Where a page starts.
#[derive(Clone, Copy)]
enum After<'a> {
    Start,
    /// After this key; for ODS, within the same file.
    Within(&'a [SqlValue]),
    /// ODS: the first rows of the files after this key's.
    Beyond(&'a [SqlValue]),
}

/// The next `batch` rows from `from` in key order: key columns, then sealed columns.
fn page(table: &SealedTable, from: After<'_>, batch: u64) -> Select {
    let key = table.row.columns();
    let mut s = Select::from(&table.table, "t");
    for c in key.iter().copied().chain(table.columns.iter().map(String::as_str)) {
        s.columns.push((Expr::col("t", c), c.into()));
    }
    let param = |v: &SqlValue| Box::new(Expr::Param(v.clone()));
    let above = |c: &str, v: &SqlValue| Expr::Above(Box::new(Expr::col("t", c)), param(v));
    match (from, key.as_slice()) {
        (After::Start, _) => {}
        (After::Within(after), [file, line]) => {
            s.filter.push(Expr::eq(Expr::col("t", file), Expr::Param(after[0].clone())));
            s.filter.push(above(line, &after[1]));
        }
        (After::Within(after) | After::Beyond(after), _) => s.filter.push(above(key[0], &after[0])),
    }
    s.order_by = key.iter().map(|c| Expr::col("t", c)).collect();
    s.limit = Some(batch);
    s
}

#[cfg(test)]
mod tests {
    use jiuye_privacy::{KeyFile, KeySource};
    use jiuye_semantic::sql::{Dialect, PostgresDialect, SqliteDialect};

    use super::*;

    #[test]
    fn pages_and_updates_render_for_both_dialects() {
        let ods = SealedTable {
            table: "ods_job_seeker".into(),
            row: RowKey::FileLine,
            columns: vec!["id_number_enc".into(), "raw_line_enc".into()],
        };
        let users = SealedTable {
            table: "meta_user".into(),
            row: RowKey::Text("username".into()),
            columns: vec!["totp_secret_enc".into()],
        };
        let mut file = KeyFile::generate();
        let before = Keys::load(&KeySource::Hex(file.render())).unwrap();
        file.rotate();
        let keys = Keys::load(&KeySource::Hex(file.render())).unwrap();
        let place = Place {
            table: "ods_job_seeker",
            column: "id_number_enc",
            row: "3:17",
        };
        let old = SqlValue::Text(before.seal("310101199001011234", &place));
        let key = [SqlValue::Int(3), SqlValue::Int(17)];
        let mut report = TableReport::default();
        let garbage = SqlValue::Text("v1.AAAA".into());
        assert!(examine(&ods, Some(&keys), &key, &[garbage, SqlValue::Null], &mut report).is_none());
        assert_eq!(report.unreadable, 1, "a value that does not open is counted, not written");
        let (update, values) = examine(&ods, Some(&keys), &key, &[old.clone(), SqlValue::Null], &mut report).unwrap();
        assert_eq!(values, 1);
        let WriteStatement::Update { set, .. } = &update else { panic!() };
        let Expr::Param(SqlValue::Text(new)) = &set[0].1 else { panic!() };
        assert!(new.starts_with("v2."));
        assert_eq!(keys.open(new, &place).unwrap(), "310101199001011234");
        let current = SqlValue::Text(new.clone());
        assert!(examine(&ods, Some(&keys), &key, &[current, SqlValue::Null], &mut report).is_none());
        assert!(
            examine(&ods, None, &key, &[old, SqlValue::Null], &mut report).is_none(),
            "a survey writes nothing"
        );
        let v = |version, bound| Sealing { version, bound };
        assert_eq!(report.found.into_iter().collect::<Vec<_>>(), vec![(v(1, true), 3), (v(2, true), 1)]);

        let mut out = String::new();
        for (name, dialect) in [("sqlite", &SqliteDialect as &dyn Dialect), ("postgres", &PostgresDialect)] {
            out.push_str(&format!("-- {name}\n"));
            for s in [
                page(&ods, After::Start, 500),
                page(&ods, After::Within(&key), 500),
                page(&ods, After::Beyond(&key), 500),
                page(&users, After::Within(&[SqlValue::Text("wang".into())]), 500),
            ] {
                let st = render_select(&s, dialect);
                out.push_str(&format!("{};  {:?}\n", st.sql, st.params));
            }
            let st = render_write(&update, dialect);
            out.push_str(&format!("{};  {} values\n", st.sql, st.params.len()));
        }
        insta::assert_snapshot!(out);
    }
}
