//! 失业登记/注销 demo exports: people register as unemployed (单位解除, 个人离职, 毕业未就业
//! — the last peaking with graduation in June–July) and later cancel, mostly because they
//! found work. No defects are injected here.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;

use super::districts::{district_weights, pick_district};
use super::episodes::{EpisodeFeed, person_row_head};
use super::formats::{iso_timestamp, office_time_on};
use super::people::Person;
use super::random::{chance, pick_weighted};

pub(crate) const UNEMPLOYMENT_HEADERS: [&str; 13] = [
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
    "原行业代码",
    "原因",
    "更新时间",
];

/// 登记 reasons: 1 单位解除或终止, 2 个人原因离职, 3 毕业未就业, 9 其他.
const REGISTRATION_REASONS: [(&str, f64); 4] = [("1", 0.42), ("2", 0.33), ("3", 0.20), ("9", 0.05)];
/// 注销 reasons: 1 实现就业, 2 入学, 3 参军, 4 退休, 5 死亡, 6 迁出, 9 其他.
const CANCELLATION_REASONS: [(&str, f64); 7] = [
    ("1", 0.62),
    ("2", 0.04),
    ("3", 0.01),
    ("4", 0.09),
    ("5", 0.005),
    ("6", 0.08),
    ("9", 0.155),
];
const INDUSTRIES: [(&str, f64); 10] = [
    ("52", 0.15),
    ("51", 0.12),
    ("62", 0.10),
    ("72", 0.10),
    ("54", 0.08),
    ("36", 0.08),
    ("39", 0.08),
    ("47", 0.10),
    ("65", 0.09),
    ("80", 0.10),
];

/// ≈20,000 × scale 登记 a year, ≈90 % as many 注销.
pub(crate) struct Unemployment {
    pub scale: f64,
}

impl EpisodeFeed for Unemployment {
    /// (district, 原行业代码 or empty, 登记原因)
    type State = (&'static str, &'static str, &'static str);
    fn prefix(&self) -> &'static str {
        "unemployment_registration"
    }
    fn headers(&self) -> &'static [&'static str] {
        &UNEMPLOYMENT_HEADERS
    }
    fn opened_per_year(&self) -> f64 {
        20_000.0 * self.scale
    }
    fn closed_share(&self) -> f64 {
        0.9
    }
    fn lift(&self, day: NaiveDate) -> f64 {
        match day.month() {
            7 => 1.5,
            6 | 8 => 1.2,
            1 => 1.1,
            _ => 1.0,
        }
    }
    fn eligible(&self, person: &Person, day: NaiveDate) -> bool {
        let age = person.age_on(day);
        let retirement = if person.is_male() { 60 } else { 50 };
        (16..retirement).contains(&age)
    }
    fn open(&self, rng: &mut StdRng, day: NaiveDate, person: &Person) -> Self::State {
        let graduate = person.age_on(day) <= 24 && matches!(day.month(), 6..=9) && chance(rng, 0.6);
        let reason = if graduate {
            "3"
        } else {
            pick_weighted(rng, &REGISTRATION_REASONS, "9")
        };
        let industry = if reason == "3" { "" } else { pick_weighted(rng, &INDUSTRIES, "52") };
        (pick_district(rng, &district_weights()), industry, reason)
    }
    fn opening_indicators(&self) -> &'static [&'static str] {
        &["unemployment_registration_persons"]
    }
    fn stock_indicator(&self) -> Option<&'static str> {
        Some("registered_unemployed")
    }
    fn opening_row(
        &self,
        rng: &mut StdRng,
        serial: u64,
        day: NaiveDate,
        person: &Person,
        (district, industry, reason): Self::State,
    ) -> Vec<String> {
        row(rng, serial, "登记", day, person, district, industry, reason)
    }
    fn closing_row(
        &self,
        rng: &mut StdRng,
        serial: u64,
        day: NaiveDate,
        person: &Person,
        (district, industry, _): Self::State,
    ) -> Vec<String> {
        let reason = pick_weighted(rng, &CANCELLATION_REASONS, "9");
        row(rng, serial, "注销", day, person, district, industry, reason)
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    rng: &mut StdRng,
    serial: u64,
    kind: &str,
    day: NaiveDate,
    person: &Person,
    district: &str,
    industry: &str,
    reason: &str,
) -> Vec<String> {
    let mut row = person_row_head(rng, if kind == "登记" { "SY" } else { "SZ" }, serial, kind, day, person, district);
    row.extend([industry.to_string(), reason.to_string(), iso_timestamp(office_time_on(rng, day))]);
    row
}
