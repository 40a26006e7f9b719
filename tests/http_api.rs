//! The HTTP surface: GraphQL over HTTP (status codes, media types, GET/POST), bearer
//! tokens, district isolation, the catalog, and GraphiQL with no external resource.

mod support;

use serde_json::{Value, json};
use support::fixtures::{Reg, write_regs};
use support::server::start;
use support::{TestDb, backends};

const METRICS: &str = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH, timeRange: {from: "2024-03-01", to: "2024-03-31"}) { columns rows sql } }"#;

async fn loaded_db(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    write_regs(
        dir.path(),
        "employment_registration_h.csv",
        &[
            Reg::hire("H1", 1, "310115", "2024-03-04"),
            Reg::hire("H2", 2, "310104", "2024-03-04"),
            Reg::hire("H3", 3, "310104", "2024-03-05"),
        ],
    );
    db.load(dir.path()).await;
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401() {
    for db in backends().await {
        let server = start(&db).await;
        let (status, _, body) = server.post(None, None, json!({ "query": METRICS })).await;
        assert_eq!(status, 401, "{}", db.name);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let (status, _, _) = server.post(Some("jy_not_a_token"), None, json!({ "query": METRICS })).await;
        assert_eq!(status, 401);
        let res = server
            .client
            .get(format!("{}/graphql?query={{__typename}}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
        assert!(res.headers().get("www-authenticate").is_some());
        server.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn metrics_over_http_with_roles() {
    for db in backends().await {
        loaded_db(&db).await;
        let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let district = jiuye_graphql::auth::create_token(&db.warehouse, "district_analyst", Some("310104"), None)
            .await
            .unwrap();
        let server = start(&db).await;

        let (status, ct, body) = server.post(Some(&analyst), None, json!({ "query": METRICS })).await;
        assert_eq!((status, ct.as_str()), (200, "application/json"), "{body}");
        let m = &body["data"]["metrics"];
        assert_eq!(m["columns"], json!(["period", "district", "hire_persons"]));
        assert_eq!(
            m["rows"],
            json!([{"period": "2024-03", "district": "310104", "hire_persons": 2}, {"period": "2024-03", "district": "310115", "hire_persons": 1}])
        );
        assert!(m["sql"].as_str().unwrap().contains("SELECT"), "analysts see the SQL");

        // A district token sees its district only, and 2 persons is a small cell: null,
        // flagged (analysts and admins see it).
        let (_, _, body) = server.post(Some(&district), None, json!({ "query": METRICS })).await;
        let m = &body["data"]["metrics"];
        assert_eq!(
            m["rows"],
            json!([{"period": "2024-03", "district": "310104", "hire_persons": null, "suppressed": ["hire_persons"]}]),
            "{}",
            db.name
        );
        assert_eq!(m["sql"], Value::Null, "district tokens do not see SQL");

        let other = r#"{ metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {from: "2024-03-01", to: "2024-03-31"}, filters: [{dimension: "district", values: ["310115"]}]) { rows } }"#;
        let (status, _, body) = server.post(Some(&district), None, json!({ "query": other })).await;
        assert_eq!(status, 200);
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");

        let bad = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["occupation"], grain: MONTH, timeRange: {from: "2024-03-01", to: "2024-03-31"}) { rows } }"#;
        let (_, _, body) = server.post(Some(&analyst), None, json!({ "query": bad })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        server.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn graphql_over_http_status_codes_and_media_types() {
    let db = support::sqlite().await;
    let token = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, Some("test admin"))
        .await
        .unwrap();
    let server = start(&db).await;
    let gql = "application/graphql-response+json";

    // Well-formed request: 200 under both media types; the preferred one is chosen.
    let (status, ct, _) = server.post(Some(&token), Some(gql), json!({ "query": "{ __typename }" })).await;
    assert_eq!((status, ct.as_str()), (200, gql));
    let (_, ct, _) = server
        .post(
            Some(&token),
            Some("application/json, application/graphql-response+json;q=0.9"),
            json!({ "query": "{ __typename }" }),
        )
        .await;
    assert_eq!(ct, "application/json");

    // Unparsable document and failed validation: 400 for graphql-response+json, 200 for json.
    for (query, what) in [("{ metrics( ", "parse"), ("{ noSuchField }", "validation")] {
        let (status, _, body) = server.post(Some(&token), Some(gql), json!({ "query": query })).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body.get("data").is_none(), "a request error has no data entry: {body}");
        let (status, _, body) = server.post(Some(&token), Some("application/json"), json!({ "query": query })).await;
        assert_eq!(status, 200, "{what}");
        assert!(body["errors"].is_array());
    }
    // A field error during execution is still 200 with data.
    let (status, _, body) = server
        .post(
            Some(&token),
            Some(gql),
            json!({ "query": r#"{ dimensionMembers(dimension: "nope") { code } }"# }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_array());

    // Not a GraphQL-over-HTTP request at all: 400; wrong content type: 415; unacceptable: 406.
    let res = server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let (status, _, _) = server.post(Some(&token), None, json!({ "variables": {} })).await;
    assert_eq!(status, 400);
    let res = server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{ __typename }")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let res = server
        .client
        .get(format!("{}/graphql?query=%7B__typename%7D", server.base))
        .bearer_auth(&token)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 406);

    // GET runs queries, with variables, but never mutations.
    let url = format!(
        "{}/graphql?query=query%20Q(%24d%3A%20String!)%7BdimensionMembers(dimension%3A%24d)%7Bcode%20name%7D%7D&variables=%7B%22d%22%3A%22district%22%7D",
        server.base
    );
    let res = server.client.get(url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    let members = body["data"]["dimensionMembers"].as_array().unwrap();
    assert!(members.iter().any(|m| m["code"] == "310115" && m["name"] == "浦东新区"), "{body}");
    assert!(!members.iter().any(|m| m["code"] == "310000"), "the city is the root, not a member");
    let res = server
        .client
        .get(format!("{}/graphql?query=mutation%7B__typename%7D", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    // Two operations and no operationName: the operation cannot be chosen (400), not 405.
    let res = server
        .client
        .get(format!(
            "{}/graphql?query=query%20A%7B__typename%7D%20mutation%20B%7B__typename%7D",
            server.base
        ))
        .bearer_auth(&token)
        .header("accept", gql)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    // JSON refused with q=0 is not revived by a wildcard.
    let (_, ct, _) = server
        .post(
            Some(&token),
            Some("application/json;q=0, */*"),
            json!({ "query": "{ __typename }" }),
        )
        .await;
    assert_eq!(ct, gql);
    server.handle.abort();
    db.cleanup().await;
}

#[tokio::test]
async fn the_catalog_and_a_self_hosted_graphiql() {
    let db = support::sqlite().await;
    let token = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
        .await
        .unwrap();
    let server = start(&db).await;
    let (_, _, body) = server
        .post(
            Some(&token),
            None,
            json!({ "query": "{ indicators { code name unit dimensions additive } }" }),
        )
        .await;
    let list = body["data"]["indicators"].as_array().unwrap();
    let hp = list.iter().find(|i| i["code"] == "hire_persons").unwrap();
    assert_eq!(hp["name"], "招工登记人数");
    assert_eq!(hp["additive"], false);
    assert!(hp["dimensions"].as_array().unwrap().contains(&json!("age_band")));

    let response = server.client.get(format!("{}/graphiql", server.base)).send().await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
    assert_eq!(script_src.trim(), "script-src 'self'", "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let page = response.text().await.unwrap();
    assert!(page.contains("/graphiql/assets/graphiql.min.js"));
    // Under `script-src 'self'` an inline script would not run: every script is a file
    // this server serves.
    for tag in page.split('<').filter(|t| t.starts_with("script")) {
        assert!(tag.contains("src=\"/graphiql/assets/"), "an inline or foreign script: <{tag}");
    }
    let start_script = server
        .client
        .get(format!("{}/graphiql/assets/graphiql-start.js", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        start_script.contains("shouldPersistHeaders: false") && !start_script.contains("shouldPersistHeaders: true"),
        "GraphiQL must not keep the bearer token in the browser"
    );
    let res = server
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store", "authenticated answers are never cached");
    for tag in page.split('<').filter(|t| t.starts_with("script") || t.starts_with("link")) {
        assert!(
            !tag.contains("http://") && !tag.contains("https://"),
            "external resource in GraphiQL: <{tag}"
        );
    }
    for asset in [
        "graphiql-start.js",
        "graphiql-page.css",
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    ] {
        let res = server
            .client
            .get(format!("{}/graphiql/assets/{asset}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{asset}");
        assert!(res.bytes().await.unwrap().len() > 50, "{asset}");
    }
    let css = server
        .client
        .get(format!("{}/graphiql/assets/graphiql.min.css", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !css.contains("url(http") && !css.contains("@import"),
        "the stylesheet pulls nothing from outside"
    );
    server.handle.abort();
    db.cleanup().await;
}

#[tokio::test]
async fn explain_names_the_serving_table_and_why_the_others_did_not_serve() {
    for db in backends().await {
        loaded_db(&db).await;
        let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let district = jiuye_graphql::auth::create_token(&db.warehouse, "district_analyst", Some("310104"), None)
            .await
            .unwrap();
        let server = start(&db).await;
        let query = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH, timeRange: {from: "2024-03-01", to: "2024-03-31"}) { explain { purpose source chosen rejected { table reason } } } }"#;
        let (_, _, body) = server.post(Some(&analyst), None, json!({ "query": query })).await;
        let parts = body["data"]["metrics"]["explain"].as_array().unwrap().clone();
        assert_eq!(parts.len(), 1, "{body}");
        assert_eq!(
            parts[0]["chosen"],
            json!("dws_employment_registration_persons_month_district"),
            "{}",
            db.name
        );
        let reasons: Vec<String> = parts[0]["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reason"].as_str().unwrap().to_string())
            .collect();
        assert!(reasons.iter().any(|r| r.contains("distinct counts")), "{reasons:?}");
        // A query the rollups cannot answer exactly is served from detail, and says why.
        let detail = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH, timeRange: {from: "2024-03-02", to: "2024-03-31"}) { explain { chosen rejected { table reason } } } }"#;
        let (_, _, body) = server.post(Some(&analyst), None, json!({ "query": detail })).await;
        let part = &body["data"]["metrics"]["explain"][0];
        assert_eq!(part["chosen"], json!("dwd_employment_registration"), "{body}");
        assert!(
            part["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["reason"].as_str().unwrap().contains("whole"))
        );
        let (_, _, body) = server.post(Some(&district), None, json!({ "query": query })).await;
        assert_eq!(
            body["data"]["metrics"]["explain"],
            Value::Null,
            "district tokens do not see routing"
        );
        server.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn as_of_over_http_answers_as_known_then_and_refuses_what_is_not_a_timestamp() {
    for db in backends().await {
        let admin = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, None)
            .await
            .unwrap();
        let server = start(&db).await;
        let at = |t: &str| {
            format!(
                r#"{{ metrics(indicators: ["hire_persons"], grain: MONTH, timeRange: {{from: "2024-03-01", to: "2024-03-31"}}, asOf: "{t}") {{ rows }} }}"#
            )
        };
        let before = jiuye_semantic::KnownAt::from_utc(chrono::Utc::now()).city_time();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        loaded_db(&db).await;
        let (_, _, body) = server.post(Some(&admin), None, json!({ "query": at(&before) })).await;
        assert_eq!(body["data"]["metrics"]["rows"], json!([]), "{}: {body}", db.name);
        let now = jiuye_semantic::KnownAt::from_utc(chrono::Utc::now()).city_time();
        let (_, _, body) = server.post(Some(&admin), None, json!({ "query": at(&now) })).await;
        assert_eq!(body["data"]["metrics"]["rows"][0]["hire_persons"], json!(3), "{}: {body}", db.name);
        let (_, _, body) = server.post(Some(&admin), None, json!({ "query": at("last week") })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], json!("BAD_USER_INPUT"), "{body}");
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains("2025-10-31T18:00:00+08:00"),
            "{body}"
        );
        let board = format!(r#"{{ board(code: "decision_support", asOf: "{before}") {{ asOf knownAt }} }}"#);
        let (_, _, body) = server.post(Some(&admin), None, json!({ "query": board })).await;
        assert_eq!(body["data"]["board"]["knownAt"], json!(before), "{body}");
        server.handle.abort();
        db.cleanup().await;
    }
}

/// `/readyz`: 200 when the database answers, the schema is this build's and the key is
/// the warehouse's; 503 naming the failed check (and nothing of its internals) when the
/// server holds another key than the one the data was loaded under.
#[tokio::test]
async fn readiness_checks_the_database_the_schema_and_the_key() {
    for db in support::backends().await {
        let dir = tempfile::tempdir().unwrap();
        support::fixtures::write_regs(dir.path(), "employment_registration_20240301.csv", &support::fixtures::sample());
        db.load(dir.path()).await;
        let server = start(&db).await;
        let res = server.client.get(format!("{}/readyz", server.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(
            body,
            json!({ "ready": true, "checks": { "database": "ok", "schema": "ok", "key": "ok" } })
        );
        server.handle.abort();

        let other_key = jiuye_graphql::AppState::new(
            db.warehouse.clone(),
            std::sync::Arc::new(db.catalog.clone()),
            jiuye_privacy::Keys::from_secret(&[7u8; 32]),
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = tokio::spawn(async move {
            axum::serve(listener, jiuye_graphql::router(other_key)).await.unwrap();
        });
        let res = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(res.status().as_u16(), 503);
        let text = res.text().await.unwrap();
        assert!(text.contains(r#""key":"failed""#) && !text.contains("loaded under"), "{text}");
        handle.abort();
        db.cleanup().await;
    }
}

/// `/metrics` (Prometheus text): request latency by field and outcome, the ETL's rows,
/// quarantine and stale rollup dates; for holders of `system.monitor` only.
#[tokio::test]
async fn metrics_count_requests_by_field_for_monitors_only() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    write_regs(dir.path(), "employment_registration_20240301.csv", &support::fixtures::sample());
    db.load(dir.path()).await;
    let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
        .await
        .unwrap();
    let engineer = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, None)
        .await
        .unwrap();
    let monitor = jiuye_graphql::auth::create_token(&db.warehouse, "monitor", None, Some("prometheus"))
        .await
        .unwrap();
    let server = start(&db).await;
    let q = "{ metrics(indicators: [\"hire_registrations\"], dimensions: [\"district\"], grain: MONTH, timeRange: {from: \"2024-03-01\", to: \"2024-03-31\"}) { rows } }";
    assert!(server.query(&analyst, q).await["data"]["metrics"].is_object());
    let get = |token: Option<&str>| {
        let mut req = server.client.get(format!("{}/metrics", server.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    assert_eq!(get(None).await.0, 401);
    assert_eq!(get(Some(&analyst)).await.0, 403);
    assert_eq!(get(Some(&engineer)).await.0, 403);
    assert_eq!(
        server.query(&monitor, q).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN",
        "a scraper reads no figures"
    );
    let (status, text) = get(Some(&monitor)).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(r#"jiuye_request_seconds_count{field="metrics",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("jiuye_statements_total{table=\"dws_") || l.starts_with("jiuye_statements_total{table=\"dwd_")),
        "statements by serving table: {text}"
    );
    let loaded = text
        .lines()
        .find_map(|l| l.strip_prefix("jiuye_etl_rows_loaded "))
        .and_then(|v| v.parse::<f64>().ok());
    assert!(loaded.is_some_and(|n| n > 0.0), "{text}");
    assert!(
        text.contains("jiuye_quarantine_rows ") && text.contains("jiuye_rollup_stale_dates "),
        "{text}"
    );
    server.handle.abort();
    db.cleanup().await;
}
