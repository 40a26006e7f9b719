//! The planner's SQL per dialect, pinned by snapshots, and its routing and security rules.

use chrono::NaiveDate;
use jiuye_semantic::sql::{PostgresDialect, SqliteDialect};
use jiuye_semantic::{
    Allowed, Caller, Catalog, Compare, DimensionFilter, Grain, MetricsQuery, SemanticError, plan, rollup_build_statements,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn query(indicators: &[&str], dims: &[&str], grain: Grain, from: &str, to: &str) -> MetricsQuery {
    MetricsQuery {
        indicators: indicators.iter().map(|s| s.to_string()).collect(),
        dimensions: dims.iter().map(|s| s.to_string()).collect(),
        grain,
        from: d(from),
        to: d(to),
        filters: vec![],
        compare: vec![],
        known_at: None,
    }
}

const TODAY: &str = "2026-11-29";

#[test]
fn hire_persons_by_district_and_month_with_yoy() {
    let catalog = Catalog::builtin().unwrap();
    let mut q = query(
        &["hire_persons", "net_hires"],
        &["district"],
        Grain::Month,
        "2025-01-01",
        "2025-12-31",
    );
    q.compare = vec![Compare::Yoy];
    q.filters = vec![DimensionFilter {
        dimension: "hukou_type".into(),
        values: vec!["1".into(), "2".into()],
    }];
    for (name, dialect) in [
        ("sqlite", &SqliteDialect as &dyn jiuye_semantic::sql::Dialect),
        ("postgres", &PostgresDialect),
    ] {
        let p = plan(&catalog, dialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
        assert_eq!(p.parts.len(), 2, "main and YOY base");
        // hukou_type is filtered with two values, so no distinct-count rollup answers.
        assert_eq!(p.parts[0].table, "dwd_employment_registration");
        let sql: Vec<String> = p
            .parts
            .iter()
            .map(|part| format!("{}\n-- params: {:?}", part.statement.sql, part.statement.params))
            .collect();
        insta::assert_snapshot!(format!("yoy_{name}"), sql.join("\n\n"));
    }
}

#[test]
fn whole_months_route_to_the_smallest_exact_rollup() {
    let catalog = Catalog::builtin().unwrap();
    let q = query(&["hire_persons"], &["district"], Grain::Month, "2025-01-01", "2025-06-30");
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert_eq!(p.parts[0].table, "dws_employment_registration_persons_month_district");
    insta::assert_snapshot!("rollup_sqlite", p.parts[0].statement.sql);

    // City total of distinct persons: never the sum of districts.
    let q = query(&["hire_persons"], &[], Grain::Quarter, "2025-01-01", "2025-06-30");
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert_eq!(p.parts[0].table, "dws_employment_registration_persons_quarter_city");

    // Additive counts may be summed from finer rollups.
    let q = query(&["hire_registrations"], &["education"], Grain::Year, "2025-01-01", "2025-12-31");
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert_eq!(p.parts[0].table, "dws_employment_registration_all_dims_month_10d");

    // Distinct persons by education has no exact rollup.
    let q = query(&["hire_persons"], &["education"], Grain::Year, "2025-01-01", "2025-12-31");
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert_eq!(p.parts[0].table, "dwd_employment_registration");
    let note = &p.routing[0];
    assert!(
        note.rejected
            .iter()
            .any(|(t, why)| t.ends_with("persons_year_district") && why.contains("education")),
        "{:?}",
        note.rejected
    );
}

#[test]
fn partial_months_are_served_from_detail() {
    let catalog = Catalog::builtin().unwrap();
    let mut q = query(&["hire_persons"], &["district"], Grain::Month, "2025-01-05", "2025-01-15");
    q.compare = vec![Compare::Yoy, Compare::Mom];
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert!(p.parts.iter().all(|part| part.table == "dwd_employment_registration"));
    // Same span a year and a month earlier.
    let range = |i: usize| {
        p.parts[i]
            .statement
            .params
            .iter()
            .filter(|v| matches!(v, jiuye_sql_value::SqlValue::Int(_)))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(range(1), [20240105.into(), 20240115.into()]);
    assert_eq!(range(2), [20241205.into(), 20241215.into()]);
}

#[test]
fn month_and_year_to_date_distinct_counts_are_served_by_to_date_rollups() {
    let catalog = Catalog::builtin().unwrap();
    let mut q = query(&["hire_persons"], &["district"], Grain::Month, "2025-01-01", "2025-01-15");
    q.compare = vec![Compare::Yoy, Compare::Mom];
    let p = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap();
    for part in &p.parts {
        assert_eq!(part.table, "dws_employment_registration_mtd_day_district", "{:?}", part.purpose);
    }
    let mut ytd = query(&["hire_persons"], &[], Grain::Year, "2025-01-01", "2025-06-18");
    ytd.compare = vec![Compare::Yoy];
    let p = plan(&catalog, &SqliteDialect, &ytd, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert!(p.parts.iter().all(|part| part.table == "dws_employment_registration_ytd_day_city"));
    // A year-to-date count asked by month would count a person once per year: refused.
    let by_month = query(&["hire_persons"], &[], Grain::Quarter, "2025-01-01", "2025-06-18");
    let p = plan(&catalog, &SqliteDialect, &by_month, &Caller::unrestricted(), d(TODAY)).unwrap();
    assert_eq!(p.parts[0].table, "dwd_employment_registration");
    let why: Vec<&String> = p.routing[0].rejected.iter().map(|(_, w)| w).collect();
    assert!(why.iter().any(|w| w.contains("once per YEAR")), "{why:?}");
    insta::assert_snapshot!(
        "to_date_build_postgres",
        jiuye_semantic::rollup_build_statements(
            catalog
                .rollups
                .iter()
                .find(|r| r.table == "dws_employment_registration_ytd_day_district")
                .unwrap(),
            &catalog,
            &PostgresDialect
        )
        .iter()
        .map(|s| s.sql.clone())
        .collect::<Vec<_>>()
        .join(";\n\n")
    );
}

#[test]
fn a_caller_asks_only_for_granted_indicators() {
    let catalog = Catalog::builtin().unwrap();
    let caller = Caller {
        indicators: Allowed::Only(["hire_persons".to_string()].into()),
        ..Caller::unrestricted()
    };
    let q = query(&["hire_persons"], &[], Grain::Month, "2025-01-01", "2025-01-31");
    assert!(plan(&catalog, &SqliteDialect, &q, &caller, d(TODAY)).is_ok());
    let q = query(
        &["hire_persons", "separation_persons"],
        &[],
        Grain::Month,
        "2025-01-01",
        "2025-01-31",
    );
    let err = plan(&catalog, &SqliteDialect, &q, &caller, d(TODAY)).unwrap_err();
    assert!(
        matches!(&err, SemanticError::Forbidden(m) if m.contains("separation_persons")),
        "{err}"
    );
}

#[test]
fn district_callers_are_confined_to_their_district() {
    let catalog = Catalog::builtin().unwrap();
    let caller = Caller {
        role: "district_analyst".into(),
        district: Some("310104".into()),
        detail_view: None,
        see_sql: false,
        indicators: Allowed::All,
    };
    let q = query(&["hire_persons"], &[], Grain::Month, "2025-01-01", "2025-01-31");
    let p = plan(&catalog, &SqliteDialect, &q, &caller, d(TODAY)).unwrap();
    assert!(p.parts[0].statement.params.contains(&"310104".into()));
    // Single-valued district filter lets the district rollup answer a distinct count exactly.
    assert_eq!(p.parts[0].table, "dws_employment_registration_persons_month_district");

    let mut q = q.clone();
    q.filters = vec![DimensionFilter {
        dimension: "district".into(),
        values: vec!["310104".into(), "310101".into()],
    }];
    let err = plan(&catalog, &SqliteDialect, &q, &caller, d(TODAY)).unwrap_err();
    assert!(matches!(err, SemanticError::Forbidden(_)), "{err}");
    assert_eq!(err.code(), "FORBIDDEN");
}

#[test]
fn unknown_names_are_clear_errors() {
    let catalog = Catalog::builtin().unwrap();
    let q = query(&["hire_persons"], &["occupation_x"], Grain::Month, "2025-01-01", "2025-01-31");
    let err = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap_err();
    assert!(err.to_string().contains("occupation_x"));
    let q = query(&["nope"], &[], Grain::Month, "2025-01-01", "2025-01-31");
    let err = plan(&catalog, &SqliteDialect, &q, &Caller::unrestricted(), d(TODAY)).unwrap_err();
    assert!(err.to_string().contains("hire_persons"), "lists known indicators: {err}");
}

#[test]
fn rollup_builds_are_pinned() {
    let catalog = Catalog::builtin().unwrap();
    let rollup = catalog
        .rollups
        .iter()
        .find(|r| r.table.ends_with("persons_month_district"))
        .unwrap();
    let stmts = rollup_build_statements(rollup, &catalog, &PostgresDialect);
    insta::assert_snapshot!(
        "rollup_build_postgres",
        stmts.iter().map(|s| s.sql.clone()).collect::<Vec<_>>().join(";\n\n")
    );
}

#[test]
fn a_stock_reads_each_period_at_its_last_day_and_a_lookup_takes_the_version_of_the_event_date() {
    let catalog = Catalog::builtin().unwrap();
    let stock = query(&["registered_unemployed"], &["gender"], Grain::Quarter, "2025-01-01", "2025-08-15");
    let lookup = query(&["subsidy_amount"], &["industry_section"], Grain::Month, "2025-01-01", "2025-03-31");
    for (name, dialect) in [
        ("sqlite", &SqliteDialect as &dyn jiuye_semantic::sql::Dialect),
        ("postgres", &PostgresDialect),
    ] {
        let p = plan(&catalog, dialect, &stock, &Caller::unrestricted(), d(TODAY)).unwrap();
        assert_eq!(p.parts[0].table, "dws_status_unemployed", "no daily snapshot by gender");
        // By district, the daily snapshot serves: the rows of the same as-of days.
        let mut by_district = stock.clone();
        by_district.dimensions = vec!["district".into()];
        let s = plan(&catalog, dialect, &by_district, &Caller::unrestricted(), d(TODAY)).unwrap();
        assert_eq!(s.parts[0].table, "dws_unemployed_status_daily_day_district");
        let days: Vec<String> = s.parts[0].statement.params.iter().map(|v| v.to_key()).collect();
        assert!(days.windows(3).any(|w| w == ["20250331", "20250630", "20250815"]), "{days:?}");
        // Q1 at March 31; the unfinished Q3 at the query's end date.
        let as_of: Vec<String> = p.parts[0].statement.params.iter().map(|v| v.to_key()).collect();
        assert!(as_of.windows(3).any(|w| w == ["20250331", "20250630", "20250815"]), "{as_of:?}");
        let l = plan(&catalog, dialect, &lookup, &Caller::unrestricted(), d(TODAY)).unwrap();
        assert_eq!(l.parts[0].table, "dwd_policy_subsidy", "a lookup dimension is never rolled up");
        insta::assert_snapshot!(
            format!("stock_and_lookup_{name}"),
            format!("{}\n\n{}", p.parts[0].statement.sql, l.parts[0].statement.sql)
        );
    }
}

#[test]
fn an_as_of_answer_reads_the_versions_known_then() {
    let catalog = Catalog::builtin().unwrap();
    let known = jiuye_semantic::KnownAt::parse("2025-04-01T09:00:00+08:00").unwrap();
    let mut count = query(&["hire_persons"], &["district"], Grain::Month, "2025-01-01", "2025-03-31");
    count.known_at = Some(known);
    let mut stock = query(&["registered_unemployed"], &[], Grain::Month, "2025-01-01", "2025-03-31");
    stock.known_at = Some(known);
    for (name, dialect) in [
        ("sqlite", &SqliteDialect as &dyn jiuye_semantic::sql::Dialect),
        ("postgres", &PostgresDialect),
    ] {
        let c = plan(&catalog, dialect, &count, &Caller::unrestricted(), d(TODAY)).unwrap();
        assert_eq!(
            c.parts[0].table, "dwd_employment_registration",
            "rollups hold only today's knowledge"
        );
        let s = plan(&catalog, dialect, &stock, &Caller::unrestricted(), d(TODAY)).unwrap();
        insta::assert_snapshot!(
            format!("as_of_{name}"),
            format!("{}\n\n{}", c.parts[0].statement.sql, s.parts[0].statement.sql)
        );
    }
}
