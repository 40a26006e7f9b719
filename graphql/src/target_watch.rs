//! Watches the city-wide TARGET status of every indicator with an annual target this
//! year, and tells the roles that read an indicator (消息中心) when its status turns
//! amber or red — once per change, however many servers watch (the last status seen is
//! kept in `meta_target_status`).

use chrono::{Datelike, NaiveDate, Utc};
use jiuye_identity::Permission;
use jiuye_messages::{Audience, NewMessage, Severity};
use jiuye_semantic::sql::{Expr, Select, WriteStatement, dialect_for, render_select, render_write};
use jiuye_semantic::{Caller, Compare, Grain, MetricsQuery};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

use crate::AppState;

const STATUS: &str = "meta_target_status";
const STATUS_COLUMNS: [(&str, ColumnType); 4] = [
    ("indicator", ColumnType::Text),
    ("period", ColumnType::Text),
    ("status", ColumnType::Text),
    ("changed_at", ColumnType::Text),
];
/// How often `serve` looks.
pub(crate) const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Indicators with a city-wide target in `year`.
fn targeted(year: i32) -> Select {
    let mut s = Select::from(jiuye_semantic::TARGET_TABLE, "t");
    s.distinct = true;
    s.columns.push((Expr::col("t", "indicator_code"), "indicator".into()));
    s.filter
        .push(Expr::eq(Expr::col("t", "year"), Expr::Param(SqlValue::Int(year as i64))));
    s.filter.push(Expr::eq(
        Expr::col("t", "district"),
        Expr::Param(SqlValue::Text(jiuye_semantic::CITY.into())),
    ));
    s.order_by.push(Expr::col("t", "indicator_code"));
    s
}

fn last_seen() -> Select {
    let mut s = Select::from(STATUS, "s");
    for (c, _) in STATUS_COLUMNS {
        s.columns.push((Expr::col("s", c), c.into()));
    }
    s
}

fn forget(indicator: &str) -> WriteStatement {
    WriteStatement::Delete {
        table: STATUS.into(),
        filter: vec![Expr::eq(
            Expr::col(STATUS, "indicator"),
            Expr::Param(SqlValue::Text(indicator.into())),
        )],
    }
}

/// The year-to-date status of `indicator` on `today`, city-wide.
async fn status_of(state: &AppState, indicator: &str, today: NaiveDate) -> Option<String> {
    let query = MetricsQuery {
        indicators: vec![indicator.into()],
        dimensions: vec![],
        grain: Grain::Year,
        from: NaiveDate::from_ymd_opt(today.year(), 1, 1)?,
        to: today,
        filters: vec![],
        compare: vec![Compare::Target],
        known_at: None,
    };
    let answer = crate::run_metrics(&state.warehouse, &state.catalog, &query, &Caller::unrestricted())
        .await
        .ok()?;
    let row = answer.table.rows.last()?;
    row.get(&format!("{indicator}_status"))?.as_str().map(str::to_string)
}

/// Looks once: returns the messages it posted.
pub async fn watch_targets(state: &AppState, today: NaiveDate) -> Result<Vec<NewMessage>, String> {
    let dialect = dialect_for(state.warehouse.backend());
    let fetch = |s: Select| {
        let statement = render_select(&s, dialect);
        async move { state.warehouse.fetch(&statement).await.map(|r| r.rows).map_err(|e| e.to_string()) }
    };
    let indicators: Vec<String> = fetch(targeted(today.year())).await?.iter().map(|r| r[0].to_key()).collect();
    let seen: Vec<Vec<SqlValue>> = fetch(last_seen()).await?;
    let roles = state.roles.current(&state.identity).await.map_err(|e| e.to_string())?;
    let period = today.year().to_string();
    let mut posted = Vec::new();
    for indicator in indicators {
        let Some(status) = status_of(state, &indicator, today).await else {
            continue;
        };
        let before = seen.iter().find(|r| r[0].to_key() == indicator);
        if before.is_some_and(|r| r[1].to_key() == period && r[2].to_key() == status) {
            continue;
        }
        let now = Utc::now();
        let row = vec![
            SqlValue::Text(indicator.clone()),
            SqlValue::Text(period.clone()),
            SqlValue::Text(status.clone()),
            SqlValue::Text(now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
        ];
        let mut tx = state.warehouse.begin().await.map_err(|e| e.to_string())?;
        tx.execute(&render_write(&forget(&indicator), dialect))
            .await
            .map_err(|e| e.to_string())?;
        tx.insert_rows(STATUS, &STATUS_COLUMNS, &[row]).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        if status != "amber" && status != "red" {
            continue;
        }
        let name = state
            .catalog
            .indicator(&indicator)
            .map(|i| i.name.clone())
            .unwrap_or_else(|_| indicator.clone());
        let severity = if status == "red" { Severity::Critical } else { Severity::Warning };
        for role in roles
            .iter()
            .filter(|r| r.has(Permission::IndicatorRead) && r.indicators.allows(&indicator))
        {
            let message = NewMessage {
                kind: "target.status".into(),
                severity,
                title: format!("{name} 目标状态: {}", if status == "red" { "红" } else { "黄" }),
                body: format!(
                    "{name} ({indicator}), {period} year to date on {today}, city-wide: {status} against its annual target. compare: [TARGET] shows completion and progress."
                ),
                audience: Audience::Role(role.name.clone()),
                dedup_key: Some(format!(
                    "target.status:{indicator}:{period}:{status}:{}:{}",
                    role.name,
                    now.timestamp()
                )),
            };
            state.inbox.post(&message, now).await.map_err(|e| e.to_string())?;
            posted.push(message);
        }
    }
    Ok(posted)
}

/// `serve`'s watcher: looks every `WATCH_EVERY`; a failed look is logged and retried
/// at the next.
pub(crate) async fn keep_watching(state: AppState) {
    loop {
        if let Err(e) = watch_targets(&state, crate::shanghai_today()).await {
            tracing::error!(error = %e, "watching TARGET statuses");
        }
        tokio::time::sleep(WATCH_EVERY).await;
    }
}
