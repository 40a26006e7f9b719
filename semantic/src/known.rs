//! Knowledge time: when the warehouse learnt a version of a row. Every row the ETL writes
//! to a DWD table or a person-state table carries `known_at`; a version it replaces or
//! removes moves to `<table>_superseded` with `superseded_at`. An as-of answer reads
//! the versions known at an instant and not yet superseded then, so a report published
//! last month can be reproduced exactly after later corrections.
//!
//! The stamp is text of one fixed width in UTC (`2025-10-31T10:00:00.000000Z`), so it
//! orders the same way as text on both databases under any collation.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::SemanticError;

/// The city's clock: Shanghai time, UTC+8 all year (no daylight saving).
fn city_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant of the warehouse's knowledge: the instant asked for and the newest stamp
/// visible then. Until resolved against `meta_knowledge` (the stamps committed by the
/// instant, see [`KnownAt::visible_through`]) the stamp is the instant itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KnownAt {
    at: DateTime<Utc>,
    visible: DateTime<Utc>,
}

/// The stamp of rows loaded before knowledge time was kept: known from the beginning.
const BEGINNING: &str = "0001-01-01T00:00:00.000000Z";

impl KnownAt {
    pub fn from_utc(at: DateTime<Utc>) -> KnownAt {
        // Stamps keep microseconds; dropping the rest keeps parse(stamp()) == self.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).expect("a clock reading is in range");
        KnownAt { at, visible: at }
    }

    /// The same instant, seeing the versions stamped up to `stamp` — the newest stamp
    /// committed by the instant — or, when none was, only rows older than knowledge time.
    /// A transaction stamps its rows when it starts and commits later; this keeps a long
    /// load out of answers asked while it was still running.
    pub fn visible_through(self, stamp: Option<&str>) -> KnownAt {
        let parsed = stamp.and_then(|s| DateTime::parse_from_rfc3339(s).ok());
        let beginning = DateTime::parse_from_rfc3339(BEGINNING).expect("a valid instant");
        KnownAt {
            at: self.at,
            visible: parsed.unwrap_or(beginning).with_timezone(&Utc),
        }
    }

    /// The instant asked for, as `meta_knowledge.committed_at` writes it.
    pub fn instant_stamp(&self) -> String {
        self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }

    /// `2025-10-31T18:00:00+08:00`, `…Z`, or a local time of the city without a zone
    /// (`2025-10-31 18:00[:00]`, `2025-10-31T18:00:00`), read as Shanghai time.
    pub fn parse(text: &str) -> Result<KnownAt, SemanticError> {
        let known = Self::parse_any(text)?;
        crate::time::check_date("asOf", known.at.date_naive())?;
        Ok(known)
    }

    fn parse_any(text: &str) -> Result<KnownAt, SemanticError> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(KnownAt::from_utc(at.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
            if let Ok(local) = NaiveDateTime::parse_from_str(text, format)
                && let Some(at) = city_offset().from_local_datetime(&local).single()
            {
                return Ok(KnownAt::from_utc(at.with_timezone(&Utc)));
            }
        }
        Err(SemanticError::InvalidQuery(format!(
            "asOf `{text}` is not a timestamp; write 2025-10-31T18:00:00+08:00 (or a Shanghai time such as 2025-10-31 18:00:00)"
        )))
    }

    /// The stamp written to `known_at` / `superseded_at` and compared with them: the
    /// newest visible at this instant.
    pub fn stamp(&self) -> String {
        self.visible.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }

    /// The city's calendar day at this instant: the latest business date such an answer
    /// can describe.
    pub fn city_date(&self) -> NaiveDate {
        self.at.with_timezone(&city_offset()).date_naive()
    }

    /// The instant in the city's time, for display.
    pub fn city_time(&self) -> String {
        self.at.with_timezone(&city_offset()).format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string()
    }
}

/// The table keeping the versions `table` no longer holds.
pub fn superseded_table(table: &str) -> String {
    format!("{table}_superseded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoned_and_city_local_times_agree() {
        let zoned = KnownAt::parse("2025-10-31T18:00:00+08:00").unwrap();
        assert_eq!(KnownAt::parse("2025-10-31T10:00:00Z").unwrap(), zoned);
        assert_eq!(KnownAt::parse("2025-10-31 18:00:00").unwrap(), zoned);
        assert_eq!(KnownAt::parse("2025-10-31 18:00").unwrap(), zoned);
        assert_eq!(zoned.stamp(), "2025-10-31T10:00:00.000000Z");
        assert_eq!(zoned.city_date(), NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
        // Just after midnight in Shanghai is still the previous day in UTC.
        let early = KnownAt::parse("2025-11-01 00:30:00").unwrap();
        assert_eq!(early.city_date(), NaiveDate::from_ymd_opt(2025, 11, 1).unwrap());
        assert_eq!(early.stamp(), "2025-10-31T16:30:00.000000Z");
    }

    #[test]
    fn stamps_order_as_text_like_the_instants() {
        let a = KnownAt::parse("2025-10-31T10:00:00.5Z").unwrap();
        let b = KnownAt::parse("2025-10-31T10:00:01Z").unwrap();
        assert!(a < b && a.stamp() < b.stamp());
        assert_eq!(KnownAt::parse(&a.stamp()).unwrap(), a);
    }

    #[test]
    fn an_instant_sees_the_stamps_committed_by_then() {
        let asked = KnownAt::parse("2025-10-31T10:20:00Z").unwrap();
        let seen = asked.visible_through(Some("2025-10-31T09:00:00.000000Z"));
        assert_eq!(seen.stamp(), "2025-10-31T09:00:00.000000Z");
        assert_eq!(seen.city_date(), asked.city_date());
        assert_eq!(asked.visible_through(None).stamp(), BEGINNING);
    }

    #[test]
    fn a_date_alone_is_not_an_instant() {
        let err = KnownAt::parse("2025-10-31").unwrap_err().to_string();
        assert!(err.contains("2025-10-31T18:00:00+08:00"), "{err}");
    }
}
