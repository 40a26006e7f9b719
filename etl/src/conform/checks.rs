//! Check characters and the date forms of source-feeds.md.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// GB 11643: 18 characters, the last a check character over the first 17; the birth
/// date inside must be a real date. Returns the birth date.
pub fn id_number_birth_date(id: &str) -> Result<NaiveDate, &'static str> {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(|c| c.is_ascii_digit()) {
        return Err("must be 18 characters: 17 digits and a check character");
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = chars[..17].iter().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    let expected = b"10X98765432"[(sum % 11) as usize] as char;
    if chars[17].to_ascii_uppercase() != expected {
        return Err("check character does not match (GB 11643)");
    }
    let birth: String = chars[6..14].iter().collect();
    NaiveDate::parse_from_str(&birth, "%Y%m%d").map_err(|_| "the birth date inside is not a real date")
}

/// GB 32100: 18 characters over `0-9A-HJ-NPQRTUWXY`, the last a check character.
pub fn uscc_is_valid(code: &str) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut values = Vec::with_capacity(18);
    for c in &chars {
        match ALPHABET.find(*c) {
            Some(v) => values.push(v),
            None => return false,
        }
    }
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    values[17] == check
}

/// `YYYY-MM-DD`, `YYYY/M/D`, `YYYYMMDD`; the date must exist.
/// `YYYY-MM`, `YYYY/M` or `YYYYMM` → the month's first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let (year, month) = if t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) {
        (&t[..4], &t[4..])
    } else {
        t.split_once('-').or_else(|| t.split_once('/'))?
    };
    if year.len() != 4 || month.is_empty() || month.len() > 2 || !year.chars().chain(month.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    // A spreadsheet date cell arrives as midnight of that day.
    let t = text.trim();
    let t = t.strip_suffix(" 00:00:00").unwrap_or(t);
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let sep = if t.contains('-') {
        '-'
    } else if t.contains('/') {
        '/'
    } else {
        return None;
    };
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?)
}

/// An amount in yuan: digits with an optional sign, thousands separators and at most two
/// decimal places, below 10^10 in size — what NUMERIC(14,2) holds on every backend, so a
/// value never loads on one database and fails on the other.
pub fn parse_money(text: &str) -> Option<f64> {
    let t = text.trim().replace(',', "");
    let unsigned = t.strip_prefix('-').unwrap_or(&t);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let value: f64 = t.parse().ok()?;
    (value.abs() < 1e10).then_some(value)
}

/// `YYYY-MM-DD HH:MM:SS` or `YYYY/M/D H:MM:SS` (Asia/Shanghai local time, kept as is).
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    let (date, time) = t.split_once(' ').or_else(|| t.split_once('T'))?;
    let date = parse_date(date)?;
    let time = time.trim();
    let parts: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let second = parts.get(2).map(|s| s.parse().ok()).unwrap_or(Some(0))?;
    let time = NaiveTime::from_hms_opt(parts[0].parse().ok()?, parts[1].parse().ok()?, second)?;
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers() {
        // GB 11643 worked example.
        assert_eq!(
            id_number_birth_date("11010519491231002X").unwrap(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(id_number_birth_date("110105194912310021").is_err());
        assert!(id_number_birth_date("11010519491231002").is_err());
        // Right check character but 1949-02-30 does not exist: compute one to be sure.
        let base = "11010519490230002";
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = base.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        let id = format!("{base}{}", b"10X98765432"[(sum % 11) as usize] as char);
        assert_eq!(id_number_birth_date(&id), Err("the birth date inside is not a real date"));
    }

    #[test]
    fn usccs() {
        assert!(uscc_is_valid("91350100M000100Y43"));
        assert!(!uscc_is_valid("91350100M000100Y44"));
        assert!(!uscc_is_valid("91350100M000100Y4"));
        assert!(!uscc_is_valid("91350100I000100Y43"), "I is not in the alphabet");
    }

    #[test]
    fn dates_in_every_contract_form() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 9).unwrap();
        assert_eq!(parse_date("2024-02-09"), Some(d));
        assert_eq!(parse_date("2024/2/9"), Some(d));
        assert_eq!(parse_date("20240209"), Some(d));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(parse_date("9/2/2024"), None);
        let ts = parse_timestamp("2024/2/9 8:05:01").unwrap();
        assert_eq!(ts.to_string(), "2024-02-09 08:05:01");
        assert_eq!(parse_timestamp("2024-02-09 08:05:01"), Some(ts));
        assert_eq!(parse_timestamp("2024-02-09 25:00:00"), None);
        assert_eq!(parse_timestamp("2024-02-09"), None);
        assert_eq!(parse_date("2024-02-09 00:00:00"), Some(d), "a spreadsheet date cell");
        assert_eq!(parse_date("2024-02-09 08:00:00"), None);
        assert_eq!(parse_money("12,000.50"), Some(12000.5));
        assert_eq!(parse_money("-3.1"), Some(-3.1));
        assert_eq!(parse_money("5000.125"), None, "more than 2 decimal places");
        assert_eq!(parse_money("1000000000000"), None, "out of range");
        assert_eq!(parse_money("1e5"), None);
        assert_eq!(parse_money("一万"), None);
    }
}
