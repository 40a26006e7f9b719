//! Appending, listing and purging the chain.

use chrono::{DateTime, Duration, Utc};
use jiuye_privacy::Keys;
use jiuye_semantic::sql::{Select, dialect_for, render_select, render_write};
use jiuye_warehouse::{Transaction, Warehouse, WarehouseError};
use serde_json::json;

use crate::event::{AuditEvent, AuditRecord, COLUMNS};
use crate::sql;

/// Records younger than this are never purged (GB/T 22239-2019 level 3 asks for at least
/// six months).
pub const RETENTION_DAYS: i64 = 180;

/// The link before the first record.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("records younger than {RETENTION_DAYS} days are kept: purge before {latest} at the latest, not {asked}")]
    TooRecent { asked: String, latest: String },
    #[error(
        "the audit log was linked under another secret key (or its head was altered): use the warehouse's key (JIUYE_SECRET_KEY or JIUYE_KEY_FILE), and run `jiuye audit verify`"
    )]
    KeyMismatch,
}

/// Which records to list; every part optional. Times are UTC text (`2026-12-01T00:00:00Z`).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only records after this sequence number (paging).
    pub after_seq: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PurgeReport {
    pub deleted: u64,
    /// The last record removed; the chain now starts after it.
    pub through_seq: Option<i64>,
}

/// The chain's last link as the head row has it.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub seq: i64,
    pub mac: String,
    pub head_mac: String,
}

/// The audit log of one warehouse, linked under one key.
#[derive(Clone)]
pub struct AuditLog {
    warehouse: Warehouse,
    keys: Keys,
}

impl AuditLog {
    pub fn new(warehouse: Warehouse, keys: Keys) -> AuditLog {
        AuditLog { warehouse, keys }
    }

    /// Whether the warehouse was closed (the process is ending).
    pub fn is_closed(&self) -> bool {
        self.warehouse.is_closed()
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Appends `events` in order, in one transaction; returns the last sequence number.
    pub async fn append(&self, events: Vec<AuditEvent>) -> Result<i64, AuditError> {
        let mut tx = self.warehouse.begin().await?;
        let last = self.append_in(&mut tx, events).await?;
        tx.commit().await?;
        Ok(last)
    }

    async fn append_in(&self, tx: &mut Transaction, events: Vec<AuditEvent>) -> Result<i64, AuditError> {
        let dialect = dialect_for(tx.backend());
        tx.execute(&render_write(&sql::lock_head(), dialect)).await?;
        let head = read_head(tx).await?;
        let (mut seq, mut prev) = (head.seq, head.mac);
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            seq += 1;
            let record = event.into_record(seq, prev, |p, bytes| self.keys.audit_mac(p, bytes));
            prev = record.mac.clone();
            rows.push(record.to_row());
        }
        if rows.is_empty() {
            return Ok(seq);
        }
        tx.insert_rows(sql::AUDIT, &COLUMNS, &rows).await?;
        let head_mac = self.head_mac(seq, &prev);
        tx.execute(&render_write(&sql::move_head(seq, &prev, &head_mac), dialect)).await?;
        Ok(seq)
    }

    /// The head's own MAC: whoever removes the last records cannot move the head back.
    pub(crate) fn head_mac(&self, seq: i64, mac: &str) -> String {
        self.keys.audit_mac("head", format!("{seq}\u{1f}{mac}").as_bytes())
    }

    pub(crate) async fn head(&self) -> Result<Head, AuditError> {
        let dialect = dialect_for(self.warehouse.backend());
        let rows = self.warehouse.fetch(&render_select(&sql::read_head(), dialect)).await?;
        Ok(head_of(&rows.rows))
    }

    /// Records matching `filter`, oldest first, at most `limit`.
    pub async fn list(&self, filter: &AuditFilter, limit: u64) -> Result<Vec<AuditRecord>, AuditError> {
        self.select(&sql::list(filter, limit)).await
    }

    /// The newest `limit` records matching `filter`, newest first.
    pub async fn latest(&self, filter: &AuditFilter, limit: u64) -> Result<Vec<AuditRecord>, AuditError> {
        self.select(&sql::latest(filter, limit)).await
    }

    async fn select(&self, select: &Select) -> Result<Vec<AuditRecord>, AuditError> {
        let dialect = dialect_for(self.warehouse.backend());
        let rows = self.warehouse.fetch(&render_select(select, dialect)).await?;
        Ok(rows.rows.iter().map(|r| AuditRecord::from_row(r)).collect())
    }

    /// Removes the records older than `before` and appends an `audit.purged` record
    /// saying where the chain now starts, both in one transaction. `before` may be no
    /// later than `now` − `RETENTION_DAYS`.
    pub async fn purge(&self, before: DateTime<Utc>, now: DateTime<Utc>, actor: &str) -> Result<PurgeReport, AuditError> {
        let latest = now - Duration::days(RETENTION_DAYS);
        if before > latest {
            return Err(AuditError::TooRecent {
                asked: before.to_rfc3339(),
                latest: latest.to_rfc3339(),
            });
        }
        let cutoff = before.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let mut tx = self.warehouse.begin().await?;
        let dialect = dialect_for(tx.backend());
        tx.execute(&render_write(&sql::lock_head(), dialect)).await?;
        let found = tx.fetch(&render_select(&sql::last_before(&cutoff), dialect)).await?;
        let Some(through) = found.rows.first().and_then(|r| r[0].as_i64()) else {
            tx.commit().await?;
            return Ok(PurgeReport {
                deleted: 0,
                through_seq: None,
            });
        };
        let last = tx
            .fetch(&render_select(
                &sql::list(
                    &AuditFilter {
                        after_seq: Some(through - 1),
                        ..AuditFilter::default()
                    },
                    1,
                ),
                dialect,
            ))
            .await?;
        let last_mac = last.rows.first().map(|r| AuditRecord::from_row(r).mac).unwrap_or_default();
        let deleted = tx.execute(&render_write(&sql::delete_through(through), dialect)).await?;
        let mut event = AuditEvent::new(actor, "audit.purged");
        event.source = Some("cli".into());
        event.detail = json!({ "before": cutoff, "through_seq": through, "through_mac": last_mac, "deleted": deleted });
        self.append_in(&mut tx, vec![event]).await?;
        tx.commit().await?;
        Ok(PurgeReport {
            deleted,
            through_seq: Some(through),
        })
    }
}

async fn read_head(tx: &mut Transaction) -> Result<Head, AuditError> {
    let dialect = dialect_for(tx.backend());
    let rows = tx.fetch(&render_select(&sql::read_head(), dialect)).await?;
    Ok(head_of(&rows.rows))
}

fn head_of(rows: &[Vec<jiuye_sql_value::SqlValue>]) -> Head {
    rows.first().map_or_else(
        || Head {
            seq: 0,
            mac: GENESIS.into(),
            head_mac: String::new(),
        },
        |r| Head {
            seq: r[0].as_i64().unwrap_or(0),
            mac: r[1].to_key(),
            head_mac: r[2].to_key(),
        },
    )
}

impl AuditLog {
    /// Refuses a key other than the one the log was linked under (checked on the head's
    /// MAC), so a server or command under the wrong key does not extend a chain that
    /// `verify` would then call broken.
    pub async fn check_key(&self) -> Result<(), AuditError> {
        let head = self.head().await?;
        if head.seq > 0 && head.head_mac != self.head_mac(head.seq, &head.mac) {
            return Err(AuditError::KeyMismatch);
        }
        Ok(())
    }
}
