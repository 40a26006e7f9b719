//! 消息中心, one job: messages to a user or to every holder of a role — ETL runs
//! finished or failed, quarantine rates above a threshold, indicators whose TARGET status
//! turned amber or red, passwords about to expire — with each reader's read marks.
//! Producers post (`Inbox::post`, deduplicated by a key); readers list, count and mark
//! their own. Depends on warehouse, sql-value and the semantic crate's typed SQL; must
//! not depend on graphql, the ETL, identity or the CLI (who may read what is theirs).

mod sql;

use chrono::{DateTime, Utc};
use jiuye_semantic::sql::{dialect_for, render_select};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::{Warehouse, WarehouseError};

pub use sql::Reader;

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
}

/// How urgent a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    User(String),
    /// Every holder of the role, present and future.
    Role(String),
}

/// A message to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// What happened: `etl.finished`, `etl.failed`, `quarantine.rate`, `target.status`,
    /// `password.expiry`.
    pub kind: String,
    pub severity: Severity,
    pub title: String,
    pub body: String,
    pub audience: Audience,
    /// A message with the same key is posted once (a run, a status change, an expiry).
    pub dedup_key: Option<String>,
}

/// A message as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    /// UTC.
    pub created_at: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub body: String,
    /// `user` (to the reader) or `role` (to the reader's role).
    pub to: String,
    pub read: bool,
}

impl Message {
    fn from_row(r: &[SqlValue]) -> Message {
        Message {
            id: r[0].as_i64().unwrap_or(0),
            created_at: r[1].to_key(),
            kind: r[2].to_key(),
            severity: r[3].to_key(),
            title: r[4].to_key(),
            body: r[5].to_key(),
            to: r[6].to_key(),
            read: !matches!(r[7], SqlValue::Null),
        }
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Longest title and body stored (a producer's text is cut, never refused).
const MAX_TITLE_CHARS: usize = 200;
const MAX_BODY_CHARS: usize = 4_000;

/// The messages of one warehouse.
#[derive(Clone)]
pub struct Inbox {
    warehouse: Warehouse,
}

impl Inbox {
    pub fn new(warehouse: Warehouse) -> Inbox {
        Inbox { warehouse }
    }

    async fn rows(&self, select: &jiuye_semantic::sql::Select) -> Result<Vec<Vec<SqlValue>>, MessageError> {
        let statement = render_select(select, dialect_for(self.warehouse.backend()));
        Ok(self.warehouse.fetch(&statement).await?.rows)
    }

    async fn count(&self, select: &jiuye_semantic::sql::Select) -> Result<i64, MessageError> {
        Ok(self.rows(select).await?.first().and_then(|r| r[0].as_i64()).unwrap_or(0))
    }

    /// Posts `message`; `false` when one with its dedup key was posted before.
    pub async fn post(&self, message: &NewMessage, now: DateTime<Utc>) -> Result<bool, MessageError> {
        if let Some(key) = &message.dedup_key
            && self.count(&sql::posted(key)).await? > 0
        {
            return Ok(false);
        }
        let (kind, who) = match &message.audience {
            Audience::User(u) => ("user", u),
            Audience::Role(r) => ("role", r),
        };
        let row = vec![
            SqlValue::Text(stamp(now)),
            SqlValue::Text(message.kind.clone()),
            SqlValue::Text(message.severity.name().into()),
            SqlValue::Text(message.title.chars().take(MAX_TITLE_CHARS).collect()),
            SqlValue::Text(message.body.chars().take(MAX_BODY_CHARS).collect()),
            SqlValue::Text(kind.into()),
            SqlValue::Text(who.clone()),
            message.dedup_key.clone().into(),
        ];
        let mut tx = self.warehouse.begin().await?;
        tx.insert_rows(sql::MESSAGE, &sql::MESSAGE_COLUMNS, &[row]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// `reader`'s messages, newest first, at most `limit`; only unread ones if asked,
    /// only those newer than `after_id` if given.
    pub async fn list(&self, reader: &Reader, unread_only: bool, after_id: Option<i64>, limit: u64) -> Result<Vec<Message>, MessageError> {
        let rows = self.rows(&sql::listing(reader, unread_only, after_id, limit)).await?;
        Ok(rows.iter().map(|r| Message::from_row(r)).collect())
    }

    pub async fn unread_count(&self, reader: &Reader) -> Result<i64, MessageError> {
        self.count(&sql::unread_count(reader)).await
    }

    /// The newest message id: a live listener reports what comes after it.
    pub async fn newest_id(&self) -> Result<i64, MessageError> {
        self.count(&sql::newest_id()).await
    }

    /// Marks as read those of `ids` that are `reader`'s and unread (others are
    /// ignored: nobody marks another's); returns how many it marked.
    pub async fn mark_read(&self, reader: &Reader, ids: &[i64], now: DateTime<Utc>) -> Result<u64, MessageError> {
        const PAGE: u64 = 1_000;
        let unread = self.list(reader, true, None, PAGE).await?;
        let rows: Vec<Vec<SqlValue>> = unread
            .iter()
            .filter(|m| ids.is_empty() || ids.contains(&m.id))
            .map(|m| {
                vec![
                    SqlValue::Int(m.id),
                    SqlValue::Text(reader.username.clone()),
                    SqlValue::Text(stamp(now)),
                ]
            })
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.warehouse.begin().await?;
        let n = tx.insert_rows(sql::READ, &sql::READ_COLUMNS, &rows).await?;
        tx.commit().await?;
        Ok(n)
    }
}
