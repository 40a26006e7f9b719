//! Employers: 统一社会信用代码 (GB 32100), names, 单位性质, 行业, district, size, location.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::districts::{CITY_CODE, district_weights, pick_district, pick_other_district, point_in_district, retired_code_of};
use super::employer_names::{employer_name, renamed};
use super::random::{chance, pick_weighted};

/// The 31 characters of GB 32100, in value order.
pub(crate) const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// GB 11714 weights of the 8-character organisation code body.
const ORGANISATION_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// One employer (one version of its registry row).
#[derive(Debug, Clone)]
pub(crate) struct Employer {
    pub uscc: String,
    pub name: String,
    /// 单位性质 code `01`…`11`, `99`.
    pub employer_type: &'static str,
    /// GB/T 4754-2017 division, 2 digits.
    pub industry: &'static str,
    /// Current district code (GB/T 2260).
    pub district: &'static str,
    pub founded_on: NaiveDate,
    /// 参保人数.
    pub insured: u32,
    pub longitude: f64,
    pub latitude: f64,
    pub updated_at: NaiveDateTime,
}

impl Employer {
    /// Relative number of hires and separations: larger employers move more people.
    pub(crate) fn activity_weight(&self) -> f64 {
        (f64::from(self.insured) + 5.0).powf(0.75)
    }
}

/// The employers in use plus every row of the registry export (some employers have an
/// older version in the same file, so the platform must keep history).
pub(crate) struct EmployerSet {
    pub current: Vec<Employer>,
    pub registry_rows: Vec<Employer>,
}

/// Value of a GB 32100 character (its index in [`USCC_ALPHABET`]).
fn uscc_value(character: char) -> Option<u32> {
    USCC_ALPHABET
        .iter()
        .position(|&byte| char::from(byte) == character)
        .map(|index| index as u32)
}

/// The GB 32100 check character for the first 17 characters, if they are all in the alphabet.
pub(crate) fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (character, weight) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(character)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.get(check as usize).map(|&byte| char::from(byte))
}

/// True when an 18-character code carries the right GB 32100 check character.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn is_valid_uscc(uscc: &str) -> bool {
    if uscc.len() != 18 || !uscc.is_ascii() {
        return false;
    }
    let (first17, check) = uscc.split_at(17);
    uscc_check_char(first17).is_some_and(|expected| check.starts_with(expected))
}

/// The GB 11714 check character of an 8-character organisation code body.
fn organisation_check_char(body: &str) -> Option<char> {
    let mut sum = 0u32;
    for (character, weight) in body.chars().zip(ORGANISATION_WEIGHTS) {
        sum += character.to_digit(36)? * weight;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        digit => char::from_digit(digit, 10),
    }
}

/// A 9-character organisation code: `MA…` style after the 2015 reform, 8 digits before.
fn organisation_code(rng: &mut StdRng, founded_on: NaiveDate) -> String {
    let mut body = String::with_capacity(9);
    if founded_on.year() >= 2016 {
        body.push_str("MA");
        for _ in 0..6 {
            let index = rng.random_range(0..USCC_ALPHABET.len());
            body.push(char::from(USCC_ALPHABET[index]));
        }
    } else {
        for _ in 0..8 {
            body.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
    }
    let check = organisation_check_char(&body).unwrap_or('0');
    body.push(check);
    body
}

/// Registration authority + organisation type (the first two USCC characters).
fn registration_prefix(employer_type: &str) -> &'static str {
    match employer_type {
        "01" => "11", // 机构编制: 机关
        "02" => "12", // 机构编制: 事业单位
        "10" => "92", // 工商: 个体工商户
        "11" => "51", // 民政: 社会团体
        _ => "91",    // 工商: 企业
    }
}

/// A full USCC: prefix, 6-digit administrative code, organisation code, check character.
fn make_uscc(rng: &mut StdRng, employer_type: &str, admin_code: &str, founded_on: NaiveDate) -> String {
    let first17 = format!(
        "{}{admin_code}{}",
        registration_prefix(employer_type),
        organisation_code(rng, founded_on)
    );
    let check = uscc_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

const EMPLOYER_TYPE_MIX: [(&str, f64); 12] = [
    ("05", 45.0),
    ("06", 30.0),
    ("09", 6.0),
    ("07", 5.0),
    ("03", 4.0),
    ("08", 3.0),
    ("02", 2.5),
    ("10", 2.0),
    ("04", 1.0),
    ("11", 1.0),
    ("01", 0.3),
    ("99", 0.2),
];

/// GB/T 4754-2017 divisions weighted toward Shanghai's economy (services, trade, IT,
/// finance, autos and electronics).
pub(crate) const INDUSTRY_MIX: [(&str, f64); 60] = [
    ("51", 14.0),
    ("72", 12.0),
    ("65", 9.0),
    ("52", 8.0),
    ("64", 5.0),
    ("62", 5.0),
    ("70", 4.0),
    ("74", 4.0),
    ("36", 3.0),
    ("39", 3.0),
    ("54", 3.0),
    ("59", 3.0),
    ("75", 3.0),
    ("34", 2.5),
    ("47", 2.0),
    ("50", 2.0),
    ("73", 2.0),
    ("83", 2.0),
    ("84", 2.0),
    ("80", 2.0),
    ("35", 2.0),
    ("38", 2.0),
    ("26", 1.5),
    ("33", 1.5),
    ("48", 1.5),
    ("58", 1.5),
    ("61", 1.5),
    ("27", 1.2),
    ("49", 1.0),
    ("29", 1.0),
    ("66", 1.0),
    ("67", 1.0),
    ("71", 1.0),
    ("82", 1.0),
    ("14", 0.8),
    ("18", 0.8),
    ("40", 0.8),
    ("68", 0.8),
    ("81", 0.8),
    ("23", 0.5),
    ("30", 0.5),
    ("37", 0.5),
    ("55", 0.5),
    ("63", 0.5),
    ("69", 0.5),
    ("77", 0.5),
    ("78", 0.5),
    ("87", 0.5),
    ("88", 0.5),
    ("90", 0.5),
    ("13", 0.3),
    ("24", 0.3),
    ("31", 0.3),
    ("32", 0.3),
    ("41", 0.3),
    ("43", 0.3),
    ("44", 0.3),
    ("56", 0.3),
    ("85", 0.3),
    ("01", 0.2),
];

/// The industry of an employer of this type (public bodies have their own divisions).
fn industry_for(rng: &mut StdRng, employer_type: &str) -> &'static str {
    match employer_type {
        "01" => "92",
        "02" => pick_weighted(rng, &[("83", 4.0), ("84", 4.0), ("73", 1.0), ("86", 0.5)], "83"),
        "11" => pick_weighted(rng, &[("95", 3.0), ("85", 1.0)], "95"),
        "10" => pick_weighted(rng, &[("52", 4.0), ("62", 4.0), ("80", 2.0), ("81", 1.0)], "52"),
        _ => pick_weighted(rng, &INDUSTRY_MIX, "51"),
    }
}

/// 成立日期: public bodies and state firms are old, most private firms young.
fn founding_date(rng: &mut StdRng, employer_type: &str, first_year: i32) -> NaiveDate {
    let years_before = match employer_type {
        "01" | "02" | "03" | "04" => rng.random_range(10..=60),
        _ => {
            let exponential = -(1.0 - rng.random::<f64>()).ln() * 8.0;
            (exponential.floor() as i32 + 1).min(40)
        }
    };
    let year = first_year - years_before;
    let ordinal = rng.random_range(1..=365);
    NaiveDate::from_yo_opt(year, ordinal)
        .or_else(|| NaiveDate::from_ymd_opt(year, 6, 30))
        .unwrap_or(NaiveDate::MIN)
}

/// 参保人数: a heavy tail, most employers small.
fn insured_count(rng: &mut StdRng, employer_type: &str) -> u32 {
    let pareto = 1.0 / (1.0 - rng.random::<f64>()).powf(1.0 / 1.1);
    let count = match employer_type {
        "10" => rng.random_range(1.0..8.0),
        "01" => rng.random_range(30.0..300.0),
        "02" => 40.0 * pareto,
        "03" | "07" | "09" => 15.0 * pareto,
        _ => 3.0 * pareto,
    };
    count.clamp(1.0, 20_000.0).round() as u32
}

/// 更新时间 of the registry row: some day in the two years before the export, during office hours.
fn registry_update_time(rng: &mut StdRng, founded_on: NaiveDate, first_year: i32) -> NaiveDateTime {
    let export_day = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(founded_on);
    let window_start = NaiveDate::from_ymd_opt(first_year - 2, 1, 1).unwrap_or(founded_on).max(founded_on);
    let span = export_day.signed_duration_since(window_start).num_days().max(1);
    let day = window_start
        .checked_add_signed(chrono::TimeDelta::days(rng.random_range(0..span)))
        .unwrap_or(window_start)
        .min(export_day.pred_opt().unwrap_or(export_day));
    day.and_hms_opt(rng.random_range(8..19), rng.random_range(0..60), rng.random_range(0..60))
        .unwrap_or_default()
}

fn generate_employer(
    rng: &mut StdRng,
    first_year: i32,
    district_weights: &super::random::CumulativeWeights,
    used_usccs: &mut HashSet<String>,
    used_names: &mut HashSet<String>,
) -> Employer {
    let employer_type = pick_weighted(rng, &EMPLOYER_TYPE_MIX, "05");
    let industry = industry_for(rng, employer_type);
    let district = pick_district(rng, district_weights);
    let founded_on = founding_date(rng, employer_type, first_year);
    // The code inside the USCC is the registering authority's: the city for some large
    // firms, the merged district's old code for firms registered before the merger.
    let admin_code = match retired_code_of(district) {
        Some((retired, merged_in)) if founded_on.year() < merged_in && chance(rng, 0.6) => retired,
        _ if chance(rng, 0.08) => CITY_CODE,
        _ => district,
    };
    let mut uscc = make_uscc(rng, employer_type, admin_code, founded_on);
    while !used_usccs.insert(uscc.clone()) {
        uscc = make_uscc(rng, employer_type, admin_code, founded_on);
    }
    let mut name = employer_name(rng, employer_type, industry, district);
    for _ in 0..8 {
        if !used_names.contains(&name) {
            break;
        }
        name = employer_name(rng, employer_type, industry, district);
    }
    used_names.insert(name.clone());
    let (longitude, latitude) = point_in_district(rng, district);
    let updated_at = registry_update_time(rng, founded_on, first_year);
    Employer {
        uscc,
        name,
        employer_type,
        industry,
        district,
        founded_on,
        insured: insured_count(rng, employer_type),
        longitude,
        latitude,
        updated_at,
    }
}

/// An older version of `current`: fewer insured, sometimes another name or district.
fn older_version(rng: &mut StdRng, current: &Employer, district_weights: &super::random::CumulativeWeights) -> Employer {
    let mut older = current.clone();
    older.insured = ((f64::from(current.insured) * rng.random_range(0.5..0.95)).round() as u32).max(1);
    if chance(rng, 0.5) {
        older.name = renamed(rng, current);
    }
    if chance(rng, 0.3) {
        older.district = pick_other_district(rng, district_weights, current.district);
        let (longitude, latitude) = point_in_district(rng, older.district);
        older.longitude = longitude;
        older.latitude = latitude;
    }
    let days_earlier = rng.random_range(60..720);
    older.updated_at = current
        .updated_at
        .checked_sub_days(chrono::Days::new(days_earlier))
        .unwrap_or(current.updated_at);
    older
}

/// `count` employers plus the registry rows (≈1.5 % of employers with an older version).
pub(crate) fn generate_employers(rng: &mut StdRng, count: usize, first_year: i32) -> EmployerSet {
    let weights = district_weights();
    let mut used_usccs = HashSet::with_capacity(count);
    let mut used_names = HashSet::with_capacity(count);
    let mut current = Vec::with_capacity(count);
    let mut registry_rows = Vec::with_capacity(count + count / 50 + 1);
    for _ in 0..count {
        let employer = generate_employer(rng, first_year, &weights, &mut used_usccs, &mut used_names);
        if employer.founded_on.year() < first_year - 2 && chance(rng, 0.015) {
            registry_rows.push(older_version(rng, &employer, &weights));
        }
        registry_rows.push(employer.clone());
        current.push(employer);
    }
    EmployerSet { current, registry_rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn known_codes_pass_gb32100() {
        assert!(is_valid_uscc("91350100M000100Y43"));
        assert!(is_valid_uscc("91110108551385082Q"));
        assert!(!is_valid_uscc("91350100M000100Y44"));
        assert!(!is_valid_uscc("91350100M000100Y4"));
        assert_eq!(organisation_check_char("55138508"), Some('2'));
        assert_eq!(organisation_check_char("13221158"), Some('X'));
    }

    #[test]
    fn generated_usccs_pass_gb32100_and_are_unique() {
        let mut rng = StdRng::seed_from_u64(9);
        let set = generate_employers(&mut rng, 2000, 2024);
        assert_eq!(set.current.len(), 2000);
        assert!(set.registry_rows.len() >= 2000);
        let mut seen = HashSet::new();
        for employer in &set.current {
            assert!(is_valid_uscc(&employer.uscc), "{}", employer.uscc);
            assert!(seen.insert(employer.uscc.clone()), "duplicate {}", employer.uscc);
            assert!((120.86..=121.98).contains(&employer.longitude));
            assert!((30.68..=31.87).contains(&employer.latitude));
            assert!(employer.founded_on.year() < 2024);
            assert!(employer.updated_at.date() < NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"));
            assert!(!employer.name.is_empty());
        }
    }
}
