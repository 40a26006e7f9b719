//! Indicator semantics of indicators.md on loaded data, on SQLite and PostgreSQL:
//! distinct counts across grains and districts, comparisons, partial periods, Feb 29.

mod support;

use jiuye_semantic::{Compare, Grain};
use serde_json::{Value, json};
use support::fixtures::{Reg, write_regs};
use support::{TestDb, backends, query, with_compare, with_filter};

async fn load(db: &TestDb, regs: &[Reg]) {
    let dir = tempfile::tempdir().unwrap();
    write_regs(dir.path(), "employment_registration_t.csv", regs);
    let report = db.load(dir.path()).await;
    assert_eq!(report.files[0].quarantined, 0, "{:?}", report.files[0]);
}

fn rows_of(table: &jiuye_semantic::Table, cols: &[&str]) -> Vec<Vec<Value>> {
    table.rows.iter().map(|r| cols.iter().map(|c| r[*c].clone()).collect()).collect()
}

#[tokio::test]
async fn persons_are_distinct_per_period_and_district_never_summed() {
    let regs = vec![
        // Person 1 hired twice in March in 浦东: 2 registrations, 1 person.
        Reg::hire("A1", 1, "310115", "2024-03-04"),
        Reg::hire("A2", 1, "310115", "2024-03-05"),
        // Person 2 hired in two districts in March: 1 person per district, 1 for the city.
        Reg::hire("A3", 2, "310115", "2024-03-06"),
        Reg::hire("A4", 2, "310104", "2024-03-20"),
        Reg::hire("A5", 3, "310104", "2024-03-20").set("用工形式", "2"),
    ];
    for db in backends().await {
        load(&db, &regs).await;
        let days = db
            .metrics(&query(&["hire_persons"], &[], Grain::Day, "2024-03-01", "2024-03-31"))
            .await;
        let day_sum: i64 = days.rows.iter().map(|r| r["hire_persons"].as_i64().unwrap()).sum();
        let month = db
            .value(
                &query(&["hire_persons"], &[], Grain::Month, "2024-03-01", "2024-03-31"),
                "hire_persons",
                &[],
            )
            .await;
        assert_eq!(day_sum, 5, "{}", db.name);
        assert_eq!(month, Some(json!(3)), "persons of the month ≠ sum of its days ({})", db.name);

        let by_district = db
            .metrics(&query(
                &["hire_persons", "hire_registrations", "dispatch_hire_persons"],
                &["district"],
                Grain::Month,
                "2024-03-01",
                "2024-03-31",
            ))
            .await;
        assert_eq!(
            rows_of(
                &by_district,
                &["district", "hire_persons", "hire_registrations", "dispatch_hire_persons"]
            ),
            vec![
                vec![json!("310104"), json!(2), json!(2), json!(1)],
                vec![json!("310115"), json!(2), json!(3), json!(0)]
            ],
            "{}",
            db.name
        );
        // The same city answer from the rollup (whole month), from detail (partial range)
        // and under a two-district filter (which no distinct rollup can answer).
        for q in [
            query(&["hire_persons"], &[], Grain::Month, "2024-03-01", "2024-03-31"),
            query(&["hire_persons"], &[], Grain::Month, "2024-03-02", "2024-03-31"),
            with_filter(
                query(&["hire_persons"], &[], Grain::Month, "2024-03-01", "2024-03-31"),
                "district",
                &["310104", "310115"],
            ),
        ] {
            assert_eq!(db.value(&q, "hire_persons", &[]).await, Some(json!(3)), "{q:?} on {}", db.name);
        }
        assert_eq!(
            db.value(
                &query(&["hiring_employers", "net_hires"], &[], Grain::Year, "2024-01-01", "2024-12-31"),
                "net_hires",
                &[]
            )
            .await,
            Some(json!(5))
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn yoy_and_mom_cross_the_year_boundary_and_compare_the_same_span_of_a_partial_period() {
    let mut regs = Vec::new();
    let mut n = 0;
    let mut add = |date: &str, count: u32| {
        for _ in 0..count {
            n += 1;
            regs.push(Reg::hire(&format!("Y{n}"), n, "310115", date));
        }
    };
    add("2023-01-10", 4); // base of Jan 2024 YOY, inside Jan 1–15
    add("2023-01-20", 6); // outside Jan 1–15: only in the full-month base
    add("2023-12-05", 5); // MOM base of Jan 2024
    add("2023-12-28", 3); // outside Dec 1–15
    add("2024-01-08", 6);
    add("2024-01-25", 4);
    for db in backends().await {
        load(&db, &regs).await;
        let full = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Month, "2024-01-01", "2024-01-31"),
                &[Compare::Yoy, Compare::Mom],
            ))
            .await;
        assert_eq!(
            full.columns,
            vec!["period", "hire_registrations", "hire_registrations_yoy", "hire_registrations_mom"]
        );
        let r = &full.rows[0];
        assert_eq!(r["period"], json!("2024-01"));
        assert_eq!(r["hire_registrations"], json!(10));
        assert_eq!(r["hire_registrations_yoy"].as_f64(), Some((10.0 - 10.0) / 10.0), "{}", db.name);
        assert_eq!(r["hire_registrations_mom"].as_f64(), Some((10.0 - 8.0) / 8.0), "{}", db.name);

        let partial = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Month, "2024-01-01", "2024-01-15"),
                &[Compare::Yoy, Compare::Mom],
            ))
            .await;
        let r = &partial.rows[0];
        assert_eq!(r["hire_registrations"], json!(6));
        assert_eq!(
            r["hire_registrations_yoy"].as_f64(),
            Some((6.0 - 4.0) / 4.0),
            "Jan 1–15 vs Jan 1–15 ({})",
            db.name
        );
        assert_eq!(
            r["hire_registrations_mom"].as_f64(),
            Some((6.0 - 5.0) / 5.0),
            "Jan 1–15 vs Dec 1–15 ({})",
            db.name
        );

        // YEAR grain: the preceding period is the previous year, for both comparisons.
        let year = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Year, "2024-01-01", "2024-12-31"),
                &[Compare::Yoy, Compare::Mom],
            ))
            .await;
        let r = &year.rows[0];
        assert_eq!(r["hire_registrations_yoy"], r["hire_registrations_mom"]);
        assert_eq!(r["hire_registrations_yoy"].as_f64(), Some((10.0 - 18.0) / 18.0));

        // A whole month compares with the whole preceding month, whatever its length.
        let mut later = Vec::new();
        for (i, date) in ["2024-03-31", "2024-03-30", "2024-04-30"].iter().enumerate() {
            later.push(Reg::hire(&format!("L{i}"), 500 + i as u32, "310115", date));
        }
        load(&db, &later).await;
        let april = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Month, "2024-04-01", "2024-04-30"),
                &[Compare::Mom],
            ))
            .await;
        assert_eq!(
            april.rows[0]["hire_registrations_mom"].as_f64(),
            Some((1.0 - 2.0) / 2.0),
            "April vs all 31 days of March ({})",
            db.name
        );

        // Quarter across the boundary: 2024-Q1 vs 2023-Q4.
        let q = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Quarter, "2024-01-01", "2024-03-31"),
                &[Compare::Mom],
            ))
            .await;
        assert_eq!(
            q.rows[0]["hire_registrations_mom"].as_f64(),
            Some((12.0 - 8.0) / 8.0),
            "Q1 2024 holds the March additions"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn feb_29_has_no_year_earlier_day_but_is_a_day_before_march_1() {
    let regs = vec![
        Reg::hire("F1", 1, "310115", "2023-02-28"),
        Reg::hire("F2", 2, "310115", "2024-02-28"),
        Reg::hire("F3", 3, "310115", "2024-02-29"),
        Reg::hire("F4", 4, "310115", "2024-02-29"),
        Reg::hire("F5", 5, "310115", "2024-03-01"),
        Reg::hire("F6", 6, "310115", "2023-03-01"),
        Reg::hire("F7", 7, "310115", "2023-03-01"),
        Reg::hire("F8", 8, "310115", "2025-02-28"),
        Reg::hire("F8", 8, "310115", "2025-02-28"),
    ];
    for db in backends().await {
        load(&db, &regs).await;
        let t = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Day, "2024-02-28", "2024-03-01"),
                &[Compare::Yoy, Compare::Mom],
            ))
            .await;
        let cols = ["period", "hire_registrations", "hire_registrations_yoy", "hire_registrations_mom"];
        assert_eq!(
            rows_of(&t, &cols),
            vec![
                vec![json!("2024-02-28"), json!(1), json!(0.0), Value::Null],
                vec![json!("2024-02-29"), json!(2), Value::Null, json!(1.0)],
                vec![json!("2024-03-01"), json!(1), json!(-0.5), json!(-0.5)],
            ],
            "{}",
            db.name
        );
        // Feb 2024 (29 days) against Feb 2023 (28 days): whole months.
        let feb = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Month, "2024-02-01", "2024-02-29"),
                &[Compare::Yoy],
            ))
            .await;
        assert_eq!(feb.rows[0]["hire_registrations_yoy"].as_f64(), Some(2.0));
        // …and Feb 2025 against all of Feb 2024, Feb 29 included.
        let feb = db
            .metrics(&with_compare(
                query(&["hire_registrations"], &[], Grain::Month, "2025-02-01", "2025-02-28"),
                &[Compare::Yoy],
            ))
            .await;
        assert_eq!(
            feb.rows[0]["hire_registrations_yoy"].as_f64(),
            Some((1.0 - 3.0) / 3.0),
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn district_callers_see_their_district_only() {
    // Six persons in 徐汇, so the district's own cells are not small (small-cell
    // protection has its own test).
    let mut regs = vec![Reg::hire("D1", 1, "310115", "2024-03-04")];
    regs.extend((2..=7).map(|p| Reg::hire(&format!("D{p}"), p, "310104", "2024-03-05")));
    for db in backends().await {
        load(&db, &regs).await;
        let caller = support::caller("district_analyst", Some("310104"));
        let q = query(&["hire_persons"], &["district"], Grain::Month, "2024-03-01", "2024-03-31");
        let t = db.metrics_as(&q, &caller).await;
        // Six persons, perturbed as every figure a district caller sees (small_cells.rs).
        let six = support::perturbed_persons(6, &[2, 3, 4, 5, 6, 7]);
        assert_eq!(
            rows_of(&t, &["district", "hire_persons"]),
            vec![vec![json!("310104"), json!(six)]],
            "{}",
            db.name
        );
        let city = db
            .metrics_as(&query(&["hire_persons"], &[], Grain::Month, "2024-03-01", "2024-03-31"), &caller)
            .await;
        assert_eq!(
            city.rows[0]["hire_persons"],
            json!(six),
            "a district's total, not the city's ({})",
            db.name
        );
        let other = with_filter(q.clone(), "district", &["310115"]);
        let err = jiuye_graphql::run_metrics(&db.warehouse, &db.catalog, &other, &caller)
            .await
            .err()
            .expect("forbidden");
        assert_eq!(err.code(), "FORBIDDEN");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn retired_district_codes_count_under_todays_district() {
    let regs = vec![
        Reg::hire("R1", 1, "310108", "2024-03-04"),
        Reg::hire("R2", 2, "310106", "2024-03-04"),
    ];
    for db in backends().await {
        load(&db, &regs).await;
        let t = db
            .metrics(&query(
                &["hire_registrations"],
                &["district"],
                Grain::Month,
                "2024-03-01",
                "2024-03-31",
            ))
            .await;
        assert_eq!(
            rows_of(&t, &["district", "hire_registrations"]),
            vec![vec![json!("310106"), json!(2)]],
            "闸北 counts under 静安 ({})",
            db.name
        );
        let kept = db
            .warehouse
            .fetch(&jiuye_sql_value::Statement {
                sql: "SELECT district_reported FROM dwd_employment_registration WHERE business_key = 'R1'".into(),
                params: vec![],
            })
            .await
            .unwrap();
        assert_eq!(kept.rows[0][0].to_key(), "310108", "the exported code is kept");
        db.cleanup().await;
    }
}
