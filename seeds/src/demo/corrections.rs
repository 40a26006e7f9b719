//! The corrections file: rows re-sent with the 业务流水号 of an earlier row. About two
//! thirds are real corrections (newer 更新时间, a changed 区县代码, 单位 or 文化程度); the
//! rest are identical re-sends or carry an older 更新时间, and must change nothing.

use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::districts::{district_weights, pick_other_district};
use super::employers::Employer;
use super::formats::{iso_timestamp, office_time_on};
use super::random::{chance, pick, pick_str, shuffle};
use super::rows::RegistrationRow;

/// Share of correction rows that really change something.
pub(crate) const REAL_CORRECTION_SHARE: f64 = 2.0 / 3.0;

/// A uniform sample of fixed size from a stream (reservoir sampling, algorithm R).
pub(crate) struct Reservoir<T> {
    capacity: usize,
    seen: usize,
    items: Vec<T>,
}

impl<T: Clone> Reservoir<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Reservoir {
            capacity,
            seen: 0,
            items: Vec::with_capacity(capacity),
        }
    }

    /// Offers one item; it is cloned only when kept.
    pub(crate) fn offer(&mut self, rng: &mut StdRng, item: &T) {
        self.seen += 1;
        if self.capacity == 0 {
            return;
        }
        if self.items.len() < self.capacity {
            self.items.push(item.clone());
        } else {
            let slot = rng.random_range(0..self.seen);
            if let Some(kept) = self.items.get_mut(slot) {
                *kept = item.clone();
            }
        }
    }

    pub(crate) fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// What a correction row does to its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CorrectionKind {
    District,
    Employer,
    Education,
    IdenticalResend,
    OlderVersion,
}

const OTHER_EDUCATION: [&str; 8] = ["10", "20", "30", "40", "60", "70", "80", "90"];

/// Up to `count` correction rows built from `candidates` (clean earlier rows), with newer
/// timestamps falling in the month `last_month_start ..= last_month_end`.
pub(crate) fn build_corrections(
    rng: &mut StdRng,
    mut candidates: Vec<RegistrationRow>,
    employers: &[Employer],
    count: usize,
    last_month_start: NaiveDate,
    last_month_end: NaiveDate,
) -> Vec<RegistrationRow> {
    shuffle(rng, &mut candidates);
    let weights = district_weights();
    let span_days = last_month_end.signed_duration_since(last_month_start).num_days().max(0);
    let mut corrections = Vec::with_capacity(count.min(candidates.len()));
    for original in candidates.into_iter().take(count) {
        let kind = if chance(rng, REAL_CORRECTION_SHARE) {
            match rng.random_range(0..3u8) {
                0 => CorrectionKind::District,
                1 => CorrectionKind::Employer,
                _ => CorrectionKind::Education,
            }
        } else if chance(rng, 0.5) {
            CorrectionKind::IdenticalResend
        } else {
            CorrectionKind::OlderVersion
        };
        let mut row = original.clone();
        match kind {
            CorrectionKind::IdenticalResend => {}
            CorrectionKind::OlderVersion => {
                row.district = pick_other_district(rng, &weights, &original.district).to_string();
                let hours_earlier = rng.random_range(1..=240i64);
                let older = original
                    .updated_at
                    .checked_sub_signed(chrono::TimeDelta::hours(hours_earlier))
                    .unwrap_or(original.updated_at);
                set_updated_at(&mut row, older);
            }
            CorrectionKind::District | CorrectionKind::Employer | CorrectionKind::Education => {
                match kind {
                    CorrectionKind::District => {
                        row.district = pick_other_district(rng, &weights, &original.district).to_string();
                    }
                    CorrectionKind::Employer => {
                        if let Some(employer) = other_employer(rng, employers, &original.employer_uscc) {
                            row.set_employer(employer);
                        }
                    }
                    _ => {
                        while row.education == original.education {
                            row.education = pick_str(rng, &OTHER_EDUCATION);
                        }
                    }
                }
                let day = last_month_start
                    .checked_add_signed(chrono::TimeDelta::days(rng.random_range(0..=span_days)))
                    .unwrap_or(last_month_start);
                let candidate = office_time_on(rng, day);
                set_updated_at(&mut row, newer_than(rng, original.updated_at, candidate));
            }
        }
        corrections.push(row);
    }
    corrections
}

/// `candidate` if it is after `original`, else `original` plus 1–48 hours.
fn newer_than(rng: &mut StdRng, original: NaiveDateTime, candidate: NaiveDateTime) -> NaiveDateTime {
    if candidate > original {
        return candidate;
    }
    original
        .checked_add_signed(chrono::TimeDelta::minutes(rng.random_range(60..=48 * 60)))
        .unwrap_or(original)
}

fn set_updated_at(row: &mut RegistrationRow, updated_at: NaiveDateTime) {
    row.updated_at = updated_at;
    row.updated_at_text = iso_timestamp(updated_at);
}

fn other_employer<'e>(rng: &mut StdRng, employers: &'e [Employer], current_uscc: &str) -> Option<&'e Employer> {
    for _ in 0..16 {
        let employer = pick(rng, employers)?;
        if employer.uscc != current_uscc {
            return Some(employer);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn reservoir_keeps_at_most_its_capacity() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut reservoir = Reservoir::new(10);
        for value in 0..1000u32 {
            reservoir.offer(&mut rng, &value);
        }
        let items = reservoir.into_items();
        assert_eq!(items.len(), 10);
        assert!(items.iter().any(|&value| value >= 10), "sample never replaced");
    }
}
