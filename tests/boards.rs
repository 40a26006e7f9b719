//! Boards (看板) on SQLite and PostgreSQL: every panel of every board of the model answers
//! on a year of demo data, a panel's figure equals an independent count from DWD, a
//! district token's board holds only its district, and a whole board is one HTTP request.

mod support;

use chrono::NaiveDate;
use jiuye_semantic::Caller;
use jiuye_sql_value::Statement;
use serde_json::json;
use support::{TestDb, backends};

async fn demo_year(db: &TestDb) {
    let exports = support::demo_exports(1, 0.02, 11);
    db.load(exports.path()).await;
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn every_panel_of_every_board_answers_and_agrees_with_detail() {
    for db in backends().await {
        demo_year(&db).await;
        let as_of = day("2024-06-18");
        assert!(
            db.catalog.boards.len() >= 4,
            "decision support, business handling, situation analysis, topics"
        );
        for board in db.catalog.boards.values() {
            let answer = jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, as_of, None, &Caller::unrestricted()).await;
            assert_eq!(answer.panels.len(), board.panels.len());
            for panel in &answer.panels {
                assert!(
                    panel.error.is_none(),
                    "{} {}.{}: {:?}",
                    db.name,
                    board.code,
                    panel.code,
                    panel.error
                );
                assert!(!panel.columns.is_empty(), "{}.{}", board.code, panel.code);
            }
        }
        // 当日数据更新 counts today's 招工 persons, 当日办理动态 its records, as DWD does.
        let board = &db.catalog.boards["decision_support"];
        let answer = jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, as_of, None, &Caller::unrestricted()).await;
        let count = |sql: &str| {
            let statement = Statement {
                sql: sql.into(),
                params: vec![],
            };
            let warehouse = db.warehouse.clone();
            async move { warehouse.fetch(&statement).await.unwrap().rows[0][0].as_i64().unwrap() }
        };
        let hires = "FROM dwd_employment_registration WHERE business_type = '1' AND date_key = 20240618";
        let raw = count(&format!("SELECT COUNT(*) {hires}")).await;
        let persons = count(&format!("SELECT COUNT(DISTINCT person_key) {hires}")).await;
        assert!(raw > 0, "a working Tuesday has hires");
        let records = answer.panels.iter().find(|p| p.code == "today_records").unwrap();
        assert_eq!(records.rows[0]["hire_registrations"], json!(raw), "{}", db.name);
        let today = answer.panels.iter().find(|p| p.code == "today_updates").unwrap();
        assert_eq!(today.rows[0]["hire_persons"], json!(persons), "{}", db.name);
        assert_eq!((today.from.as_str(), today.to.as_str()), ("2024-06-18", "2024-06-18"));

        // A district token's board: its district only, in every district panel.
        let district = support::caller("district_analyst", Some("310115"));
        let answer = jiuye_graphql::answer_board(&db.warehouse, &db.catalog, board, as_of, None, &district).await;
        let map = answer.panels.iter().find(|p| p.code == "map_employment").unwrap();
        assert!(map.error.is_none(), "{:?}", map.error);
        assert!(!map.rows.is_empty());
        assert!(map.rows.iter().all(|r| r["district"] == json!("310115")), "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_whole_board_is_one_graphql_request() {
    for db in backends().await {
        demo_year(&db).await;
        let token = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let state = jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), support::keys())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = tokio::spawn(async move {
            axum::serve(listener, jiuye_graphql::router(state)).await.unwrap();
        });
        let query = r#"{ board(code: "decision_support", asOf: "2024-06-18") { code asOf panels { code title from to columns rows error } } boards { code panels } }"#;
        let body: serde_json::Value = reqwest::Client::new()
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let board = &body["data"]["board"];
        assert_eq!(board["asOf"], json!("2024-06-18"), "{body}");
        let panels = board["panels"].as_array().unwrap();
        let defined: Vec<&str> = db.catalog.boards["decision_support"]
            .panels
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        let answered: Vec<&str> = panels.iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(answered, defined, "every panel of the board, in its order");
        assert!(panels.iter().all(|p| p["error"].is_null()), "{body}");
        let fund = panels.iter().find(|p| p["code"] == json!("ui_fund")).unwrap();
        assert_eq!(
            (fund["from"].as_str(), fund["to"].as_str()),
            (Some("2023-07-01"), Some("2024-06-18"))
        );
        assert!(body["data"]["boards"].as_array().unwrap().len() >= 4);
        // An unknown board is a clear error naming the known ones.
        let body: serde_json::Value = reqwest::Client::new()
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": r#"{ board(code: "nope") { code } }"# }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            body["errors"][0]["message"].as_str().unwrap().contains("decision_support"),
            "{body}"
        );
        // Map layers: the 16 employment-promotion centres, one per district; a district
        // token sees its own district's points only.
        let layer = r#"{ mapLayer(layer: FACILITIES, types: ["1"]) { code name type district longitude latitude } }"#;
        let post = |token: String, query: &'static str| {
            let url = format!("http://{addr}/graphql");
            async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "query": query }))
                    .send()
                    .await
                    .unwrap()
                    .json::<serde_json::Value>()
                    .await
                    .unwrap()
            }
        };
        let body = post(token.clone(), layer).await;
        let points = body["data"]["mapLayer"].as_array().unwrap();
        assert_eq!(points.len(), 16, "{body}");
        assert!(
            points
                .iter()
                .all(|p| p["type"] == json!("1") && p["longitude"].as_f64().unwrap() > 120.0)
        );
        let district = jiuye_graphql::auth::create_token(&db.warehouse, "district_analyst", Some("310115"), None)
            .await
            .unwrap();
        let body = post(district.clone(), r#"{ mapLayer(layer: EMPLOYERS) { district } }"#).await;
        let points = body["data"]["mapLayer"].as_array().unwrap();
        assert!(
            !points.is_empty() && points.iter().all(|p| p["district"] == json!("310115")),
            "{body}"
        );
        let body = post(
            district.clone(),
            r#"{ mapLayer(layer: EMPLOYERS, districts: ["310104"]) { district } }"#,
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"), "{body}");

        // Posting points: the postings open on the day, counted here from every posting's
        // dates (published by then; deadline not passed, or without one published in
        // the 90 days ending on it) — the district token's are its district's of the same.
        let open = open_postings(&db, "2024-06-18").await;
        assert!(open.len() > 100, "a June day has open postings: {}", open.len());
        let query = r#"{ mapLayer(layer: POSTINGS, asOf: "2024-06-18") { code district } }"#;
        let body = post(token.clone(), query).await;
        let shown: std::collections::BTreeSet<(String, String)> = body["data"]["mapLayer"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|p| (p["code"].as_str().unwrap().to_string(), p["district"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(shown, open, "{}", db.name);
        let body = post(district, query).await;
        let theirs = body["data"]["mapLayer"].as_array().unwrap_or_else(|| panic!("{body}")).len();
        assert_eq!(theirs, open.iter().filter(|(_, d)| d == "310115").count(), "{}", db.name);
        handle.abort();
        db.cleanup().await;
    }
}

/// The postings open on `day` with coordinates, from every posting's dates.
async fn open_postings(db: &support::TestDb, day: &str) -> std::collections::BTreeSet<(String, String)> {
    let key: i64 = day.replace('-', "").parse().unwrap();
    let since = support::day(day) - chrono::Days::new(89); // 90 days ending on `day`
    let since: i64 = since.format("%Y%m%d").to_string().parse().unwrap();
    let rows = db
        .rows("SELECT business_key, district, date_key, deadline_key, longitude FROM dwd_job_posting")
        .await;
    rows.into_iter()
        .filter(|r| {
            let published: i64 = r[2].parse().unwrap();
            let open = match r[3].parse::<i64>() {
                Ok(deadline) => deadline >= key,
                Err(_) => published >= since,
            };
            published <= key && open && !r[4].is_empty() && r[4] != "NULL"
        })
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}
