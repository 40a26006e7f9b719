//! 失业登记/注销 from export to indicator on SQLite and PostgreSQL, with 原因 checked
//! against the list of its 业务类型.

mod support;

use jiuye_semantic::Grain;
use serde_json::json;
use support::fixtures::{person_birth, person_id};
use support::{backends, query};

const HEADER: &str = "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,区县代码,原行业代码,原因,更新时间";

fn row(key: &str, kind: &str, date: &str, person: u32, district: &str, industry: &str, reason: &str) -> String {
    format!(
        "{key},{kind},{date},{},失业{person},2,{},1,30,{district},{industry},{reason},{date} 11:00:00",
        person_id(person),
        person_birth(person)
    )
}

#[tokio::test]
async fn unemployment_registrations_cancellations_and_reemployment() {
    let rows = [
        row("U1", "登记", "2024-06-03", 1, "310115", "65", "1"),
        row("U2", "登记", "2024-06-04", 2, "310115", "", "3"), // graduate, no previous industry
        row("U3", "登记", "2024-06-05", 3, "310104", "52", "2"),
        row("U4", "注销", "2024-06-20", 1, "310115", "65", "1"), // 实现就业
        row("U5", "注销", "2024-06-21", 3, "310104", "52", "2"), // 入学
        row("U6", "登记", "2024-06-22", 4, "310104", "52", "5"), // 5 is a 注销 reason only
    ];
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("unemployment_registration_202406.csv"),
            format!("{HEADER}\n{}\n", rows.join("\n")),
        )
        .unwrap();
        let report = db.load(dir.path()).await;
        let f = &report.files[0];
        assert_eq!(
            (f.feed.as_str(), f.read, f.loaded, f.quarantined),
            ("unemployment_registration", 6, 5, 1),
            "{}",
            db.name
        );
        let bad = jiuye_etl::ledger::quarantine(&db.warehouse, Some("unemployment_registration"), None, 5)
            .await
            .unwrap();
        assert_eq!(
            (bad[0].rule.as_str(), bad[0].column.as_str(), bad[0].value.as_deref()),
            ("unknown_code", "原因", Some("5"))
        );

        let q = query(
            &[
                "unemployment_registration_persons",
                "unemployment_cancellation_persons",
                "reemployed_persons",
            ],
            &[],
            Grain::Month,
            "2024-06-01",
            "2024-06-30",
        );
        let t = db.metrics(&q).await;
        let r = &t.rows[0];
        assert_eq!(
            (
                &r["unemployment_registration_persons"],
                &r["unemployment_cancellation_persons"],
                &r["reemployed_persons"]
            ),
            (&json!(3), &json!(2), &json!(1)),
            "{}",
            db.name
        );
        let by_reason = db
            .metrics(&query(
                &["unemployment_registration_persons"],
                &["reason"],
                Grain::Month,
                "2024-06-01",
                "2024-06-30",
            ))
            .await;
        let reasons: Vec<&str> = by_reason.rows.iter().map(|r| r["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, vec!["R1", "R2", "R3"]);
        let by_section = db
            .metrics(&query(
                &["unemployment_registration_persons"],
                &["industry_section"],
                Grain::Month,
                "2024-06-01",
                "2024-06-30",
            ))
            .await;
        let sections: Vec<serde_json::Value> = by_section.rows.iter().map(|r| r["industry_section"].clone()).collect();
        assert_eq!(
            sections,
            vec![serde_json::Value::Null, json!("F"), json!("I")],
            "a graduate has no previous industry ({})",
            db.name
        );
        db.cleanup().await;
    }
}
