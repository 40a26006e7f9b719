//! Feeds made of episodes a person opens and later closes (灵活就业 登记/注销, 失业
//! 登记/注销): one simulation loop over the working-day calendar, with each feed saying
//! how an episode opens, what its rows hold and how many open and close a year. The loop
//! also tallies the persons opening episodes and the year-end stock for the yearly targets.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::calendar::{Flow, day_weight, days_of_year};
use super::formats::iso_date;
use super::people::Person;
use super::random::chance;
use super::random::stochastic_round;
use super::targets::Tally;
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

pub(crate) trait EpisodeFeed {
    /// What an open episode remembers (district, type, reason …).
    type State: Copy;
    /// File names are `<prefix>_<YYYYMM>.csv`.
    fn prefix(&self) -> &'static str;
    fn headers(&self) -> &'static [&'static str];
    /// Episodes opened a year (before the pool's and the ages' limits).
    fn opened_per_year(&self) -> f64;
    /// Episodes closed a year, as a share of `opened_per_year`.
    fn closed_share(&self) -> f64;
    /// Seasonal multiplier of openings on a day (1.0 = the calendar alone).
    fn lift(&self, day: NaiveDate) -> f64;
    fn eligible(&self, person: &Person, day: NaiveDate) -> bool;
    fn open(&self, rng: &mut StdRng, day: NaiveDate, person: &Person) -> Self::State;
    /// Indicators whose yearly targets count the persons opening an episode.
    fn opening_indicators(&self) -> &'static [&'static str];
    /// Indicator whose yearly target caps the episodes still open at the end of a year.
    fn stock_indicator(&self) -> Option<&'static str> {
        None
    }
    fn opening_row(&self, rng: &mut StdRng, serial: u64, day: NaiveDate, person: &Person, state: Self::State) -> Vec<String>;
    fn closing_row(&self, rng: &mut StdRng, serial: u64, day: NaiveDate, person: &Person, state: Self::State) -> Vec<String>;
}

/// Simulates the feed over the years and writes one UTF-8 file per month.
pub(crate) fn write_episodes<F: EpisodeFeed>(
    feed: &F,
    out_dir: &Path,
    rng: &mut StdRng,
    persons: &[Person],
    first_year: i32,
    last_year: i32,
    tally: &mut Tally,
) -> Result<Vec<DemoFile>, SeedError> {
    // Open episodes in a Vec, so that picks stay deterministic for a seed.
    let mut open: Vec<(usize, F::State)> = Vec::new();
    let mut is_open: HashSet<usize> = HashSet::new();
    // Open episodes by district, for the targets of the stock indicator.
    let mut open_by_district: BTreeMap<String, i64> = BTreeMap::new();
    let mut files = Vec::new();
    let mut serial = 0u64;
    for year in first_year..=last_year {
        let days = days_of_year(year);
        let total_weight: f64 = days.iter().map(|d| day_weight(*d, Flow::Hire)).sum();
        let mut by_month: Vec<Vec<Vec<String>>> = vec![Vec::new(); 12];
        for day in days {
            let share = day_weight(day, Flow::Hire) / total_weight;
            for _ in 0..stochastic_round(rng, feed.opened_per_year() * share * feed.lift(day)) {
                let index = rng.random_range(0..persons.len());
                let person = &persons[index];
                if is_open.contains(&index) || !feed.eligible(person, day) {
                    continue;
                }
                let state = feed.open(rng, day, person);
                open.push((index, state));
                is_open.insert(index);
                serial += 1;
                let row = feed.opening_row(rng, serial, day, person, state);
                for indicator in feed.opening_indicators() {
                    tally.person(indicator, day, &row[DISTRICT_COLUMN], &row[ID_NUMBER_COLUMN]);
                }
                *open_by_district.entry(row[DISTRICT_COLUMN].clone()).or_insert(0) += 1;
                by_month[day.month0() as usize].push(row);
            }
            for _ in 0..stochastic_round(rng, feed.closed_share() * feed.opened_per_year() * share) {
                if open.is_empty() {
                    break;
                }
                let (index, state) = open.swap_remove(rng.random_range(0..open.len()));
                is_open.remove(&index);
                serial += 1;
                let row = feed.closing_row(rng, serial, day, &persons[index], state);
                *open_by_district.entry(row[DISTRICT_COLUMN].clone()).or_insert(0) -= 1;
                by_month[day.month0() as usize].push(row);
            }
        }
        if let (Some(indicator), Some(year_end)) = (feed.stock_indicator(), NaiveDate::from_ymd_opt(year, 12, 31)) {
            for (district, still_open) in &open_by_district {
                tally.count(indicator, year_end, district, *still_open);
            }
        }
        for (month0, records) in by_month.into_iter().enumerate() {
            let path = out_dir.join(format!("{}_{year}{:02}.csv", feed.prefix(), month0 + 1));
            write_csv(&path, feed.headers(), &records, FileEncoding::Utf8)?;
            files.push(DemoFile { path, rows: records.len() });
        }
    }
    Ok(files)
}

/// Where [`person_row_head`] puts 公民身份号码 and 区县代码.
const ID_NUMBER_COLUMN: usize = 3;
const DISTRICT_COLUMN: usize = 9;

/// The columns both episode feeds start with: 业务流水号, 业务类型, 办理日期, the person's
/// fields and 区县代码. `key_prefix` tells the feed and the kind apart in 业务流水号.
#[allow(clippy::too_many_arguments)]
pub(crate) fn person_row_head(
    rng: &mut StdRng,
    key_prefix: &str,
    serial: u64,
    kind: &str,
    day: NaiveDate,
    person: &Person,
    district: &str,
) -> Vec<String> {
    vec![
        format!("{key_prefix}{district}{}{:06}", day.format("%Y%m%d"), serial % 1_000_000),
        kind.to_string(),
        iso_date(day),
        person.id_number.clone(),
        person.name.clone(),
        person.gender.to_string(),
        if chance(rng, 0.9) {
            iso_date(person.birth_date)
        } else {
            String::new()
        },
        person.hukou.to_string(),
        person.education.to_string(),
        district.to_string(),
    ]
}
