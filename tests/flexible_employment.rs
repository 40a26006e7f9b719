//! The second person-level feed: 灵活就业登记/注销 from export to indicator, on SQLite and
//! PostgreSQL — adding a feed is a spec file, a small DWD impl and model entries.

mod support;

use jiuye_semantic::Grain;
use serde_json::json;
use support::fixtures::{person_birth, person_id};
use support::{backends, query};

const HEADER: &str = "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,区县代码,灵活就业类型,更新时间";

fn row(key: &str, kind: &str, date: &str, person: u32, district: &str, flexible_type: &str) -> String {
    format!(
        "{key},{kind},{date},{},灵活{person},1,{},1,20,{district},{flexible_type},{date} 10:00:00",
        person_id(person),
        person_birth(person)
    )
}

#[tokio::test]
async fn flexible_registrations_load_and_count_distinct_persons() {
    let rows = [
        row("F1", "登记", "2024-05-06", 1, "310115", "3"),
        row("F2", "登记", "2024-05-20", 1, "310104", "3"), // the same person in another district
        row("F3", "登记", "2024-05-21", 2, "310115", "1"),
        row("F4", "注销", "2024-05-22", 3, "310115", "2"),
        row("F5", "登记", "2024-05-23", 4, "310115", "7"), // 7 is no 灵活就业类型
    ];
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("flexible_employment_202405.csv"),
            format!("{HEADER}\n{}\n", rows.join("\n")),
        )
        .unwrap();
        let report = db.load(dir.path()).await;
        let f = &report.files[0];
        assert_eq!(
            (f.feed.as_str(), f.read, f.loaded, f.quarantined),
            ("flexible_employment", 5, 4, 1),
            "{}",
            db.name
        );

        let q = query(
            &[
                "flexible_registration_persons",
                "flexible_registrations",
                "flexible_cancellation_persons",
            ],
            &[],
            Grain::Month,
            "2024-05-01",
            "2024-05-31",
        );
        let t = db.metrics(&q).await;
        assert_eq!(t.rows[0]["flexible_registration_persons"], json!(2), "{}", db.name);
        assert_eq!(t.rows[0]["flexible_registrations"], json!(3));
        assert_eq!(t.rows[0]["flexible_cancellation_persons"], json!(1));
        let by_district = db
            .metrics(&query(
                &["flexible_registration_persons"],
                &["district"],
                Grain::Month,
                "2024-05-01",
                "2024-05-31",
            ))
            .await;
        let cells: Vec<(String, i64)> = by_district
            .rows
            .iter()
            .map(|r| {
                (
                    r["district"].as_str().unwrap().to_string(),
                    r["flexible_registration_persons"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(cells, vec![("310104".to_string(), 1), ("310115".to_string(), 2)], "{}", db.name);
        let by_type = db
            .metrics(&query(
                &["flexible_registrations"],
                &["flexible_type"],
                Grain::Year,
                "2024-01-01",
                "2024-12-31",
            ))
            .await;
        assert_eq!(by_type.rows.len(), 2, "新就业形态 and 个体经营");
        // A dimension this source lacks is a clear error naming both.
        let err = jiuye_graphql::run_metrics(
            &db.warehouse,
            &db.catalog,
            &query(&["flexible_registrations"], &["industry"], Grain::Month, "2024-05-01", "2024-05-31"),
            &jiuye_semantic::Caller::unrestricted(),
        )
        .await
        .err()
        .expect("industry is not a flexible-employment dimension");
        assert!(err.public_message().contains("flexible_registrations") && err.public_message().contains("industry"));
        db.cleanup().await;
    }
}
