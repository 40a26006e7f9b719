//! A feed extracted from a source system's table (PostgreSQL, and MySQL/MariaDB when
//! `JIUYE_TEST_MYSQL_URL` is set) into each warehouse backend: incremental by the
//! source's own 更新时间, with an overlap window that catches rows committed late, and
//! re-reads that change nothing.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};

use jiuye_etl::{DbSource, Silent};
use sqlx::Executor;
use support::fixtures::uscc;
use support::{TestDb, backends, keys};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A source table named like the legacy system's: some columns by Chinese header, some
/// by the spec's field name, typed as a real system would type them.
const COLUMNS: &str = "business_key VARCHAR(40), 发布日期 DATE, 截止日期 DATE, 单位统一社会信用代码 VARCHAR(18), \
    单位名称 VARCHAR(100), 行业代码 VARCHAR(2), 区县代码 VARCHAR(6), 职业代码 VARCHAR(1), 岗位名称 VARCHAR(100), \
    招聘人数 INTEGER, 月薪下限 NUMERIC(12,2), 月薪上限 NUMERIC(12,2), 学历要求 VARCHAR(2), 岗位描述 TEXT, \
    经度 NUMERIC(9,6), 纬度 NUMERIC(9,6), updated_at TIMESTAMP";

fn row(key: &str, updated: &str) -> String {
    format!(
        "('{key}', '2024-06-01', NULL, '{}', '上海测试有限公司', '65', '310115', '4', '客服专员', 2, 6000, 9000, '20', '负责咨询, 全职', 121.5, 31.2, '{updated}')",
        uscc(3)
    )
}

enum Source {
    Postgres(sqlx::PgPool, String),
    MySql(sqlx::MySqlPool, String),
}

impl Source {
    async fn insert(&self, rows: &[String]) {
        let table = self.table();
        let sql = format!("INSERT INTO {table} VALUES {}", rows.join(", "));
        match self {
            Source::Postgres(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
            Source::MySql(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
        }
        .unwrap();
    }
    fn table(&self) -> String {
        match self {
            Source::Postgres(_, t) | Source::MySql(_, t) => t.clone(),
        }
    }
    async fn drop(self) {
        let sql = format!("DROP TABLE {}", self.table());
        match self {
            Source::Postgres(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
            Source::MySql(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
        }
        .unwrap();
    }
}

async fn sources() -> Vec<(String, Source)> {
    let mut out = Vec::new();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("jys_{}_{n}_job_posting", std::process::id());
    if let Ok(url) = std::env::var("JIUYE_TEST_DATABASE_URL") {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        pool.execute(sqlx::AssertSqlSafe(format!("CREATE TABLE {name} ({COLUMNS})")))
            .await
            .unwrap();
        out.push((url, Source::Postgres(pool, name.clone())));
    }
    match std::env::var("JIUYE_TEST_MYSQL_URL") {
        Ok(url) if !url.is_empty() => {
            let pool = sqlx::MySqlPool::connect(&url).await.unwrap();
            pool.execute(sqlx::AssertSqlSafe(format!(
                "CREATE TABLE {name} ({}) DEFAULT CHARSET=utf8mb4",
                COLUMNS.replace("TIMESTAMP", "DATETIME")
            )))
            .await
            .unwrap();
            out.push((url, Source::MySql(pool, name)));
        }
        _ => eprintln!("MySQL source skipped: set JIUYE_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test to run it"),
    }
    out
}

async fn extract(db: &TestDb, url: &str, table: &str) -> jiuye_etl::FileReport {
    let source = DbSource {
        url: url.to_string(),
        table: table.to_string(),
        feed: "job_posting".into(),
        overlap: chrono::Duration::minutes(60),
    };
    let report = jiuye_etl::run_source(&db.warehouse, &db.catalog, &keys(), &source, &Silent)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.name));
    report.files[0].clone()
}

#[tokio::test]
async fn a_source_table_loads_incrementally_by_its_own_update_times() {
    let sources = sources().await;
    if sources.is_empty() {
        eprintln!("no source database configured (JIUYE_TEST_DATABASE_URL); skipped");
        return;
    }
    for (url, source) in sources {
        for db in backends().await {
            let table = source.table();
            source
                .insert(&[
                    row(&format!("{}A", db.name), "2024-06-01 10:00:00"),
                    row(&format!("{}B", db.name), "2024-06-01 10:05:00"),
                    row(&format!("{}C", db.name), "2024-06-01 10:10:00"),
                ])
                .await;
            let first = extract(&db, &url, &table).await;
            assert_eq!((first.read, first.loaded), (3, 3), "{} from {url}", db.name);
            let status = jiuye_etl::ledger::status(&db.warehouse, 5).await.unwrap();
            assert_eq!(status.watermarks[0].watermark, "2024-06-01 10:10:00");
            assert!(!status.watermarks[0].source.contains("secret"));

            // A row committed late with an older 更新时间 (inside the overlap), a new row
            // stamped with a fraction of a second, one older than the overlap (the window
            // is the documented limit), and one stamped in the future by a bad clock.
            source
                .insert(&[
                    row(&format!("{}D", db.name), "2024-06-01 09:50:00"),
                    row(&format!("{}E", db.name), "2024-06-01 11:00:00.123"),
                    row(&format!("{}F", db.name), "2024-05-01 08:00:00"),
                    row(&format!("{}G", db.name), "2099-01-01 00:00:00"),
                ])
                .await;
            let second = extract(&db, &url, &table).await;
            assert_eq!(
                (second.read, second.loaded, second.unchanged, second.quarantined),
                (6, 3, 3, 0),
                "{} from {url}: rows at or after 09:10 re-read, the three known ones unchanged",
                db.name
            );
            // The future row does not carry the watermark past the source's present.
            let status = jiuye_etl::ledger::status(&db.warehouse, 5).await.unwrap();
            let mark = &status.watermarks[0].watermark;
            assert!(mark.as_str() > "2026-01-01" && mark.as_str() < "2099-01-01", "{mark}");
            let third = extract(&db, &url, &table).await;
            assert_eq!(
                (third.loaded, third.unchanged),
                (0, 1),
                "{}: only the last hour (and the future row) is re-read",
                db.name
            );
            let count = db
                .warehouse
                .fetch(&jiuye_sql_value::Statement {
                    sql: "SELECT COUNT(*), SUM(headcount) FROM dwd_job_posting".into(),
                    params: vec![],
                })
                .await
                .unwrap();
            assert_eq!(count.rows[0][0].as_i64(), Some(6), "{}", db.name);
            assert_eq!(count.rows[0][1].as_i64(), Some(12));
            db.cleanup().await;
            // The next backend starts from an empty source table.
            let sql = format!("DELETE FROM {table}");
            match &source {
                Source::Postgres(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
                Source::MySql(p, _) => p.execute(sqlx::AssertSqlSafe(sql)).await.map(|_| ()),
            }
            .unwrap();
        }
        source.drop().await;
    }
}
