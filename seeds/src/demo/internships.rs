//! 就业见习 (internship): young people of the pool (16–34, 研究生 to 中职) start 3–12 month
//! internships at the 就业见习基地 of the facility registry, most right after graduation
//! (July–September). Like training, each internship is exported twice with the same
//! 见习编号: in the month of 开始日期 without 结束日期 and 是否留用, and again (newer
//! 更新时间) in the month of 结束日期 with both. Internships ending after the last generated
//! month are exported once. No defects are injected here.

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::facilities::Facility;
use super::formats::{iso_date, iso_timestamp};
use super::monthly::{DailyKeys, MonthlyRows, daily_volumes, updated_on_or_after};
use super::people::Person;
use super::random::{chance, pick};
use super::targets::Tally;

pub(crate) const INTERNSHIP_HEADERS: [&str; 12] = [
    "见习编号",
    "见习基地编号",
    "公民身份号码",
    "性别",
    "出生日期",
    "文化程度",
    "区县代码",
    "开始日期",
    "结束日期",
    "是否留用",
    "是否长期失业青年",
    "更新时间",
];

/// Internships started a year at scale 1.0.
pub(crate) const INTERNSHIPS_PER_YEAR_AT_SCALE_1: f64 = 1_500.0;
/// Fewest a year: enough for a few rows in the quiet months at small scales.
const MIN_INTERNSHIPS_PER_YEAR: f64 = 150.0;
/// Share of interns kept on by the base.
const RETAINED_SHARE: f64 = 0.45;
/// Share of interns who are 长期失业青年.
const LONG_TERM_UNEMPLOYED_SHARE: f64 = 0.15;
/// Education an intern may have: 研究生, 本科, 专科, 中职.
const INTERN_EDUCATION: [&str; 4] = ["10", "20", "30", "40"];

/// Graduates start in July–September.
fn lift(day: NaiveDate) -> f64 {
    match day.month() {
        6 => 1.2,
        7 => 3.5,
        8 => 3.0,
        9 => 2.0,
        _ => 1.0,
    }
}

/// Internships of the years at the open internship bases of `bases`.
pub(crate) fn generate_internships(
    rng: &mut StdRng,
    persons: &[Person],
    bases: &[&Facility],
    scale: f64,
    first_year: i32,
    last_year: i32,
    tally: &mut Tally,
) -> MonthlyRows {
    let per_year = (INTERNSHIPS_PER_YEAR_AT_SCALE_1 * scale).max(MIN_INTERNSHIPS_PER_YEAR);
    let mut keys = DailyKeys::new("JX", 5);
    let mut rows = MonthlyRows::new(first_year, last_year);
    let mut busy_until: Vec<Option<NaiveDate>> = vec![None; persons.len()];
    if bases.is_empty() || persons.is_empty() {
        return rows;
    }
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, per_year, lift) {
            for _ in 0..count {
                let fits = |index: usize| {
                    let person = &persons[index];
                    (16..=34).contains(&person.age_on(day))
                        && INTERN_EDUCATION.contains(&person.education)
                        && busy_until[index].is_none_or(|until| until < day)
                };
                let Some(index) = (0..40).map(|_| rng.random_range(0..persons.len())).find(|&i| fits(i)) else {
                    continue;
                };
                let Some(base) = pick(rng, bases).copied() else {
                    continue;
                };
                let months = rng.random_range(3..=12u32);
                let ends = day.checked_add_months(Months::new(months)).unwrap_or(day);
                busy_until[index] = Some(ends);
                let person = &persons[index];
                tally.person("interns", day, base.district, &person.id_number);
                let mut row = vec![
                    keys.next(day),
                    base.code.clone(),
                    person.id_number.clone(),
                    person.gender.to_string(),
                    iso_date(person.birth_date),
                    person.education.to_string(),
                    base.district.to_string(),
                    iso_date(day),
                    String::new(),
                    String::new(),
                    if chance(rng, LONG_TERM_UNEMPLOYED_SHARE) { "1" } else { "0" }.to_string(),
                    iso_timestamp(updated_on_or_after(rng, day)),
                ];
                rows.push(day, row.clone());
                row[8] = iso_date(ends);
                row[9] = if chance(rng, RETAINED_SHARE) { "1" } else { "0" }.to_string();
                row[11] = iso_timestamp(updated_on_or_after(rng, ends));
                rows.push(ends, row);
            }
        }
    }
    rows
}
