//! A table of a source system's database (PostgreSQL or MySQL) as a feed's input,
//! extracted incrementally: rows whose 更新时间 is at or after the last watermark minus an
//! overlap window, in 更新时间 order. The watermark is the newest 更新时间 among the rows
//! read — the source's own values, never the loader's clock — so a clock skew between the
//! machines loses nothing, and rows a slow transaction commits late with an older 更新时间
//! are caught by the overlap. Re-read rows change nothing (an equal 更新时间 is no news),
//! so the overlap costs reads, not correctness.
//!
//! Columns map to the feed spec like file headers do (the Chinese header, an alias, or
//! the spec's field name). Values are read as text and conformed like a file's cells.
//! The 更新时间 column must be a timestamp/datetime, or text in `YYYY-MM-DD HH:MM:SS`, so
//! that its text order is its time order.

use chrono::NaiveDateTime;
use jiuye_privacy::Keys;
use jiuye_semantic::Catalog;
use jiuye_sql_value::Statement;
use jiuye_warehouse::Warehouse;
use sqlx::Row;

use crate::conform::checks::parse_timestamp;
use crate::load::{self, placeholders};
use crate::read::{RawRow, RowReader};
use crate::spec::FeedSpec;
use crate::{CodeTables, EtlError, Progress, RunReport, all_feeds, builtin_specs, check_key, prepare_warehouse};

/// Where to extract a feed from.
#[derive(Debug, Clone)]
pub struct DbSource {
    /// `postgres://…` or `mysql://…`.
    pub url: String,
    /// The table (optionally `schema.table`); defaults to the feed name.
    pub table: String,
    pub feed: String,
    /// How far before the watermark each extraction starts again.
    pub overlap: chrono::Duration,
}

impl DbSource {
    /// The source as shown in the ledger: the URL without its password, and the table.
    pub fn label(&self) -> String {
        let url = match (self.url.find("://"), self.url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &self.url[scheme + 3..at];
                let user = credentials.split(':').next().unwrap_or("");
                format!("{}{user}@{}", &self.url[..scheme + 3], &self.url[at + 1..])
            }
            _ => self.url.clone(),
        };
        format!("{url}#{}", self.table)
    }
}

fn source_error(source: &DbSource, message: impl std::fmt::Display) -> EtlError {
    EtlError::Source {
        source_label: source.label(),
        message: message.to_string(),
    }
}

/// Extracts the feed's new rows from the source table, loads them as one export (one
/// transaction, accounted like a file), advances the watermark and rebuilds what they
/// touched.
pub async fn run_source(
    warehouse: &Warehouse,
    catalog: &Catalog,
    keys: &Keys,
    source: &DbSource,
    progress: &dyn Progress,
) -> Result<RunReport, EtlError> {
    let codes = CodeTables::load()?;
    prepare_warehouse(warehouse, catalog, &codes).await?;
    check_key(warehouse, keys).await?;
    let feeds = all_feeds();
    let feed = feeds.iter().find(|f| f.name() == source.feed).ok_or_else(|| {
        source_error(
            source,
            format!(
                "`{}` is no feed; feeds are {}",
                source.feed,
                feeds.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let specs = builtin_specs()?;
    let spec = crate::spec_of(&specs, feed.as_ref())?;
    let label = source.label();
    let stored = stored_watermark(warehouse, &source.feed, &label).await?;
    let since = stored
        .as_deref()
        .and_then(parse_timestamp)
        .map(|w| (w - source.overlap).format("%Y-%m-%d %H:%M:%S").to_string());
    let extract = extract(source, spec, since.as_deref()).await?;
    let newest = extract.newest.clone();
    let run_id = crate::start_run(warehouse, &label).await?;
    let ctx = load::LoadContext {
        warehouse,
        catalog,
        codes: &codes,
        keys,
        run_id,
        progress,
    };
    let name = format!(
        "{}@{} since {}",
        source.feed,
        source.table,
        since.as_deref().unwrap_or("the beginning")
    );
    let size = extract.bytes;
    let report = load::load_rows(&ctx, feed.as_ref(), spec, Box::new(extract), &name, size).await?;
    progress.file_finished(&report);
    if let Some(newest) = newest.filter(|n| stored.as_ref().is_none_or(|s| n > s)) {
        save_watermark(warehouse, &source.feed, &label, &newest, run_id).await?;
    }
    let reports = vec![report];
    crate::finish_run(warehouse, catalog, run_id, &reports, progress).await?;
    Ok(RunReport {
        run_id,
        files: reports,
        skipped: vec![],
    })
}

async fn stored_watermark(warehouse: &Warehouse, feed: &str, source: &str) -> Result<Option<String>, EtlError> {
    let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
    let rows = warehouse
        .fetch(&Statement {
            sql: format!(
                "SELECT watermark FROM meta_watermark WHERE feed = {} AND source = {}",
                dialect.placeholder(1),
                dialect.placeholder(2)
            ),
            params: vec![feed.into(), source.into()],
        })
        .await?;
    Ok(rows.rows.first().map(|r| r[0].to_key()))
}

async fn save_watermark(warehouse: &Warehouse, feed: &str, source: &str, watermark: &str, run_id: i64) -> Result<(), EtlError> {
    let mut tx = warehouse.begin().await?;
    tx.execute(&Statement {
        sql: placeholders(
            &tx,
            "INSERT INTO meta_watermark (feed, source, watermark, run_id) VALUES (?, ?, ?, ?) \
             ON CONFLICT (feed, source) DO UPDATE SET watermark = excluded.watermark, run_id = excluded.run_id",
        ),
        params: vec![feed.into(), source.into(), watermark.into(), run_id.into()],
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rows extracted from a source table, served to the loader like a file.
struct Extract {
    headers: Vec<String>,
    rows: std::vec::IntoIter<RawRow>,
    hash: String,
    bytes: u64,
    /// The newest 更新时间 read, normalised.
    newest: Option<String>,
}

impl RowReader for Extract {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn encoding(&self) -> &'static str {
        "database"
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<RawRow>, EtlError> {
        Ok(self.rows.by_ref().take(max).collect())
    }
    fn content_hash(&self) -> String {
        self.hash.clone()
    }
}

/// The spec header a source column stands for: a header or alias as is, a field name
/// translated to its header; other columns pass through (and are ignored, like extra
/// columns of a file).
fn header_of(spec: &FeedSpec, column: &str) -> String {
    spec.columns
        .iter()
        .find(|c| c.field == column)
        .map(|c| c.header.clone())
        .unwrap_or_else(|| column.to_string())
}

enum Dialect {
    Postgres,
    MySql,
}

impl Dialect {
    fn quote(&self, name: &str) -> String {
        match self {
            Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::MySql => format!("`{}`", name.replace('`', "``")),
        }
    }
    /// A column as text the conformer reads: dates and timestamps formatted as
    /// `YYYY-MM-DD[ HH:MM:SS]` in Shanghai time whatever the column type or session zone
    /// (sqlx runs sessions in UTC), so fractions of seconds and zone suffixes never reach
    /// the rules, and the text order of 更新时间 is its time order.
    fn as_text(&self, column: &str, data_type: &str) -> String {
        let c = self.quote(column);
        match (self, data_type.to_ascii_lowercase().as_str()) {
            (Dialect::Postgres, "timestamp without time zone") => format!("to_char({c}, 'YYYY-MM-DD HH24:MI:SS')"),
            (Dialect::Postgres, "timestamp with time zone") => {
                format!("to_char({c} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')")
            }
            (Dialect::Postgres, "date") => format!("to_char({c}, 'YYYY-MM-DD')"),
            (Dialect::Postgres, _) => format!("CAST({c} AS TEXT)"),
            (Dialect::MySql, "datetime") => format!("DATE_FORMAT({c}, '%Y-%m-%d %H:%i:%s')"),
            (Dialect::MySql, "timestamp") => format!("DATE_FORMAT(CONVERT_TZ({c}, '+00:00', '+08:00'), '%Y-%m-%d %H:%i:%s')"),
            (Dialect::MySql, "date") => format!("DATE_FORMAT({c}, '%Y-%m-%d')"),
            (Dialect::MySql, _) => format!("CAST({c} AS CHAR)"),
        }
    }

    /// The table's columns and their types, in order (binds: table, schema or NULL).
    fn columns_sql(&self) -> &'static str {
        match self {
            Dialect::Postgres => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = COALESCE($2, current_schema()) ORDER BY ordinal_position"
            }
            Dialect::MySql => {
                "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) FROM information_schema.columns \
                 WHERE table_name = ? AND table_schema = COALESCE(?, DATABASE()) ORDER BY ordinal_position"
            }
        }
    }

    /// The source's own clock, in Shanghai time: the watermark never passes it.
    fn now_sql(&self) -> &'static str {
        match self {
            Dialect::Postgres => "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')",
            Dialect::MySql => "SELECT DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'), '%Y-%m-%d %H:%i:%s')",
        }
    }
}

/// Text cells of fetched rows; a value that cannot be read as text is an error naming
/// the column, never a silent empty cell.
fn text_cells<R: sqlx::Row>(source: &DbSource, rows: &[R], columns: &[(String, String)]) -> Result<Vec<Vec<Option<String>>>, EtlError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| {
            (0..columns.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .map_err(|e| source_error(source, format!("column `{}` cannot be read as text: {e}", columns[i].0)))
                })
                .collect()
        })
        .collect()
}

async fn extract(source: &DbSource, spec: &FeedSpec, since: Option<&str>) -> Result<Extract, EtlError> {
    let (schema, table) = match source.table.split_once('.') {
        Some((s, t)) => (Some(s.to_string()), t.to_string()),
        None => (None, source.table.clone()),
    };
    // The same steps on either driver: the table's columns and types, the source's clock,
    // then the rows since the watermark as text. (A macro, since the two pools share no
    // trait sqlx lets us name here without a tangle of bounds.)
    macro_rules! read_table {
        ($pool:expr, $dialect:expr) => {{
            let pool = $pool.map_err(|e| source_error(source, format!("cannot connect: {e}")))?;
            let dialect = $dialect;
            let columns: Vec<(String, String)> = sqlx::query(dialect.columns_sql())
                .bind(&table)
                .bind(&schema)
                .fetch_all(&pool)
                .await
                .map_err(|e| source_error(source, e))?
                .iter()
                .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
                .collect();
            let source_now: String = sqlx::query_scalar(dialect.now_sql())
                .fetch_one(&pool)
                .await
                .map_err(|e| source_error(source, e))?;
            let (sql, bind) = select_sql(&dialect, spec, source, schema.as_deref(), &table, &columns, since)?;
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(b) = bind {
                query = query.bind(b);
            }
            let rows = query.fetch_all(&pool).await.map_err(|e| source_error(source, e))?;
            let rows = text_cells(source, &rows, &columns)?;
            pool.close().await;
            (columns, rows, source_now)
        }};
    }
    let (columns, rows, source_now) = if source.url.starts_with("postgres://") || source.url.starts_with("postgresql://") {
        read_table!(
            sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&source.url).await,
            Dialect::Postgres
        )
    } else if source.url.starts_with("mysql://") || source.url.starts_with("mariadb://") {
        let url = source.url.replacen("mariadb://", "mysql://", 1);
        read_table!(
            sqlx::mysql::MySqlPoolOptions::new().max_connections(1).connect(&url).await,
            Dialect::MySql
        )
    } else {
        return Err(source_error(source, "the source URL must start with postgres:// or mysql://"));
    };
    let headers: Vec<String> = columns.iter().map(|(c, _)| header_of(spec, c)).collect();
    let updated_index = updated_column(spec, &headers);
    let mut hasher = <sm3::Sm3 as sm3::Digest>::new();
    let mut bytes = 0u64;
    let mut newest: Option<NaiveDateTime> = None;
    let raw: Vec<RawRow> = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| {
            let cells: Vec<String> = cells.into_iter().map(Option::unwrap_or_default).collect();
            for c in &cells {
                sm3::Digest::update(&mut hasher, c.as_bytes());
                sm3::Digest::update(&mut hasher, [0x1f]);
                bytes += c.len() as u64 + 1;
            }
            if let Some(t) = updated_index.and_then(|u| parse_timestamp(&cells[u])) {
                newest = newest.max(Some(t));
            }
            RawRow { line: i as u64 + 1, cells }
        })
        .collect();
    Ok(Extract {
        headers,
        rows: raw.into_iter(),
        hash: hex::encode(sm3::Digest::finalize(hasher)),
        bytes,
        // A row stamped in the future (a typo, a fast clock) must not carry the watermark
        // past the source's present, or every later change would be skipped.
        newest: newest
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .map(|n| if n > source_now { source_now.clone() } else { n }),
    })
}

fn updated_column(spec: &FeedSpec, headers: &[String]) -> Option<usize> {
    let column = spec.column(spec.updated_at.as_deref()?)?;
    headers.iter().position(|h| *h == column.header || column.aliases.contains(h))
}

/// `SELECT` every column as text, from the watermark on, in 更新时间 order.
fn select_sql(
    dialect: &Dialect,
    spec: &FeedSpec,
    source: &DbSource,
    schema: Option<&str>,
    table: &str,
    columns: &[(String, String)],
    since: Option<&str>,
) -> Result<(String, Option<String>), EtlError> {
    if columns.is_empty() {
        return Err(source_error(
            source,
            "the table does not exist or has no columns the connection may read",
        ));
    }
    let headers: Vec<String> = columns.iter().map(|(c, _)| header_of(spec, c)).collect();
    let list: Vec<String> = columns.iter().map(|(c, t)| dialect.as_text(c, t)).collect();
    let from = match schema {
        Some(s) => format!("{}.{}", dialect.quote(s), dialect.quote(table)),
        None => dialect.quote(table),
    };
    let mut sql = format!("SELECT {} FROM {from}", list.join(", "));
    let mut bind = None;
    match updated_column(spec, &headers) {
        Some(u) => {
            if let Some(since) = since {
                let placeholder = match dialect {
                    Dialect::Postgres => "$1",
                    Dialect::MySql => "?",
                };
                sql.push_str(&format!(
                    " WHERE {} >= {placeholder}",
                    dialect.as_text(&columns[u].0, &columns[u].1)
                ));
                bind = Some(since.to_string());
            }
            sql.push_str(&format!(" ORDER BY {}", dialect.quote(&columns[u].0)));
        }
        None if spec.updated_at.is_some() => {
            return Err(source_error(
                source,
                format!(
                    "no column for 更新时间 (found {}); name it 更新时间 or updated_at, or add an alias in etl/feeds/{}.yaml",
                    columns.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", "),
                    spec.feed
                ),
            ));
        }
        // Reference data without 更新时间 is read whole every time.
        None => {}
    }
    Ok((sql, bind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_hides_the_password() {
        let s = DbSource {
            url: "postgres://etl:secret@db.example:5432/hr".into(),
            table: "public.job_posting".into(),
            feed: "job_posting".into(),
            overlap: chrono::Duration::minutes(60),
        };
        assert_eq!(s.label(), "postgres://etl@db.example:5432/hr#public.job_posting");
    }
}
