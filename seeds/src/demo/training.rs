//! 职业培训报名与结业 (training_enrollment): people of the pool aged 16–60 enrol in classes
//! of the 职业培训机构 of the facility registry. A class takes enrolments for 5–25 days,
//! then runs 20–90 days, ending in a later month than its enrolments. Each enrolment is
//! exported twice with the same 报名编号: in the month of 报名日期 without outcome, and
//! again (newer 更新时间) in the month of 结业日期 with 结业状态, 是否取证, 证书等级,
//! 实际打卡次数 and 补贴金额 — never twice in one file. Classes ending after the last
//! generated month are exported once. No defects are injected here.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::add_days;
use super::facilities::Facility;
use super::formats::{iso_date, iso_timestamp};
use super::monthly::{DailyKeys, MonthlyRows, birth_date_text, daily_volumes, next_month_start, random_cents, updated_on_or_after, yuan};
use super::people::Person;
use super::random::{chance, pick, pick_weighted};
use super::targets::Tally;

pub(crate) const TRAINING_HEADERS: [&str; 22] = [
    "报名编号",
    "培训机构代码",
    "培训机构名称",
    "项目编号",
    "课程名称",
    "班级编号",
    "公民身份号码",
    "性别",
    "出生日期",
    "户籍类型",
    "文化程度",
    "区县代码",
    "培训类型",
    "报名日期",
    "结业日期",
    "结业状态",
    "是否取证",
    "证书等级",
    "应打卡次数",
    "实际打卡次数",
    "补贴金额",
    "更新时间",
];

/// Enrolments a year at scale 1.0 (Shanghai ≈800,000 subsidised trainings a year / 20).
pub(crate) const ENROLMENTS_PER_YEAR_AT_SCALE_1: f64 = 40_000.0;
const MIN_ENROLMENTS_PER_YEAR: f64 = 600.0;
/// 培训类型: 1 补贴性职业培训, 2 企业新型学徒制, 9 其他 (one per class).
const TRAINING_TYPE_MIX: [(&str, f64); 3] = [("1", 80.0), ("2", 15.0), ("9", 5.0)];
/// 结业状态: 1 结业, 2 未结业, 3 退学.
const OUTCOME_MIX: [(&str, f64); 3] = [("1", 85.0), ("2", 10.0), ("3", 5.0)];
/// Share of 结业 that obtain a certificate.
const CERTIFIED_SHARE: f64 = 0.7;
/// 证书等级 5 初级工 … 1 高级技师.
const LEVEL_MIX: [(&str, f64); 5] = [("5", 35.0), ("4", 35.0), ("3", 20.0), ("2", 7.0), ("1", 3.0)];
/// Chance that an enrolment opens a new class rather than joining an open one.
const NEW_CLASS_SHARE: f64 = 0.04;
/// Share of rows giving 出生日期.
const BIRTH_DATE_SHARE: f64 = 0.9;

/// 课程名称 and the subsidy of a completed subsidised class (yuan, before ±20 %).
const COURSES: [(&str, f64); 24] = [
    ("电工", 2_400.0),
    ("育婴员", 1_800.0),
    ("养老护理员", 2_000.0),
    ("保育师", 1_800.0),
    ("中式烹调师", 2_200.0),
    ("中式面点师", 2_000.0),
    ("西式面点师", 2_600.0),
    ("美容师", 2_400.0),
    ("美发师", 2_200.0),
    ("人工智能训练师", 4_800.0),
    ("网络与信息安全管理员", 4_500.0),
    ("数控车工", 3_600.0),
    ("焊工", 3_200.0),
    ("茶艺师", 1_500.0),
    ("健康照护师", 2_000.0),
    ("家政服务员", 1_000.0),
    ("插花花艺师", 1_200.0),
    ("电子商务师", 2_800.0),
    ("互联网营销师", 2_600.0),
    ("企业人力资源管理师", 3_000.0),
    ("汽车维修工", 3_400.0),
    ("眼镜验光员", 2_400.0),
    ("保安员", 1_000.0),
    ("工业机器人系统运维员", 5_000.0),
];

/// One class of a training school.
struct Class {
    school: usize,
    project: String,
    code: String,
    course: usize,
    training_type: &'static str,
    /// Last day of enrolment.
    closes: NaiveDate,
    /// 结业日期.
    ends: NaiveDate,
    capacity: u32,
    enrolled: u32,
    /// 应打卡次数.
    sessions: u32,
}

/// What the rest of the generator needs to know.
pub(crate) struct TrainingOutput {
    pub rows: MonthlyRows,
    /// 补贴金额 paid per (year, month) of 结业日期, in cents (for the UI fund's expense).
    pub subsidy_cents: BTreeMap<(i32, u32), i64>,
}

/// Enrolments of the years at the open training schools of `schools`.
pub(crate) fn generate_training(
    rng: &mut StdRng,
    persons: &[Person],
    schools: &[&Facility],
    scale: f64,
    first_year: i32,
    last_year: i32,
    tally: &mut Tally,
) -> TrainingOutput {
    let per_year = (ENROLMENTS_PER_YEAR_AT_SCALE_1 * scale).max(MIN_ENROLMENTS_PER_YEAR);
    let mut keys = DailyKeys::new("BM", 6);
    let mut output = TrainingOutput {
        rows: MonthlyRows::new(first_year, last_year),
        subsidy_cents: BTreeMap::new(),
    };
    let mut classes: Vec<Class> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut projects: HashMap<(usize, usize, i32), String> = HashMap::new();
    // Nobody sits in two classes at once.
    let mut busy_until: Vec<Option<NaiveDate>> = vec![None; persons.len()];
    if schools.is_empty() || persons.is_empty() {
        return output;
    }
    for year in first_year..=last_year {
        for (day, count) in daily_volumes(rng, year, per_year, lift) {
            open.retain(|&index| classes[index].closes >= day && classes[index].enrolled < classes[index].capacity);
            for _ in 0..count {
                let free =
                    |index: usize| (16..=60).contains(&persons[index].age_on(day)) && busy_until[index].is_none_or(|until| until < day);
                let Some(person) = (0..20).map(|_| rng.random_range(0..persons.len())).find(|&index| free(index)) else {
                    continue;
                };
                let class = match pick(rng, &open).copied() {
                    Some(index) if !chance(rng, NEW_CLASS_SHARE) => index,
                    _ => {
                        let class = new_class(rng, day, schools, classes.len(), &mut projects);
                        classes.push(class);
                        open.push(classes.len() - 1);
                        classes.len() - 1
                    }
                };
                classes[class].enrolled += 1;
                busy_until[person] = Some(classes[class].ends);
                enrol(
                    rng,
                    &mut output,
                    tally,
                    keys.next(day),
                    day,
                    &classes[class],
                    schools,
                    &persons[person],
                );
            }
        }
    }
    output
}

/// More enrolments in spring and autumn, fewer around the Spring Festival and in summer.
fn lift(day: NaiveDate) -> f64 {
    match day.month() {
        1 | 2 => 0.85,
        3..=5 => 1.15,
        7 | 8 => 0.9,
        9..=11 => 1.1,
        _ => 1.0,
    }
}

fn new_class(
    rng: &mut StdRng,
    day: NaiveDate,
    schools: &[&Facility],
    serial: usize,
    projects: &mut HashMap<(usize, usize, i32), String>,
) -> Class {
    let school = rng.random_range(0..schools.len());
    let course = rng.random_range(0..COURSES.len());
    let project_count = projects.len();
    let project = projects
        .entry((school, course, day.year()))
        .or_insert_with(|| format!("XM{}{:05}", day.year(), project_count + 1))
        .clone();
    let closes = add_days(day, rng.random_range(5..=25));
    let duration = rng.random_range(20..=90u32);
    // A class ends in a later month than its enrolment closes, so the two rows of an
    // enrolment are always in different files (a short class runs into the next month).
    let mut ends = add_days(closes, u64::from(duration));
    if (ends.year(), ends.month()) == (closes.year(), closes.month()) {
        ends = add_days(next_month_start(closes), rng.random_range(0..7));
    }
    let duration = ends.signed_duration_since(closes).num_days() as u32;
    Class {
        school,
        project,
        code: format!("BJ{}{:05}", day.format("%Y%m"), serial + 1),
        course,
        training_type: pick_weighted(rng, &TRAINING_TYPE_MIX, "1"),
        closes,
        ends,
        capacity: rng.random_range(15..=45),
        enrolled: 0,
        sessions: (duration * 2 / 3 + rng.random_range(0..=10)).clamp(20, 90),
    }
}

/// The enrolment row, and the completion row when the class ends inside the years.
#[allow(clippy::too_many_arguments)]
fn enrol(
    rng: &mut StdRng,
    output: &mut TrainingOutput,
    tally: &mut Tally,
    id: String,
    day: NaiveDate,
    class: &Class,
    schools: &[&Facility],
    person: &Person,
) {
    let school = schools[class.school];
    let (course, subsidy_base) = COURSES[class.course];
    let mut row = vec![
        id,
        school.code.clone(),
        school.name.clone(),
        class.project.clone(),
        course.to_string(),
        class.code.clone(),
        person.id_number.clone(),
        person.gender.to_string(),
        birth_date_text(rng, person, BIRTH_DATE_SHARE),
        person.hukou.to_string(),
        person.education.to_string(),
        school.district.to_string(),
        class.training_type.to_string(),
        iso_date(day),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        class.sessions.to_string(),
        "0".to_string(),
        String::new(),
        iso_timestamp(updated_on_or_after(rng, day)),
    ];
    if class.training_type == "1" {
        tally.person("subsidized_training_persons", day, school.district, &person.id_number);
    }
    output.rows.push(day, row.clone());

    // The outcome is drawn now so that the RNG sequence does not depend on the years.
    let outcome = pick_weighted(rng, &OUTCOME_MIX, "1");
    let attended_share = match outcome {
        "1" => rng.random_range(0.8..=1.0),
        "2" => rng.random_range(0.4..0.8),
        _ => rng.random_range(0.05..0.4),
    };
    let certified = outcome == "1" && chance(rng, CERTIFIED_SHARE);
    let level = if certified { pick_weighted(rng, &LEVEL_MIX, "5") } else { "" };
    let subsidy = (outcome == "1" && class.training_type == "1").then(|| {
        let bonus = if certified { 1.1 } else { 1.0 };
        random_cents(rng, subsidy_base * 0.8 * bonus, subsidy_base * 1.2 * bonus).clamp(80_000, 600_000)
    });
    let updated_at = updated_on_or_after(rng, class.ends);
    row[14] = iso_date(class.ends);
    row[15] = outcome.to_string();
    row[16] = if certified { "1" } else { "0" }.to_string();
    row[17] = level.to_string();
    row[19] = ((f64::from(class.sessions) * attended_share).round() as u32)
        .min(class.sessions)
        .to_string();
    row[20] = subsidy.map(yuan).unwrap_or_default();
    row[21] = iso_timestamp(updated_at);
    if output.rows.push(class.ends, row) {
        if let Some(cents) = subsidy {
            *output.subsidy_cents.entry((class.ends.year(), class.ends.month())).or_insert(0) += cents;
        }
        if certified {
            tally.person("certified_persons", class.ends, school.district, &person.id_number);
        }
    }
}
