//! How legacy exports write dates and timestamps (several ways, see the contract).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::days_in_month;

/// Share of dates written `YYYY/M/D`.
pub(crate) const SLASH_DATE_SHARE: f64 = 0.05;
/// Share of dates written `YYYYMMDD`.
pub(crate) const COMPACT_DATE_SHARE: f64 = 0.03;
/// Share of timestamps written `YYYY/M/D H:MM:SS`.
pub(crate) const SLASH_TIMESTAMP_SHARE: f64 = 0.03;

/// `YYYY-MM-DD` (written by hand: chrono's `format` parses its pattern on every call, and
/// the generator writes millions of dates).
pub(crate) fn iso_date(date: NaiveDate) -> String {
    if (1000..=9999).contains(&date.year()) {
        format!("{}-{:02}-{:02}", date.year(), date.month(), date.day())
    } else {
        date.format("%Y-%m-%d").to_string()
    }
}

/// `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn iso_timestamp(timestamp: NaiveDateTime) -> String {
    if (1000..=9999).contains(&timestamp.year()) {
        format!(
            "{}-{:02}-{:02} {:02}:{:02}:{:02}",
            timestamp.year(),
            timestamp.month(),
            timestamp.day(),
            timestamp.hour(),
            timestamp.minute(),
            timestamp.second()
        )
    } else {
        timestamp.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A date written the way a legacy export would: mostly `YYYY-MM-DD`, ~5 % `YYYY/M/D`,
/// ~3 % `YYYYMMDD`.
pub(crate) fn export_date_text(rng: &mut StdRng, date: NaiveDate) -> String {
    let draw = rng.random::<f64>();
    if draw < SLASH_DATE_SHARE {
        format!("{}/{}/{}", date.year(), date.month(), date.day())
    } else if draw < SLASH_DATE_SHARE + COMPACT_DATE_SHARE {
        date.format("%Y%m%d").to_string()
    } else {
        iso_date(date)
    }
}

/// A timestamp written mostly `YYYY-MM-DD HH:MM:SS`, ~3 % `YYYY/M/D H:MM:SS`.
pub(crate) fn export_timestamp_text(rng: &mut StdRng, timestamp: NaiveDateTime) -> String {
    if rng.random::<f64>() < SLASH_TIMESTAMP_SHARE {
        format!(
            "{}/{}/{} {}:{:02}:{:02}",
            timestamp.year(),
            timestamp.month(),
            timestamp.day(),
            timestamp.hour(),
            timestamp.minute(),
            timestamp.second()
        )
    } else {
        iso_timestamp(timestamp)
    }
}

/// A date that cannot exist, in the month of `date` where possible:
/// `YYYY-02-30`, `YYYY-13-DD` or `YYYY-MM-<last day + 1>` (defect `invalid_date`).
pub(crate) fn invalid_date_text(rng: &mut StdRng, date: NaiveDate) -> String {
    let year = date.year();
    match rng.random_range(0..3u8) {
        0 => format!("{year}-02-30"),
        1 => format!("{year}-13-{:02}", date.day()),
        _ => format!("{year}-{:02}-{:02}", date.month(), days_in_month(year, date.month()) + 1),
    }
}

/// A moment on `date` at which an office records a registration: mostly office hours,
/// sometimes the nightly batch.
pub(crate) fn office_time_on(rng: &mut StdRng, date: NaiveDate) -> NaiveDateTime {
    let (hour, minute) = if rng.random::<f64>() < 0.9 {
        let minutes = rng.random_range(8 * 60 + 30..18 * 60 + 30u32);
        (minutes / 60, minutes % 60)
    } else {
        (rng.random_range(20..24u32), rng.random_range(0..60u32))
    };
    date.and_hms_opt(hour, minute, rng.random_range(0..60u32)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn hand_written_formats_match_chrono() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 5).expect("date");
        assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        let moment = date.and_hms_opt(9, 7, 3).expect("time");
        assert_eq!(iso_timestamp(moment), moment.format("%Y-%m-%d %H:%M:%S").to_string());
    }

    #[test]
    fn invalid_dates_do_not_parse() {
        let mut rng = StdRng::seed_from_u64(3);
        let date = NaiveDate::from_ymd_opt(2024, 4, 15).expect("date");
        for _ in 0..50 {
            let text = invalid_date_text(&mut rng, date);
            assert!(NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err(), "{text}");
        }
    }

    #[test]
    fn export_dates_parse_in_one_of_the_three_forms() {
        let mut rng = StdRng::seed_from_u64(4);
        let date = NaiveDate::from_ymd_opt(2024, 3, 5).expect("date");
        for _ in 0..200 {
            let text = export_date_text(&mut rng, date);
            let parsed = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
                .iter()
                .find_map(|format| NaiveDate::parse_from_str(&text, format).ok());
            assert_eq!(parsed, Some(date), "{text}");
        }
    }
}
