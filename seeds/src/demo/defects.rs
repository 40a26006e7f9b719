//! Deliberate defects in a small share of the monthly rows, so that the platform's
//! quarantine has something to catch. A row carries at most one defect.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

use super::districts::unknown_district_code;
use super::employers::USCC_ALPHABET;
use super::formats::{export_date_text, invalid_date_text};
use super::random::chance;
use super::rows::{EventKind, RegistrationRow};

/// 公民身份号码 with a wrong last character.
pub(crate) const ID_CHECK_DIGIT: &str = "id_check_digit";
/// 退工 row with an empty 退工原因.
pub(crate) const SEPARATION_REASON_MISSING: &str = "separation_reason_missing";
/// 办理日期 that is no real date (`2024-02-30`, `2024-13-01`, `2024-04-31`).
pub(crate) const INVALID_DATE: &str = "invalid_date";
/// 区县代码 in no table (`310199`, `310121`, `310188`).
pub(crate) const UNKNOWN_DISTRICT: &str = "unknown_district";
/// 单位统一社会信用代码 with a wrong check character.
pub(crate) const USCC_CHECK: &str = "uscc_check";
/// 出生日期 that differs from the one inside the 公民身份号码.
pub(crate) const BIRTH_DATE_MISMATCH: &str = "birth_date_mismatch";

/// Every defect kind the generator injects (the keys of `DemoSummary::defects`).
pub const DEFECT_KINDS: [&str; 6] = [
    ID_CHECK_DIGIT,
    SEPARATION_REASON_MISSING,
    INVALID_DATE,
    UNKNOWN_DISTRICT,
    USCC_CHECK,
    BIRTH_DATE_MISMATCH,
];

/// Share of 退工 rows whose 退工原因 is left empty.
pub(crate) const SEPARATION_REASON_MISSING_RATE: f64 = 0.003;
/// Share of all monthly rows carrying each of the other defects.
pub(crate) const ROW_DEFECT_RATES: [(&str, f64); 5] = [
    (ID_CHECK_DIGIT, 0.002),
    (INVALID_DATE, 0.0015),
    (UNKNOWN_DISTRICT, 0.0015),
    (USCC_CHECK, 0.0015),
    (BIRTH_DATE_MISMATCH, 0.0015),
];

/// An empty count for every defect kind.
pub(crate) fn empty_defect_counts() -> BTreeMap<&'static str, usize> {
    DEFECT_KINDS.iter().map(|kind| (*kind, 0)).collect()
}

/// Maybe spoils `row` with one defect; returns the defect kind when it did.
/// `birth_date` is the true birth date of the person (the one inside the ID).
pub(crate) fn inject_defect(rng: &mut StdRng, row: &mut RegistrationRow, birth_date: NaiveDate) -> Option<&'static str> {
    if row.kind == EventKind::Separation && chance(rng, SEPARATION_REASON_MISSING_RATE) {
        row.separation_reason = "";
        return Some(SEPARATION_REASON_MISSING);
    }
    let mut draw = rng.random::<f64>();
    let mut chosen = None;
    for (kind, rate) in ROW_DEFECT_RATES {
        if draw < rate {
            chosen = Some(kind);
            break;
        }
        draw -= rate;
    }
    let kind = chosen?;
    match kind {
        ID_CHECK_DIGIT => row.id_number = with_wrong_last_char(rng, &row.id_number, b"0123456789X"),
        INVALID_DATE => row.business_date = invalid_date_text(rng, row.business_day),
        UNKNOWN_DISTRICT => row.district = unknown_district_code(rng).to_string(),
        USCC_CHECK => row.employer_uscc = with_wrong_last_char(rng, &row.employer_uscc, USCC_ALPHABET),
        _ => {
            let shift = rng.random_range(1..=400i64) * if chance(rng, 0.5) { 1 } else { -1 };
            let wrong = birth_date.checked_add_signed(chrono::TimeDelta::days(shift)).unwrap_or(birth_date);
            if wrong == birth_date {
                return None;
            }
            row.birth_date = export_date_text(rng, wrong);
        }
    }
    Some(kind)
}

/// `text` with its last character replaced by another one of `alphabet`.
fn with_wrong_last_char(rng: &mut StdRng, text: &str, alphabet: &[u8]) -> String {
    let mut characters: Vec<char> = text.chars().collect();
    let Some(last) = characters.last_mut() else {
        return text.to_string();
    };
    let position = alphabet.iter().position(|&byte| char::from(byte) == *last).unwrap_or(0);
    let offset = rng.random_range(1..alphabet.len().max(2));
    if let Some(&byte) = alphabet.get((position + offset) % alphabet.len().max(1)) {
        *last = char::from(byte);
    }
    characters.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::employers::is_valid_uscc;
    use crate::demo::people::is_valid_id_number;
    use rand::SeedableRng;

    #[test]
    fn wrong_check_chars_fail_the_checks() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..100 {
            let id = with_wrong_last_char(&mut rng, "11010519491231002X", b"0123456789X");
            assert!(!is_valid_id_number(&id), "{id}");
            let uscc = with_wrong_last_char(&mut rng, "91350100M000100Y43", USCC_ALPHABET);
            assert!(!is_valid_uscc(&uscc), "{uscc}");
            assert_eq!(uscc.len(), 18);
        }
    }
}
