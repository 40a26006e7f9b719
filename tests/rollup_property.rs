//! The rollup property on SQLite and PostgreSQL: for random indicator, dimension,
//! filter, grain, range and comparison combinations over a year of demo data, the answer
//! the planner routes to rollups equals the answer of a catalog without rollups (detail
//! only). proptest draws the combinations from a fixed seed, so a failure reproduces.

mod support;

use jiuye_semantic::{Caller, Compare, Grain, MetricsQuery};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use support::{backends, day, query, with_compare, with_filter};

const DISTRICTS: [&str; 4] = ["310115", "310104", "310112", "310101"];

/// Indicators some rollup can serve: the measures rollups hold and formulas over them.
fn rollup_indicators(catalog: &jiuye_semantic::Catalog) -> Vec<String> {
    let held: std::collections::BTreeSet<&String> = catalog.rollups.iter().flat_map(|r| r.indicators.iter()).collect();
    catalog
        .indicators()
        .filter(|i| {
            catalog
                .base_measures(&i.code)
                .is_ok_and(|bases| bases.iter().all(|b| held.contains(b)))
        })
        .map(|i| i.code.clone())
        .collect()
}

fn build(catalog: &jiuye_semantic::Catalog, indicators: &[String], pick: (usize, usize, usize, usize, usize, usize)) -> MetricsQuery {
    let (i, d, f, g, r, c) = pick;
    let indicator = &indicators[i % indicators.len()];
    let dims = catalog.indicator_dimensions(indicator).unwrap();
    let grain = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year][g % 5];
    let (from, to) = match (grain, r % 6) {
        (Grain::Day | Grain::Week, 0) => ("2024-06-01", "2024-06-30"),
        (Grain::Day | Grain::Week, 1) => ("2024-06-03", "2024-06-16"),
        (Grain::Day | Grain::Week, _) => ("2024-03-01", "2024-03-31"),
        (_, 0) => ("2024-01-01", "2024-12-31"),
        (_, 1) => ("2024-04-01", "2024-09-30"),
        (_, 2) => ("2024-02-10", "2024-11-20"),
        // To date: from a year's or a month's first day to a day inside a month.
        (_, 3) => ("2024-01-01", "2024-08-19"),
        (_, 4) => ("2024-03-01", "2024-05-17"),
        _ => ("2024-07-01", "2024-07-31"),
    };
    let dimension: Vec<&str> = match d % 3 {
        0 => vec![],
        1 if dims.iter().any(|x| x == "district") => vec!["district"],
        _ => dims.iter().map(String::as_str).filter(|x| *x != "district").take(1).collect(),
    };
    let mut q = query(&[indicator.as_str()], &dimension, grain, from, to);
    if dims.iter().any(|x| x == "district") {
        q = match f % 3 {
            0 => q,
            1 => with_filter(q, "district", &[DISTRICTS[f % 4]]),
            _ => with_filter(q, "district", &[DISTRICTS[f % 4], DISTRICTS[(f + 1) % 4]]),
        };
    }
    match c % 3 {
        0 => q,
        1 => with_compare(q, &[Compare::Yoy]),
        _ => with_compare(q, &[Compare::Mom]),
    }
}

#[tokio::test]
async fn rollup_answers_equal_detail_answers_for_random_queries() {
    let exports = support::demo_exports(1, 0.02, 17);
    for db in backends().await {
        db.load(exports.path()).await;
        let mut detail_only = db.catalog.clone();
        detail_only.rollups.clear();
        let indicators = rollup_indicators(&db.catalog);
        assert!(indicators.len() >= 30, "{indicators:?}");
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 96,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let strategy = (0..1000usize, 0..3usize, 0..12usize, 0..5usize, 0..6usize, 0..3usize);
        let mut served_by_rollup = 0;
        let district = support::caller("district_analyst", Some("310104"));
        for _ in 0..96 {
            let pick = strategy.new_tree(&mut runner).unwrap().current();
            let q = build(&db.catalog, &indicators, pick);
            let plan = jiuye_semantic::plan(
                &db.catalog,
                jiuye_semantic::sql::dialect_for(db.warehouse.backend()),
                &q,
                &Caller::unrestricted(),
                day("2026-01-01"),
            )
            .unwrap();
            served_by_rollup += plan.parts.iter().filter(|p| p.table.starts_with("dws_")).count();
            let detail = jiuye_graphql::run_metrics(&db.warehouse, &detail_only, &q, &Caller::unrestricted())
                .await
                .unwrap()
                .table;
            assert_eq!(db.metrics(&q).await, detail, "{q:?} on {}", db.name);
            // A district caller's protected answer (suppressed, perturbed) is the same
            // whichever table serves it: guards and cell keys roll up exactly.
            let mut own = q.clone();
            own.filters.retain(|f| f.dimension != "district");
            let detail = jiuye_graphql::run_metrics(&db.warehouse, &detail_only, &own, &district)
                .await
                .unwrap()
                .table;
            assert_eq!(db.metrics_as(&own, &district).await, detail, "{own:?} as 310104 on {}", db.name);
        }
        assert!(served_by_rollup > 20, "rollups served {served_by_rollup} parts of 96 queries");

        // Every measure of every to-date rollup, in the shapes boards ask: this month and
        // this year so far, with the year-earlier base.
        let to_date: Vec<&jiuye_semantic::Rollup> = db.catalog.rollups.iter().filter(|r| r.first_in.is_some()).collect();
        assert!(to_date.len() >= 20, "{} to-date rollups", to_date.len());
        for r in to_date {
            // The second range does not start on a period's first day: detail answers it.
            let (grain, from, to, late_from) = match r.first_in {
                Some(Grain::Month) => (Grain::Month, "2024-03-01", "2024-05-17", "2024-03-05"),
                _ => (Grain::Year, "2024-01-01", "2024-08-19", "2024-03-01"),
            };
            let dims: Vec<&str> = r.dimensions.iter().map(String::as_str).collect();
            // The model's measures; their companions are checked through protected answers.
            for code in r.indicators.iter().filter(|c| db.catalog.indicator(c).is_ok()) {
                let late = query(&[code.as_str()], &dims, grain, late_from, to);
                let detail = jiuye_graphql::run_metrics(&db.warehouse, &detail_only, &late, &Caller::unrestricted())
                    .await
                    .unwrap()
                    .table;
                assert_eq!(db.metrics(&late).await, detail, "{late:?} on {}", db.name);
                let q = with_compare(query(&[code.as_str()], &dims, grain, from, to), &[Compare::Yoy]);
                let plan = jiuye_semantic::plan(
                    &db.catalog,
                    jiuye_semantic::sql::dialect_for(db.warehouse.backend()),
                    &q,
                    &Caller::unrestricted(),
                    day("2026-01-01"),
                )
                .unwrap();
                // Additive measures may come from any daily rollup; distinct counts need
                // the to-date one.
                let additive = db.catalog.indicator(code).unwrap().is_additive();
                assert!(
                    plan.parts
                        .iter()
                        .all(|p| p.table.contains("_mtd_") || p.table.contains("_ytd_") || (additive && p.table.starts_with("dws_"))),
                    "{code} {grain:?}: {:?}",
                    plan.routing
                );
                let detail = jiuye_graphql::run_metrics(&db.warehouse, &detail_only, &q, &Caller::unrestricted())
                    .await
                    .unwrap()
                    .table;
                assert_eq!(db.metrics(&q).await, detail, "{q:?} on {}", db.name);
            }
        }
        db.cleanup().await;
    }
}
