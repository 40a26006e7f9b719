//! `jiuye bench query`: latency of indicator queries and of a whole board on a loaded
//! warehouse, in process and over HTTP, as p50/p99 of repeated runs.

use std::time::Instant;

use anyhow::Context;
use jiuye_semantic::{Caller, Grain, MetricsQuery};

use crate::DatabaseArgs;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(name: &str, mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} |",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1]
    )
}

/// Times `runs` repetitions of: a rollup-served query, a detail-served query, and the
/// decision-support board dated `as_of`; in process and through the HTTP endpoint.
pub async fn run(
    db: &DatabaseArgs,
    runs: usize,
    detail_runs: usize,
    as_of: chrono::NaiveDate,
    keys: jiuye_privacy::Keys,
) -> anyhow::Result<()> {
    let (warehouse, catalog) = super::open_warehouse(db).await?;
    let year = as_of.format("%Y").to_string();
    let day = |s: String| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").expect("date");
    let rollup_query = MetricsQuery {
        indicators: vec!["hire_persons".into()],
        dimensions: vec!["district".into()],
        grain: Grain::Month,
        from: day(format!("{year}-01-01")),
        to: day(format!("{year}-06-30")),
        filters: vec![],
        compare: vec![jiuye_semantic::Compare::Yoy],
        known_at: None,
    };
    let detail_query = MetricsQuery {
        indicators: vec!["hire_persons".into()],
        dimensions: vec!["education".into()],
        grain: Grain::Month,
        from: day(format!("{year}-01-01")),
        to: day(format!("{year}-06-30")),
        filters: vec![],
        compare: vec![],
        known_at: None,
    };
    let board = catalog
        .boards
        .get("decision_support")
        .context("the model has no decision_support board")?;
    let admin = Caller::unrestricted();
    let mut lines = Vec::new();
    for (name, query, runs) in [
        ("rollup-served query (in process)", &rollup_query, runs),
        ("detail-served query (in process)", &detail_query, detail_runs),
    ] {
        let answer = jiuye_graphql::run_metrics(&warehouse, &catalog, query, &admin).await?;
        eprintln!("  {name}: {} rows", answer.table.rows.len());
        let mut ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            jiuye_graphql::run_metrics(&warehouse, &catalog, query, &admin).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        lines.push(summary(name, ms));
    }
    // Which table serves each part of each panel, so a slow panel explains itself.
    let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
    for panel in &board.panels {
        let plan = jiuye_semantic::plan(&catalog, dialect, &panel.query(as_of), &admin, as_of)?;
        let tables: Vec<String> = plan.parts.iter().map(|p| format!("{:?}: {}", p.purpose, p.table)).collect();
        eprintln!("  panel {}: {}", panel.code, tables.join(", "));
    }
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let answer = jiuye_graphql::answer_board(&warehouse, &catalog, board, as_of, None, &admin).await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if let Some(p) = answer.panels.iter().find(|p| p.error.is_some()) {
            anyhow::bail!("panel {} failed: {:?}", p.code, p.error);
        }
    }
    lines.push(summary(
        &format!("decision-support board, {} panels (in process)", board.panels.len()),
        ms,
    ));

    // Over HTTP: the same server the CLI serves, on a free local port.
    let state = jiuye_graphql::AppState::new(warehouse.clone(), catalog.clone(), keys).await?;
    let token = jiuye_graphql::auth::create_token(&warehouse, "data_engineer", None, Some("bench")).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, jiuye_graphql::router(state)).await;
    });
    let client = reqwest::Client::new();
    let queries = [
        (
            runs,
            "rollup-served query (HTTP)",
            format!(
                r#"{{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH, timeRange: {{from: "{year}-01-01", to: "{year}-06-30"}}, compare: [YOY]) {{ rows }} }}"#
            ),
        ),
        (
            detail_runs,
            "detail-served query (HTTP)",
            format!(
                r#"{{ metrics(indicators: ["hire_persons"], dimensions: ["education"], grain: MONTH, timeRange: {{from: "{year}-01-01", to: "{year}-06-30"}}) {{ rows }} }}"#
            ),
        ),
        (
            runs,
            "decision-support board (HTTP)",
            format!(r#"{{ board(code: "decision_support", asOf: "{as_of}") {{ panels {{ code rows error }} }} }}"#),
        ),
    ];
    for (runs, name, query) in queries {
        let mut ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let res = client
                .post(format!("http://{addr}/graphql"))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "query": query }))
                .send()
                .await?;
            let body: serde_json::Value = res.json().await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if body.get("errors").is_some() {
                anyhow::bail!("{name}: {body}");
            }
        }
        lines.push(summary(name, ms));
    }
    server.abort();
    println!("| query | runs | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|");
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
