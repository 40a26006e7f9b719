//! The audit log (安全审计) on SQLite and PostgreSQL: every request is recorded — who,
//! from where, which indicators, dimensions and filters, how many rows — and so is every
//! failed login and refused request; only the audit administrator reads it, and reads
//! nothing else; `verify` (library and `jiuye audit verify`) finds a changed, removed or
//! truncated record and a wrong key; a purge keeps the chain verifiable.

mod support;

use chrono::{Duration, Utc};
use jiuye_audit::{AuditError, AuditEvent, AuditLog};
use jiuye_privacy::Keys;
use serde_json::{Value, json};
use support::fixtures::{Reg, write_regs};
use support::{TestDb, backends, server};

const METRICS: &str = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH,
    timeRange: {from: "2024-03-01", to: "2024-03-31"},
    filters: [{dimension: "district", values: ["310115", "310104"]}]) { rows } }"#;

const AUDIT_LOG: &str = "{ auditLog(first: 500) { entries { seq actor role district source action outcome detail rowCount } next } }";

async fn load_three_hires(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    write_regs(
        dir.path(),
        "employment_registration_20240301.csv",
        &[
            Reg::hire("C1", 1, "310115", "2024-03-04"),
            Reg::hire("C2", 2, "310104", "2024-03-04"),
            Reg::hire("C3", 3, "310115", "2024-03-05"),
        ],
    );
    db.load(dir.path()).await;
}

fn entries(answer: &Value) -> Vec<Value> {
    answer["data"]["auditLog"]["entries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn requests_are_recorded_and_only_the_auditor_reads_them() {
    for db in backends().await {
        load_three_hires(&db).await;
        let srv = server::start(&db).await;
        let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, Some("李分析"))
            .await
            .unwrap();
        let admin = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, None)
            .await
            .unwrap();
        let auditor = srv.session(&db, "auditor1", "audit_admin", None).await;

        let answer = srv.query(&analyst, METRICS).await;
        assert_eq!(answer["data"]["metrics"]["rows"].as_array().map(Vec::len), Some(2), "{answer}");
        let (status, _, _) = srv.post(Some("jy_not_a_token"), None, json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, 401);
        let refused = srv.query(&analyst, "{ metrics }").await;
        assert!(refused["errors"].is_array(), "{refused}");

        // 三员分立: neither reads the other's fields.
        let denied = srv.query(&auditor, METRICS).await;
        assert_eq!(denied["errors"][0]["extensions"]["code"], "FORBIDDEN", "{denied}");
        assert!(denied["data"]["metrics"].is_null(), "{denied}");
        let denied = srv.query(&admin, AUDIT_LOG).await;
        assert_eq!(denied["errors"][0]["extensions"]["code"], "FORBIDDEN", "{denied}");

        srv.audit.flush().await;
        let log = srv.query(&auditor, AUDIT_LOG).await;
        let all = entries(&log);
        let find = |action: &str| all.iter().filter(|e| e["action"] == action).cloned().collect::<Vec<_>>();
        let metrics = find("query.metrics");
        let by_analyst = metrics
            .iter()
            .find(|e| e["actor"] == "李分析")
            .unwrap_or_else(|| panic!("{}: the analyst's query is recorded: {log}", db.name));
        assert_eq!(by_analyst["role"], "city_analyst");
        assert_eq!(by_analyst["source"], "127.0.0.1");
        assert_eq!(by_analyst["outcome"], "ok");
        assert_eq!(by_analyst["rowCount"], 2);
        let args = &by_analyst["detail"]["arguments"];
        assert_eq!(args["indicators"], json!(["hire_persons"]));
        assert_eq!(args["dimensions"], json!(["district"]));
        assert_eq!(args["filters"][0]["values"], json!(["310115", "310104"]));
        let by_auditor = metrics.iter().find(|e| e["actor"] == "auditor1").expect("the auditor's attempt");
        assert_eq!(by_auditor["outcome"], "FORBIDDEN");
        let failed = find("login.failed");
        assert_eq!(failed.len(), 1, "{log}");
        assert_eq!(failed[0]["actor"], "anonymous");
        assert_eq!(failed[0]["source"], "127.0.0.1");
        assert_eq!(failed[0]["detail"]["reason"], "an unknown bearer token");
        assert_eq!(find("request.refused").len(), 1, "{log}");
        assert!(
            find("query.auditLog")
                .iter()
                .any(|e| e["outcome"] == "FORBIDDEN" && e["role"] == "data_engineer"),
            "{log}"
        );

        srv.audit.flush().await;
        let verified = AuditLog::new(db.warehouse.clone(), support::keys()).verify().await.unwrap();
        assert!(verified.is_intact(), "{}: {:?}", db.name, verified.problems);
        // The auditor's own read is recorded after the page it read.
        assert_eq!(verified.records as usize, all.len() + 1);

        srv.handle.abort();
        db.cleanup().await;
    }
}

async fn some_records(log: &AuditLog, n: usize) {
    let events = (0..n)
        .map(|i| {
            let mut e = AuditEvent::new(format!("user{i}"), "query.metrics");
            e.detail = json!({ "arguments": { "indicators": ["hire_persons"] } });
            e.row_count = Some(i as i64);
            e
        })
        .collect();
    log.append(events).await.unwrap();
}

#[tokio::test]
async fn verify_finds_a_changed_a_removed_and_a_truncated_record() {
    for db in backends().await {
        let log = AuditLog::new(db.warehouse.clone(), support::keys());
        some_records(&log, 6).await;
        assert!(log.verify().await.unwrap().is_intact());

        db.run_sql("UPDATE meta_audit SET row_count = 999 WHERE seq = 2").await;
        let v = log.verify().await.unwrap();
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert!(
            v.problems[0].contains("record 2 ") && v.problems[0].contains("altered"),
            "{:?}",
            v.problems
        );

        db.run_sql("DELETE FROM meta_audit WHERE seq = 4").await;
        let v = log.verify().await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("records 4–4 are missing")), "{:?}", v.problems);

        db.run_sql("DELETE FROM meta_audit WHERE seq = 6").await;
        let v = log.verify().await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("ends at record 5")), "{:?}", v.problems);

        // Moving the head back needs its MAC, which needs the key.
        db.run_sql("UPDATE meta_audit_head SET seq = 5, mac = (SELECT mac FROM meta_audit WHERE seq = 5)")
            .await;
        let v = log.verify().await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("head row was altered")), "{:?}", v.problems);

        let wrong = AuditLog::new(db.warehouse.clone(), Keys::from_secret(&[7u8; 32]));
        assert!(matches!(wrong.check_key().await, Err(AuditError::KeyMismatch)));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_purge_keeps_young_records_and_the_chain_verifiable() {
    for db in backends().await {
        let log = AuditLog::new(db.warehouse.clone(), support::keys());
        let now = Utc::now();
        let old: Vec<AuditEvent> = (0..3)
            .map(|i| {
                let mut e = AuditEvent::new("old", "query.metrics");
                e.at = now - Duration::days(300 - i);
                e
            })
            .collect();
        log.append(old).await.unwrap();
        some_records(&log, 2).await;

        let too_recent = log.purge(now - Duration::days(30), now, "cli:test").await;
        assert!(matches!(too_recent, Err(AuditError::TooRecent { .. })), "{too_recent:?}");
        let report = log.purge(now - Duration::days(200), now, "cli:test").await.unwrap();
        assert_eq!((report.deleted, report.through_seq), (3, Some(3)));
        let v = log.verify().await.unwrap();
        assert!(v.is_intact(), "{}: {:?}", db.name, v.problems);
        assert_eq!((v.first_seq, v.last_seq, v.records), (Some(4), Some(6), 3));

        // Removing the first record left after the purge is found.
        db.run_sql("DELETE FROM meta_audit WHERE seq = 4").await;
        let v = log.verify().await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("records 1–4 are missing")), "{:?}", v.problems);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_cli_records_token_creation_and_verify_exits_1_on_a_broken_chain() {
    for db in backends().await {
        let jiuye = |args: &[&str]| db.cli().args(args).output().unwrap();
        let out = jiuye(&["token", "create", "--role", "viewer", "--label", "大屏"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = jiuye(&["audit", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success() && text.contains("intact"), "{text}");
        let out = jiuye(&["audit", "export", "--format", "csv"]);
        let csv = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(csv.starts_with("seq,at,actor") && csv.contains("token.created"), "{csv}");
        assert!(!csv.contains("jy_"), "the token itself is never logged");

        db.run_sql("UPDATE meta_audit SET actor = 'someone else' WHERE seq = 1").await;
        let out = jiuye(&["audit", "verify"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("BROKEN: record 1 "), "{text}");
        db.cleanup().await;
    }
}
