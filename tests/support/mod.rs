//! Shared test support: one warehouse per backend (SQLite always; PostgreSQL when
//! `JIUYE_TEST_DATABASE_URL` is set, in a schema of its own), fixture writers with valid
//! check characters, and helpers to load and query.
#![allow(dead_code)]

pub mod fixtures;
pub mod server;

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use jiuye_etl::{RunReport, Silent};
use jiuye_privacy::Keys;
use jiuye_semantic::{Caller, Catalog, Compare, DimensionFilter, Grain, MetricsQuery, Table};
use jiuye_sql_value::Statement;
use jiuye_warehouse::{ConnectOptions, Warehouse};
use tempfile::TempDir;

pub struct TestDb {
    pub name: &'static str,
    pub warehouse: Warehouse,
    pub catalog: Catalog,
    pg: Option<(String, String)>,
    _dir: Option<TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// SQLite always; PostgreSQL too when `JIUYE_TEST_DATABASE_URL` is set (CI sets it).
pub async fn backends() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    match postgres().await {
        Some(pg) => out.push(pg),
        None => eprintln!("PostgreSQL half skipped: set JIUYE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it"),
    }
    out
}

/// SQLite always; PostgreSQL too when configured: connected, but no migration run (for
/// tests of a migration on data of an older schema).
pub async fn unprepared_backends() -> Vec<TestDb> {
    let mut out = vec![sqlite_prepared(false).await];
    out.extend(postgres_prepared(false).await);
    out
}

pub async fn sqlite() -> TestDb {
    sqlite_prepared(true).await
}

async fn sqlite_prepared(prepare: bool) -> TestDb {
    let catalog = Catalog::builtin().expect("model");
    let codes = jiuye_etl::CodeTables::load().expect("seeds");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = dir.path().join("warehouse.db").display().to_string();
    let warehouse = Warehouse::connect(&ConnectOptions::new(url)).await.expect("sqlite");
    if prepare {
        jiuye_etl::prepare_warehouse(&warehouse, &catalog, &codes)
            .await
            .expect("prepare sqlite");
    }
    TestDb {
        name: "sqlite",
        warehouse,
        catalog,
        pg: None,
        _dir: Some(dir),
    }
}

/// A PostgreSQL warehouse in a schema of its own, so tests run in parallel.
pub async fn postgres() -> Option<TestDb> {
    postgres_prepared(true).await
}

async fn postgres_prepared(prepare: bool) -> Option<TestDb> {
    let url = std::env::var("JIUYE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let catalog = Catalog::builtin().expect("model");
    let codes = jiuye_etl::CodeTables::load().expect("seeds");
    let schema = format!(
        "jyt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let warehouse = Warehouse::connect(&ConnectOptions {
        schema: Some(schema.clone()),
        ..ConnectOptions::new(url.clone())
    })
    .await
    .expect("postgres");
    if prepare {
        jiuye_etl::prepare_warehouse(&warehouse, &catalog, &codes)
            .await
            .expect("prepare postgres");
    }
    Some(TestDb {
        name: "postgres",
        warehouse,
        catalog,
        pg: Some((url, schema)),
        _dir: None,
    })
}

impl TestDb {
    /// The URL and schema a separate process (the CLI) can open this warehouse with.
    pub fn connection(&self) -> (String, Option<String>) {
        match (&self.pg, &self._dir) {
            (Some((url, schema)), _) => (url.clone(), Some(schema.clone())),
            (None, Some(dir)) => (dir.path().join("warehouse.db").display().to_string(), None),
            (None, None) => unreachable!("a test warehouse is SQLite in a directory or PostgreSQL in a schema"),
        }
    }

    /// The `jiuye` binary pointed at this warehouse, under the tests' key.
    pub fn cli(&self) -> std::process::Command {
        let (url, schema) = self.connection();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jiuye"));
        cmd.env("JIUYE_DATABASE_URL", url)
            .env("JIUYE_SECRET_KEY", "2a".repeat(32))
            .env_remove("JIUYE_KEY_FILE")
            .env_remove("JIUYE_DATABASE_SCHEMA");
        if let Some(s) = schema {
            cmd.env("JIUYE_DATABASE_SCHEMA", s);
        }
        cmd
    }

    /// An empty warehouse of the same backend.
    pub async fn fresh_like(&self) -> TestDb {
        match self.name {
            "sqlite" => sqlite().await,
            _ => postgres().await.expect("postgres configured"),
        }
    }

    pub async fn cleanup(self) {
        self.warehouse.close().await;
        if let Some((url, schema)) = &self.pg {
            Warehouse::drop_postgres_schema(url, schema).await.expect("drop test schema");
        }
    }

    pub async fn load(&self, dir: &Path) -> RunReport {
        jiuye_etl::run(&self.warehouse, &self.catalog, &keys(), dir, &Silent)
            .await
            .unwrap_or_else(|e| panic!("{}: load failed: {e}", self.name))
    }

    pub async fn metrics(&self, q: &MetricsQuery) -> Table {
        self.metrics_as(q, &Caller::unrestricted()).await
    }

    pub async fn metrics_as(&self, q: &MetricsQuery, caller: &Caller) -> Table {
        jiuye_graphql::run_metrics(&self.warehouse, &self.catalog, q, caller)
            .await
            .unwrap_or_else(|e| panic!("{}: query failed: {e}", self.name))
            .table
    }

    /// The rows of a hand-written check query, each value as text.
    pub async fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        self.warehouse
            .fetch(&Statement {
                sql: sql.into(),
                params: vec![],
            })
            .await
            .unwrap()
            .rows
            .iter()
            .map(|r| r.iter().map(|v| v.to_key()).collect())
            .collect()
    }

    /// Runs a hand-written statement, as an attacker with database access would (tests
    /// of tamper evidence and time limits).
    pub async fn run_sql(&self, sql: &str) {
        self.warehouse
            .execute(&Statement {
                sql: sql.into(),
                params: vec![],
            })
            .await
            .unwrap();
    }

    /// One number: the value of `indicator` in the row whose columns match `at`.
    pub async fn value(&self, q: &MetricsQuery, indicator: &str, at: &[(&str, &str)]) -> Option<serde_json::Value> {
        let table = self.metrics(q).await;
        table
            .rows
            .iter()
            .find(|r| at.iter().all(|(k, v)| r.get(*k).and_then(|x| x.as_str()) == Some(*v)))
            .map(|r| r[indicator].clone())
    }
}

/// The tests' key: 32 bytes of 0x2a (the CLI tests pass the same as hex).
/// What the planner gets for a holder of the built-in `role` (in `district`).
pub fn caller(role: &str, district: Option<&str>) -> Caller {
    let roles = jiuye_identity::Roles::builtin();
    roles
        .get(role)
        .and_then(|r| r.caller(district))
        .expect("a business role, with a district when scoped")
}

pub fn keys() -> Keys {
    Keys::from_secret(&[42u8; 32])
}

/// What a caller without detail permission sees of a person count `n` whose rows belong
/// to the fixture persons `persons` (one row each): the documented cell-key p-table
/// (docs/security.md) written out again, independently of the code — the first 16 bits
/// of each pseudonym summed modulo 2^16 pick −2, −1, 0, +1, +2 with probabilities 0.1,
/// 0.2, 0.4, 0.2, 0.1; a person count is never shown below the threshold of 5.
pub fn perturbed_persons(n: i64, persons: &[u32]) -> i64 {
    let sum: i64 = persons
        .iter()
        .map(|p| i64::from_str_radix(&keys().pseudonym(&fixtures::person_id(*p))[..4], 16).unwrap())
        .sum();
    let u = sum.rem_euclid(65_536) as f64 / 65_536.0;
    let d = match u {
        u if u < 0.1 => -2,
        u if u < 0.3 => -1,
        u if u < 0.7 => 0,
        u if u < 0.9 => 1,
        _ => 2,
    };
    (n + d).max(5)
}

/// The demo generator's exports from 2024 on, in a directory of their own.
pub fn demo_exports(years: u32, scale: f64, seed: u64) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    jiuye_seeds::generate_demo(
        dir.path(),
        &jiuye_seeds::DemoConfig {
            first_year: 2024,
            years,
            scale,
            seed,
        },
    )
    .unwrap();
    dir
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

pub fn query(indicators: &[&str], dims: &[&str], grain: Grain, from: &str, to: &str) -> MetricsQuery {
    MetricsQuery {
        indicators: indicators.iter().map(|s| s.to_string()).collect(),
        dimensions: dims.iter().map(|s| s.to_string()).collect(),
        grain,
        from: day(from),
        to: day(to),
        filters: vec![],
        compare: vec![],
        known_at: None,
    }
}

pub fn with_compare(mut q: MetricsQuery, compare: &[Compare]) -> MetricsQuery {
    q.compare = compare.to_vec();
    q
}

pub fn with_filter(mut q: MetricsQuery, dimension: &str, values: &[&str]) -> MetricsQuery {
    q.filters.push(DimensionFilter {
        dimension: dimension.into(),
        values: values.iter().map(|s| s.to_string()).collect(),
    });
    q
}

/// Every DWD and DWS table (the person states too), sorted, as text: two warehouses
/// converge when these match. Lineage columns (which file, which line) and knowledge
/// times may differ.
pub async fn snapshot(db: &TestDb) -> Vec<(String, Vec<String>)> {
    let feeds: Vec<(String, String)> = jiuye_etl::all_feeds()
        .iter()
        .map(|f| {
            let columns: Vec<&str> = f
                .dwd_columns()
                .iter()
                .map(|(c, _)| *c)
                // A target row's version is its load order (the export has no 更新时间).
                .filter(|c| !matches!(*c, "file_id" | "line_no") && !(f.name() == "indicator_target" && *c == "updated_at"))
                .collect();
            (f.dwd_table().to_string(), columns.join(", "))
        })
        .collect();
    let mut tables: Vec<(&str, &str)> = feeds.iter().map(|(t, c)| (t.as_str(), c.as_str())).collect();
    // Person states without `known_at`: when a version became known depends on the order.
    const STATE: &str = "person_key, record_key, district, hukou_type, education, gender, age_band, industry, industry_section";
    let unemployed = format!("{STATE}, valid_from, valid_to");
    let employed = format!("{STATE}, record_feed, valid_from, valid_to");
    let transition = format!("{STATE}, record_feed, date_key, kind");
    tables.extend([
        ("dws_status_unemployed", unemployed.as_str()),
        ("dws_status_employed", employed.as_str()),
        ("dws_employment_transition", transition.as_str()),
        ("meta_pending_row", "feed, business_key"),
    ]);
    let rollups: Vec<(String, String)> = db
        .catalog
        .rollups
        .iter()
        .map(|r| {
            (
                r.table.clone(),
                std::iter::once("date_key".to_string())
                    .chain(r.dimensions.clone())
                    .chain(r.indicators.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
        .collect();
    tables.extend(rollups.iter().map(|(t, c)| (t.as_str(), c.as_str())));
    let mut out = Vec::new();
    for (table, columns) in tables {
        let rs = db
            .warehouse
            .fetch(&Statement {
                sql: format!("SELECT {columns} FROM {table}"),
                params: vec![],
            })
            .await
            .unwrap();
        let mut rows: Vec<String> = rs
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_key()).collect::<Vec<_>>().join("|"))
            .collect();
        rows.sort();
        out.push((table.to_string(), rows));
    }
    out
}
