//! 灵活就业登记/注销 demo exports: people of the pool register flexible employment (个体经营,
//! 非全日制, 新就业形态 …) and some later cancel it; a gig-work lift in the graduate season.
//! No defects are injected here.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;

use super::districts::{district_weights, pick_district};
use super::episodes::{EpisodeFeed, person_row_head};
use super::formats::{iso_timestamp, office_time_on};
use super::people::Person;
use super::random::pick_weighted;

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

/// 1 个体经营, 2 非全日制, 3 新就业形态, 9 其他.
const FLEXIBLE_TYPES: [(&str, f64); 4] = [("3", 0.45), ("1", 0.30), ("2", 0.20), ("9", 0.05)];

/// ≈30,000 × scale 登记 a year, ≈80 % as many 注销.
pub(crate) struct Flexible {
    pub scale: f64,
}

impl EpisodeFeed for Flexible {
    type State = (&'static str, &'static str);
    fn prefix(&self) -> &'static str {
        "flexible_employment"
    }
    fn headers(&self) -> &'static [&'static str] {
        &FLEXIBLE_HEADERS
    }
    fn opened_per_year(&self) -> f64 {
        30_000.0 * self.scale
    }
    fn closed_share(&self) -> f64 {
        0.8
    }
    fn lift(&self, day: NaiveDate) -> f64 {
        if matches!(day.month(), 6 | 7) { 1.2 } else { 1.0 }
    }
    fn eligible(&self, person: &Person, day: NaiveDate) -> bool {
        (16..=60).contains(&person.age_on(day))
    }
    fn open(&self, rng: &mut StdRng, _day: NaiveDate, _person: &Person) -> Self::State {
        (pick_district(rng, &district_weights()), pick_weighted(rng, &FLEXIBLE_TYPES, "9"))
    }
    fn opening_indicators(&self) -> &'static [&'static str] {
        &["flexible_registration_persons", "new_jobs"]
    }
    fn opening_row(&self, rng: &mut StdRng, serial: u64, day: NaiveDate, person: &Person, state: Self::State) -> Vec<String> {
        row(rng, serial, "登记", day, person, state)
    }
    fn closing_row(&self, rng: &mut StdRng, serial: u64, day: NaiveDate, person: &Person, state: Self::State) -> Vec<String> {
        row(rng, serial, "注销", day, person, state)
    }
}

fn row(rng: &mut StdRng, serial: u64, kind: &str, day: NaiveDate, person: &Person, (district, flexible_type): (&str, &str)) -> Vec<String> {
    let mut row = person_row_head(rng, if kind == "登记" { "LJ" } else { "LZ" }, serial, kind, day, person, district);
    row.extend([flexible_type.to_string(), iso_timestamp(office_time_on(rng, day))]);
    row
}
