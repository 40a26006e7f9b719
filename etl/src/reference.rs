//! Reference data every warehouse needs before a load: `dim_date` and the code tables of
//! `seeds/` in `dim_code`, plus the DWS tables the semantic model declares.

use chrono::{Datelike, NaiveDate};
use jiuye_semantic::{Catalog, Grain, rollup_build_statements, rollup_create_table, sql::dialect_for};
use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction, Warehouse};

use crate::EtlError;
use crate::conform::CodeTables;
use crate::load::placeholders;

/// `dim_date` covers these years; wide enough for ten years of history and forecasts.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2040;

const DATE_COLUMNS: &[(&str, ColumnType)] = &[
    ("date_key", ColumnType::Int),
    ("full_date", ColumnType::Text),
    ("year_key", ColumnType::Int),
    ("quarter_key", ColumnType::Int),
    ("month_key", ColumnType::Int),
    ("week_key", ColumnType::Int),
    ("week_start_key", ColumnType::Int),
    ("month_start_key", ColumnType::Int),
    ("quarter_start_key", ColumnType::Int),
    ("year_start_key", ColumnType::Int),
    ("day_of_week", ColumnType::Int),
    ("is_weekend", ColumnType::Int),
];

fn date_row(d: NaiveDate) -> Vec<SqlValue> {
    let key = |g: Grain| SqlValue::Int(g.period_key(d));
    let start = |g: Grain| SqlValue::Int(Grain::Day.period_key(g.period_start(d)));
    let dow = d.weekday().number_from_monday() as i64;
    vec![
        key(Grain::Day),
        d.format("%Y-%m-%d").to_string().into(),
        key(Grain::Year),
        key(Grain::Quarter),
        key(Grain::Month),
        key(Grain::Week),
        start(Grain::Week),
        start(Grain::Month),
        start(Grain::Quarter),
        start(Grain::Year),
        dow.into(),
        SqlValue::Int((dow >= 6) as i64),
    ]
}

/// Migrate, then fill reference tables and create DWS tables. Safe to call every start.
pub async fn prepare_warehouse(warehouse: &Warehouse, catalog: &Catalog, codes: &CodeTables) -> Result<(), EtlError> {
    warehouse.migrate().await?;
    let count = warehouse
        .fetch(&Statement {
            sql: "SELECT COUNT(*) FROM dim_date".into(),
            params: vec![],
        })
        .await?;
    let mut tx = warehouse.begin().await?;
    if count.rows.first().and_then(|r| r.first()).and_then(SqlValue::as_i64) == Some(0) {
        let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).expect("valid");
        let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).expect("valid");
        let rows: Vec<Vec<SqlValue>> = first.iter_days().take_while(|d| *d <= last).map(date_row).collect();
        tx.insert_rows("dim_date", DATE_COLUMNS, &rows).await?;
    }
    // Code tables follow seeds/ exactly: replace them whole.
    tx.execute(&Statement {
        sql: "DELETE FROM dim_code".into(),
        params: vec![],
    })
    .await?;
    let rows: Vec<Vec<SqlValue>> = codes
        .tables()
        .iter()
        .flat_map(|t| {
            t.rows.iter().map(move |r| {
                vec![
                    t.name.into(),
                    r.code.clone().into(),
                    r.name.clone().into(),
                    r.parent.clone().into(),
                    r.successor.clone().into(),
                    r.retired_on.map(|d| d.format("%Y-%m-%d").to_string()).into(),
                ]
            })
        })
        .collect();
    let columns = [
        ("code_table", ColumnType::Text),
        ("code", ColumnType::Text),
        ("name", ColumnType::Text),
        ("parent", ColumnType::Text),
        ("successor", ColumnType::Text),
        ("retired_on", ColumnType::Text),
    ];
    tx.insert_rows("dim_code", &columns, &rows).await?;
    sync_rollups(&mut tx, catalog).await?;
    tx.commit().await?;
    Ok(())
}

/// What `meta_rollup` keeps of a rollup: its DDL and build statements, so any change of
/// the model that changes its rows changes this text.
fn rollup_definition(rollup: &jiuye_semantic::Rollup, catalog: &Catalog, dialect: &dyn jiuye_semantic::sql::Dialect) -> String {
    let ddl = rollup_create_table(rollup, catalog, dialect);
    let build: Vec<String> = rollup_build_statements(rollup, catalog, dialect)
        .into_iter()
        .map(|s| s.sql)
        .collect();
    format!("{}\n{}", ddl.join(";\n"), build.join(";\n"))
}

/// Whether the warehouse is ready for this build without writing anything: every
/// migration applied, reference dates loaded, every rollup built with the model's
/// definition. The serving commands check this instead of preparing (they may run
/// under a role that only reads); `jiuye migrate` prepares.
pub async fn check_prepared(warehouse: &Warehouse, catalog: &Catalog) -> Result<(), EtlError> {
    let not_ready = |what: String| EtlError::NotPrepared { what };
    let pending = warehouse.pending_migrations().await?;
    if !pending.is_empty() {
        return Err(not_ready(format!("migrations not applied: {}", pending.join(", "))));
    }
    let dates = warehouse
        .fetch(&Statement {
            sql: "SELECT COUNT(*) FROM dim_date".into(),
            params: vec![],
        })
        .await?;
    if dates.rows.first().and_then(|r| r.first()).and_then(SqlValue::as_i64).unwrap_or(0) == 0 {
        return Err(not_ready("the calendar (dim_date) is empty".into()));
    }
    let dialect = dialect_for(warehouse.backend());
    let stored = warehouse
        .fetch(&Statement {
            sql: "SELECT table_name, definition FROM meta_rollup".into(),
            params: vec![],
        })
        .await?;
    let stored: std::collections::HashMap<String, String> = stored.rows.iter().map(|r| (r[0].to_key(), r[1].to_key())).collect();
    let stale: Vec<&str> = catalog
        .rollups
        .iter()
        .filter(|r| stored.get(&r.table).map(String::as_str) != Some(rollup_definition(r, catalog, dialect).as_str()))
        .map(|r| r.table.as_str())
        .collect();
    if !stale.is_empty() {
        return Err(not_ready(format!("rollups built for another model: {}", stale.join(", "))));
    }
    Ok(())
}

/// Creates missing rollup tables and rebuilds, from DWD, every rollup whose definition
/// differs from the one it was built with (`meta_rollup`), so a new or changed rollup
/// never answers from empty or stale rows.
async fn sync_rollups(tx: &mut Transaction, catalog: &Catalog) -> Result<(), EtlError> {
    let dialect = dialect_for(tx.backend());
    let mut stale_sources = std::collections::BTreeSet::new();
    for rollup in &catalog.rollups {
        let ddl = rollup_create_table(rollup, catalog, dialect);
        let definition = rollup_definition(rollup, catalog, dialect);
        let stored = tx
            .fetch(&Statement {
                sql: placeholders(tx, "SELECT definition FROM meta_rollup WHERE table_name = ?"),
                params: vec![rollup.table.clone().into()],
            })
            .await?;
        if stored.rows.first().map(|r| r[0].to_key()).as_deref() == Some(definition.as_str()) {
            continue;
        }
        tx.execute_script(&format!("DROP TABLE IF EXISTS {}", rollup.table)).await?;
        for statement in &ddl {
            tx.execute_script(statement).await?;
        }
        tx.execute(&Statement {
            sql: placeholders(tx, "DELETE FROM meta_rollup WHERE table_name = ?"),
            params: vec![rollup.table.clone().into()],
        })
        .await?;
        tx.execute(&Statement {
            sql: placeholders(tx, "INSERT INTO meta_rollup (table_name, definition) VALUES (?, ?)"),
            params: vec![rollup.table.clone().into(), definition.into()],
        })
        .await?;
        stale_sources.insert(rollup.source.clone());
    }
    for source in stale_sources {
        let def = catalog.source(&source);
        // A stock's snapshot is marked by the days its intervals open.
        let date_column = def.interval.as_ref().map_or(&def.date_column, |i| &i.valid_from);
        let table = &def.table;
        // Every date of the source is dirty; the rebuild brings all its rollups level.
        tx.execute(&Statement {
            sql: placeholders(
                tx,
                &format!("INSERT INTO meta_dirty_date (source, date_key) SELECT DISTINCT ?, {date_column} FROM {table} WHERE {date_column} > 0 ON CONFLICT (source, date_key) DO NOTHING"),
            ),
            params: vec![source.clone().into()],
        })
        .await?;
        crate::dws::rebuild_source(tx, catalog, &source).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_rows_carry_every_grain() {
        let row = date_row(NaiveDate::from_ymd_opt(2024, 12, 30).unwrap());
        assert_eq!(row[0], SqlValue::Int(20241230));
        assert_eq!(row[5], SqlValue::Int(202501), "ISO week of 2024-12-30 is 2025-W01");
        assert_eq!(row[6], SqlValue::Int(20241230));
        assert_eq!(row[7], SqlValue::Int(20241201));
        assert_eq!(row[8], SqlValue::Int(20241001));
        assert_eq!(row[11], SqlValue::Int(0));
    }
}
