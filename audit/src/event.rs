//! What one audit record says, and the exact bytes its link covers.

use chrono::{DateTime, Utc};
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;
use serde_json::{Value, json};

/// The columns of `meta_audit`, in the order of `AuditRecord::to_row`.
pub(crate) const COLUMNS: [(&str, ColumnType); 12] = [
    ("seq", ColumnType::Int),
    ("at", ColumnType::Text),
    ("actor", ColumnType::Text),
    ("role", ColumnType::Text),
    ("district", ColumnType::Text),
    ("source", ColumnType::Text),
    ("action", ColumnType::Text),
    ("outcome", ColumnType::Text),
    ("detail", ColumnType::Text),
    ("row_count", ColumnType::Int),
    ("prev_mac", ColumnType::Text),
    ("mac", ColumnType::Text),
];

/// The largest `detail` kept whole; a longer one keeps its start and its length, so a
/// hostile request cannot grow the log by megabytes a line.
const MAX_DETAIL_BYTES: usize = 8 * 1024;

/// Something to record: who did what, from where, with which outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// A token's holder, `anonymous` before a token is known, `cli:<user>` for commands.
    pub actor: String,
    pub role: Option<String>,
    pub district: Option<String>,
    /// The client's address, or `cli`.
    pub source: Option<String>,
    /// `login.failed`, `query.metrics`, `mutation.updateTerm`, `token.created`, …
    pub action: String,
    /// `ok`, `denied`, or the error code the caller was given.
    pub outcome: String,
    pub detail: Value,
    pub row_count: Option<i64>,
}

impl AuditEvent {
    /// An event of `action` by `actor` now, successful, with no detail yet.
    pub fn new(actor: impl Into<String>, action: impl Into<String>) -> AuditEvent {
        AuditEvent {
            at: Utc::now(),
            actor: actor.into(),
            role: None,
            district: None,
            source: None,
            action: action.into(),
            outcome: "ok".into(),
            detail: json!({}),
            row_count: None,
        }
    }

    /// The event as a record at `seq`, linked after `prev_mac` by `link`.
    pub(crate) fn into_record(self, seq: i64, prev_mac: String, link: impl Fn(&str, &[u8]) -> String) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            at: self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            actor: self.actor,
            role: self.role,
            district: self.district,
            source: self.source,
            action: self.action,
            outcome: self.outcome,
            detail: bounded_detail(&self.detail),
            row_count: self.row_count,
            prev_mac,
            mac: String::new(),
        };
        record.mac = link(&record.prev_mac, &record.canonical());
        record
    }
}

fn bounded_detail(detail: &Value) -> String {
    let text = detail.to_string();
    if text.len() <= MAX_DETAIL_BYTES {
        return text;
    }
    let mut end = MAX_DETAIL_BYTES / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    json!({ "truncated_from_bytes": text.len(), "start": &text[..end] }).to_string()
}

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    /// UTC, `2026-12-03T06:13:32.123456Z`.
    pub at: String,
    pub actor: String,
    pub role: Option<String>,
    pub district: Option<String>,
    pub source: Option<String>,
    pub action: String,
    pub outcome: String,
    /// JSON text, exactly as stored and linked.
    pub detail: String,
    pub row_count: Option<i64>,
    pub prev_mac: String,
    pub mac: String,
}

impl AuditRecord {
    /// The bytes the link covers: every field but the links, each marked present or
    /// absent (so `None` and `""` differ) and separated by a byte no field holds.
    pub(crate) fn canonical(&self) -> Vec<u8> {
        let optional = |v: &Option<String>| v.as_ref().map_or("-".to_string(), |s| format!("+{s}"));
        let fields = [
            self.seq.to_string(),
            self.at.clone(),
            self.actor.clone(),
            optional(&self.role),
            optional(&self.district),
            optional(&self.source),
            self.action.clone(),
            self.outcome.clone(),
            self.detail.clone(),
            optional(&self.row_count.map(|n| n.to_string())),
        ];
        fields.join("\u{1f}").into_bytes()
    }

    pub(crate) fn to_row(&self) -> Vec<SqlValue> {
        let text = |s: &Option<String>| s.clone().map_or(SqlValue::Null, SqlValue::Text);
        vec![
            SqlValue::Int(self.seq),
            SqlValue::Text(self.at.clone()),
            SqlValue::Text(self.actor.clone()),
            text(&self.role),
            text(&self.district),
            text(&self.source),
            SqlValue::Text(self.action.clone()),
            SqlValue::Text(self.outcome.clone()),
            SqlValue::Text(self.detail.clone()),
            self.row_count.map_or(SqlValue::Null, SqlValue::Int),
            SqlValue::Text(self.prev_mac.clone()),
            SqlValue::Text(self.mac.clone()),
        ]
    }

    /// A row read in `COLUMNS` order.
    pub(crate) fn from_row(row: &[SqlValue]) -> AuditRecord {
        let text = |i: usize| match &row[i] {
            SqlValue::Null => None,
            v => Some(v.to_key()),
        };
        AuditRecord {
            seq: row[0].as_i64().unwrap_or(0),
            at: row[1].to_key(),
            actor: row[2].to_key(),
            role: text(3),
            district: text(4),
            source: text(5),
            action: row[6].to_key(),
            outcome: row[7].to_key(),
            detail: row[8].to_key(),
            row_count: row[9].as_i64(),
            prev_mac: row[10].to_key(),
            mac: row[11].to_key(),
        }
    }

    /// The detail parsed (it is stored as JSON text; text that is not JSON as a string).
    pub fn detail_json(&self) -> Value {
        serde_json::from_str(&self.detail).unwrap_or_else(|_| Value::String(self.detail.clone()))
    }

    /// The record as JSON (for exports and the API), its detail parsed.
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "role": self.role,
            "district": self.district,
            "source": self.source,
            "action": self.action,
            "outcome": self.outcome,
            "detail": self.detail_json(),
            "rowCount": self.row_count,
            "mac": self.mac,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(detail: Value) -> AuditRecord {
        let mut e = AuditEvent::new("王科长", "query.metrics");
        e.detail = detail;
        e.into_record(7, "00".into(), |prev, bytes| format!("{prev}:{}", bytes.len()))
    }

    #[test]
    fn absent_and_empty_fields_link_differently() {
        let mut a = record(json!({}));
        let b = a.clone();
        a.role = Some(String::new());
        assert_ne!(a.canonical(), b.canonical());
    }

    #[test]
    fn a_huge_detail_is_cut_to_a_bounded_start() {
        let r = record(json!({ "text": "字".repeat(100_000) }));
        assert!(r.detail.len() <= MAX_DETAIL_BYTES, "{}", r.detail.len());
        let parsed: Value = serde_json::from_str(&r.detail).unwrap();
        assert_eq!(parsed["truncated_from_bytes"], json!(300_011));
    }

    #[test]
    fn a_record_round_trips_through_a_row() {
        let r = record(json!({ "indicators": ["hire_persons"] }));
        assert_eq!(AuditRecord::from_row(&r.to_row()), r);
    }
}
