//! Seasonality of registrations: working days, public holidays, the Spring Festival dip,
//! the graduate peak in June–July, the March–April rebound and a quieter December.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Which flow a day weight is for: hires (招工) or separations (退工).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Hire,
    Separation,
}

/// Relative volume of a weekend day or public holiday against a working day.
pub(crate) const WEEKEND_FACTOR: f64 = 0.05;
/// Relative volume in the Spring Festival week (除夕 to 初六).
pub(crate) const FESTIVAL_WEEK_FACTOR: f64 = 0.03;
/// Relative volume in the week before and the week after the festival week.
pub(crate) const FESTIVAL_SHOULDER_FACTOR: f64 = 0.5;

/// 春节 (first day of the lunar year) for the years the generator knows.
const SPRING_FESTIVALS: [(i32, u32, u32); 13] = [
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
];

/// The Spring Festival date of `year`, when known (2018–2030).
pub(crate) fn spring_festival(year: i32) -> Option<NaiveDate> {
    SPRING_FESTIVALS
        .iter()
        .find(|(festival_year, _, _)| *festival_year == year)
        .and_then(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

/// Multiplier from the Spring Festival: near zero from 除夕 (festival − 1) to festival + 5,
/// half volume in the 7 days before and the 7 days after that week, 1 otherwise.
pub(crate) fn festival_factor(date: NaiveDate) -> f64 {
    let Some(festival) = spring_festival(date.year()) else {
        return 1.0;
    };
    let offset = date.signed_duration_since(festival).num_days();
    match offset {
        -1..=5 => FESTIVAL_WEEK_FACTOR,
        -8..=-2 | 6..=12 => FESTIVAL_SHOULDER_FACTOR,
        _ => 1.0,
    }
}

/// Fixed-date public holidays treated like a weekend (New Year's Day, 1–5 May, 1–7 October).
/// Qingming, Dragon Boat, Mid-Autumn and the make-up working weekends (调休) are ignored.
pub(crate) fn is_fixed_holiday(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (1, 1) | (5, 1..=5) | (10, 1..=7))
}

/// True on Saturdays and Sundays.
pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Month multiplier: graduate peak June–July (+40 % for hires), post-festival rebound in
/// March–April, a slightly quieter December. Separations peak a little in January (before
/// the festival) and at the end of June contracts.
pub(crate) fn month_factor(month: u32, flow: Flow) -> f64 {
    match flow {
        Flow::Hire => match month {
            3 => 1.15,
            4 => 1.08,
            6 | 7 => 1.40,
            8 | 9 => 1.05,
            10 => 0.95,
            12 => 0.90,
            _ => 1.0,
        },
        Flow::Separation => match month {
            1 => 1.15,
            3 => 1.08,
            6 | 7 => 1.12,
            12 => 0.95,
            _ => 1.0,
        },
    }
}

/// The relative registration volume of one day.
pub(crate) fn day_weight(date: NaiveDate, flow: Flow) -> f64 {
    let day_kind = if is_weekend(date) || is_fixed_holiday(date) {
        WEEKEND_FACTOR
    } else {
        1.0
    };
    day_kind * festival_factor(date) * month_factor(date.month(), flow)
}

/// True in the graduate hiring season (June and July).
pub(crate) fn is_graduate_season(date: NaiveDate) -> bool {
    matches!(date.month(), 6 | 7)
}

/// Every day of `year`, in order.
pub(crate) fn days_of_year(year: i32) -> Vec<NaiveDate> {
    let mut days = Vec::with_capacity(366);
    let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
    while let Some(current) = day {
        if current.year() != year {
            break;
        }
        days.push(current);
        day = current.succ_opt();
    }
    days
}

/// The number of days in a month (28–31); 30 for an impossible month.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (first, next) {
        (Some(first), Some(next)) => next.signed_duration_since(first).num_days() as u32,
        _ => 30,
    }
}

/// `date` plus `days` days, saturating at `date` if the calendar would overflow.
pub(crate) fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn weekends_are_quiet() {
        // 2024-01-06 is a Saturday, 2024-01-08 a Monday.
        let saturday = day_weight(date(2024, 1, 6), Flow::Hire);
        let monday = day_weight(date(2024, 1, 8), Flow::Hire);
        assert!((saturday / monday - WEEKEND_FACTOR).abs() < 1e-9);
    }

    #[test]
    fn spring_festival_dips() {
        assert_eq!(spring_festival(2024), Some(date(2024, 2, 10)));
        assert_eq!(spring_festival(2025), Some(date(2025, 1, 29)));
        assert_eq!(festival_factor(date(2024, 2, 12)), FESTIVAL_WEEK_FACTOR);
        assert_eq!(festival_factor(date(2024, 2, 5)), FESTIVAL_SHOULDER_FACTOR);
        assert_eq!(festival_factor(date(2024, 2, 20)), FESTIVAL_SHOULDER_FACTOR);
        assert_eq!(festival_factor(date(2024, 3, 5)), 1.0);
    }

    #[test]
    fn graduate_peak_beats_december() {
        assert!(month_factor(6, Flow::Hire) > 1.3);
        assert!(month_factor(12, Flow::Hire) < 1.0);
    }

    #[test]
    fn calendar_helpers() {
        assert_eq!(days_of_year(2024).len(), 366);
        assert_eq!(days_of_year(2025).len(), 365);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2025, 2), 28);
        assert_eq!(days_in_month(2025, 12), 31);
    }
}
