//! 政策补贴发放 (policy_subsidy): payments under seven employment policies, to people of the
//! pool or to employers of the registry. Drawn independently of the training and
//! internship feeds (a payment refers to no enrolment). 求职创业补贴 peaks before
//! graduation, 就业见习补贴 after the internship season, and December closes the budget
//! year. No defects are injected here.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;

use super::districts::{district_weights, pick_district};
use super::employers::Employer;
use super::formats::{iso_date, iso_timestamp};
use super::monthly::{DailyKeys, MonthlyRows, daily_volumes, pick_person, random_cents, updated_on_or_after, yuan};
use super::people::Person;
use super::random::{CumulativeWeights, pick_weighted};

pub(crate) const SUBSIDY_HEADERS: [&str; 10] = [
    "补贴流水号",
    "政策代码",
    "政策名称",
    "对象类型",
    "公民身份号码",
    "单位统一社会信用代码",
    "区县代码",
    "发放日期",
    "补贴金额",
    "更新时间",
];

/// Payments a year at scale 1.0.
pub(crate) const SUBSIDIES_PER_YEAR_AT_SCALE_1: f64 = 30_000.0;
const MIN_SUBSIDIES_PER_YEAR: f64 = 600.0;

/// One policy: code, name, paid to persons (else employers), amount range in yuan, share,
/// ages of the persons it is for.
struct Policy {
    code: &'static str,
    name: &'static str,
    for_persons: bool,
    amount: (f64, f64),
    weight: f64,
    ages: (i32, i32),
}

const POLICIES: [Policy; 7] = [
    policy("P01", "灵活就业社会保险费补贴", true, (500.0, 1_500.0), 30.0, (30, 60)),
    policy("P02", "一次性吸纳就业补贴", false, (1_000.0, 5_000.0), 10.0, (0, 0)),
    policy("P03", "职业培训补贴", true, (800.0, 6_000.0), 25.0, (16, 60)),
    policy("P04", "求职创业补贴", true, (1_500.0, 1_500.0), 8.0, (16, 30)),
    policy("P05", "一次性创业补贴", true, (8_000.0, 15_000.0), 4.0, (18, 60)),
    policy("P06", "就业见习补贴", false, (2_000.0, 20_000.0), 8.0, (0, 0)),
    policy("P07", "岗位补贴", false, (1_000.0, 30_000.0), 15.0, (0, 0)),
];

const fn policy(code: &'static str, name: &'static str, for_persons: bool, amount: (f64, f64), weight: f64, ages: (i32, i32)) -> Policy {
    Policy {
        code,
        name,
        for_persons,
        amount,
        weight,
        ages,
    }
}

/// A policy's share in a month: 求职创业补贴 (P04) before graduation, 就业见习补贴 (P06)
/// from September.
fn seasonal_weight(policy: &Policy, month: u32) -> f64 {
    match (policy.code, month) {
        ("P04", 4..=6) => policy.weight * 3.0,
        ("P06", 9..=12) => policy.weight * 2.0,
        _ => policy.weight,
    }
}

/// Fewer payments in January–February, a budget-closing peak in December.
fn lift(day: NaiveDate) -> f64 {
    match day.month() {
        1 | 2 => 0.7,
        12 => 1.4,
        _ => 1.0,
    }
}

/// Payments of the years, plus 岗位补贴 (P07, paid from the UI fund) per (year, month) in cents.
pub(crate) fn generate_subsidies(
    rng: &mut StdRng,
    persons: &[Person],
    employers: &[Employer],
    scale: f64,
    first_year: i32,
    last_year: i32,
) -> (MonthlyRows, BTreeMap<(i32, u32), i64>) {
    let per_year = (SUBSIDIES_PER_YEAR_AT_SCALE_1 * scale).max(MIN_SUBSIDIES_PER_YEAR);
    let employer_weights = CumulativeWeights::new(employers.iter().map(Employer::activity_weight));
    let districts = district_weights();
    let mut keys = DailyKeys::new("BT", 6);
    let mut rows = MonthlyRows::new(first_year, last_year);
    let mut job_subsidy_cents = BTreeMap::new();
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, per_year, lift) {
            let mix: Vec<(usize, f64)> = POLICIES
                .iter()
                .enumerate()
                .map(|(index, p)| (index, seasonal_weight(p, day.month())))
                .collect();
            for _ in 0..count {
                let policy = &POLICIES[pick_weighted(rng, &mix, 0)];
                let (object_type, id_number, uscc, district) = if policy.for_persons {
                    let (youngest, oldest) = policy.ages;
                    let Some(index) = pick_person(rng, persons, 50, |p| (youngest..=oldest).contains(&p.age_on(day))) else {
                        continue;
                    };
                    ("1", persons[index].id_number.clone(), String::new(), pick_district(rng, &districts))
                } else {
                    let Some(employer) = employer_weights.pick(rng).and_then(|index| employers.get(index)) else {
                        continue;
                    };
                    ("2", String::new(), employer.uscc.clone(), employer.district)
                };
                let cents = random_cents(rng, policy.amount.0, policy.amount.1);
                if policy.code == "P07" {
                    *job_subsidy_cents.entry((year, day.month())).or_insert(0) += cents;
                }
                let row = vec![
                    keys.next(day),
                    policy.code.to_string(),
                    policy.name.to_string(),
                    object_type.to_string(),
                    id_number,
                    uscc,
                    district.to_string(),
                    iso_date(day),
                    yuan(cents),
                    iso_timestamp(updated_on_or_after(rng, day)),
                ];
                rows.push(day, row);
            }
        }
    }
    (rows, job_subsidy_cents)
}
