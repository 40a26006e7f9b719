//! The API as an attacker tries it, on SQLite and PostgreSQL (docs/security.md): the
//! standard introspection query works for every role; a request pays for its work
//! (aliases, list and string sizes, body size); tokens are rate limited, the server's
//! concurrency and each request's time are bounded, and so is each SQL statement; a
//! district token lists only its own registry members; every argument outside its
//! domain is `BAD_USER_INPUT`, no error carries SQL, nothing panics — and a property
//! test throws random arguments at every root field.

mod support;

use std::time::Duration;

use jiuye_graphql::Limits;
use jiuye_warehouse::{ConnectOptions, Warehouse, WarehouseError};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};
use support::server::{Server, start, start_with};
use support::{TestDb, backends};

const INTROSPECTION: [(&str, &str); 2] = [
    ("default options", include_str!("fixtures/introspection_default.graphql")),
    ("every option", include_str!("fixtures/introspection_all_options.graphql")),
];

/// A machine token of `role` (a district-scoped role in 310104).
async fn token(db: &TestDb, role: &str) -> String {
    let district = (role == "district_analyst").then_some("310104");
    jiuye_graphql::auth::create_token(&db.warehouse, role, district, None)
        .await
        .unwrap()
}

fn district() -> &'static str {
    "district_analyst"
}

/// Every error has a code; none shows SQL, a panic or a driver's words.
fn errors_are_clean(body: &Value) -> Vec<String> {
    errors_are_clean_of(body, "")
}

/// `errors_are_clean`, for an answer that may echo `asked` (a caller's own text).
fn errors_are_clean_of(body: &Value, asked: &str) -> Vec<String> {
    let text = body.to_string();
    for leak in ["SELECT", "FROM ", "panicked", "sqlx", "statement:", "meta_token"] {
        assert!(!text.contains(leak) || asked.contains(leak), "`{leak}` leaked: {text}");
    }
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or_else(|| panic!("an error without a code: {e}"))
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_standard_introspection_query_works_for_every_role() {
    for db in backends().await {
        let server = start(&db).await;
        for role in ["data_engineer", "city_analyst", district()] {
            let token = token(&db, role).await;
            for (options, query) in INTROSPECTION {
                let (status, _, body) = server
                    .post(Some(&token), None, json!({ "query": query, "operationName": "IntrospectionQuery" }))
                    .await;
                assert_eq!(status, 200, "{} {role:?} {options}: {body}", db.name);
                assert!(body.get("errors").is_none(), "{} {role:?} {options}: {}", db.name, body["errors"]);
                let types = body["data"]["__schema"]["types"].as_array().unwrap();
                assert!(types.iter().any(|t| t["name"] == "MetricsResult"), "{options}");
            }
        }
        server.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_request_pays_for_its_work() {
    let db = support::sqlite().await;
    let server = start(&db).await;
    let analyst = token(&db, "city_analyst").await;
    let metrics = |alias: usize| {
        format!(
            r#"m{alias}: metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {{from: "2024-03-01", to: "2024-03-31"}}) {{ rows }}"#
        )
    };
    // A few aliases run; a thousand are refused before anything runs.
    let few: String = (0..3).map(metrics).collect::<Vec<_>>().join(" ");
    let body = server.query(&analyst, &format!("{{ {few} }}")).await;
    assert!(body.get("errors").is_none(), "{body}");
    let many: String = (0..1000).map(metrics).collect::<Vec<_>>().join(" ");
    let (status, _, body) = server.post(Some(&analyst), None, json!({ "query": format!("{{ {many} }}") })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(errors_are_clean(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("omplex"), "{body}");
    // Twenty boards cost more than a request may.
    let boards: String = (0..20)
        .map(|i| format!(r#"b{i}: board(code: "decision_support") {{ code }}"#))
        .collect();
    let body = server.query(&analyst, &format!("{{ {boards} }}")).await;
    assert_eq!(errors_are_clean(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");

    // Lists and strings have bounds.
    let indicators: Vec<String> = (0..60).map(|i| format!("\"x{i}\"")).collect();
    let q = format!(
        r#"{{ metrics(indicators: [{}], grain: MONTH, timeRange: {{from: "2024-03-01", to: "2024-03-31"}}) {{ rows }} }}"#,
        indicators.join(",")
    );
    assert_eq!(errors_are_clean(&server.query(&analyst, &q).await), ["BAD_USER_INPUT"]);
    let long = "x".repeat(10_000);
    for q in [
        format!(r#"{{ kbSearch(query: "{long}") {{ key }} }}"#),
        format!(r#"{{ term(code: "{long}") {{ code }} }}"#),
        format!(r#"{{ dimensionMembers(dimension: "{long}") {{ code }} }}"#),
        format!(r#"{{ board(code: "{long}") {{ code }} }}"#),
    ] {
        let body = server.query(&analyst, &q).await;
        assert_eq!(errors_are_clean(&body), ["BAD_USER_INPUT"], "{}", &q[..30]);
    }
    let body = server
        .query(&analyst, &format!(r#"{{ kbSearch(query: "{}") {{ key }} }}"#, "sydj".repeat(25)))
        .await;
    assert!(body.get("errors").is_none(), "100 characters are allowed: {body}");
    // The body itself: past 256 KiB, 413 without reading on.
    let huge = json!({ "query": format!("{{ kbSearch(query: \"{}\") {{ key }} }}", "y".repeat(300 * 1024)) });
    let (status, _, body) = server.post(Some(&analyst), None, huge).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(errors_are_clean(&body), ["PAYLOAD_TOO_LARGE"]);
    server.handle.abort();
    db.cleanup().await;
}

#[tokio::test]
async fn tokens_are_rate_limited_and_the_server_bounds_its_work() {
    for db in backends().await {
        let limits = Limits {
            per_token_rate: 0.001,
            per_token_burst: 3.0,
            max_concurrent: 1,
            queue_wait: Duration::ZERO,
            request_timeout: Duration::from_millis(800),
            ..Limits::default()
        };
        let server = start_with(&db, limits).await;
        let (a, b) = (token(&db, "city_analyst").await, token(&db, "city_analyst").await);
        let typename = json!({ "query": "{ __typename }" });
        for _ in 0..3 {
            assert_eq!(server.post(Some(&a), None, typename.clone()).await.0, 200);
        }
        let res = raw_post(&server, &a, &typename).await;
        assert_eq!(res.status().as_u16(), 429, "{}", db.name);
        assert!(res.headers().get("retry-after").is_some());
        let body: Value = res.json().await.unwrap();
        assert_eq!(errors_are_clean(&body), ["RATE_LIMITED"]);
        assert_eq!(
            server.post(Some(&b), None, typename.clone()).await.0,
            200,
            "another token has its own rate"
        );

        // With every database connection taken, a request waits (holding the server's
        // one slot): the next is refused at once, the first answered TIMEOUT in time.
        let c = token(&db, "data_engineer").await;
        let mut held = Vec::new();
        for _ in 0..8 {
            match tokio::time::timeout(Duration::from_millis(300), db.warehouse.begin()).await {
                Ok(Ok(tx)) => held.push(tx),
                _ => break,
            }
        }
        let first = {
            let (client, base, c, typename) = (server.client.clone(), server.base.clone(), c.clone(), typename.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{base}/graphql"))
                    .bearer_auth(c)
                    .header("content-type", "application/json")
                    .body(typename.to_string())
                    .send()
                    .await
                    .unwrap()
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let res = raw_post(&server, &c, &typename).await;
        assert_eq!(res.status().as_u16(), 503, "{}: the server's one slot is taken", db.name);
        let body: Value = res.json().await.unwrap();
        assert_eq!(errors_are_clean(&body), ["SERVER_BUSY"]);
        let res = first.await.unwrap();
        assert_eq!(res.status().as_u16(), 504, "{}", db.name);
        let body: Value = res.json().await.unwrap();
        assert_eq!(errors_are_clean(&body), ["TIMEOUT"]);
        drop(held);
        assert_eq!(server.post(Some(&b), None, typename.clone()).await.0, 200, "served again");
        server.handle.abort();
        db.cleanup().await;
    }
}

async fn raw_post(server: &Server, token: &str, body: &Value) -> reqwest::Response {
    server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_statement_is_stopped_at_its_timeout() {
    for db in backends().await {
        let (url, schema) = db.connection();
        let bounded = Warehouse::connect(&ConnectOptions {
            schema,
            statement_timeout: Some(Duration::from_millis(200)),
            ..ConnectOptions::new(url)
        })
        .await
        .unwrap();
        let endless = jiuye_sql_value::Statement {
            sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT COUNT(*) FROM c".into(),
            params: vec![],
        };
        let started = std::time::Instant::now();
        let err = bounded.fetch(&endless).await.expect_err("a billion rows take longer than 200 ms");
        assert!(matches!(err, WarehouseError::Timeout { .. }), "{}: {err}", db.name);
        eprintln!("{}: stopped after {:?}", db.name, started.elapsed());
        // The connection is usable again, with no handler left behind.
        let one = bounded
            .fetch(&jiuye_sql_value::Statement {
                sql: "SELECT 1".into(),
                params: vec![],
            })
            .await
            .unwrap();
        assert_eq!(one.rows.len(), 1);
        bounded.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_is_bad_user_input_and_never_shows_sql() {
    for db in backends().await {
        let server = start(&db).await;
        let analyst = token(&db, "city_analyst").await;
        let admin = token(&db, "data_engineer").await;
        let metrics = |from: &str, to: &str| {
            format!(
                r#"{{ metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {{from: "{from}", to: "{to}"}}, compare: [YOY, MOM, TARGET]) {{ rows }} }}"#
            )
        };
        for q in [
            metrics("-262143-01-01", "2024-01-01"),
            metrics("2024-01-01", "+262142-12-31"),
            metrics("0000-01-01", "0001-12-31"),
            metrics("2024-02-30", "2024-03-01"),
            metrics("2024-03-01", "2024-01-01"),
            r#"{ board(code: "decision_support", asOf: "-262143-01-01") { code } }"#.into(),
            r#"{ board(code: "decision_support", asOf: "+262142-12-31T23:59:59+08:00") { code } }"#.into(),
            r#"{ board(code: "decision_support", asOf: "later") { code } }"#.into(),
            r#"{ drill(indicator: "hire_persons", grain: YEAR, period: "-262143") { rows } }"#.into(),
            r#"{ drill(indicator: "hire_persons", grain: WEEK, period: "2024-W99") { rows } }"#.into(),
            r#"{ drillDetail(indicator: "hire_persons", grain: YEAR, period: "3000") { rows } }"#.into(),
            r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03", pageSize: 100000) { rows } }"#.into(),
            r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03", page: 4000000000) { rows } }"#.into(),
            r#"{ dimensionMembers(dimension: "district", first: -1) { code } }"#.into(),
            r#"{ dimensionMembers(dimension: "district", first: 0) { code } }"#.into(),
            r#"{ kbSearch(query: "sydj", limit: 0) { key } }"#.into(),
            r#"{ kbSearch(query: "sydj", limit: 2147483647) { key } }"#.into(),
            r#"{ metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {from: "2024-01-01", to: "2024-01-31"}, asOf: "+262142-01-01T00:00:00Z") { rows } }"#.into(),
        ] {
            let body = server.query(&analyst, &q).await;
            assert_eq!(errors_are_clean(&body), ["BAD_USER_INPUT"], "{}: {q}\n{body}", db.name);
        }
        let body = server
            .query(
                &admin,
                r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03", page: 1) { rows } }"#,
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");

        // A failing token lookup tells the caller nothing of the database.
        db.warehouse
            .execute(&jiuye_sql_value::Statement {
                sql: "ALTER TABLE meta_token RENAME TO meta_token_moved".into(),
                params: vec![],
            })
            .await
            .unwrap();
        let (status, _, body) = server.post(Some(&analyst), None, json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(errors_are_clean(&body), ["INTERNAL"]);
        server.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_district_token_lists_only_its_own_registry_members() {
    for db in backends().await {
        for (uscc, name, district) in [
            ("E1", "徐汇一号", "310104"),
            ("E2", "浦东二号", "310115"),
            ("E3", "徐汇三号", "310104"),
        ] {
            db.warehouse
                .execute(&jiuye_sql_value::Statement {
                    sql: format!(
                        "INSERT INTO dwd_employer (employer_uscc, employer_name, employer_type, industry, industry_section, district, updated_at, file_id, line_no) \
                         VALUES ('{uscc}', '{name}', '05', '65', 'I', '{district}', '2024-01-01 00:00:00', 1, 1)"
                    ),
                    params: vec![],
                })
                .await
                .unwrap();
        }
        let server = start(&db).await;
        let codes = |body: &Value| -> Vec<String> {
            body["data"]["dimensionMembers"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|m| m["code"].as_str().unwrap().to_string())
                .collect()
        };
        let q = r#"{ dimensionMembers(dimension: "employer") { code name } }"#;
        let analyst = token(&db, "city_analyst").await;
        assert_eq!(codes(&server.query(&analyst, q).await), ["E1", "E2", "E3"], "{}", db.name);
        let own = token(&db, district()).await;
        assert_eq!(codes(&server.query(&own, q).await), ["E1", "E3"], "{}", db.name);
        let paged = r#"{ dimensionMembers(dimension: "employer", first: 1, after: "E1") { code } }"#;
        assert_eq!(codes(&server.query(&own, paged).await), ["E3"], "{}", db.name);
        // By codes (a ranking's employers): only those, and still only the district's own.
        let chosen = r#"{ dimensionMembers(dimension: "employer", codes: ["E2", "E3", "E9"]) { code } }"#;
        assert_eq!(codes(&server.query(&analyst, chosen).await), ["E2", "E3"], "{}", db.name);
        assert_eq!(codes(&server.query(&own, chosen).await), ["E3"], "{}", db.name);
        server.handle.abort();
        db.cleanup().await;
    }
}

/// Argument values an attacker would try: empty, huge, negative, odd dates, other
/// scripts, quotes and SQL, control characters.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("district".to_string()),
        Just("hire_persons".to_string()),
        Just("2024-03".to_string()),
        Just("-262143-01-01".to_string()),
        Just("+262142-12-31".to_string()),
        Just("2024-02-30".to_string()),
        Just("9999-W53".to_string()),
        Just("' OR 1=1; DROP TABLE meta_token; --".to_string()),
        Just("失业登记".to_string()),
        "[0-9-]{0,14}",
        "\\PC{0,40}",
        "[a-z_]{1,80}",
    ]
}

fn grain() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("DAY"), Just("WEEK"), Just("MONTH"), Just("QUARTER"), Just("YEAR")]
}

fn root_field() -> impl Strategy<Value = String> {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    prop_oneof![
        (prop::collection::vec(nasty_text(), 0..4), nasty_text(), nasty_text(), grain(), nasty_text(), nasty_text()).prop_map(
            move |(inds, from, to, g, dim, value)| {
                let inds: Vec<String> = inds.iter().map(|i| q(i)).collect();
                format!(
                    "metrics(indicators: [{}], dimensions: [{}], grain: {g}, timeRange: {{from: {}, to: {}}}, filters: [{{dimension: {}, values: [{}]}}], compare: [YOY, MOM, TARGET]) {{ columns rows }}",
                    inds.join(","),
                    q(&dim),
                    q(&from),
                    q(&to),
                    q(&dim),
                    q(&value)
                )
            }
        ),
        (nasty_text(), nasty_text()).prop_map(move |(code, as_of)| format!("board(code: {}, asOf: {}) {{ panels {{ rows error }} }}", q(&code), q(&as_of))),
        (nasty_text(), grain(), nasty_text(), prop::option::of(nasty_text())).prop_map(move |(ind, g, period, by)| {
            let by = by.map(|b| format!(", by: {}", q(&b))).unwrap_or_default();
            format!("drill(indicator: {}, grain: {g}, period: {}{by}) {{ rows }}", q(&ind), q(&period))
        }),
        (nasty_text(), grain(), nasty_text(), any::<u32>(), any::<u32>()).prop_map(move |(ind, g, period, page, size)| format!(
            "drillDetail(indicator: {}, grain: {g}, period: {}, page: {page}, pageSize: {size}) {{ rows }}",
            q(&ind),
            q(&period)
        )),
        (nasty_text(), any::<i32>()).prop_map(move |(text, limit)| format!("kbSearch(query: {}, limit: {limit}) {{ key }}", q(&text))),
        (nasty_text(), any::<i32>(), prop::option::of(nasty_text())).prop_map(move |(dim, first, after)| {
            let after = after.map(|a| format!(", after: {}", q(&a))).unwrap_or_default();
            format!("dimensionMembers(dimension: {}, first: {first}{after}) {{ code }}", q(&dim))
        }),
        (prop::collection::vec(nasty_text(), 0..3)).prop_map(move |d| {
            let d: Vec<String> = d.iter().map(|x| q(x)).collect();
            format!("mapLayer(layer: FACILITIES, districts: [{}]) {{ code }}", d.join(","))
        }),
        nasty_text().prop_map(move |code| format!("term(code: {}) {{ code }} indicator(code: {}) {{ code }}", q(&code), q(&code))),
        (nasty_text(), nasty_text(), any::<i32>(), any::<i64>()).prop_map(move |(from, actor, first, after)| format!(
            "auditLog(from: {}, actor: {}, first: {first}, after: {after}) {{ entries {{ seq }} next }}",
            q(&from),
            q(&actor)
        )),
    ]
}

/// Random arguments to every root field, for every role: never a panic, never an error
/// without a code or with SQL in it, and the server keeps answering. `PROPTEST_CASES`
/// sets the number of requests (CI: the default 64 per role; a fuzz run: thousands).
#[tokio::test]
async fn random_arguments_never_crash_the_server_or_leak_internals() {
    let db = support::sqlite().await;
    // The rate limit has its own test; a fuzz run sends thousands of requests a second.
    let server = start_with(
        &db,
        Limits {
            per_token_rate: 1e9,
            per_token_burst: 1e9,
            ..Limits::default()
        },
    )
    .await;
    let tokens = [
        token(&db, "data_engineer").await,
        token(&db, "city_analyst").await,
        token(&db, district()).await,
        server.session(&db, "fuzz_auditor", "audit_admin", None).await,
    ];
    let cases: u32 = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (root_field(), 0..tokens.len());
    let requests: Vec<(String, usize)> = (0..cases)
        .map(|_| {
            let (field, who) = strategy.new_tree(&mut runner).unwrap().current();
            (format!("{{ {field} }}"), who)
        })
        .collect();
    for (query, who) in &requests {
        let (status, _, body) = server.post(Some(&tokens[*who]), None, json!({ "query": query })).await;
        assert!(matches!(status, 200 | 400), "{status} for {query}: {body}");
        for code in errors_are_clean_of(&body, query) {
            assert!(
                matches!(code.as_str(), "BAD_USER_INPUT" | "FORBIDDEN" | "GRAPHQL_VALIDATION_FAILED"),
                "{code} for {query}: {body}"
            );
        }
    }
    let body = server.query(&tokens[0], "{ __typename }").await;
    assert_eq!(
        body["data"]["__typename"],
        "Query",
        "still serving after {} requests",
        requests.len()
    );
    server.handle.abort();
    db.cleanup().await;
}
