//! `compare: [TARGET]` on SQLite and PostgreSQL: the year-to-date value of each period
//! against its year's 目标值 (the row's district, or the city), the year's elapsed share,
//! and the status by the indicator's rule — floor for hires, ceiling for the registered
//! unemployed.

mod support;

use jiuye_semantic::{Compare, Grain};
use serde_json::json;
use support::fixtures::{Reg, person_birth, person_id, write_raw, write_regs};
use support::{backends, query, with_compare};

fn hires() -> Vec<Reg> {
    let mut regs = Vec::new();
    // January: persons 1–6 in 浦东, 7–8 in 徐汇; February: persons 1–3 again (not new to
    // the year) and 9–10 in 浦东; March: person 11 in 徐汇.
    for p in 1..=6 {
        regs.push(Reg::hire(&format!("J{p}"), p, "310115", "2024-01-10"));
    }
    for p in 7..=8 {
        regs.push(Reg::hire(&format!("J{p}"), p, "310104", "2024-01-11"));
    }
    for p in [1, 2, 3, 9, 10] {
        regs.push(Reg::hire(&format!("F{p}"), p, "310115", "2024-02-05"));
    }
    regs.push(Reg::hire("M11", 11, "310104", "2024-03-05"));
    regs
}

/// Hires of 2024 Q1, three unemployment registrations, and the year's targets: hires
/// by district and city-wide, the registered unemployed city-wide (ceiling 1, warning 2).
async fn load_targets(db: &support::TestDb) {
    let dir = tempfile::tempdir().unwrap();
    write_regs(dir.path(), "employment_registration_2024q1.csv", &hires());
    write_raw(
        dir.path(),
        "indicator_target_20240101.csv",
        "年度,指标代码,区县代码,目标值,预警值\n2024,hire_persons,310000,40,36\n2024,hire_persons,310115,20,18\n2024,hire_persons,310104,100,90\n\
         2024,registered_unemployed,310000,1,2\n",
    );
    write_raw(
        dir.path(),
        "unemployment_registration_2024.csv",
        &format!(
            "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,区县代码,原行业代码,原因,更新时间\n\
             U1,登记,2024-01-05,{},甲,1,{},1,20,310115,65,1,2024-01-05 10:00:00\n\
             U2,登记,2024-01-06,{},乙,1,{},1,20,310115,65,1,2024-01-06 10:00:00\n\
             U3,登记,2024-03-06,{},丙,1,{},1,20,310115,65,1,2024-03-06 10:00:00\n",
            person_id(21),
            person_birth(21),
            person_id(22),
            person_birth(22),
            person_id(23),
            person_birth(23)
        ),
    );
    db.load(dir.path()).await;
}

#[tokio::test]
async fn completion_progress_and_status_against_the_annual_target() {
    for db in backends().await {
        load_targets(&db).await;

        let q = with_compare(
            query(&["hire_persons"], &[], Grain::Month, "2024-01-01", "2024-03-31"),
            &[Compare::Target],
        );
        let t = db.metrics(&q).await;
        assert_eq!(
            t.columns,
            vec![
                "period",
                "hire_persons",
                "hire_persons_target",
                "hire_persons_completion",
                "hire_persons_progress",
                "hire_persons_status"
            ]
        );
        let rows: Vec<(String, i64, f64, f64, f64, String)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().into(),
                    r["hire_persons"].as_i64().unwrap(),
                    r["hire_persons_target"].as_f64().unwrap(),
                    r["hire_persons_completion"].as_f64().unwrap(),
                    r["hire_persons_progress"].as_f64().unwrap(),
                    r["hire_persons_status"].as_str().unwrap().into(),
                )
            })
            .collect();
        // Year to date (distinct persons since January 1): 8, 10, 11 of a target of 40;
        // 2024 has 366 days, so the progress at each month's end is 31, 60, 91 / 366.
        assert_eq!(
            rows,
            vec![
                ("2024-01".into(), 8, 40.0, 8.0 / 40.0, 31.0 / 366.0, "green".into()),
                ("2024-02".into(), 5, 40.0, 10.0 / 40.0, 60.0 / 366.0, "green".into()),
                ("2024-03".into(), 1, 40.0, 11.0 / 40.0, 91.0 / 366.0, "green".into()),
            ],
            "{}",
            db.name
        );

        // By district: each district's own target. 徐汇: 3 of 100 at 91/366 is red
        // (below 0.9 × 24.9 %); 浦东: 8 of 20 by March is green.
        let q = with_compare(
            query(&["hire_persons"], &["district"], Grain::Quarter, "2024-01-01", "2024-03-31"),
            &[Compare::Target],
        );
        let t = db.metrics(&q).await;
        let at = |d: &str| t.rows.iter().find(|r| r["district"] == json!(d)).unwrap().clone();
        assert_eq!(at("310104")["hire_persons_target"], json!(100.0));
        assert_eq!(at("310104")["hire_persons_status"], json!("red"), "{}", db.name);
        assert_eq!(at("310115")["hire_persons_completion"].as_f64().unwrap(), 8.0 / 20.0);
        assert_eq!(at("310115")["hire_persons_status"], json!("green"));

        // A district token without the district dimension gets its district's target.
        let caller = support::caller("district_analyst", Some("310115"));
        let q = with_compare(
            query(&["hire_persons"], &[], Grain::Quarter, "2024-01-01", "2024-03-31"),
            &[Compare::Target],
        );
        let t = db.metrics_as(&q, &caller).await;
        assert_eq!(t.rows[0]["hire_persons_target"], json!(20.0), "{}", db.name);

        // Other dimensions have no targets: null, not a wrong figure.
        let q = with_compare(
            query(&["hire_persons"], &["gender"], Grain::Quarter, "2024-01-01", "2024-03-31"),
            &[Compare::Target],
        );
        assert!(db.metrics(&q).await.rows.iter().all(|r| r["hire_persons_target"].is_null()));

        // A ceiling indicator: 2 registered unemployed at the end of January is at the
        // 预警值 (amber, above the 目标值 of 1); 3 at the end of March is above it (red).
        let q = with_compare(
            query(&["registered_unemployed"], &[], Grain::Month, "2024-01-01", "2024-03-31"),
            &[Compare::Target],
        );
        let t = db.metrics(&q).await;
        let status: Vec<(String, i64, String)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().into(),
                    r["registered_unemployed"].as_i64().unwrap(),
                    r["registered_unemployed_status"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            status,
            vec![
                ("2024-01".into(), 2, "amber".into()),
                ("2024-02".into(), 2, "amber".into()),
                ("2024-03".into(), 3, "red".into())
            ],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

/// The server's watcher tells the roles reading an indicator when its city-wide status
/// turns amber or red — once per change.
#[tokio::test]
async fn a_status_turning_red_is_told_once_to_the_roles_that_read_it() {
    for db in backends().await {
        load_targets(&db).await;
        let state = jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), support::keys())
            .await
            .unwrap();
        let posted = jiuye_graphql::watch_targets(&state, support::day("2024-03-31")).await.unwrap();
        let red: Vec<String> = posted
            .iter()
            .filter(|m| m.body.contains("(registered_unemployed)") && m.body.contains(": red"))
            .map(|m| match &m.audience {
                jiuye_messages::Audience::Role(r) => r.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            red,
            ["city_analyst", "data_engineer", "district_analyst", "viewer"],
            "{}: {posted:?}",
            db.name
        );
        assert!(
            jiuye_graphql::watch_targets(&state, support::day("2024-03-31"))
                .await
                .unwrap()
                .is_empty(),
            "told once"
        );
        let inbox = jiuye_messages::Inbox::new(db.warehouse.clone());
        let reader = jiuye_messages::Reader {
            username: "anyone".into(),
            role: "viewer".into(),
        };
        let seen = inbox.list(&reader, true, None, 50).await.unwrap();
        assert!(
            seen.iter().any(|m| m.kind == "target.status" && m.severity == "critical"),
            "{seen:?}"
        );
        db.cleanup().await;
    }
}
