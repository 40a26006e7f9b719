//! Re-sealing, one job: bring every sealed value in the warehouse under the newest data
//! key, a batch per transaction while the service goes on, and count the values under
//! each key version (what `jiuye key status` shows and `jiuye key retire` checks).
//!
//! The caller names the sealed columns (ODS's from the feed specs, the TOTP secrets from
//! the identity tables); this crate must not depend on the ETL, identity or any surface.

mod scan;

use std::collections::BTreeMap;

use jiuye_privacy::Sealing;

pub use scan::{reseal, survey};

/// A table with sealed columns, and how its rows are named in their sealed values'
/// associated data (`jiuye_privacy::Place::row`).
#[derive(Debug, Clone)]
pub struct SealedTable {
    pub table: String,
    pub row: RowKey,
    pub columns: Vec<String>,
}

/// A row's identity: the key columns the scan pages by, and the place's `row` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    /// ODS: `file_id` and `line_no`, named `file_id:line_no`.
    FileLine,
    /// One text column, named by its value (a username).
    Text(String),
}

impl RowKey {
    fn columns(&self) -> Vec<&str> {
        match self {
            RowKey::FileLine => vec!["file_id", "line_no"],
            RowKey::Text(column) => vec![column.as_str()],
        }
    }
}

/// What a scan of one table found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub rows: u64,
    /// Sealed values per key version, as found (before any re-sealing).
    pub found: BTreeMap<Sealing, u64>,
    /// Values now sealed under the newest key that were not.
    pub resealed: u64,
    /// Values that did not open (a wrong or retired key, or damage): left as they were.
    pub unreadable: u64,
    /// Rows whose sealed values changed between reading and writing (a user enrolled
    /// TOTP meanwhile): left to their writer; a second run picks them up.
    pub changed_meanwhile: u64,
}

impl TableReport {
    /// Values not yet under `version`, bound to their place.
    pub fn behind(&self, version: u32) -> u64 {
        let current = Sealing { version, bound: true };
        self.found.iter().filter(|(s, _)| **s != current).map(|(_, n)| n).sum::<u64>() - self.resealed
    }
}

/// Progress of a scan, for a progress bar.
pub trait Progress: Send + Sync {
    fn table_started(&self, table: &str);
    fn rows_done(&self, rows: u64);
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {
    fn table_started(&self, _table: &str) {}
    fn rows_done(&self, _rows: u64) {}
}

#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error(transparent)]
    Warehouse(#[from] jiuye_warehouse::WarehouseError),
    #[error("{0}")]
    Keys(#[from] jiuye_privacy::KeyError),
    #[error("the batch size must be between 1 and {MAX_BATCH}, not {0}")]
    Batch(u64),
}

/// The most rows one transaction re-seals.
pub const MAX_BATCH: u64 = 50_000;
