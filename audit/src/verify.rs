//! `jiuye audit verify`: walks the chain from its first record to its head and reports
//! every record that was changed, inserted or removed.

use serde_json::Value;

use crate::event::AuditRecord;
use crate::store::{AuditError, AuditFilter, AuditLog, GENESIS};

/// Records read per statement while verifying.
const PAGE: u64 = 5_000;

/// What a walk of the chain found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verification {
    pub records: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The last link, for keeping outside the warehouse (a later `verify` can then
    /// show that nothing after it was removed and re-headed by someone with the key).
    pub head_mac: String,
    /// One line a problem, in chain order; empty when the chain is whole.
    pub problems: Vec<String>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Where the chain may start: after the records a purge removed.
struct PurgeMark {
    through_seq: i64,
    through_mac: String,
}

impl AuditLog {
    /// Checks every link, the sequence numbers, the start (record 1, or the record after
    /// a purge) and the end (the head row).
    pub async fn verify(&self) -> Result<Verification, AuditError> {
        let mut v = Verification::default();
        let mut previous: Option<AuditRecord> = None;
        let mut first: Option<AuditRecord> = None;
        let mut purges = Vec::new();
        let mut filter = AuditFilter::default();
        loop {
            let page = self.list(&filter, PAGE).await?;
            let Some(last) = page.last() else { break };
            filter.after_seq = Some(last.seq);
            for record in page {
                self.check_record(&record, previous.as_ref(), &mut v.problems);
                if let Some(mark) = purge_mark(&record) {
                    purges.push(mark);
                }
                v.records += 1;
                first.get_or_insert_with(|| record.clone());
                previous = Some(record);
            }
        }
        check_start(first.as_ref(), &purges, &mut v.problems);
        let head = self.head().await?;
        let last_seq = previous.as_ref().map_or(0, |r| r.seq);
        let last_mac = previous.as_ref().map_or(GENESIS.to_string(), |r| r.mac.clone());
        if head.seq != last_seq || head.mac != last_mac {
            v.problems.push(format!(
                "the log ends at record {last_seq} but its head is at record {}: records at the end were removed, or the head was moved",
                head.seq
            ));
        } else if head.seq > 0 && head.head_mac != self.head_mac(head.seq, &head.mac) {
            v.problems
                .push("the head row was altered: its MAC does not match (the last records may have been removed)".into());
        }
        v.first_seq = first.map(|r| r.seq);
        v.last_seq = previous.map(|r| r.seq);
        v.head_mac = head.mac;
        Ok(v)
    }

    fn check_record(&self, record: &AuditRecord, previous: Option<&AuditRecord>, problems: &mut Vec<String>) {
        if let Some(p) = previous {
            if record.seq != p.seq + 1 {
                problems.push(format!("records {}–{} are missing", p.seq + 1, record.seq - 1));
            } else if record.prev_mac != p.mac {
                problems.push(format!(
                    "record {} does not follow record {}: a record between them was removed or replaced",
                    record.seq, p.seq
                ));
            }
        }
        if self.keys().audit_mac(&record.prev_mac, &record.canonical()) != record.mac {
            problems.push(format!(
                "record {} ({} by {} at {}) was altered: its MAC does not match its content",
                record.seq, record.action, record.actor, record.at
            ));
        }
    }
}

fn purge_mark(record: &AuditRecord) -> Option<PurgeMark> {
    if record.action != "audit.purged" {
        return None;
    }
    let detail: Value = serde_json::from_str(&record.detail).ok()?;
    Some(PurgeMark {
        through_seq: detail.get("through_seq")?.as_i64()?,
        through_mac: detail.get("through_mac")?.as_str()?.to_string(),
    })
}

/// The first record is record 1 after the genesis link, or follows a purge that a
/// (linked, so unforgeable) `audit.purged` record vouches for.
fn check_start(first: Option<&AuditRecord>, purges: &[PurgeMark], problems: &mut Vec<String>) {
    let Some(first) = first else { return };
    if first.seq == 1 {
        if first.prev_mac != GENESIS {
            problems.push("record 1 does not start the chain: it links to another record".into());
        }
        return;
    }
    let vouched = purges
        .iter()
        .any(|p| p.through_seq == first.seq - 1 && p.through_mac == first.prev_mac);
    if !vouched {
        problems.push(format!(
            "records 1–{} are missing and no purge record accounts for them",
            first.seq - 1
        ));
    }
}
