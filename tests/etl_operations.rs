//! ETL operations on SQLite and PostgreSQL: the run ledger, retrying quarantine, and
//! rollups that are rebuilt (or avoided while stale) so no answer is ever stale.

mod support;

use jiuye_semantic::Grain;
use jiuye_sql_value::Statement;
use support::fixtures::{Reg, sample, write_regs};
use support::{backends, query};

#[tokio::test]
async fn a_new_or_changed_rollup_is_built_from_detail_at_start_up() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_r.csv", &sample());
        db.load(dir.path()).await;
        // A model whose all_dims rollup now also has a DAY grain.
        let files = jiuye_semantic::BUILTIN_MODEL
            .iter()
            .map(|(f, t)| (f.to_string(), t.replace("    grains: [MONTH]", "    grains: [DAY, MONTH]")));
        let changed = jiuye_semantic::Catalog::from_files(files).unwrap();
        assert!(changed.rollups.len() > db.catalog.rollups.len());
        jiuye_etl::prepare_warehouse(&db.warehouse, &changed, &jiuye_etl::CodeTables::load().unwrap())
            .await
            .unwrap();
        let q = query(&["hire_registrations"], &["education"], Grain::Day, "2024-03-05", "2024-03-05");
        let plan = jiuye_semantic::plan(
            &changed,
            jiuye_semantic::sql::dialect_for(db.warehouse.backend()),
            &q,
            &jiuye_semantic::Caller::unrestricted(),
            support::day("2026-01-01"),
        )
        .unwrap();
        assert_eq!(plan.parts[0].table, "dws_employment_registration_all_dims_day_10d");
        let answer = jiuye_graphql::run_metrics(&db.warehouse, &changed, &q, &jiuye_semantic::Caller::unrestricted())
            .await
            .unwrap()
            .table;
        assert_eq!(answer.rows.len(), 1, "{}", db.name);
        assert_eq!(
            answer.rows[0]["hire_registrations"],
            serde_json::json!(2),
            "built from the rows already loaded ({})",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn dates_whose_rollups_are_not_rebuilt_are_answered_from_detail() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_s.csv", &sample());
        db.load(dir.path()).await;
        let q = query(&["hire_persons"], &["district"], Grain::Month, "2024-03-01", "2024-03-31");
        let before = db.metrics(&q).await;
        // What a crash between a file's commit and the run's rebuild leaves: a detail
        // change whose date is listed as dirty.
        let mut tx = db.warehouse.begin().await.unwrap();
        tx.execute(&Statement {
            sql: "UPDATE dwd_employment_registration SET district = '310104' WHERE business_key = 'K1'".into(),
            params: vec![],
        })
        .await
        .unwrap();
        tx.execute(&Statement {
            sql: "INSERT INTO meta_dirty_date (source, date_key) VALUES ('employment_registration', 20240304)".into(),
            params: vec![],
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let during = db.metrics(&q).await;
        assert_ne!(during, before);
        assert_eq!(
            db.value(&q, "hire_persons", &[("district", "310104")]).await,
            Some(serde_json::json!(2)),
            "{}",
            db.name
        );
        let answer = jiuye_graphql::run_metrics(&db.warehouse, &db.catalog, &q, &jiuye_semantic::Caller::unrestricted())
            .await
            .unwrap();
        assert!(
            answer.sql.unwrap().iter().all(|s| s.contains("dwd_employment_registration")),
            "served from detail while stale"
        );
        // The next run (or this call) rebuilds; the rollup answers again, identically.
        jiuye_etl::rebuild_dirty(&db.warehouse, &db.catalog).await.unwrap();
        let answer = jiuye_graphql::run_metrics(&db.warehouse, &db.catalog, &q, &jiuye_semantic::Caller::unrestricted())
            .await
            .unwrap();
        assert!(
            answer.sql.unwrap().iter().all(|s| s.contains("dws_")),
            "served from the rebuilt rollup"
        );
        assert_eq!(answer.table, during, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_ledger_shows_runs_feeds_and_quarantine() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut regs = sample();
        regs.push(Reg::hire("BAD", 9, "310199", "2024-03-07"));
        write_regs(dir.path(), "employment_registration_l.csv", &regs);
        db.load(dir.path()).await;
        db.load(dir.path()).await;
        let status = jiuye_etl::ledger::status(&db.warehouse, 10).await.unwrap();
        assert_eq!(status.runs.len(), 2);
        let newest = &status.runs[0];
        assert_eq!(
            (
                newest.status.as_str(),
                newest.files,
                newest.read,
                newest.loaded,
                newest.unchanged,
                newest.quarantined
            ),
            ("finished", 1, 5, 0, 4, 1),
            "{}",
            db.name
        );
        let feed = status.feeds.iter().find(|f| f.feed == "employment_registration").unwrap();
        assert_eq!((feed.files, feed.read, feed.loaded), (2, 10, 4));
        assert_eq!(status.dirty_dates, 0, "a finished run leaves no rollup work");
        let rows = jiuye_etl::ledger::quarantine(&db.warehouse, Some("employment_registration"), Some("unknown_code"), 10)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "once per load of the file ({})", db.name);
        assert_eq!(
            (rows[0].line, rows[0].value.as_deref(), rows[0].column.as_str()),
            (6, Some("310199"), "区县代码")
        );
        assert!(
            jiuye_etl::ledger::quarantine(&db.warehouse, None, Some("uscc"), 10)
                .await
                .unwrap()
                .is_empty()
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn retry_quarantine_moves_rows_that_pass_after_a_code_table_fix() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut regs = sample();
        regs.push(Reg::hire("NEW", 9, "310199", "2024-03-07"));
        regs.push(Reg::hire("STILL", 10, "310188", "2024-03-07"));
        write_regs(dir.path(), "employment_registration_q.csv", &regs);
        db.load(dir.path()).await;
        let city = query(&["hire_registrations"], &[], Grain::Month, "2024-03-01", "2024-03-31");
        assert_eq!(db.value(&city, "hire_registrations", &[]).await, Some(serde_json::json!(3)));

        // The code table learns 310199 (say, a newly created district).
        let mut tables = jiuye_seeds::code_tables().unwrap();
        let district = tables.iter_mut().find(|t| t.name == "district").unwrap();
        district.rows.push(jiuye_seeds::CodeRow {
            code: "310199".into(),
            name: "新区".into(),
            parent: Some("310000".into()),
            successor: None,
            retired_on: None,
        });
        let codes = jiuye_etl::CodeTables::new(tables);
        let reports = jiuye_etl::retry_quarantine(&db.warehouse, &db.catalog, &support::keys(), &codes, None)
            .await
            .unwrap();
        let r = reports.iter().find(|r| r.feed == "employment_registration").unwrap();
        assert_eq!((r.retried, r.moved, r.still_quarantined), (2, 1, 1), "{}", db.name);
        assert_eq!(
            db.value(&city, "hire_registrations", &[]).await,
            Some(serde_json::json!(4)),
            "{}",
            db.name
        );
        let status = jiuye_etl::ledger::status(&db.warehouse, 1).await.unwrap();
        let run = &status.runs[0];
        assert_eq!(
            (run.read, run.loaded, run.quarantined),
            (6, 5, 1),
            "the file's accounting still balances"
        );
        let left = jiuye_etl::ledger::quarantine(&db.warehouse, None, None, 10).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].value.as_deref(), Some("310188"));
        db.cleanup().await;
    }
}
