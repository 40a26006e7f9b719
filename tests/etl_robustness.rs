//! The ETL converges whatever the order of files and survives being killed mid-run:
//! run on SQLite and PostgreSQL.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use jiuye_sql_value::Statement;

#[tokio::test]
async fn loading_files_in_any_order_converges_to_the_same_warehouse() {
    let exports = support::demo_exports(1, 0.03, 3);
    let mut files: Vec<_> = std::fs::read_dir(exports.path()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for db in support::backends().await {
        // In name order, all at once.
        db.load(exports.path()).await;
        let expected = support::snapshot(&db).await;
        let rows_of = |t: &str| expected.iter().find(|(name, _)| name == t).map(|(_, r)| r.len()).unwrap_or(0);
        assert!(rows_of("dwd_employment_registration") > 1000);
        assert!(rows_of("dwd_job_application") > 100 && rows_of("dws_status_employed") > 100);
        assert_eq!(rows_of("meta_pending_row"), 0, "every application found its posting");
        // Reverse order, one file per run, into a fresh warehouse.
        let other = db.fresh_like().await;
        for path in files.iter().rev() {
            let single = tempfile::tempdir().unwrap();
            std::fs::copy(path, single.path().join(path.file_name().unwrap())).unwrap();
            other.load(single.path()).await;
        }
        let got = support::snapshot(&other).await;
        for ((table, want), (_, have)) in expected.iter().zip(&got) {
            assert!(
                want == have,
                "{table} differs after loading in reverse order on {} ({} vs {} rows)",
                db.name,
                want.len(),
                have.len()
            );
        }
        other.cleanup().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_run_killed_mid_file_leaves_nothing_half_loaded_and_the_next_run_completes_it() {
    let work = tempfile::tempdir().unwrap();
    let exports = work.path().join("exports");
    jiuye_seeds::generate_demo(
        &exports,
        &jiuye_seeds::DemoConfig {
            first_year: 2024,
            years: 1,
            scale: 0.3,
            seed: 9,
        },
    )
    .unwrap();
    for db in support::backends().await {
        let (url, schema) = db.connection();
        let run = || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiuye"));
            cmd.args(["etl", "run", "--input", exports.to_str().unwrap(), "--json", "--database-url", &url])
                .env("JIUYE_SECRET_KEY", hex_key())
                .env_remove("JIUYE_KEY_FILE")
                .stdout(Stdio::piped())
                .stderr(Stdio::null());
            match &schema {
                Some(s) => cmd.args(["--schema", s]),
                None => cmd.env_remove("JIUYE_DATABASE_SCHEMA"),
            };
            cmd
        };
        // Kill it with SIGKILL at several moments of the first run.
        let mut kills = 0;
        for delay_ms in [700u64, 1500, 2500] {
            let mut child = run().spawn().unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                kills += 1;
            }
            child.wait().unwrap();
        }
        assert!(kills > 0, "the run finished before it could be killed; make the input larger");
        let out = run().output().unwrap();
        assert!(out.status.success());

        // Every file loaded exactly once: per file, the loads that added rows add up to
        // its rows, and every committed load balances.
        let rs = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT file_name, status, rows_read, rows_loaded, rows_unchanged, rows_quarantined FROM meta_load_file".into(),
                params: vec![],
            })
            .await
            .unwrap();
        for r in &rs.rows {
            assert_eq!(r[1].to_key(), "loaded", "no file is left 'loading': {r:?}");
            let (read, loaded, unchanged, quarantined) = (
                r[2].as_i64().unwrap(),
                r[3].as_i64().unwrap(),
                r[4].as_i64().unwrap(),
                r[5].as_i64().unwrap(),
            );
            assert_eq!(read, loaded + unchanged + quarantined, "{r:?}");
        }
        let ods: i64 = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT COUNT(*) FROM ods_employment_registration".into(),
                params: vec![],
            })
            .await
            .unwrap()
            .rows[0][0]
            .as_i64()
            .unwrap();
        let accounted: i64 = rs
            .rows
            .iter()
            .filter(|r| r[0].to_key().starts_with("employment_registration"))
            .map(|r| r[2].as_i64().unwrap())
            .sum();
        assert_eq!(ods, accounted, "ODS holds exactly the rows of committed file loads ({})", db.name);

        // And the warehouse equals a clean, uninterrupted load.
        let clean = db.fresh_like().await;
        clean.load(&exports).await;
        let (a, b) = (support::snapshot(&db).await, support::snapshot(&clean).await);
        for ((table, want), (_, have)) in b.iter().zip(&a) {
            assert!(want == have, "{table} differs from a clean load after kills on {}", db.name);
        }
        clean.cleanup().await;
        db.cleanup().await;
    }
}

fn hex_key() -> String {
    "2a".repeat(32)
}
