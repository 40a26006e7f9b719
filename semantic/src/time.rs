//! Grains, period keys and labels, and the date arithmetic behind YOY and MOM.
//!
//! Period keys are integers stored in `dim_date` (`date_key` 20240115, `week_key` 202403
//! = ISO year·100 + ISO week, `month_key` 202401, `quarter_key` 20241, `year_key` 2024), so
//! the SQL of both dialects groups by plain integer columns.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// The two period-over-period comparisons of `indicators.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Compare {
    Yoy,
    Mom,
    /// Completion against the annual target (feed indicator_target): adds `x_target`,
    /// `x_completion`, `x_progress` and `x_status`.
    Target,
}

impl Compare {
    pub fn suffix(self) -> &'static str {
        match self {
            Compare::Yoy => "yoy",
            Compare::Mom => "mom",
            Compare::Target => "target",
        }
    }
}

impl Grain {
    pub const ALL: [Grain; 5] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "DAY",
            Grain::Week => "WEEK",
            Grain::Month => "MONTH",
            Grain::Quarter => "QUARTER",
            Grain::Year => "YEAR",
        }
    }

    pub fn parse(text: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The `dim_date` column holding this grain's period key.
    pub fn key_column(self) -> &'static str {
        match self {
            Grain::Day => "date_key",
            Grain::Week => "week_key",
            Grain::Month => "month_key",
            Grain::Quarter => "quarter_key",
            Grain::Year => "year_key",
        }
    }

    /// The `dim_date` column holding the first day (as a date key) of this grain's period;
    /// rollup rows are keyed by it.
    pub fn start_column(self) -> &'static str {
        match self {
            Grain::Day => "date_key",
            Grain::Week => "week_start_key",
            Grain::Month => "month_start_key",
            Grain::Quarter => "quarter_start_key",
            Grain::Year => "year_start_key",
        }
    }

    /// True when every period of `self` lies inside exactly one period of `coarser`, so
    /// additive values of `self` can be summed into `coarser`. Weeks straddle months.
    pub fn rolls_up_to(self, coarser: Grain) -> bool {
        match (self, coarser) {
            (a, b) if a == b => true,
            (Grain::Day, _) => true,
            (Grain::Week, _) => false,
            (Grain::Month, Grain::Quarter | Grain::Year) => true,
            (Grain::Quarter, Grain::Year) => true,
            _ => false,
        }
    }

    pub fn period_start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => d,
            Grain::Week => d - Days::new(d.weekday().num_days_from_monday() as u64),
            Grain::Month => d.with_day(1).expect("day 1 exists"),
            Grain::Quarter => {
                let m = (d.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(d.year(), m, 1).expect("quarter start exists")
            }
            Grain::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).expect("Jan 1 exists"),
        }
    }

    pub fn period_end(self, d: NaiveDate) -> NaiveDate {
        let start = self.period_start(d);
        let next = match self {
            Grain::Day => start + Days::new(1),
            Grain::Week => start + Days::new(7),
            Grain::Month => start + Months::new(1),
            Grain::Quarter => start + Months::new(3),
            Grain::Year => start + Months::new(12),
        };
        next - Days::new(1)
    }

    pub fn period_key(self, d: NaiveDate) -> i64 {
        match self {
            Grain::Day => date_key(d),
            Grain::Week => {
                let w = d.iso_week();
                w.year() as i64 * 100 + w.week() as i64
            }
            Grain::Month => d.year() as i64 * 100 + d.month() as i64,
            Grain::Quarter => d.year() as i64 * 10 + (d.month0() / 3 + 1) as i64,
            Grain::Year => d.year() as i64,
        }
    }

    /// `2024-01-15`, `2024-W03`, `2024-01`, `2024-Q1`, `2024`.
    /// The first day of the period with `key` (the inverse of `period_key`).
    pub fn start_of_key(self, key: i64) -> Option<NaiveDate> {
        match self {
            Grain::Day => date_from_key(key),
            Grain::Week => iso_week_date((key / 100) as i32, (key % 100) as u32, Weekday::Mon),
            Grain::Month => NaiveDate::from_ymd_opt((key / 100) as i32, (key % 100) as u32, 1),
            Grain::Quarter => NaiveDate::from_ymd_opt((key / 10) as i32, ((key % 10 - 1) * 3 + 1) as u32, 1),
            Grain::Year => NaiveDate::from_ymd_opt(key as i32, 1, 1),
        }
    }

    pub fn label(self, key: i64) -> String {
        match self {
            Grain::Day => format!("{}-{:02}-{:02}", key / 10000, key / 100 % 100, key % 100),
            Grain::Week => format!("{}-W{:02}", key / 100, key % 100),
            Grain::Month => format!("{}-{:02}", key / 100, key % 100),
            Grain::Quarter => format!("{}-Q{}", key / 10, key % 10),
            Grain::Year => key.to_string(),
        }
    }

    /// Where the comparison range starts or ends: the date shifted by one comparison step,
    /// clamped to the end of a shorter month (Mar 31 → Feb 29).
    pub fn shift_date(self, d: NaiveDate, compare: Compare) -> NaiveDate {
        match (compare, self) {
            (Compare::Yoy, Grain::Week) => iso_week_date(d.iso_week().year() - 1, d.iso_week().week(), d.weekday())
                .or_else(|| iso_week_date(d.iso_week().year() - 1, 52, d.weekday()))
                .expect("week 52 exists in every ISO year"),
            (Compare::Yoy, _) | (Compare::Mom, Grain::Year) => d - Months::new(12),
            (Compare::Mom, Grain::Day) => d - Days::new(1),
            (Compare::Mom, Grain::Week) => d - Days::new(7),
            (Compare::Mom, Grain::Month) => d - Months::new(1),
            (Compare::Mom, Grain::Quarter) => d - Months::new(3),
            (Compare::Target, _) => d,
        }
    }

    /// The comparison range of a query range: whole periods map to whole periods (April →
    /// all of March, Feb 2025 → all 29 days of Feb 2024); a partial edge keeps its span.
    pub fn shift_range(self, from: NaiveDate, to: NaiveDate, compare: Compare) -> (NaiveDate, NaiveDate) {
        let base_from = self.shift_date(from, compare);
        let base_to = self.shift_date(to, compare);
        let base_from = if from == self.period_start(from) {
            self.period_start(base_from)
        } else {
            base_from
        };
        let base_to = if to == self.period_end(to) {
            self.period_end(base_to)
        } else {
            base_to
        };
        (base_from, base_to)
    }

    /// The period a comparison takes its base from, or `None` when that period does not
    /// exist (Feb 29 one year earlier, ISO week 53 of a 52-week year).
    pub fn base_period(self, key: i64, compare: Compare) -> Option<i64> {
        match (self, compare) {
            (_, Compare::Target) => None,
            (Grain::Day, Compare::Yoy) => {
                let d = date_from_key(key)?;
                NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day()).map(date_key)
            }
            (Grain::Day, Compare::Mom) => date_from_key(key).map(|d| date_key(d - Days::new(1))),
            (Grain::Week, Compare::Yoy) => {
                iso_week_date((key / 100) as i32 - 1, (key % 100) as u32, Weekday::Mon).map(|d| Grain::Week.period_key(d))
            }
            (Grain::Week, Compare::Mom) => {
                let monday = iso_week_date((key / 100) as i32, (key % 100) as u32, Weekday::Mon)?;
                Some(Grain::Week.period_key(monday - Days::new(7)))
            }
            (Grain::Month, Compare::Yoy) => Some(key - 100),
            (Grain::Month, Compare::Mom) => Some(if key % 100 == 1 { key - 100 + 11 } else { key - 1 }),
            (Grain::Quarter, Compare::Yoy) => Some(key - 10),
            (Grain::Quarter, Compare::Mom) => Some(if key % 10 == 1 { key - 10 + 3 } else { key - 1 }),
            (Grain::Year, _) => Some(key - 1),
        }
    }
}

/// The first and last day any query, board or comparison may name: wide enough for the
/// oldest records and the longest forecasts, narrow enough that shifting a range by years
/// or weeks never leaves the calendar arithmetic's range.
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a valid date");

/// `field` is a date within `EARLIEST_DATE..=LATEST_DATE`.
pub fn check_date(field: &str, d: NaiveDate) -> Result<(), crate::SemanticError> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&d) {
        return Ok(());
    }
    Err(crate::SemanticError::InvalidQuery(format!(
        "{field} {d} is outside the dates the platform answers for ({EARLIEST_DATE} to {LATEST_DATE})"
    )))
}

pub fn date_key(d: NaiveDate) -> i64 {
    d.year() as i64 * 10000 + d.month() as i64 * 100 + d.day() as i64
}

pub fn date_from_key(key: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt((key / 10000) as i32, (key / 100 % 100) as u32, (key % 100) as u32)
}

fn iso_week_date(year: i32, week: u32, weekday: Weekday) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, weekday)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn labels_follow_the_contract() {
        let day = d("2024-01-15");
        assert_eq!(Grain::Day.label(Grain::Day.period_key(day)), "2024-01-15");
        assert_eq!(Grain::Week.label(Grain::Week.period_key(day)), "2024-W03");
        assert_eq!(Grain::Month.label(Grain::Month.period_key(day)), "2024-01");
        assert_eq!(Grain::Quarter.label(Grain::Quarter.period_key(day)), "2024-Q1");
        assert_eq!(Grain::Year.label(Grain::Year.period_key(day)), "2024");
        // ISO week belongs to the ISO year: 2024-12-30 is in 2025-W01.
        assert_eq!(Grain::Week.label(Grain::Week.period_key(d("2024-12-30"))), "2025-W01");
    }

    #[test]
    fn comparisons_cross_year_boundaries() {
        assert_eq!(Grain::Month.base_period(202401, Compare::Mom), Some(202312));
        assert_eq!(Grain::Month.base_period(202401, Compare::Yoy), Some(202301));
        assert_eq!(Grain::Quarter.base_period(20241, Compare::Mom), Some(20234));
        assert_eq!(Grain::Day.base_period(20240101, Compare::Mom), Some(20231231));
        assert_eq!(Grain::Week.base_period(202401, Compare::Mom), Some(202352));
        assert_eq!(Grain::Year.base_period(2024, Compare::Mom), Some(2023));
    }

    #[test]
    fn feb_29_has_no_same_day_a_year_earlier() {
        assert_eq!(Grain::Day.base_period(20240229, Compare::Yoy), None);
        assert_eq!(Grain::Day.base_period(20250228, Compare::Yoy), Some(20240228));
        assert_eq!(Grain::Day.base_period(20240301, Compare::Mom), Some(20240229));
        assert_eq!(Grain::Month.shift_date(d("2024-03-31"), Compare::Mom), d("2024-02-29"));
        assert_eq!(Grain::Year.shift_date(d("2024-02-29"), Compare::Yoy), d("2023-02-28"));
    }

    #[test]
    fn whole_periods_compare_with_whole_periods() {
        let r = |g: Grain, a: &str, b: &str, c: Compare| g.shift_range(d(a), d(b), c);
        assert_eq!(
            r(Grain::Month, "2024-04-01", "2024-04-30", Compare::Mom),
            (d("2024-03-01"), d("2024-03-31"))
        );
        assert_eq!(
            r(Grain::Month, "2023-02-01", "2023-02-28", Compare::Mom),
            (d("2023-01-01"), d("2023-01-31"))
        );
        assert_eq!(
            r(Grain::Quarter, "2024-04-01", "2024-06-30", Compare::Mom),
            (d("2024-01-01"), d("2024-03-31"))
        );
        assert_eq!(
            r(Grain::Month, "2025-02-01", "2025-02-28", Compare::Yoy),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            r(Grain::Month, "2024-01-01", "2024-04-30", Compare::Mom),
            (d("2023-12-01"), d("2024-03-31"))
        );
        // Partial edges keep their span.
        assert_eq!(
            r(Grain::Month, "2024-01-01", "2024-01-15", Compare::Yoy),
            (d("2023-01-01"), d("2023-01-15"))
        );
        assert_eq!(
            r(Grain::Month, "2024-03-10", "2024-04-30", Compare::Mom),
            (d("2024-02-10"), d("2024-03-31"))
        );
        // A week-53 range falls back to whole week 52.
        assert_eq!(
            r(Grain::Week, "2020-12-21", "2021-01-03", Compare::Yoy),
            (d("2019-12-23"), d("2019-12-29"))
        );
    }

    #[test]
    fn week_53_has_no_base_in_a_52_week_year() {
        // 2020 has 53 ISO weeks, 2019 has 52.
        assert_eq!(Grain::Week.base_period(202053, Compare::Yoy), None);
        assert_eq!(Grain::Week.base_period(202052, Compare::Yoy), Some(201952));
    }

    #[test]
    fn weeks_do_not_roll_into_months() {
        assert!(Grain::Day.rolls_up_to(Grain::Week));
        assert!(!Grain::Week.rolls_up_to(Grain::Month));
        assert!(Grain::Month.rolls_up_to(Grain::Year));
        assert!(!Grain::Year.rolls_up_to(Grain::Month));
    }

    #[test]
    fn period_bounds() {
        assert_eq!(Grain::Quarter.period_end(d("2024-02-10")), d("2024-03-31"));
        assert_eq!(Grain::Week.period_start(d("2024-01-17")), d("2024-01-15"));
        assert_eq!(Grain::Month.period_end(d("2024-02-10")), d("2024-02-29"));
    }
}
