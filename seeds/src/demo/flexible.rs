//! 灵活就业登记/注销 demo exports: people of the pool register flexible employment (个体经营,
//! 非全日制, 新就业形态 …) and some later cancel it, with the same working-day calendar as
//! the other feeds and a gig-work lift in the graduate season. No defects are injected here.

use std::collections::HashSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::calendar::{Flow, day_weight, days_of_year};
use super::districts::{district_weights, pick_district};
use super::formats::{iso_date, iso_timestamp, office_time_on};
use super::people::Person;
use super::random::{chance, pick_weighted, stochastic_round};
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

pub(crate) const FLEXIBLE_HEADERS: [&str; 12] = [
    "业务流水号",
    "业务类型",
    "办理日期",
    "公民身份号码",
    "姓名",
    "性别",
    "出生日期",
    "户籍类型",
    "文化程度",
    "区县代码",
    "灵活就业类型",
    "更新时间",
];

/// 登记 rows a year at scale 1.0; 注销 run at about 80 % of that.
const REGISTRATIONS_PER_YEAR_AT_SCALE_1: f64 = 30_000.0;

/// 1 个体经营, 2 非全日制, 3 新就业形态, 9 其他.
const FLEXIBLE_TYPES: [(&str, f64); 4] = [("3", 0.45), ("1", 0.30), ("2", 0.20), ("9", 0.05)];

/// One file per month of `years`, named `flexible_employment_<YYYYMM>.csv`.
pub(crate) fn write_flexible_employment(
    out_dir: &Path,
    rng: &mut StdRng,
    persons: &[Person],
    first_year: i32,
    last_year: i32,
    scale: f64,
) -> Result<Vec<DemoFile>, SeedError> {
    let weights = district_weights();
    let per_year = REGISTRATIONS_PER_YEAR_AT_SCALE_1 * scale;
    // Who is registered now, as (person index, district, flexible type), in a Vec so
    // that picks stay deterministic for a seed.
    let mut registered: Vec<(usize, &'static str, &'static str)> = Vec::new();
    let mut is_registered: HashSet<usize> = HashSet::new();
    let mut files = Vec::new();
    let mut counter = 0u64;
    for year in first_year..=last_year {
        let days = days_of_year(year);
        let total_weight: f64 = days.iter().map(|d| day_weight(*d, Flow::Hire)).sum();
        let mut by_month: Vec<Vec<Vec<String>>> = vec![Vec::new(); 12];
        for day in days {
            let weight = day_weight(day, Flow::Hire) / total_weight;
            let graduate_lift = if matches!(day.month(), 6 | 7) { 1.2 } else { 1.0 };
            for _ in 0..stochastic_round(rng, per_year * weight * graduate_lift) {
                let index = rng.random_range(0..persons.len());
                let person = &persons[index];
                if is_registered.contains(&index) || !(16..=60).contains(&person.age_on(day)) {
                    continue;
                }
                let district = pick_district(rng, &weights);
                let kind = pick_weighted(rng, &FLEXIBLE_TYPES, "9");
                registered.push((index, district, kind));
                is_registered.insert(index);
                counter += 1;
                by_month[day.month0() as usize].push(record(rng, counter, "登记", day, person, district, kind));
            }
            for _ in 0..stochastic_round(rng, 0.8 * per_year * weight) {
                if registered.is_empty() {
                    break;
                }
                let (index, district, kind) = registered.swap_remove(rng.random_range(0..registered.len()));
                is_registered.remove(&index);
                counter += 1;
                by_month[day.month0() as usize].push(record(rng, counter, "注销", day, &persons[index], district, kind));
            }
        }
        for (month0, records) in by_month.into_iter().enumerate() {
            let path = out_dir.join(format!("flexible_employment_{year}{:02}.csv", month0 + 1));
            write_csv(&path, &FLEXIBLE_HEADERS, &records, FileEncoding::Utf8)?;
            files.push(DemoFile { path, rows: records.len() });
        }
    }
    Ok(files)
}

fn record(rng: &mut StdRng, counter: u64, kind: &str, day: NaiveDate, person: &Person, district: &str, flexible_type: &str) -> Vec<String> {
    let prefix = if kind == "登记" { "LJ" } else { "LZ" };
    vec![
        format!("{prefix}{district}{}{:06}", day.format("%Y%m%d"), counter % 1_000_000),
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
        flexible_type.to_string(),
        iso_timestamp(office_time_on(rng, day)),
    ]
}
