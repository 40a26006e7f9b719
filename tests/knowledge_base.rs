//! The knowledge base over GraphQL: search, terms with links, indicators with their terms,
//! code tables, and curation with history — on SQLite and PostgreSQL.

mod support;

use serde_json::{Value, json};
use support::{TestDb, backends};

async fn gql(state: &jiuye_graphql::AppState, token: &str, query: &str, variables: Value) -> Value {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = jiuye_graphql::router(state.clone());
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let body: Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    server.abort();
    body
}

async fn state(db: &TestDb) -> jiuye_graphql::AppState {
    jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), support::keys())
        .await
        .unwrap()
}

#[tokio::test]
async fn search_terms_indicators_and_code_tables() {
    let db = support::sqlite().await;
    let token = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
        .await
        .unwrap();
    let s = state(&db).await;
    let body = gql(
        &s,
        &token,
        r#"{ kbSearch(query: "sydj", limit: 3) { kind key title matched } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["kbSearch"][0]["title"], "失业登记", "{body}");
    assert_eq!(body["data"]["kbSearch"][0]["matched"], "initials");

    // 并称: a coordinate abbreviation staff use finds every term it names.
    for (short, terms) in [("招退工", ["招工登记", "退工登记"]), ("就失业", ["就业", "失业"])] {
        let body = gql(
            &s,
            &token,
            r#"query($q: String!) { kbSearch(query: $q, limit: 5, kinds: [TERM]) { title matched } }"#,
            json!({ "q": short }),
        )
        .await;
        let hits = body["data"]["kbSearch"].as_array().unwrap_or_else(|| panic!("{body}"));
        let exact: Vec<&str> = hits
            .iter()
            .filter(|h| h["matched"] == "exact")
            .map(|h| h["title"].as_str().unwrap())
            .collect();
        for term in terms {
            assert!(exact.contains(&term), "{short} finds {term}: {body}");
        }
    }

    let body = gql(&s, &token, r#"{ term(code: "失业登记") { code name source { document article } related { code name available } indicators { code available } } }"#, json!({})).await;
    let t = &body["data"]["term"];
    assert_eq!(t["code"], "unemployment_registration", "{body}");
    assert!(
        t["related"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["available"] == true && r["name"] != "")
    );
    assert_eq!(
        t["indicators"],
        json!([{"code": "unemployment_registration_persons", "available": true}]),
        "a modelled indicator"
    );
    let body = gql(
        &s,
        &token,
        r#"{ term(code: "registered_urban_rural_unemployed") { indicators { code available } } }"#,
        json!({}),
    )
    .await;
    let t = &body["data"]["term"];
    assert!(
        t["indicators"].as_array().unwrap().iter().all(|i| i["available"] == true),
        "every contract indicator is computed now, the stocks too: {t}"
    );

    let body = gql(
        &s,
        &token,
        r#"{ indicator(code: "hire_persons") { name formula additive terms { code name } } }"#,
        json!({}),
    )
    .await;
    let i = &body["data"]["indicator"];
    assert_eq!(i["name"], "招工登记人数");
    assert!(!i["terms"].as_array().unwrap().is_empty(), "glossary terms link to it: {i}");

    let body = gql(
        &s,
        &token,
        r#"{ codeTable(name: "industry") { standard codes { code name parent } } }"#,
        json!({}),
    )
    .await;
    let t = &body["data"]["codeTable"];
    assert_eq!(t["standard"], "GB/T 4754-2017");
    assert_eq!(t["codes"].as_array().unwrap().len(), 97);
    db.cleanup().await;
}

#[tokio::test]
async fn admins_curate_terms_with_history_and_bad_edits_are_refused() {
    const UPDATE: &str = r#"mutation($code: String!, $input: TermInput!, $note: String) { updateTerm(code: $code, input: $input, note: $note) { code definition related { code } } }"#;
    for db in backends().await {
        let admin = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, Some("王科长"))
            .await
            .unwrap();
        let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let s = state(&db).await;
        let before = jiuye_kb::Glossary::builtin().unwrap().term("求人倍率").unwrap().clone();
        let input = json!({
            "name": before.name, "english": before.english,
            "definition": "一定时期内招聘人数与求职人数之比（新口径）。",
            "sourceDocument": before.source.document, "sourceArticle": before.source.article,
            "synonyms": before.synonyms, "abbreviations": before.abbreviations,
            "related": before.related, "indicators": before.indicators, "dimensions": before.dimensions
        });
        let vars = json!({ "code": before.code, "input": input, "note": "口径调整" });

        let body = gql(&s, &analyst, UPDATE, vars.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");

        let body = gql(&s, &admin, UPDATE, vars.clone()).await;
        assert_eq!(
            body["data"]["updateTerm"]["definition"], "一定时期内招聘人数与求职人数之比（新口径）。",
            "{} {body}",
            db.name
        );
        let body = gql(
            &s,
            &admin,
            r#"query($c: String!) { term(code: $c) { definition } termHistory(code: $c) { changedBy note previous current } }"#,
            json!({ "c": before.code }),
        )
        .await;
        assert_eq!(body["data"]["term"]["definition"], "一定时期内招聘人数与求职人数之比（新口径）。");
        let h = &body["data"]["termHistory"][0];
        assert_eq!(h["changedBy"], "王科长");
        assert_eq!(h["note"], "口径调整");
        assert_eq!(h["previous"]["definition"], before.definition, "the previous text is kept");

        // A restarted server sees the curated text.
        let restarted = state(&db).await;
        let body = gql(&restarted, &admin, r#"{ term(code: "求人倍率") { definition } }"#, json!({})).await;
        assert_eq!(
            body["data"]["term"]["definition"], "一定时期内招聘人数与求职人数之比（新口径）。",
            "{}",
            db.name
        );

        // An edit that would break a link is refused and not stored.
        let mut broken = vars.clone();
        broken["input"]["related"] = json!(["no_such_term"]);
        let body = gql(&s, &admin, UPDATE, broken).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("no_such_term"));
        let body = gql(
            &s,
            &admin,
            r#"{ termHistory(code: "demand_supply_ratio") { changedBy } }"#,
            json!({}),
        )
        .await;
        assert_eq!(body["data"]["termHistory"].as_array().map(Vec::len), Some(1), "{body}");
        db.cleanup().await;
    }
}
