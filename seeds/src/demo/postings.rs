//! 公共招聘岗位 (job_posting): employers of the registry post vacancies, the larger and
//! more active ones more often, most in the 春风行动 weeks after the Spring Festival and in
//! the graduate season. A small share of postings reaches the platform a month late: it is
//! published in month m but only exported in month m + 1's file (never in the last month),
//! and a few applications of month m already point at it (see `applications.rs`).
//! No defects are injected here.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::add_days;
use super::employers::Employer;
use super::formats::{iso_date, iso_timestamp, office_time_on};
use super::monthly::{DailyKeys, MonthlyRows, daily_volumes, is_after_festival, next_month_start, updated_on_or_after};
use super::posting_terms::{description, education_required, headcount, occupation, salary_range, title};
use super::random::{CumulativeWeights, chance};
use super::targets::Tally;

pub(crate) const POSTING_HEADERS: [&str; 17] = [
    "岗位编号",
    "发布日期",
    "截止日期",
    "单位统一社会信用代码",
    "单位名称",
    "行业代码",
    "区县代码",
    "职业代码",
    "岗位名称",
    "招聘人数",
    "月薪下限",
    "月薪上限",
    "学历要求",
    "岗位描述",
    "经度",
    "纬度",
    "更新时间",
];

/// Postings a year at scale 1.0 (Shanghai's public channels ≈500,000 a year / 20).
pub(crate) const POSTINGS_PER_YEAR_AT_SCALE_1: f64 = 25_000.0;
/// Fewest postings a year, so that a small scale still fills every monthly file.
const MIN_POSTINGS_PER_YEAR: f64 = 600.0;
/// Share of postings exported one month late (none published in the last month).
pub(crate) const LATE_EXPORT_SHARE: f64 = 0.02;
/// Share of postings without 截止日期.
const NO_DEADLINE_SHARE: f64 = 0.05;
/// How long a posting without 截止日期 takes applications.
pub(crate) const OPEN_WITHOUT_DEADLINE_DAYS: u64 = 60;
/// Share of postings leaving out 月薪下限 or 月薪上限 (half each).
const SALARY_MISSING_SHARE: f64 = 0.03;

/// What the application feed needs to know of a posting.
pub(crate) struct Posting {
    pub id: String,
    pub published: NaiveDate,
    /// Last day applications may arrive: 截止日期, or 发布日期 + 60 days without one.
    pub open_until: NaiveDate,
    /// 学历要求 (`00` 不限).
    pub education_required: &'static str,
    /// Exported in the next month's file rather than the month of 发布日期.
    pub late: bool,
}

/// Postings a year at this scale.
pub(crate) fn postings_per_year(scale: f64) -> f64 {
    (POSTINGS_PER_YEAR_AT_SCALE_1 * scale).max(MIN_POSTINGS_PER_YEAR)
}

/// ×1.5 in the weeks after the Spring Festival, ×1.15 on top of the calendar's graduate
/// peak in June–July.
fn lift(day: NaiveDate) -> f64 {
    if is_after_festival(day) {
        1.5
    } else if matches!(day.month(), 6 | 7) {
        1.15
    } else {
        1.0
    }
}

/// Every posting of the years in 发布日期 order, plus their rows by export month.
pub(crate) fn generate_postings(
    rng: &mut StdRng,
    employers: &[Employer],
    scale: f64,
    first_year: i32,
    last_year: i32,
    tally: &mut Tally,
) -> (Vec<Posting>, MonthlyRows) {
    let weights = CumulativeWeights::new(employers.iter().map(Employer::activity_weight));
    let mut keys = DailyKeys::new("GW", 5);
    let mut postings = Vec::new();
    let mut rows = MonthlyRows::new(first_year, last_year);
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, postings_per_year(scale), lift) {
            for _ in 0..count {
                let Some(employer) = weights.pick(rng).and_then(|index| employers.get(index)) else {
                    continue;
                };
                let last_month = year == last_year && day.month() == 12;
                let late = !last_month && chance(rng, LATE_EXPORT_SHARE);
                let exported_on = if late {
                    add_days(next_month_start(day), rng.random_range(0..5))
                } else {
                    day
                };
                let (row, posting) = posting(rng, keys.next(day), day, employer, late.then_some(exported_on));
                tally.count("postings", day, employer.district, 1);
                rows.push(exported_on, row);
                postings.push(posting);
            }
        }
    }
    (postings, rows)
}

/// One posting published on `day`; `late_export` is the day of the next month's export
/// that carries a late one.
fn posting(rng: &mut StdRng, id: String, day: NaiveDate, employer: &Employer, late_export: Option<NaiveDate>) -> (Vec<String>, Posting) {
    let deadline = (!chance(rng, NO_DEADLINE_SHARE)).then(|| add_days(day, rng.random_range(30..=90)));
    let occupation = occupation(rng, employer.industry);
    let title = title(rng, occupation, employer.industry);
    let required = education_required(rng, occupation);
    let (lower, upper) = salary_range(rng, occupation, required);
    let missing = rng.random::<f64>();
    let lower_text = if missing < SALARY_MISSING_SHARE / 2.0 {
        String::new()
    } else {
        lower.to_string()
    };
    let upper_text = if (SALARY_MISSING_SHARE / 2.0..SALARY_MISSING_SHARE).contains(&missing) {
        String::new()
    } else {
        upper.to_string()
    };
    let updated_at = match late_export {
        // Entered when the late export was made, early in the next month.
        Some(export_day) => office_time_on(rng, export_day),
        None => updated_on_or_after(rng, day),
    };
    let row = vec![
        id.clone(),
        iso_date(day),
        deadline.map(iso_date).unwrap_or_default(),
        employer.uscc.clone(),
        employer.name.clone(),
        employer.industry.to_string(),
        employer.district.to_string(),
        occupation.to_string(),
        title.to_string(),
        headcount(rng).to_string(),
        lower_text,
        upper_text,
        required.to_string(),
        description(rng, occupation, title, required),
        format!("{:.6}", employer.longitude),
        format!("{:.6}", employer.latitude),
        iso_timestamp(updated_at),
    ];
    let posting = Posting {
        id,
        published: day,
        open_until: deadline.unwrap_or_else(|| add_days(day, OPEN_WITHOUT_DEADLINE_DAYS)),
        education_required: required,
        late: late_export.is_some(),
    };
    (row, posting)
}
