//! 年度目标与预警值 (indicator_target): yearly targets for the city (310000) and each of the
//! 16 districts. A real target is set before the year; the demo derives it from what the
//! generator produced that year (within ±5 %), so that completion rates on the dashboard
//! land near 100 % and some districts fall behind their warning values.
//! The [`Tally`] collects the yearly counts while the other feeds are generated.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::districts::{CITY_CODE, DISTRICTS, district_index};
use super::rows::{EventKind, RegistrationRow};
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

pub(crate) const TARGET_HEADERS: [&str; 5] = ["年度", "指标代码", "区县代码", "目标值", "预警值"];

/// Whether completion should reach the target (a flow) or stay below it (a ceiling).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Flow,
    Ceiling,
}

/// The indicators with yearly targets, in file order.
const INDICATORS: [(&str, Direction); 10] = [
    ("hire_persons", Direction::Flow),
    ("flexible_registration_persons", Direction::Flow),
    ("unemployment_registration_persons", Direction::Flow),
    ("registered_unemployed", Direction::Ceiling),
    ("postings", Direction::Flow),
    ("subsidized_training_persons", Direction::Flow),
    ("certified_persons", Direction::Flow),
    ("startup_supported", Direction::Flow),
    ("interns", Direction::Flow),
    ("new_jobs", Direction::Flow),
];
/// Retirements (退工原因 5), deducted from 城镇新增就业 as natural attrition.
const RETIREMENTS: &str = "retirements";

/// Where a count goes: 0 the city, 1 + the index in [`DISTRICTS`] for a district.
type Area = usize;
const CITY: Area = 0;

/// An ID number or USCC as a fixed-size key (both are 18 characters), so that counting a
/// person allocates nothing.
type Key = [u8; 18];

fn key_of(text: &str) -> Key {
    let mut key = [0u8; 18];
    for (slot, byte) in key.iter_mut().zip(text.bytes()) {
        *slot = byte;
    }
    key
}

/// The city and, for a current district code, the district (other codes count for the
/// city only).
fn areas_of(district: &str) -> impl Iterator<Item = Area> {
    std::iter::once(CITY).chain(district_index(district).map(|index| index + 1))
}

/// FNV-1a: the keys are short and not adversarial, and SipHash showed up in profiles.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type KeySet = HashSet<Key, BuildHasherDefault<Fnv>>;

/// Yearly counts by (year, indicator, area); every count also goes to the city.
#[derive(Default)]
pub(crate) struct Tally {
    persons: HashMap<(i32, &'static str, Area), KeySet>,
    counts: HashMap<(i32, &'static str, Area), i64>,
}

impl Tally {
    /// Counts `key` (an ID number, or a USCC for employers) once per year and area.
    pub(crate) fn person(&mut self, indicator: &'static str, date: NaiveDate, district: &str, key: &str) {
        let key = key_of(key);
        for area in areas_of(district) {
            self.persons.entry((date.year(), indicator, area)).or_default().insert(key);
        }
    }

    /// Adds `amount` to the year's count of the district and of the city.
    pub(crate) fn count(&mut self, indicator: &'static str, date: NaiveDate, district: &str, amount: i64) {
        for area in areas_of(district) {
            *self.counts.entry((date.year(), indicator, area)).or_insert(0) += amount;
        }
    }

    /// 招工 persons (also 城镇新增就业) and retirements of one month of registrations.
    pub(crate) fn registrations(&mut self, rows: &[RegistrationRow]) {
        for row in rows {
            match row.kind {
                EventKind::Hire => {
                    self.person("hire_persons", row.business_day, &row.district, &row.id_number);
                    self.person("new_jobs", row.business_day, &row.district, &row.id_number);
                }
                EventKind::Separation if row.separation_reason == "5" => {
                    self.count(RETIREMENTS, row.business_day, &row.district, 1);
                }
                EventKind::Separation => {}
            }
        }
    }

    fn value(&self, year: i32, indicator: &'static str, area: Area) -> i64 {
        let persons = self.persons.get(&(year, indicator, area)).map_or(0, |set| set.len() as i64);
        let counted = self.counts.get(&(year, indicator, area)).copied().unwrap_or(0);
        if indicator == "new_jobs" {
            let retired = self.counts.get(&(year, RETIREMENTS, area)).copied().unwrap_or(0);
            (persons - retired).max(0)
        } else {
            persons + counted
        }
    }
}

/// The city first, then the 16 districts in code order: (code, area).
fn areas() -> Vec<(&'static str, Area)> {
    let mut districts: Vec<(&'static str, Area)> = DISTRICTS.iter().enumerate().map(|(index, d)| (d.code, index + 1)).collect();
    districts.sort_unstable();
    districts.insert(0, (CITY_CODE, CITY));
    districts
}

/// Writes `indicator_target_<YYYY>0101.csv` for every year: 目标值 ≈ the year's count ×
/// 0.95–1.05 for flows (预警值 0.9 × 目标值: warn when completion lags), and for the
/// ceiling registered_unemployed ≈ 1.1 × the year-end stock (预警值 1.2 × 目标值).
pub(crate) fn write_targets(
    rng: &mut StdRng,
    out_dir: &Path,
    first_year: i32,
    last_year: i32,
    tally: &Tally,
) -> Result<Vec<DemoFile>, SeedError> {
    let mut files = Vec::new();
    for year in first_year..=last_year {
        let mut records = Vec::new();
        for (indicator, direction) in INDICATORS {
            for (code, area) in areas() {
                let value = tally.value(year, indicator, area) as f64 * rng.random_range(0.95..=1.05);
                let (target, warning) = match direction {
                    Direction::Flow => {
                        let target = value.round().max(1.0);
                        (target, (0.9 * target).round())
                    }
                    Direction::Ceiling => {
                        let target = (1.1 * value).round().max(1.0);
                        // Rounded up, so that even a tiny district warns above its target.
                        (target, (1.2 * target).ceil())
                    }
                };
                records.push(vec![
                    year.to_string(),
                    indicator.to_string(),
                    code.to_string(),
                    format!("{target:.0}"),
                    format!("{warning:.0}"),
                ]);
            }
        }
        let path = out_dir.join(format!("indicator_target_{year}0101.csv"));
        write_csv(&path, &TARGET_HEADERS, &records, FileEncoding::Utf8)?;
        files.push(DemoFile { path, rows: records.len() });
    }
    Ok(files)
}
