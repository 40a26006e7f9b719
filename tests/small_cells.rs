//! Small-cell protection on SQLite and PostgreSQL: a district token's cells with fewer
//! than 5 distinct persons are null and flagged, with their comparisons; one more cell
//! of the period is suppressed so the total cannot give the small one back; analysts and
//! admins see every figure.

mod support;

use jiuye_semantic::{Caller, Compare, Grain, Role};
use serde_json::json;
use support::fixtures::{Reg, write_regs};
use support::{backends, query, with_compare};

#[tokio::test]
async fn small_person_counts_are_suppressed_for_district_callers_with_a_complement() {
    let mut regs = Vec::new();
    let mut n = 0;
    // 徐汇, March 2024: hukou 1 × 5 persons, hukou 2 × 6, hukou 3 × 2 (small).
    for (hukou, persons) in [("1", 5), ("2", 6), ("3", 2)] {
        for _ in 0..persons {
            n += 1;
            regs.push(Reg::hire(&format!("S{n}"), n, "310104", "2024-03-05").set("户籍类型", hukou));
        }
    }
    // March 2023, for YOY: 4 persons of hukou 1.
    for _ in 0..4 {
        n += 1;
        regs.push(Reg::hire(&format!("S{n}"), n, "310104", "2023-03-05"));
    }
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_small.csv", &regs);
        db.load(dir.path()).await;
        let q = with_compare(
            query(
                &["hire_persons", "hire_registrations"],
                &["hukou_type"],
                Grain::Month,
                "2024-03-01",
                "2024-03-31",
            ),
            &[Compare::Yoy],
        );
        let district = Caller {
            role: Role::District("310104".into()),
        };
        let t = db.metrics_as(&q, &district).await;
        let view: Vec<(String, serde_json::Value, serde_json::Value, bool)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["hukou_type"].as_str().unwrap().to_string(),
                    r["hire_persons"].clone(),
                    r["hire_persons_yoy"].clone(),
                    r.contains_key("suppressed"),
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![
                // 5 is not small, but it is the smallest other cell: the complement.
                ("1".to_string(), json!(null), json!(null), true),
                ("2".to_string(), json!(6), json!(null), false),
                ("3".to_string(), json!(null), json!(null), true),
            ],
            "{}",
            db.name
        );
        assert_eq!(t.rows[2]["hire_registrations"], json!(null), "every figure of a small cell");

        // Analysts and admins see every figure.
        for role in [Role::Analyst, Role::Admin] {
            let t = db.metrics_as(&q, &Caller { role }).await;
            let persons: Vec<i64> = t.rows.iter().map(|r| r["hire_persons"].as_i64().unwrap()).collect();
            assert_eq!(persons, vec![5, 6, 2]);
            assert_eq!(t.rows[0]["hire_persons_yoy"], json!(0.25));
            assert!(t.rows.iter().all(|r| !r.contains_key("suppressed")));
        }
        db.cleanup().await;
    }
}
