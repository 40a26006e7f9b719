//! The demo-export generator: files that look like what Shanghai's legacy
//! labour-and-social-security systems hand the ETL (see `shared/contracts/source-feeds.md`).

mod applications;
mod calendar;
mod corrections;
mod defects;
mod districts;
mod employer_names;
mod employers;
mod episodes;
mod facilities;
mod flexible;
mod formats;
mod internships;
mod job_terms;
mod monthly;
mod people;
mod posting_terms;
mod postings;
mod random;
mod rows;
mod services;
mod simulation;
mod startup;
mod subsidies;
mod targets;
mod training;
mod ui_benefits;
mod ui_fund;
mod unemployment;
mod writer;

#[cfg(test)]
mod service_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::error::SeedError;

pub use defects::DEFECT_KINDS as DEMO_DEFECT_KINDS;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    /// First calendar year of the monthly exports.
    pub first_year: i32,
    /// Number of calendar years (each gets 12 monthly files).
    pub years: u32,
    /// Volume multiplier: 1.0 ≈ a Shanghai-sized year, 0.02 for quick tests.
    pub scale: f64,
    /// RNG seed; the same seed and config give byte-identical files.
    pub seed: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            first_year: 2024,
            years: 2,
            scale: 1.0,
            seed: 20240101,
        }
    }
}

/// One written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFile {
    /// Full path of the file (inside `out_dir`).
    pub path: PathBuf,
    /// Data rows (header not counted).
    pub rows: usize,
}

/// What [`generate_demo`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Every file, in the order a loader should read them (name order within a feed).
    pub files: Vec<DemoFile>,
    /// Defect kind → number of monthly rows carrying it (every kind present, maybe 0).
    pub defects: BTreeMap<&'static str, usize>,
}

/// Employers at scale 1.0.
const EMPLOYERS_AT_SCALE_1: f64 = 3_000.0;
/// Persons in the pool at scale 1.0.
const PERSONS_AT_SCALE_1: f64 = 60_000.0;
/// 招工 rows per year at scale 1.0 (退工 ≈ 93 % of that).
const HIRES_PER_YEAR_AT_SCALE_1: f64 = 110_000.0;
/// Rows in the corrections file at scale 1.0.
const CORRECTIONS_AT_SCALE_1: f64 = 300.0;

/// Writes a deterministic set of demo exports into `out_dir` (created if missing) and
/// returns what it wrote. Only the exports are written, no ground-truth files.
///
/// Files:
/// - `employer_registry_<first_year>0101.csv` (UTF-8): ≈3,000 × scale employers with a
///   valid GB 32100 统一社会信用代码 (`91` + registering district or `310000` + GB 11714
///   organisation code + check; `11`/`12`/`51`/`92` prefixes for 机关, 事业单位, 社会组织,
///   个体工商户; firms registered before a district merger keep the old district code
///   inside the USCC), names like `上海<字号><行业词>有限公司`, 单位性质 mostly 05/06,
///   行业 weighted toward Shanghai (51, 72, 65, 52, 64, 62, 70, 74, 36, 39, …), district
///   weighted 浦东 > 闵行 > 嘉定 > 松江 > 宝山 > … > 金山 > 崇明, coordinates inside the
///   district. ≈1.5 % of older employers also have an earlier version (older 更新时间,
///   fewer insured, sometimes another name or district) in the same file.
/// - `employment_registration_<YYYYMM>.csv`, one per month of the configured years:
///   招工/退工 rows from a simulated pool of ≈60,000 × scale persons (valid GB 11643 IDs;
///   region 310xxx for 户籍 1/2, other provinces for 3/4, 810000/820000/830000 for 港澳台,
///   `931<nationality>` foreign permanent-residence numbers for 外籍). Each person holds at
///   most one job at a time; 退休 (退工原因 5) only for men ≥ 55 and women ≥ 50.
/// - `employment_registration_<last YYYYMM>_corrections.csv` (sorts after that month's
///   file): ≈300 × scale rows re-sending an earlier 业务流水号; ≈2/3 carry a newer
///   更新时间 and a changed 区县代码, 单位 or 文化程度; the rest are identical re-sends
///   (half) or carry an older 更新时间 with a changed 区县代码 (half) and must change nothing.
///
/// Volumes: ≈110,000 × scale 招工 and ≈102,000 × scale 退工 rows a year (退工 ≈ 93 % of
/// 招工; a little more when few people are looking for work). ≈55 % of the pool is employed
/// at the start. ≈0.5 % of hires on day 1–18 of a month quit within 2–5 days and are hired
/// in another district 1–4 days later in the same month (a few hundred persons a year at
/// scale 1.0), so the city must count them once.
///
/// Seasonality (relative daily volume): working day 1, weekend and fixed holidays
/// (1 Jan, 1–5 May, 1–7 Oct) 0.05; Spring Festival (2018–2030 dates) 0.03 from 除夕 to
/// 初六 and 0.5 in the week before and the week after; hires ×1.15 in March, ×1.08 in
/// April, ×1.40 in June and July (graduates preferred then), ×0.95 in October, ×0.90 in
/// December; separations ×1.15 in January, ×1.12 in June–July, ×0.95 in December.
///
/// Row contents: 经办区县 = the employer's district in 92 % of rows, another district
/// otherwise, and the retired code of a merged district (310119/310103/310108/310230) in
/// ≈0.3 % of rows where one exists. 用工形式 85 % 1, 8 % 2, 7 % 3. 月工资 by education,
/// industry and age with log-normal noise (mostly 4,000–30,000; part-time 1,200–3,590;
/// empty in 3 %). 户籍类型 45/5/35/12/1.5/1.5 %. 出生日期 given in 90 % of rows.
/// 办理日期 and 出生日期 `YYYY-MM-DD` (92 %), `YYYY/M/D` (5 %), `YYYYMMDD` (3 %);
/// 更新时间 on 办理日期 (70 %) or 1–3 days later, `YYYY/M/D H:MM:SS` in 3 %.
/// 业务流水号 `ZG`/`TG` + 经办区县 + YYYYMMDD + 4-digit counter.
///
/// Files: RFC 4180, comma, CRLF, Chinese headers. The first year's March, June and
/// September files are GB18030; the first year's April file and ≈12 % of the others have
/// a UTF-8 BOM; the rest are plain UTF-8. ≈30 % of monthly files shuffle the column order
/// and ≈25 % add a `备注` column (mostly empty, some values with commas or quotes).
///
/// - `flexible_employment_<YYYYMM>.csv` (UTF-8): ≈30,000 × scale 登记 a year from the
///   same pool and ≈80 % as many 注销 (see `flexible.rs`); no defects.
/// - `unemployment_registration_<YYYYMM>.csv` (UTF-8): ≈20,000 × scale 登记 a year (ages 16
///   to retirement, more in June–August and January) and ≈90 % as many 注销 (see
///   `unemployment.rs`); no defects.
///
/// Defects, at most one per row, counted in [`DemoSummary::defects`]:
/// `id_check_digit` 0.2 %, `invalid_date` 0.15 % (`YYYY-02-30`, `YYYY-13-DD`, day 31/32),
/// `unknown_district` 0.15 % (`310199`, `310121`, `310188`), `uscc_check` 0.15 %,
/// `birth_date_mismatch` 0.15 % of monthly rows; `separation_reason_missing` 0.3 % of 退工
/// rows. The corrections file has no defects.
///
/// Service feeds (see `services.rs`), all plain UTF-8 in the contract's column order, dates
/// `YYYY-MM-DD`, 更新时间 `YYYY-MM-DD HH:MM:SS` on or shortly after the business date, and
/// **no defects** (every ID number from the pool, every USCC from the registry, districts
/// among the 16 current ones). Volumes at scale 1.0 a year; small scales keep a minimum so
/// that every monthly file has rows. Daily volumes follow the calendar above (working days,
/// Spring Festival, graduate months) times each feed's own lift.
/// - `facility_registry_<first_year>0101.csv`: ≈400 × scale (at least 30) facilities: one
///   就业促进中心 per district (`JC…`), 创业孵化基地 (`FH…`), 高技能人才培养基地 (`GJ…`),
///   评价机构 (`PJ…`), ≈35 % 就业见习基地 (`JD…`), ≈60 职业培训机构 (`PX…`), 创业园区
///   (`YQ…`), a few 公共实训基地 (`SX…`); code = prefix + district + 3-digit serial; 5 % of
///   those other than the centres closed (状态 0) and never referenced. Bases (types 2, 3,
///   5, 6, 8) carry 年度计划数 and 指导教师数 (incubators no instructors), two columns after
///   the contract's.
/// - `job_posting_<YYYYMM>.csv`: ≈25,000 postings (`GW` + 发布日期 + 5 digits) by employers
///   weighted by activity, ×1.5 in the five weeks after the Spring Festival and ×1.15 more
///   in June–July; 截止日期 30–90 days later (empty in 5 %), 月薪 in 500-yuan steps (one
///   bound empty in 3 %), 学历要求 `00` 不限 or a GB/T 4658 code, 职业 by industry, the
///   employer's industry, district and coordinates. 2 % are exported one month late: in
///   month m + 1's file with 发布日期 in month m and 更新时间 on the export day (none in the
///   last month).
/// - `job_application_<YYYYMM>.csv`: ≈120,000 applications (`YP` + date + 6 digits) of
///   persons aged 16–60 to postings open that day, mostly meeting 学历要求; 应聘状态
///   60/20/8/12 %. ≈1 % point at a late posting of the same month, so they stay pending
///   until the next month's job_posting file arrives.
/// - `training_enrollment_<YYYYMM>.csv`: ≈40,000 enrolments (`BM…`) of persons aged 16–60
///   in classes (`BJ…`, projects `XM…`) of the open training schools; 培训类型 80/15/5 %;
///   a class takes enrolments 5–25 days, runs 20–90 days and ends in a later month. Each
///   enrolment is sent in the month of 报名日期 without outcome and again, same 报名编号 and
///   newer 更新时间, in the month of 结业日期 (85 % 结业, 10 % 未结业, 5 % 退学; 70 % of 结业
///   certified at level 5/4/3/2/1 = 35/35/20/7/3 %; 补贴金额 800–6,000 for 结业 of type 1);
///   classes ending after the last month are sent once.
/// - `startup_support_<YYYYMM>.csv`: ≈6,000 cases (`CY…`), 帮扶类型 40/20/15/20/5 %, 80 %
///   persons aged 18–60, 20 % young employers; loans for type 2 only; 创业场地 in a park.
/// - `ui_benefit_payment_<YYYYMM>.csv`: ≈5,000 persons (aged 16–59) paid a month, spells of
///   3–24 months, 2,175 yuan in 2025 (±75 a year, less 0–150 for short contribution
///   records, always 1,800–2,300), one row per person and month (`FF` + YYYYMM + 7 digits).
/// - `ui_fund_monthly_<YYYY>0101.csv`: 12 rows a year; ≈500,000 × scale insured growing
///   2 % a year, 96–98 % paying 1.5 % of a 12,000-yuan wage (+4 % a year); expense = the
///   benefits paid × 1.3 + training subsidies + 岗位补贴 (P07) of the month + 1–3 % of income;
///   the balance starts at 12 months of income and chains exactly (cents).
/// - `policy_subsidy_<YYYYMM>.csv`: ≈30,000 payments (`BT…`) under P01–P07 (individual or
///   employer policies, amounts in each policy's range), P04 ×3 in April–June, P06 ×2 in
///   September–December, ×1.4 in December, ×0.7 in January–February.
/// - `internship_<YYYYMM>.csv`: ≈1,500 starts (`JX…`) of persons aged 16–34 with 文化程度
///   10–40 at open internship bases, ×3.5 in July, ×3 in August, ×2 in September; 3–12
///   months; sent at 开始日期 and again (same 见习编号, newer 更新时间) at 结束日期 with
///   是否留用 (45 % 1); 15 % 长期失业青年.
/// - `indicator_target_<YYYY>0101.csv`: 170 rows a year (310000 and the 16 districts × 10
///   indicators); 目标值 = the year's generated count × 0.95–1.05 (预警值 0.9 × 目标值), for
///   the ceiling registered_unemployed 1.1 × the year-end stock (预警值 1.2 × 目标值).
pub fn generate_demo(out_dir: &Path, cfg: &DemoConfig) -> Result<DemoSummary, SeedError> {
    validate(cfg)?;
    std::fs::create_dir_all(out_dir).map_err(|source| SeedError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let start = NaiveDate::from_ymd_opt(cfg.first_year, 1, 1)
        .ok_or_else(|| SeedError::InvalidConfig(format!("first_year {} is not a year", cfg.first_year)))?;
    let last_year = cfg.first_year + cfg.years as i32 - 1;
    let scaled = |at_scale_1: f64, minimum: usize| ((at_scale_1 * cfg.scale).round() as usize).max(minimum);

    // Separate RNG streams keep one part's output stable when another part changes.
    let mut employer_rng = stream(cfg.seed, 1);
    let mut person_rng = stream(cfg.seed, 2);
    let mut simulation_rng = stream(cfg.seed, 3);
    let mut layout_rng = stream(cfg.seed, 4);
    let mut correction_rng = stream(cfg.seed, 5);

    let mut files = Vec::new();
    let employer_set = employers::generate_employers(&mut employer_rng, scaled(EMPLOYERS_AT_SCALE_1, 20), cfg.first_year);
    let registry_path = out_dir.join(format!("employer_registry_{}0101.csv", cfg.first_year));
    let registry_rows = writer::write_employer_registry(&registry_path, &employer_set.registry_rows)?;
    files.push(DemoFile {
        path: registry_path,
        rows: registry_rows,
    });

    let persons = people::generate_persons(&mut person_rng, scaled(PERSONS_AT_SCALE_1, 200), start);
    let correction_count = scaled(CORRECTIONS_AT_SCALE_1, 1);
    let mut labour_market = simulation::Simulation::new(
        &mut simulation_rng,
        &persons,
        &employer_set.current,
        HIRES_PER_YEAR_AT_SCALE_1 * cfg.scale,
        start,
        correction_count * 3,
    );
    // Yearly counts for the indicator targets, filled while the feeds are generated.
    let mut tally = targets::Tally::default();
    for year in cfg.first_year..=last_year {
        for month in 1..=12u32 {
            let rows = labour_market.simulate_month(&mut simulation_rng, year, month);
            tally.registrations(&rows);
            let layout = writer::choose_layout(&mut layout_rng, year, month, cfg.first_year);
            let path = out_dir.join(format!("employment_registration_{year}{month:02}.csv"));
            let written = writer::write_registrations(&path, &layout, &rows, &mut layout_rng)?;
            files.push(DemoFile { path, rows: written });
        }
    }

    let defects = labour_market.defects;
    let candidates = labour_market.correction_candidates.into_items();
    let last_month_start = NaiveDate::from_ymd_opt(last_year, 12, 1).unwrap_or(start);
    let last_month_end = NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap_or(start);
    let correction_rows = corrections::build_corrections(
        &mut correction_rng,
        candidates,
        &employer_set.current,
        correction_count,
        last_month_start,
        last_month_end,
    );
    let corrections_path = out_dir.join(format!("employment_registration_{last_year}12_corrections.csv"));
    let written = writer::write_registrations(&corrections_path, &writer::corrections_layout(), &correction_rows, &mut layout_rng)?;
    files.push(DemoFile {
        path: corrections_path,
        rows: written,
    });
    let mut flexible_rng = stream(cfg.seed, 6);
    let flexible = flexible::Flexible { scale: cfg.scale };
    files.extend(episodes::write_episodes(
        &flexible,
        out_dir,
        &mut flexible_rng,
        &persons,
        cfg.first_year,
        last_year,
        &mut tally,
    )?);
    let mut unemployment_rng = stream(cfg.seed, 7);
    let unemployment = unemployment::Unemployment { scale: cfg.scale };
    files.extend(episodes::write_episodes(
        &unemployment,
        out_dir,
        &mut unemployment_rng,
        &persons,
        cfg.first_year,
        last_year,
        &mut tally,
    )?);
    let inputs = services::ServiceInputs {
        out_dir,
        cfg,
        last_year,
        persons: &persons,
        employers: &employer_set.current,
    };
    files.extend(services::write_service_feeds(&inputs, &mut tally)?);
    Ok(DemoSummary { files, defects })
}

/// An independent RNG stream derived from the seed.
fn stream(seed: u64, stream_number: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ stream_number.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn validate(cfg: &DemoConfig) -> Result<(), SeedError> {
    if cfg.years == 0 || cfg.years > 50 {
        return Err(SeedError::InvalidConfig(format!("years must be 1..=50, got {}", cfg.years)));
    }
    if !cfg.scale.is_finite() || cfg.scale <= 0.0 || cfg.scale > 100.0 {
        return Err(SeedError::InvalidConfig(format!("scale must be in (0, 100], got {}", cfg.scale)));
    }
    if !(1950..=2200).contains(&cfg.first_year) {
        return Err(SeedError::InvalidConfig(format!(
            "first_year must be in 1950..=2200, got {}",
            cfg.first_year
        )));
    }
    Ok(())
}
