//! Disclosure control for district callers on SQLite and PostgreSQL (docs/security.md):
//! a cell with fewer than 5 persons behind any of its figures is null and flagged, with
//! one more cell of its period (the complement); every other figure is perturbed by the
//! cell-key method, so the same rows always give the same figure and differencing two
//! answers does not give a suppressed cell back. Analysts and admins see every figure.

mod support;

use jiuye_semantic::{Caller, Compare, Grain};
use serde_json::{Value, json};
use support::fixtures::{Reg, write_regs};
use support::{TestDb, backends, perturbed_persons, query, with_compare, with_filter};

/// The perturbation of a cell whose rows belong to `persons` (one row each), by the
/// documented p-table (`support::perturbed_persons`).
fn perturbation(persons: &[u32]) -> i64 {
    perturbed_persons(1_000, persons) - 1_000
}

fn district() -> Caller {
    support::caller("district_analyst", Some("310104"))
}

#[tokio::test]
async fn small_cells_are_suppressed_with_a_complement_and_the_rest_perturbed() {
    let mut regs = Vec::new();
    let mut cells: Vec<Vec<u32>> = Vec::new();
    let mut n = 0;
    // 徐汇, March 2024: hukou 1 × 5 persons, hukou 2 × 6, hukou 3 × 2 (small).
    for (hukou, persons) in [("1", 5), ("2", 6), ("3", 2)] {
        let mut cell = Vec::new();
        for _ in 0..persons {
            n += 1;
            cell.push(n);
            regs.push(Reg::hire(&format!("S{n}"), n, "310104", "2024-03-05").set("户籍类型", hukou));
        }
        cells.push(cell);
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
        let t = db.metrics_as(&q, &district()).await;
        let view: Vec<(String, Value, Value, bool)> = t
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
        let six = (6 + perturbation(&cells[1])).max(5);
        assert_eq!(
            view,
            vec![
                // 5 is not small, but it is the smallest other cell: the complement.
                ("1".to_string(), json!(null), json!(null), true),
                ("2".to_string(), json!(six), json!(null), false),
                ("3".to_string(), json!(null), json!(null), true),
            ],
            "{}",
            db.name
        );
        assert_eq!(t.rows[2]["hire_registrations"], json!(null), "every figure of a small cell");
        // Six rows of six persons: the same rows, the same perturbation.
        assert_eq!(t.rows[1]["hire_registrations"], json!((6 + perturbation(&cells[1])).max(1)));

        // Analysts and admins see every figure, exactly.
        for role in ["city_analyst", "data_engineer"] {
            let t = db.metrics_as(&q, &support::caller(role, None)).await;
            let persons: Vec<i64> = t.rows.iter().map(|r| r["hire_persons"].as_i64().unwrap()).collect();
            assert_eq!(persons, vec![5, 6, 2]);
            assert_eq!(t.rows[0]["hire_persons_yoy"], json!(0.25));
            assert!(t.rows.iter().all(|r| !r.contains_key("suppressed")));
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn every_figure_of_a_cell_follows_its_person_count() {
    // Two persons of hukou 3 with wages: asked for record counts and wage sums only (no
    // person count), the cell is still suppressed — one person's wage is not shown.
    let mut regs = Vec::new();
    for n in 1..=8u32 {
        let hukou = if n <= 2 { "3" } else { "1" };
        regs.push(
            Reg::hire(&format!("W{n}"), n, "310104", "2024-05-06")
                .set("户籍类型", hukou)
                .set("月工资", &format!("{}", 9000 + n)),
        );
    }
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_wages.csv", &regs);
        db.load(dir.path()).await;
        let q = query(
            &["hire_registrations", "hire_wage_total", "avg_hire_wage"],
            &["hukou_type"],
            Grain::Month,
            "2024-05-01",
            "2024-05-31",
        );
        let t = db.metrics_as(&q, &district()).await;
        let small = t.rows.iter().find(|r| r["hukou_type"] == json!("3")).unwrap();
        assert!(small.contains_key("suppressed"), "{}: {small:?}", db.name);
        for code in ["hire_registrations", "hire_wage_total", "avg_hire_wage"] {
            assert_eq!(small[code], json!(null), "{}: {code}", db.name);
        }
        db.cleanup().await;
    }
}

/// One month's persons in 徐汇: ten of hukou 1 and two of hukou 3 (the small cell).
struct Month {
    label: String,
    large: Vec<u32>,
    small: Vec<u32>,
}

fn months() -> (Vec<Month>, Vec<Reg>) {
    let (mut months, mut regs) = (Vec::new(), Vec::new());
    let mut n = 100;
    for year in 2022..=2024 {
        for month in 1..=12 {
            let date = format!("{year}-{month:02}-10");
            let mut m = Month {
                label: format!("{year}-{month:02}"),
                large: vec![],
                small: vec![],
            };
            for i in 0..12 {
                n += 1;
                let hukou = if i < 2 { "3" } else { "1" };
                regs.push(
                    Reg::hire(&format!("D{n}"), n, "310104", &date)
                        .set("户籍类型", hukou)
                        .set("月工资", &format!("{}.{:02}", 6000 + n * 7, n % 100)),
                );
                if i < 2 { m.small.push(n) } else { m.large.push(n) }
            }
            months.push(m);
        }
    }
    (months, regs)
}

fn wage(n: u32) -> f64 {
    format!("{}.{:02}", 6000 + n * 7, n % 100).parse().unwrap()
}

async fn by_month(db: &TestDb, q: &jiuye_semantic::MetricsQuery) -> Vec<(String, f64, f64)> {
    db.metrics_as(q, &district())
        .await
        .rows
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["hire_persons"].as_f64().unwrap(),
                r["hire_wage_total"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn differencing_two_answers_does_not_give_a_suppressed_cell_back() {
    let (months, regs) = months();
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_diff.csv", &regs);
        db.load(dir.path()).await;
        let total = query(&["hire_persons", "hire_wage_total"], &[], Grain::Month, "2022-01-01", "2024-12-31");
        let all = by_month(&db, &total).await;
        let large = by_month(&db, &with_filter(total.clone(), "hukou_type", &["1", "2", "4", "5", "6"])).await;
        assert_eq!((all.len(), large.len()), (36, 36), "{}", db.name);

        let mut recovered = (0, 0);
        for ((m, a), l) in months.iter().zip(&all).zip(&large) {
            // Each published figure is the true one perturbed from its own rows.
            let everyone: Vec<u32> = m.large.iter().chain(&m.small).copied().collect();
            assert_eq!((&a.0, &l.0), (&m.label, &m.label), "{}", db.name);
            assert_eq!(a.1, (12 + perturbation(&everyone)).max(5) as f64, "{} {}", db.name, m.label);
            assert_eq!(l.1, (10 + perturbation(&m.large)).max(5) as f64, "{} {}", db.name, m.label);
            recovered.0 += usize::from(a.1 - l.1 == 2.0);
            let small_wages: f64 = m.small.iter().map(|n| wage(*n)).sum();
            recovered.1 += usize::from(((a.2 - l.2) - small_wages).abs() < 0.005);
        }
        // Unperturbed, every difference would be the small cell (36 of 36). Independent
        // perturbations of ±2 leave it exact about a third of the time.
        assert!(recovered.0 <= 20, "{}: persons recovered in {} of 36 months", db.name, recovered.0);
        assert!(recovered.1 <= 20, "{}: wages recovered in {} of 36 months", db.name, recovered.1);

        // The same rows give the same figures: asked again, or through a filter that
        // changes nothing (served from detail instead of the rollup).
        assert_eq!(by_month(&db, &total).await, all, "{}", db.name);
        let every_hukou = with_filter(total.clone(), "hukou_type", &["1", "2", "3", "4", "5", "6"]);
        assert_eq!(by_month(&db, &every_hukou).await, all, "{}: a no-op filter", db.name);
        db.cleanup().await;
    }
}
