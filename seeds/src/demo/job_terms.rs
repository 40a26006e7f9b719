//! The terms of a job: 用工形式, 月工资 and 退工原因.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

use super::employers::Employer;
use super::people::Person;
use super::random::{chance, pick_weighted, standard_normal};

/// Share of rows that give 月工资.
const WAGE_GIVEN_SHARE: f64 = 0.97;
/// Shanghai's minimum monthly wage (2023-07 onward), yuan.
const MINIMUM_WAGE: f64 = 2690.0;

/// 用工形式: 85 % 直接用工, 8 % 劳务派遣, 7 % 非全日制.
pub(crate) const EMPLOYMENT_FORM_MIX: [(&str, f64); 3] = [("1", 85.0), ("2", 8.0), ("3", 7.0)];
/// 退工原因 of unplanned separations other than 退休.
const SEPARATION_REASON_MIX: [(&str, f64); 5] = [("1", 22.0), ("2", 9.0), ("3", 42.0), ("4", 22.0), ("9", 5.0)];
/// 退工原因 of the quick job switches.
pub(crate) const SWITCH_REASON_MIX: [(&str, f64); 3] = [("3", 6.0), ("4", 3.0), ("9", 1.0)];

/// 退工原因 for an unplanned separation; 5 退休 only for men ≥ 55 and women ≥ 50.
pub(crate) fn separation_reason(rng: &mut StdRng, person: &Person, date: NaiveDate) -> &'static str {
    let age = person.age_on(date);
    let retirement_chance = match (person.is_male(), age) {
        (true, 60..) => 0.75,
        (true, 55..) => 0.05,
        (false, 55..) => 0.6,
        (false, 50..) => 0.35,
        _ => 0.0,
    };
    if chance(rng, retirement_chance) {
        "5"
    } else {
        pick_weighted(rng, &SEPARATION_REASON_MIX, "3")
    }
}

/// 月工资 in yuan by education, industry and age, log-normal noise; part-time lower.
pub(crate) fn monthly_wage(rng: &mut StdRng, person: &Person, employer: &Employer, form: &str, date: NaiveDate) -> Option<u32> {
    if !chance(rng, WAGE_GIVEN_SHARE) {
        return None;
    }
    if form == "3" {
        return Some(rng.random_range(120..360u32) * 10);
    }
    let by_education = match person.education {
        "10" => 17_000.0,
        "20" => 11_500.0,
        "30" => 7_800.0,
        "40" => 6_200.0,
        "60" => 5_800.0,
        "70" => 5_200.0,
        "80" => 4_500.0,
        _ => 5_000.0,
    };
    let by_industry = match employer.industry {
        "64" | "65" | "66" | "67" | "68" | "69" => 1.4,
        "73" | "74" | "75" | "63" => 1.25,
        "36" | "39" | "72" | "27" => 1.1,
        "61" | "62" | "80" | "81" | "82" | "52" => 0.8,
        _ => 1.0,
    };
    let by_age = match person.age_on(date) {
        ..=25 => 0.85,
        26..=35 => 1.0,
        36..=45 => 1.1,
        _ => 0.95,
    };
    let by_form = if form == "2" { 0.9 } else { 1.0 };
    let noise = (0.28 * standard_normal(rng)).exp();
    let wage = (by_education * by_industry * by_age * by_form * noise).clamp(MINIMUM_WAGE, 120_000.0);
    Some(((wage / 50.0).round() * 50.0) as u32)
}
