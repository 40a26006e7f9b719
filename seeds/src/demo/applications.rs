//! 求职应聘 (job_application): people of the pool aged 16–60 apply to postings that are
//! open on the day (发布日期 ≤ 应聘日期 ≤ 截止日期, or 发布日期 + 60 days without one),
//! preferring postings whose 学历要求 they meet. One row per application, in the month file
//! of its 应聘日期.
//!
//! Pending references: ≈1 % of applications point at a posting published earlier in the
//! same month that is only exported in the next month's job_posting file (a late export,
//! see `postings.rs`); the ETL keeps such applications pending until the posting arrives.
//! The last generated month has none. No defects are injected here.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::add_days;
use super::formats::{iso_date, iso_timestamp, office_time_on};
use super::monthly::{DailyKeys, MonthlyRows, daily_volumes, is_after_festival, pick_person, updated_on_or_after};
use super::people::Person;
use super::posting_terms::meets_requirement;
use super::postings::Posting;
use super::random::{chance, pick, pick_weighted};

pub(crate) const APPLICATION_HEADERS: [&str; 6] = ["应聘编号", "岗位编号", "公民身份号码", "应聘日期", "应聘状态", "更新时间"];

/// Applications a year at scale 1.0.
pub(crate) const APPLICATIONS_PER_YEAR_AT_SCALE_1: f64 = 120_000.0;
const MIN_APPLICATIONS_PER_YEAR: f64 = 2_400.0;
/// Share of applications pointing at a posting of the same month exported a month late.
pub(crate) const PENDING_SHARE: f64 = 0.01;
/// 应聘状态: 1 已投递, 2 面试, 3 录用, 4 未录用.
const STATUS_MIX: [(&str, f64); 4] = [("1", 60.0), ("2", 20.0), ("3", 8.0), ("4", 12.0)];
/// Draws of a person meeting 学历要求 before anyone of working age will do.
const MATCH_TRIES: usize = 8;

/// ×1.4 in the weeks after the Spring Festival; the calendar adds the graduate peak.
fn lift(day: NaiveDate) -> f64 {
    if is_after_festival(day) { 1.4 } else { 1.0 }
}

/// Applications of the years to `postings` (in 发布日期 order), by month of 应聘日期.
pub(crate) fn generate_applications(
    rng: &mut StdRng,
    persons: &[Person],
    postings: &[Posting],
    scale: f64,
    first_year: i32,
    last_year: i32,
) -> MonthlyRows {
    let per_year = (APPLICATIONS_PER_YEAR_AT_SCALE_1 * scale).max(MIN_APPLICATIONS_PER_YEAR);
    let mut keys = DailyKeys::new("YP", 6);
    let mut rows = MonthlyRows::new(first_year, last_year);
    let mut next = 0;
    // Postings exported on time and open; late postings of the current month (they join
    // the open ones once the next month's export has brought them).
    let mut open: Vec<usize> = Vec::new();
    let mut late_this_month: Vec<usize> = Vec::new();
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, per_year, lift) {
            if day.day() == 1 {
                open.append(&mut late_this_month);
            }
            while let Some(posting) = postings.get(next).filter(|p| p.published <= day) {
                if posting.late {
                    late_this_month.push(next);
                } else {
                    open.push(next);
                }
                next += 1;
            }
            open.retain(|&index| postings[index].open_until >= day);
            for _ in 0..count {
                let from_late = !late_this_month.is_empty() && chance(rng, PENDING_SHARE);
                let candidates = if from_late { &late_this_month } else { &open };
                let Some(posting) = pick(rng, candidates).map(|&index| &postings[index]) else {
                    continue;
                };
                let Some(person) = applicant(rng, persons, day, posting.education_required) else {
                    continue;
                };
                rows.push(day, row(rng, keys.next(day), posting, &persons[person], day));
            }
        }
    }
    rows
}

/// Someone aged 16–60 on `day`, meeting 学历要求 when one of a few draws does.
fn applicant(rng: &mut StdRng, persons: &[Person], day: NaiveDate, required: &str) -> Option<usize> {
    let of_age = |person: &Person| (16..=60).contains(&person.age_on(day));
    pick_person(rng, persons, MATCH_TRIES, |p| of_age(p) && meets_requirement(p.education, required))
        .or_else(|| pick_person(rng, persons, 50, of_age))
}

fn row(rng: &mut StdRng, id: String, posting: &Posting, person: &Person, day: NaiveDate) -> Vec<String> {
    let status = pick_weighted(rng, &STATUS_MIX, "1");
    // An interview or a decision is recorded days after the application.
    let updated_at = if status == "1" {
        updated_on_or_after(rng, day)
    } else {
        let decided_on = add_days(day, rng.random_range(2..=14));
        office_time_on(rng, decided_on)
    };
    vec![
        id,
        posting.id.clone(),
        person.id_number.clone(),
        iso_date(day),
        status.to_string(),
        iso_timestamp(updated_at),
    ]
}
