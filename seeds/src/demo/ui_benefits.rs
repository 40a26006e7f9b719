//! 失业保险金发放 (ui_benefit_payment): people of the pool aged 16–59 draw unemployment
//! benefit for 核定领金月数 (3–24) consecutive months, one row per person and paid month in
//! that month's file. The first month starts with a full stock of running benefit spells;
//! new spells start each month so that the stock stays near its level (more in January and
//! in summer, after contracts end). Paid in a nightly batch from the 10th of the month.
//! No defects are injected here.

use std::collections::{BTreeMap, HashSet};

use chrono::{Months, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::{add_days, is_fixed_holiday, is_weekend};
use super::districts::{district_weights, pick_district};
use super::formats::{iso_date, iso_timestamp};
use super::monthly::{MonthlyRows, yuan};
use super::people::Person;
use super::random::stochastic_round;

pub(crate) const UI_BENEFIT_HEADERS: [&str; 9] = [
    "发放流水号",
    "公民身份号码",
    "性别",
    "出生日期",
    "区县代码",
    "发放年月",
    "发放金额",
    "核定领金月数",
    "更新时间",
];

/// Persons paid each month at scale 1.0.
pub(crate) const RECIPIENTS_PER_MONTH_AT_SCALE_1: f64 = 5_000.0;
const MIN_RECIPIENTS_PER_MONTH: f64 = 60.0;
/// Mean of [`entitled_months`] (for the inflow that keeps the stock steady).
const MEAN_ENTITLED_MONTHS: f64 = 13.4;
/// Lower monthly amounts for shorter contribution records (yuan).
const TIER_REDUCTIONS: [i64; 4] = [0, 50, 100, 150];

/// A running benefit spell.
struct Spell {
    person: usize,
    months: u32,
    paid: u32,
    district: &'static str,
    tier: usize,
}

/// Shanghai's monthly benefit standard in yuan: 2,175 in 2025, ≈75 more or less a year,
/// kept inside 1,980–2,300 (so amounts stay in 1,830–2,300 after the tiers).
pub(crate) fn monthly_standard(year: i32) -> i64 {
    (2_175 + 75 * i64::from(year - 2025)).clamp(1_980, 2_300)
}

/// 核定领金月数 by contribution years: ≤12 for 1–5 years, 13–18 for 5–10, 19–24 for more.
fn entitled_months(rng: &mut StdRng) -> u32 {
    let band = rng.random::<f64>();
    if band < 0.45 {
        rng.random_range(3..=12)
    } else if band < 0.75 {
        rng.random_range(13..=18)
    } else {
        rng.random_range(19..=24)
    }
}

/// (核定领金月数, months already paid) of a spell running when the first month starts:
/// long spells are more likely to be running (length-biased draw), and each is part-way.
fn running_spell(rng: &mut StdRng) -> (u32, u32) {
    loop {
        let months = entitled_months(rng);
        if rng.random_range(0..24) < months {
            return (months, rng.random_range(0..months));
        }
    }
}

/// More spells start in January (contracts ending with the year) and July–August.
fn inflow_factor(month: u32) -> f64 {
    match month {
        1 => 1.2,
        2 => 0.8,
        7 | 8 => 1.15,
        12 => 0.9,
        _ => 1.0,
    }
}

/// The payment day: the first working day from the 10th of the month.
fn payment_day(year: i32, month: u32) -> NaiveDate {
    let mut day = NaiveDate::from_ymd_opt(year, month, 10).unwrap_or_default();
    while is_weekend(day) || is_fixed_holiday(day) {
        day = add_days(day, 1);
    }
    day
}

/// Rows of the years plus the amount paid per (year, month), in cents.
pub(crate) fn generate_benefits(
    rng: &mut StdRng,
    persons: &[Person],
    scale: f64,
    first_year: i32,
    last_year: i32,
) -> (MonthlyRows, BTreeMap<(i32, u32), i64>) {
    let stock = (RECIPIENTS_PER_MONTH_AT_SCALE_1 * scale).max(MIN_RECIPIENTS_PER_MONTH);
    let districts = district_weights();
    let mut rows = MonthlyRows::new(first_year, last_year);
    let mut paid_cents = BTreeMap::new();
    let mut spells: Vec<Spell> = Vec::new();
    let mut drawing: HashSet<usize> = HashSet::new();
    if persons.is_empty() {
        return (rows, paid_cents);
    }
    for year in first_year..=last_year {
        for month in 1..=12u32 {
            let first_day = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
            let opening = year == first_year && month == 1;
            let starting = if opening {
                stochastic_round(rng, stock)
            } else {
                stochastic_round(rng, stock / MEAN_ENTITLED_MONTHS * inflow_factor(month))
            };
            for _ in 0..starting {
                let (months, paid) = if opening { running_spell(rng) } else { (entitled_months(rng), 0) };
                let last_paid = first_day.checked_add_months(Months::new(months - paid - 1)).unwrap_or(first_day);
                let fits = |index: usize| {
                    let person = &persons[index];
                    !drawing.contains(&index) && person.age_on(first_day) >= 16 && person.age_on(last_paid) <= 59
                };
                let Some(person) = (0..30).map(|_| rng.random_range(0..persons.len())).find(|&index| fits(index)) else {
                    continue;
                };
                drawing.insert(person);
                spells.push(Spell {
                    person,
                    months,
                    paid,
                    district: pick_district(rng, &districts),
                    tier: rng.random_range(0..TIER_REDUCTIONS.len()),
                });
            }
            let day = payment_day(year, month);
            let standard = monthly_standard(year);
            let mut serial = 0u32;
            let mut month_total = 0i64;
            for spell in &mut spells {
                let person = &persons[spell.person];
                serial += 1;
                let cents = (standard - TIER_REDUCTIONS[spell.tier]) * 100;
                month_total += cents;
                let batch_time = day
                    .and_hms_opt(rng.random_range(19..24), rng.random_range(0..60), rng.random_range(0..60))
                    .unwrap_or_default();
                rows.push(
                    day,
                    vec![
                        format!("FF{year}{month:02}{serial:07}"),
                        person.id_number.clone(),
                        person.gender.to_string(),
                        iso_date(person.birth_date),
                        spell.district.to_string(),
                        format!("{year}-{month:02}"),
                        yuan(cents),
                        spell.months.to_string(),
                        iso_timestamp(batch_time),
                    ],
                );
                spell.paid += 1;
            }
            paid_cents.insert((year, month), month_total);
            spells.retain(|spell| {
                let running = spell.paid < spell.months;
                if !running {
                    drawing.remove(&spell.person);
                }
                running
            });
        }
    }
    (rows, paid_cents)
}
