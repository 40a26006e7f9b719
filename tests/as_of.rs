//! As-of answers on SQLite and PostgreSQL: after a second load brings later months and
//! corrections of earlier ones, every indicator asked `as known at` the instant between
//! the loads equals the answer published then — to the row — and so does a whole board;
//! asked as known now, it equals today's (rollup-served) answer; asked before any load,
//! it is empty. Explain says why no rollup served.

mod support;

use std::path::Path;

use jiuye_semantic::{Caller, Compare, Grain, KnownAt, MetricsQuery};
use support::{TestDb, backends, day, query, with_compare};

/// A year of demo exports, split: the first half-year (and the registries, targets) for
/// the first load; the second half and the corrections of the whole year for the next.
fn split_exports(first: &Path, second: &Path) {
    let all = support::demo_exports(1, 0.02, 23);
    let mut later = 0;
    for entry in std::fs::read_dir(all.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let month: Option<u32> = name
            .split(|c: char| !c.is_ascii_digit())
            .find(|part| part.len() == 6)
            .and_then(|yyyymm| yyyymm[4..].parse().ok());
        let is_later = name.contains("correction") || month.is_some_and(|m| m > 6);
        let to = if is_later { second } else { first };
        later += is_later as usize;
        std::fs::copy(&path, to.join(&name)).unwrap();
    }
    assert!(later > 10, "the second load has files: {later}");
}

/// Every indicator of the model over 2024 by month, by district where it has one; TARGET
/// for those with targets.
fn all_queries(db: &TestDb) -> Vec<MetricsQuery> {
    db.catalog
        .indicators()
        .map(|indicator| {
            let dims = db.catalog.indicator_dimensions(&indicator.code).unwrap();
            let by: Vec<&str> = dims.iter().map(String::as_str).filter(|d| *d == "district").collect();
            let q = query(&[indicator.code.as_str()], &by, Grain::Month, "2024-01-01", "2024-12-31");
            match indicator.code.as_str() {
                "hire_persons" | "new_jobs" | "registered_unemployed" => with_compare(q, &[Compare::Target, Compare::Yoy]),
                _ => q,
            }
        })
        .chain([query(
            &["subsidy_amount"],
            &["industry_section"],
            Grain::Quarter,
            "2024-01-01",
            "2024-12-31",
        )])
        .collect()
}

async fn answers(db: &TestDb, queries: &[MetricsQuery], known_at: Option<KnownAt>) -> Vec<jiuye_semantic::Table> {
    let mut out = Vec::new();
    for q in queries {
        let mut q = q.clone();
        q.known_at = known_at;
        out.push(db.metrics(&q).await);
    }
    out
}

fn now() -> KnownAt {
    KnownAt::from_utc(chrono::Utc::now())
}

/// Stamps have microseconds; a pause makes "between the loads" unambiguous.
async fn pause() {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

#[tokio::test]
async fn answers_as_known_then_reproduce_what_was_published() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    split_exports(first.path(), second.path());
    for db in backends().await {
        let queries = all_queries(&db);
        assert!(queries.len() >= 40, "{} indicators", queries.len());
        let before_any_load = now();
        pause().await;
        db.load(first.path()).await;
        let published = answers(&db, &queries, None).await;
        let board = &db.catalog.boards["decision_support"];
        let board_day = day("2024-12-31");
        let published_board =
            jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, board_day, None, &Caller::unrestricted()).await;
        pause().await;
        let between = now();
        pause().await;
        db.load(second.path()).await;

        let current = answers(&db, &queries, None).await;
        let as_known_then = answers(&db, &queries, Some(between)).await;
        let as_known_now = answers(&db, &queries, Some(now())).await;
        let mut changed = 0;
        for (i, q) in queries.iter().enumerate() {
            let code = &q.indicators[0];
            assert_eq!(as_known_then[i], published[i], "{}: {code} as known between the loads", db.name);
            assert_eq!(as_known_now[i], current[i], "{}: {code} as known now", db.name);
            changed += (current[i] != published[i]) as usize;
        }
        assert!(changed >= 30, "{}: the second load changed only {changed} answers", db.name);

        // The corrections changed the first half-year itself, not only added months.
        let first_half = query(&["hire_persons"], &["district"], Grain::Month, "2024-01-01", "2024-06-30");
        let mut then = first_half.clone();
        then.known_at = Some(between);
        assert_ne!(db.metrics(&first_half).await, db.metrics(&then).await, "{}", db.name);

        // Before any load, nothing was known.
        let mut nothing = query(&["hire_registrations"], &[], Grain::Year, "2024-01-01", "2024-12-31");
        nothing.known_at = Some(before_any_load);
        let empty = db.metrics(&nothing).await;
        assert!(
            empty.rows.iter().all(|r| r["hire_registrations"].as_i64().unwrap_or(0) == 0),
            "{}: {empty:?}",
            db.name
        );

        // A whole board as known then, dated that day.
        let replayed =
            jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, board_day, Some(between), &Caller::unrestricted()).await;
        let today = jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, board_day, None, &Caller::unrestricted()).await;
        assert_eq!(replayed.panels.len(), published_board.panels.len());
        let mut board_changed = 0;
        for ((then, published), today) in replayed.panels.iter().zip(&published_board.panels).zip(&today.panels) {
            assert!(then.error.is_none(), "{}: {} {:?}", db.name, then.code, then.error);
            assert_eq!(then.rows, published.rows, "{}: panel {}", db.name, then.code);
            board_changed += (today.rows != published.rows) as usize;
        }
        assert!(board_changed > 0, "{}: the corrections changed no panel of the board", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn explain_says_why_an_as_of_answer_reads_the_detail() {
    let db = support::sqlite().await;
    let mut q = query(&["hire_persons"], &["district"], Grain::Month, "2024-01-01", "2024-06-30");
    q.known_at = Some(KnownAt::parse("2024-04-01T09:00:00+08:00").unwrap());
    let plan = jiuye_semantic::plan(
        &db.catalog,
        jiuye_semantic::sql::dialect_for(db.warehouse.backend()),
        &q,
        &Caller::unrestricted(),
        day("2026-01-01"),
    )
    .unwrap();
    let main = &plan.routing[0];
    assert_eq!(main.chosen, "dwd_employment_registration");
    assert!(!main.rejected.is_empty());
    for (_, why) in &main.rejected {
        assert!(why.contains("2024-04-01T09:00:00") && why.contains("current knowledge"), "{why}");
    }
    let sql = &plan.parts[0].statement.sql;
    assert!(sql.contains("dwd_employment_registration_superseded"), "{sql}");
    // The instant is bound, never written into the SQL.
    assert!(!sql.contains("01:00:00"), "{sql}");
    assert!(
        plan.parts[0]
            .statement
            .params
            .contains(&jiuye_sql_value::SqlValue::Text("2024-04-01T01:00:00.000000Z".into()))
    );
    // Answers cannot describe days after the instant.
    assert_eq!(plan.to, day("2024-04-01"));
    db.cleanup().await;
}

/// A load stamps its rows when it starts and is visible only once it commits: an answer
/// as known in between leaves it out. A long load is simulated by moving its recorded
/// commit an hour later.
#[tokio::test]
async fn a_load_is_not_known_before_it_commits() {
    let exports = tempfile::tempdir().unwrap();
    support::fixtures::write_regs(
        exports.path(),
        "employment_registration_c.csv",
        &[
            support::fixtures::Reg::hire("C1", 1, "310115", "2024-03-04"),
            support::fixtures::Reg::hire("C2", 2, "310104", "2024-03-05"),
        ],
    );
    for db in backends().await {
        db.load(exports.path()).await;
        let q = |known: KnownAt| {
            let mut q = query(&["hire_registrations"], &[], Grain::Year, "2024-01-01", "2024-12-31");
            q.known_at = Some(known);
            q
        };
        let total = |t: &jiuye_semantic::Table| t.rows.iter().map(|r| r["hire_registrations"].as_i64().unwrap_or(0)).sum::<i64>();
        assert_eq!(total(&db.metrics(&q(now())).await), 2, "{}: committed, so known", db.name);
        let later = KnownAt::from_utc(chrono::Utc::now() + chrono::Duration::hours(1));
        db.warehouse
            .execute(&jiuye_sql_value::Statement {
                sql: format!(
                    "UPDATE meta_knowledge SET committed_at = {}",
                    jiuye_semantic::sql::dialect_for(db.warehouse.backend()).placeholder(1)
                ),
                params: vec![later.instant_stamp().into()],
            })
            .await
            .unwrap();
        assert_eq!(total(&db.metrics(&q(now())).await), 0, "{}: stamped, not yet committed", db.name);
        let after = KnownAt::from_utc(chrono::Utc::now() + chrono::Duration::hours(2));
        assert_eq!(total(&db.metrics(&q(after)).await), 2, "{}: known once committed", db.name);
        db.cleanup().await;
    }
}
