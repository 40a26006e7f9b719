//! Drill-down on SQLite and PostgreSQL: from a cell to the next grain or the child
//! dimension, and to the detail rows behind it — paged, masked, with their lineage.

mod support;

use serde_json::{Value, json};
use support::backends;
use support::fixtures::{Reg, write_regs};

#[tokio::test]
async fn from_a_cell_to_the_next_level_and_to_the_detail_rows() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(
            dir.path(),
            "employment_registration_drill.csv",
            &[
                Reg::hire("K1", 1, "310104", "2024-03-04"),
                Reg::hire("K2", 2, "310104", "2024-03-05").set("行业代码", "64"),
                Reg::hire("K3", 3, "310115", "2024-05-06"),
                Reg::separation("K4", 4, "310104", "2024-03-06", "3"),
            ],
        );
        db.load(dir.path()).await;
        let analyst = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let admin = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, None)
            .await
            .unwrap();
        let district = jiuye_graphql::auth::create_token(&db.warehouse, "district_analyst", Some("310104"), None)
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
        let post = |token: &str, query: &str| {
            let (url, token, query) = (format!("http://{addr}/graphql"), token.to_string(), query.to_string());
            async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "query": query }))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        // The year 2024 → its quarters.
        let body = post(
            &analyst,
            r#"{ drill(indicator: "hire_persons", grain: YEAR, period: "2024") { grain rows } }"#,
        )
        .await;
        assert_eq!(body["data"]["drill"]["grain"], json!("QUARTER"), "{body}");
        assert_eq!(
            body["data"]["drill"]["rows"],
            json!([{"period": "2024-Q1", "hire_persons": 2}, {"period": "2024-Q2", "hire_persons": 1}]),
            "{}",
            db.name
        );
        // 信息传输、软件和信息技术服务业 (section I) in March → its divisions.
        let body = post(
            &analyst,
            r#"{ drill(indicator: "hire_registrations", grain: MONTH, period: "2024-03", cell: [{dimension: "industry_section", values: ["I"]}], by: "industry") { by rows } }"#,
        )
        .await;
        assert_eq!(
            body["data"]["drill"]["rows"],
            json!([{"period": "2024-03", "industry": "64", "hire_registrations": 1}, {"period": "2024-03", "industry": "65", "hire_registrations": 1}]),
            "{body}"
        );
        // The detail rows behind 徐汇's March hires: two, with lineage; an analyst reads the
        // model's whitelist for analysts (no personal display values), an admin also
        // the masked ID and name.
        let detail = r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03", cell: [{dimension: "district", values: ["310104"]}], pageSize: 1) { columns rows page pageSize } }"#;
        let body = post(&analyst, detail).await;
        let page = &body["data"]["drillDetail"];
        let columns: Vec<&str> = page["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        let whitelist = &db.catalog.sources["employment_registration"].detail["deidentified"];
        assert_eq!(
            columns[..whitelist.len()],
            whitelist.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        assert_eq!(columns[whitelist.len()..], ["source_file", "line_no", "etl_run"]);
        assert!(
            !columns.contains(&"id_number_masked") && !columns.contains(&"name_masked"),
            "{columns:?}"
        );
        assert!(!columns.contains(&"person_key"), "no pseudonyms in detail");
        let rows = page["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "page size 1");
        assert_eq!(rows[0]["business_key"], json!("K1"), "{}", db.name);
        assert_eq!(rows[0]["source_file"], json!("employment_registration_drill.csv"));
        assert_eq!(rows[0]["line_no"], json!(2));
        let body = post(&admin, detail).await;
        let row = &body["data"]["drillDetail"]["rows"][0];
        let masked = row["id_number_masked"].as_str().unwrap();
        assert_eq!(masked.chars().filter(|c| *c != '*').count(), 2, "{masked}");
        assert!(row["name_masked"].as_str().unwrap().ends_with('*'), "{row}");
        assert!(row.get("birth_date").is_none(), "{row}");
        let body = post(
            &analyst,
            r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03", cell: [{dimension: "district", values: ["310104"]}], page: 1, pageSize: 1) { rows } }"#,
        )
        .await;
        assert_eq!(body["data"]["drillDetail"]["rows"][0]["business_key"], json!("K2"));
        // Newest first: the same rows, the last loaded first.
        let keys = |body: serde_json::Value| -> Vec<String> {
            body["data"]["drillDetail"]["rows"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|r| r["business_key"].as_str().unwrap().to_string())
                .collect()
        };
        let cell = r#"grain: MONTH, period: "2024-03", cell: [{dimension: "district", values: ["310104"]}], pageSize: 50"#;
        let oldest = keys(
            post(
                &analyst,
                &format!(r#"{{ drillDetail(indicator: "hire_persons", {cell}) {{ rows }} }}"#),
            )
            .await,
        );
        let mut newest = keys(
            post(
                &analyst,
                &format!(r#"{{ drillDetail(indicator: "hire_persons", {cell}, newestFirst: true) {{ rows }} }}"#),
            )
            .await,
        );
        assert!(oldest.len() >= 2, "{oldest:?}");
        newest.reverse();
        assert_eq!(newest, oldest, "{}", db.name);
        // District tokens get no detail rows.
        let body = post(
            &district,
            r#"{ drillDetail(indicator: "hire_persons", grain: MONTH, period: "2024-03") { rows } }"#,
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"), "{body}");
        handle.abort();
        db.cleanup().await;
    }
}
