//! 创业帮扶 (startup_support): guidance, guaranteed loans, premises and opening advice for
//! people of the pool (aged 18–60) and for young employers of the registry. 创业场地
//! support sits in a 创业孵化基地 or 创业园区 of the facility registry. No defects are
//! injected here.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::districts::{district_weights, pick_district};
use super::employers::Employer;
use super::facilities::Facility;
use super::formats::{iso_date, iso_timestamp};
use super::monthly::{DailyKeys, MonthlyRows, daily_volumes, pick_person, updated_on_or_after};
use super::people::Person;
use super::random::{CumulativeWeights, chance, pick, pick_weighted};
use super::targets::Tally;

pub(crate) const STARTUP_HEADERS: [&str; 11] = [
    "帮扶编号",
    "帮扶类型",
    "办理日期",
    "对象类型",
    "公民身份号码",
    "单位统一社会信用代码",
    "园区编号",
    "区县代码",
    "贷款金额",
    "带动就业人数",
    "更新时间",
];

/// Support cases a year at scale 1.0.
pub(crate) const SUPPORT_PER_YEAR_AT_SCALE_1: f64 = 6_000.0;
const MIN_SUPPORT_PER_YEAR: f64 = 240.0;
/// 帮扶类型: 1 创业指导, 2 创业担保贷款, 3 创业场地, 4 开业指导, 9 其他.
const SUPPORT_TYPE_MIX: [(&str, f64); 5] = [("1", 40.0), ("2", 20.0), ("3", 15.0), ("4", 20.0), ("9", 5.0)];
/// Share of cases for a person (对象类型 1); the rest are for an employer (2).
const PERSON_SHARE: f64 = 0.8;
/// Share of guidance cases given inside a park (园区编号 set without 创业场地).
const GUIDANCE_IN_PARK_SHARE: f64 = 0.1;
/// Employers founded this many years before the first year or later count as start-ups.
const YOUNG_EMPLOYER_YEARS: i32 = 5;

/// Cases of the years, by month of 办理日期.
#[allow(clippy::too_many_arguments)]
pub(crate) fn generate_startup_support(
    rng: &mut StdRng,
    persons: &[Person],
    employers: &[Employer],
    parks: &[&Facility],
    scale: f64,
    first_year: i32,
    last_year: i32,
    tally: &mut Tally,
) -> MonthlyRows {
    let per_year = (SUPPORT_PER_YEAR_AT_SCALE_1 * scale).max(MIN_SUPPORT_PER_YEAR);
    let young_weights = CumulativeWeights::new(employers.iter().map(|e| {
        if e.founded_on.year() >= first_year - YOUNG_EMPLOYER_YEARS {
            6.0
        } else {
            1.0
        }
    }));
    let districts = district_weights();
    let mut keys = DailyKeys::new("CY", 5);
    let mut rows = MonthlyRows::new(first_year, last_year);
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, per_year, |_| 1.0) {
            for _ in 0..count {
                let support_type = pick_weighted(rng, &SUPPORT_TYPE_MIX, "1");
                let park = match support_type {
                    "3" => pick(rng, parks).copied(),
                    "1" | "4" if chance(rng, GUIDANCE_IN_PARK_SHARE) => pick(rng, parks).copied(),
                    _ => None,
                };
                let object = if chance(rng, PERSON_SHARE) {
                    pick_person(rng, persons, 50, |p| (18..=60).contains(&p.age_on(day))).map(|i| Object::Person(&persons[i]))
                } else {
                    young_weights.pick(rng).and_then(|i| employers.get(i)).map(Object::Employer)
                };
                let Some(object) = object else {
                    continue;
                };
                let district = match (park, object) {
                    (Some(park), _) => park.district,
                    (None, Object::Employer(employer)) => employer.district,
                    (None, Object::Person(_)) => pick_district(rng, &districts),
                };
                let id = keys.next(day);
                let row = row(rng, id, day, support_type, object, park, district);
                tally.person("startup_supported", day, district, object.key());
                rows.push(day, row);
            }
        }
    }
    rows
}

#[derive(Clone, Copy)]
enum Object<'a> {
    Person(&'a Person),
    Employer(&'a Employer),
}

impl Object<'_> {
    /// What makes a 户 unique: the ID number or the USCC.
    fn key(&self) -> &str {
        match self {
            Object::Person(person) => &person.id_number,
            Object::Employer(employer) => &employer.uscc,
        }
    }
}

fn row(
    rng: &mut StdRng,
    id: String,
    day: NaiveDate,
    support_type: &str,
    object: Object<'_>,
    park: Option<&Facility>,
    district: &str,
) -> Vec<String> {
    let (object_type, id_number, uscc) = match object {
        Object::Person(person) => ("1", person.id_number.clone(), String::new()),
        Object::Employer(employer) => ("2", String::new(), employer.uscc.clone()),
    };
    let loan = (support_type == "2").then(|| loan_amount(rng, object_type == "1"));
    vec![
        id,
        support_type.to_string(),
        iso_date(day),
        object_type.to_string(),
        id_number,
        uscc,
        park.map(|p| p.code.clone()).unwrap_or_default(),
        district.to_string(),
        loan.map(|amount| amount.to_string()).unwrap_or_default(),
        jobs_driven(rng).to_string(),
        iso_timestamp(updated_on_or_after(rng, day)),
    ]
}

/// 创业担保贷款 in whole yuan: persons up to 500,000 (mostly 100,000–300,000), employers
/// up to 3,000,000.
fn loan_amount(rng: &mut StdRng, for_person: bool) -> u32 {
    if for_person {
        let band = rng.random::<f64>();
        let tens_of_thousands = if band < 0.7 {
            rng.random_range(10..=30)
        } else if band < 0.9 {
            rng.random_range(31..=50)
        } else {
            rng.random_range(2..=9)
        };
        tens_of_thousands * 10_000
    } else {
        rng.random_range(10..=60u32) * 50_000
    }
}

/// 带动就业人数: mostly 1–5, some none, a few up to 20.
fn jobs_driven(rng: &mut StdRng) -> u32 {
    let band = rng.random::<f64>();
    if band < 0.88 {
        pick_weighted(rng, &[(0, 10.0), (1, 30.0), (2, 20.0), (3, 14.0), (4, 8.0), (5, 6.0)], 1)
    } else if band < 0.97 {
        rng.random_range(6..=10)
    } else {
        rng.random_range(11..=20)
    }
}
