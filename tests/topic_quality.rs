//! The topic board of employment quality, mass layoffs, parks and bases, on SQLite and
//! PostgreSQL, against computations of its own over the DWD rows of a demo half-year:
//! the average wage is a ratio of sums, rankings keep the largest values first, and the
//! bases in the registry are a stock.

mod support;

use std::collections::BTreeMap;

use jiuye_semantic::Caller;
use serde_json::Value;
use support::{TestDb, backends, day};

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Counts per key (first column) from rows of one key each, largest first.
fn ranked(counts: BTreeMap<String, f64>) -> Vec<(String, f64)> {
    let mut list: Vec<(String, f64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1));
    list
}

fn check_ranking(db: &TestDb, panel: &jiuye_graphql::PanelAnswer, dimension: &str, by: &str, expected: &[(String, f64)], top: usize) {
    let got: Vec<(String, f64)> = panel
        .rows
        .iter()
        .map(|r| (r[dimension].as_str().unwrap_or_default().to_string(), number(&r[by])))
        .collect();
    assert_eq!(got.len(), expected.len().min(top), "{}: {}", db.name, panel.code);
    assert!(!got.is_empty(), "{}: {} ranks nothing", db.name, panel.code);
    let all: BTreeMap<&str, f64> = expected.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    for (i, (key, value)) in got.iter().enumerate() {
        // Ties may list employers in another order; the values and each key's own value
        // must agree.
        assert_eq!(*value, expected[i].1, "{}: {} rank {i}", db.name, panel.code);
        assert_eq!(all.get(key.as_str()), Some(value), "{}: {} {key}", db.name, panel.code);
    }
}

#[tokio::test]
async fn quality_layoff_park_and_base_panels_agree_with_detail() {
    let exports = support::demo_exports(1, 0.05, 29);
    for db in backends().await {
        db.load(exports.path()).await;
        let board = &db.catalog.boards["topic_quality"];
        let answer = jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, day("2024-06-30"), None, &Caller::unrestricted()).await;
        let panel = |code: &str| answer.panels.iter().find(|p| p.code == code).unwrap();
        for p in &answer.panels {
            assert!(p.error.is_none(), "{}: {} {:?}", db.name, p.code, p.error);
        }

        // Wage level: Σ月工资 / Σ招工 with a wage, per district, January–June.
        let mut wages: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for r in db
            .rows(
                "SELECT district, monthly_wage FROM dwd_employment_registration \
             WHERE business_type = '1' AND monthly_wage IS NOT NULL AND date_key BETWEEN 20240101 AND 20240630",
            )
            .await
        {
            let e = wages.entry(r[0].clone()).or_default();
            e.0 += r[1].parse::<f64>().unwrap();
            e.1 += 1.0;
        }
        let wage_level = panel("wage_level");
        assert_eq!(wage_level.rows.len(), wages.len(), "{}", db.name);
        for r in &wage_level.rows {
            let (sum, n) = wages[r["district"].as_str().unwrap()];
            assert_eq!(number(&r["hire_wage_records"]), n, "{}", db.name);
            let avg = number(&r["avg_hire_wage"]);
            assert!(
                (avg - sum / n).abs() < 1e-6 * avg.abs().max(1.0),
                "{}: {avg} vs {}",
                db.name,
                sum / n
            );
        }

        // Mass layoffs: employers by 单位解除/协商解除 退工 in June, largest first.
        let mut layoffs = BTreeMap::new();
        for r in db
            .rows(
                "SELECT employer_uscc FROM dwd_employment_registration WHERE business_type = '2' \
             AND separation_reason IN ('2', '4') AND date_key BETWEEN 20240601 AND 20240630",
            )
            .await
        {
            *layoffs.entry(r[0].clone()).or_insert(0.0) += 1.0;
        }
        check_ranking(&db, panel("mass_layoffs"), "employer", "layoff_separations", &ranked(layoffs), 20);

        // Parks: start-up support naming a 园区编号, January–June.
        let mut parks = BTreeMap::new();
        for r in db
            .rows("SELECT park_code FROM dwd_startup_support WHERE park_code IS NOT NULL AND date_key BETWEEN 20240101 AND 20240630")
            .await
        {
            *parks.entry(r[0].clone()).or_insert(0.0) += 1.0;
        }
        check_ranking(&db, panel("entrepreneurship_parks"), "park", "park_startups", &ranked(parks), 20);

        // Bases in the registry on June 30: the demo's registry has one version per
        // facility, so the stock is its open facilities of those types.
        let open: BTreeMap<String, f64> = db
            .rows(
                "SELECT facility_type, COUNT(*) FROM dwd_facility WHERE status = '1' \
             AND facility_type IN ('2', '3', '5', '7', '8') GROUP BY facility_type",
            )
            .await
            .into_iter()
            .map(|r| (r[0].clone(), r[1].parse().unwrap()))
            .collect();
        let bases: BTreeMap<String, f64> = panel("bases")
            .rows
            .iter()
            .map(|r| (r["facility_type"].as_str().unwrap().to_string(), number(&r["active_facilities"])))
            .collect();
        assert_eq!(bases, open, "{}", db.name);
        db.cleanup().await;
    }
}
