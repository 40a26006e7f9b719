//! The audit log (安全审计), one job: append events to `meta_audit` as a chain of
//! HMAC-SM3 links, and verify, list, export and purge that chain.
//!
//! Each record's `mac` covers the previous record's `mac` and every field of its own
//! (`event.rs`), under a key derived from the warehouse secret (`Keys::audit_mac`): a
//! changed, inserted or removed record breaks the chain, and re-linking needs the
//! secret. A head row (`meta_audit_head`, with a MAC of its own) records the last link,
//! so a removed tail is found too. Appends serialise on that row in the database, so
//! the server and the CLI can write at once. Records are never updated; a purge removes
//! the oldest ones (never any younger than `RETENTION_DAYS`) and appends a record saying
//! where the chain now starts.
//!
//! Depends on warehouse, privacy, sql-value and the semantic crate's typed SQL; must not
//! depend on graphql, the ETL or the CLI.

mod event;
mod sink;
mod sql;
mod store;
mod verify;

pub use event::{AuditEvent, AuditRecord};
pub use sink::AuditSink;
pub use store::{AuditError, AuditFilter, AuditLog, PurgeReport, RETENTION_DAYS};
pub use verify::Verification;
