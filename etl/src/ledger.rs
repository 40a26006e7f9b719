//! Reading the run ledger back: runs, files and their accounting, dirty dates, and the
//! quarantine — what `jiuye etl status` and `jiuye etl quarantine` show.

use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::Warehouse;
use serde::Serialize;

use crate::EtlError;

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub input: String,
    pub files: i64,
    pub read: i64,
    pub loaded: i64,
    pub unchanged: i64,
    pub quarantined: i64,
    /// Rows still waiting for a row of another feed (read = loaded + unchanged +
    /// quarantined + pending).
    pub pending: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedSummary {
    pub feed: String,
    pub files: i64,
    pub rejected_files: i64,
    pub read: i64,
    pub loaded: i64,
    pub unchanged: i64,
    pub quarantined: i64,
    pub pending: i64,
    pub last_loaded_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub runs: Vec<RunSummary>,
    pub feeds: Vec<FeedSummary>,
    /// Dates whose rollups await a rebuild (normally none after a finished run).
    pub dirty_dates: i64,
    /// Per feed and source database table: the newest 更新时间 extracted so far.
    pub watermarks: Vec<Watermark>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Watermark {
    pub feed: String,
    pub source: String,
    pub watermark: String,
    pub run_id: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuarantinedRow {
    pub file: String,
    pub feed: String,
    pub line: i64,
    pub business_key: Option<String>,
    pub rule: String,
    pub column: String,
    /// Masked when the column holds personal data.
    pub value: Option<String>,
    pub message: String,
}

fn opt(v: &SqlValue) -> Option<String> {
    Some(v.to_key()).filter(|s| !s.is_empty())
}

fn int(v: &SqlValue) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn placeholder(warehouse: &Warehouse, n: usize) -> String {
    jiuye_semantic::sql::dialect_for(warehouse.backend()).placeholder(n)
}

/// The last `limit` runs with their totals, per-feed totals, and pending rollup work.
pub async fn status(warehouse: &Warehouse, limit: i64) -> Result<Status, EtlError> {
    let runs = warehouse
        .fetch(&Statement {
            sql: format!(
                "SELECT r.run_id, r.started_at, r.finished_at, r.status, r.input, COUNT(f.file_id), \
                 CAST(COALESCE(SUM(f.rows_read), 0) AS BIGINT), CAST(COALESCE(SUM(f.rows_loaded), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(f.rows_unchanged), 0) AS BIGINT), CAST(COALESCE(SUM(f.rows_quarantined), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(f.rows_pending), 0) AS BIGINT) \
                 FROM meta_etl_run r LEFT JOIN meta_load_file f ON f.run_id = r.run_id \
                 GROUP BY r.run_id, r.started_at, r.finished_at, r.status, r.input ORDER BY r.run_id DESC LIMIT {}",
                placeholder(warehouse, 1)
            ),
            params: vec![limit.into()],
        })
        .await?;
    let feeds = warehouse
        .fetch(&Statement {
            sql: "SELECT feed, COUNT(*), CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT), \
                  CAST(SUM(rows_read) AS BIGINT), CAST(SUM(rows_loaded) AS BIGINT), CAST(SUM(rows_unchanged) AS BIGINT), \
                  CAST(SUM(rows_quarantined) AS BIGINT), MAX(loaded_at), CAST(SUM(rows_pending) AS BIGINT) \
                  FROM meta_load_file GROUP BY feed ORDER BY feed"
                .into(),
            params: vec![],
        })
        .await?;
    let dirty = warehouse
        .fetch(&Statement {
            sql: "SELECT COUNT(*) FROM meta_dirty_date".into(),
            params: vec![],
        })
        .await?;
    let watermarks = warehouse
        .fetch(&Statement {
            sql: "SELECT feed, source, watermark, run_id FROM meta_watermark ORDER BY feed, source".into(),
            params: vec![],
        })
        .await?;
    Ok(Status {
        watermarks: watermarks
            .rows
            .iter()
            .map(|r| Watermark {
                feed: r[0].to_key(),
                source: r[1].to_key(),
                watermark: r[2].to_key(),
                run_id: int(&r[3]),
            })
            .collect(),
        runs: runs
            .rows
            .iter()
            .map(|r| RunSummary {
                run_id: int(&r[0]),
                started_at: r[1].to_key(),
                finished_at: opt(&r[2]),
                status: r[3].to_key(),
                input: r[4].to_key(),
                files: int(&r[5]),
                read: int(&r[6]),
                loaded: int(&r[7]),
                unchanged: int(&r[8]),
                quarantined: int(&r[9]),
                pending: int(&r[10]),
            })
            .collect(),
        feeds: feeds
            .rows
            .iter()
            .map(|r| FeedSummary {
                feed: r[0].to_key(),
                files: int(&r[1]),
                rejected_files: int(&r[2]),
                read: int(&r[3]),
                loaded: int(&r[4]),
                unchanged: int(&r[5]),
                quarantined: int(&r[6]),
                pending: int(&r[8]),
                last_loaded_at: opt(&r[7]),
            })
            .collect(),
        dirty_dates: dirty.rows.first().map(|r| int(&r[0])).unwrap_or(0),
    })
}

/// Quarantined rows, newest files first, optionally of one feed and/or one rule.
pub async fn quarantine(
    warehouse: &Warehouse,
    feed: Option<&str>,
    rule: Option<&str>,
    limit: i64,
) -> Result<Vec<QuarantinedRow>, EtlError> {
    let mut conditions = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    if let Some(f) = feed {
        params.push(f.into());
        conditions.push(format!("q.feed = {}", placeholder(warehouse, params.len())));
    }
    if let Some(r) = rule {
        params.push(r.into());
        conditions.push(format!("q.rule = {}", placeholder(warehouse, params.len())));
    }
    params.push(limit.into());
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let rows = warehouse
        .fetch(&Statement {
            sql: format!(
                "SELECT f.file_name, q.feed, q.line_no, q.business_key, q.rule, q.column_name, q.value, q.message \
                 FROM meta_quarantine q JOIN meta_load_file f ON f.file_id = q.file_id {filter} \
                 ORDER BY q.file_id DESC, q.line_no, q.quarantine_id LIMIT {}",
                placeholder(warehouse, params.len())
            ),
            params,
        })
        .await?;
    Ok(rows
        .rows
        .iter()
        .map(|r| QuarantinedRow {
            file: r[0].to_key(),
            feed: r[1].to_key(),
            line: int(&r[2]),
            business_key: opt(&r[3]),
            rule: r[4].to_key(),
            column: r[5].to_key(),
            value: opt(&r[6]),
            message: r[7].to_key(),
        })
        .collect())
}
