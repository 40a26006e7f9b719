//! What the service feeds (招聘, 培训, 创业, 失业保险, 补贴, 见习) share: rows collected per
//! month and written as `<feed>_<YYYYMM>.csv`, daily volumes that follow the working-day
//! calendar and still add up to the yearly volume, keys numbered per day, 更新时间 shortly
//! after the business date, and money kept in cents so that sums stay exact.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::calendar::{Flow, add_days, day_weight, days_of_year, spring_festival};
use super::formats::{iso_date, office_time_on};
use super::people::Person;
use super::random::{chance, pick_weighted, stochastic_round};
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

/// Days between the business date and 更新时间 (0–3), as in the registration feed.
const UPDATE_DELAY_MIX: [(u64, f64); 4] = [(0, 70.0), (1, 15.0), (2, 9.0), (3, 6.0)];

/// Rows of a monthly feed, kept with their file date until they are written.
pub(crate) struct MonthlyRows {
    first_year: i32,
    last_year: i32,
    rows: BTreeMap<(i32, u32), Vec<(NaiveDate, Vec<String>)>>,
}

impl MonthlyRows {
    pub(crate) fn new(first_year: i32, last_year: i32) -> Self {
        MonthlyRows {
            first_year,
            last_year,
            rows: BTreeMap::new(),
        }
    }

    /// Files `row` under the month of `date`. Rows dated after the last generated month
    /// (a class that ends next year) are dropped: that export does not exist yet.
    pub(crate) fn push(&mut self, date: NaiveDate, row: Vec<String>) -> bool {
        if !(self.first_year..=self.last_year).contains(&date.year()) {
            return false;
        }
        self.rows.entry((date.year(), date.month())).or_default().push((date, row));
        true
    }

    /// One UTF-8 file per month of the configured years, `<prefix>_<YYYYMM>.csv`, rows in
    /// date order (ties keep the order they were pushed in). A month without rows still
    /// gets a file with the header, so a loader sees every month.
    pub(crate) fn write(mut self, out_dir: &Path, prefix: &str, headers: &[&str]) -> Result<Vec<DemoFile>, SeedError> {
        let mut files = Vec::new();
        for year in self.first_year..=self.last_year {
            for month in 1..=12u32 {
                let mut dated = self.rows.remove(&(year, month)).unwrap_or_default();
                dated.sort_by_key(|(date, _)| *date);
                let records: Vec<Vec<String>> = dated.into_iter().map(|(_, row)| row).collect();
                let path = out_dir.join(format!("{prefix}_{year}{month:02}.csv"));
                write_csv(&path, headers, &records, FileEncoding::Utf8)?;
                files.push(DemoFile { path, rows: records.len() });
            }
        }
        Ok(files)
    }
}

/// How many events fall on each day of `year` so that the year totals about `per_year`:
/// the calendar's hire-day weight (working days, holidays, Spring Festival, graduate
/// months) times the feed's own `lift`, normalised over the year.
pub(crate) fn daily_volumes(rng: &mut StdRng, year: i32, per_year: f64, lift: impl Fn(NaiveDate) -> f64) -> Vec<(NaiveDate, usize)> {
    let weighted: Vec<(NaiveDate, f64)> = days_of_year(year)
        .into_iter()
        .map(|day| (day, day_weight(day, Flow::Hire) * lift(day)))
        .collect();
    let total: f64 = weighted.iter().map(|(_, weight)| weight).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    weighted
        .into_iter()
        .map(|(day, weight)| (day, stochastic_round(rng, per_year * weight / total)))
        .collect()
}

/// True in the five weeks of 春风行动 recruitment after the Spring Festival holidays
/// (festival + 13 to + 45 days), when employers post and people look for work most.
pub(crate) fn is_after_festival(date: NaiveDate) -> bool {
    spring_festival(date.year())
        .map(|festival| (13..=45).contains(&date.signed_duration_since(festival).num_days()))
        .unwrap_or(false)
}

/// 更新时间 of a row registered on `day`: the same day in 70 % of rows, up to 3 days later.
pub(crate) fn updated_on_or_after(rng: &mut StdRng, day: NaiveDate) -> NaiveDateTime {
    let delay = pick_weighted(rng, &UPDATE_DELAY_MIX, 0);
    office_time_on(rng, add_days(day, delay))
}

/// Keys `<prefix><YYYYMMDD><counter>` numbered from 1 each day; days must come in order.
pub(crate) struct DailyKeys {
    prefix: &'static str,
    width: usize,
    day: Option<NaiveDate>,
    counter: u32,
}

impl DailyKeys {
    pub(crate) fn new(prefix: &'static str, width: usize) -> Self {
        DailyKeys {
            prefix,
            width,
            day: None,
            counter: 0,
        }
    }

    pub(crate) fn next(&mut self, day: NaiveDate) -> String {
        if self.day != Some(day) {
            self.day = Some(day);
            self.counter = 0;
        }
        self.counter += 1;
        format!(
            "{}{}{:02}{:02}{:0width$}",
            self.prefix,
            day.year(),
            day.month(),
            day.day(),
            self.counter,
            width = self.width
        )
    }
}

/// Index of a random person of the pool for whom `fits` holds, `tries` draws at most.
pub(crate) fn pick_person(rng: &mut StdRng, persons: &[Person], tries: usize, fits: impl Fn(&Person) -> bool) -> Option<usize> {
    if persons.is_empty() {
        return None;
    }
    (0..tries)
        .map(|_| rng.random_range(0..persons.len()))
        .find(|&index| fits(&persons[index]))
}

/// 出生日期 as exported: given in `share` of rows, empty otherwise.
pub(crate) fn birth_date_text(rng: &mut StdRng, person: &Person, share: f64) -> String {
    if chance(rng, share) {
        iso_date(person.birth_date)
    } else {
        String::new()
    }
}

/// Yuan with two decimals (`2175.00`) from a whole number of cents.
pub(crate) fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A random amount in cents between `low` and `high` yuan (inclusive).
pub(crate) fn random_cents(rng: &mut StdRng, low: f64, high: f64) -> i64 {
    let (low, high) = ((low * 100.0).round() as i64, (high * 100.0).round() as i64);
    if high <= low { low } else { rng.random_range(low..=high) }
}

/// The first day of the month after `date`'s.
pub(crate) fn next_month_start(date: NaiveDate) -> NaiveDate {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn daily_volumes_add_up_to_the_year() {
        let mut rng = StdRng::seed_from_u64(1);
        let total: usize = daily_volumes(&mut rng, 2024, 10_000.0, |_| 1.0).iter().map(|(_, n)| n).sum();
        assert!((9_700..=10_300).contains(&total), "{total}");
    }

    #[test]
    fn keys_restart_each_day_and_money_keeps_cents() {
        let mut keys = DailyKeys::new("GW", 5);
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        assert_eq!(keys.next(day), "GW2024030100001");
        assert_eq!(keys.next(day), "GW2024030100002");
        assert_eq!(keys.next(add_days(day, 1)), "GW2024030200001");
        assert_eq!(yuan(217_505), "2175.05");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(
            next_month_start(NaiveDate::from_ymd_opt(2024, 12, 9).expect("date")).to_string(),
            "2025-01-01"
        );
    }
}
