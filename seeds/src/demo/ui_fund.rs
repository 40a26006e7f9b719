//! 失业保险基金月度收支（全市）(ui_fund_monthly): one row per month in one file per year.
//! The insured grow ≈2 % a year; income is what the paying insured contribute; expense is
//! what the other demo feeds paid from the fund that month (benefits, training subsidies,
//! 岗位补贴) plus the medical-insurance contributions of recipients and running costs, so
//! the fund figures agree with the detail feeds. Amounts in yuan with two decimals, kept in
//! cents so that 期末结余 = previous 期末结余 + 基金收入 − 基金支出 holds exactly.
//! No defects are injected here.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

use super::DemoFile;
use super::calendar::add_days;
use super::formats::{iso_timestamp, office_time_on};
use super::monthly::{next_month_start, yuan};
use super::random::standard_normal;
use super::writer::{FileEncoding, write_csv};
use crate::error::SeedError;

pub(crate) const UI_FUND_HEADERS: [&str; 7] = ["年月", "参保人数", "实际缴费人数", "基金收入", "基金支出", "期末结余", "更新时间"];

/// Insured persons at the start at scale 1.0.
pub(crate) const INSURED_AT_SCALE_1: f64 = 500_000.0;
/// Growth of the insured a year.
const YEARLY_GROWTH: f64 = 0.02;
/// Contribution rate (employer and employee) on the average wage.
const CONTRIBUTION_RATE: f64 = 0.015;
/// Average monthly wage in the first year's terms (yuan) and its growth a year.
const AVERAGE_WAGE: f64 = 12_000.0;
const WAGE_GROWTH: f64 = 0.04;
/// Medical-insurance contributions paid for benefit recipients, as a share of benefits.
const RECIPIENT_INSURANCE_SHARE: f64 = 0.3;
/// Months of income the fund holds at the start.
const OPENING_BALANCE_MONTHS: i64 = 12;

/// What the other feeds paid from the fund, per (year, month), in cents.
pub(crate) struct FundSpending<'a> {
    pub benefits: &'a BTreeMap<(i32, u32), i64>,
    pub training_subsidies: &'a BTreeMap<(i32, u32), i64>,
    pub job_subsidies: &'a BTreeMap<(i32, u32), i64>,
}

/// Writes `ui_fund_monthly_<YYYY>0101.csv` for every year.
pub(crate) fn write_fund(
    rng: &mut StdRng,
    out_dir: &Path,
    scale: f64,
    first_year: i32,
    last_year: i32,
    spending: &FundSpending<'_>,
) -> Result<Vec<DemoFile>, SeedError> {
    let start_insured = (INSURED_AT_SCALE_1 * scale).max(2_000.0);
    let mut balance: Option<i64> = None;
    let mut files = Vec::new();
    for year in first_year..=last_year {
        let mut records = Vec::new();
        for month in 1..=12u32 {
            let elapsed_years = f64::from((year - first_year) * 12 + month as i32 - 1) / 12.0;
            let insured = (start_insured * (1.0 + YEARLY_GROWTH).powf(elapsed_years) * (1.0 + 0.0008 * standard_normal(rng))).round();
            let paying = (insured * rng.random_range(0.96..=0.98)).round();
            let wage = AVERAGE_WAGE * (1.0 + WAGE_GROWTH).powf(f64::from(year - first_year));
            let income = (paying * CONTRIBUTION_RATE * wage * rng.random_range(0.97..=1.03) * 100.0).round() as i64;
            let spent = |paid: &BTreeMap<(i32, u32), i64>| paid.get(&(year, month)).copied().unwrap_or(0);
            let benefits = spent(spending.benefits);
            let running_costs = (income as f64 * rng.random_range(0.01..=0.03)).round() as i64;
            let expense = benefits
                + (benefits as f64 * RECIPIENT_INSURANCE_SHARE).round() as i64
                + spent(spending.training_subsidies)
                + spent(spending.job_subsidies)
                + running_costs;
            let previous = balance.unwrap_or(income * OPENING_BALANCE_MONTHS);
            let closing = previous + income - expense;
            balance = Some(closing);
            let month_start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
            let report_day = add_days(next_month_start(month_start), rng.random_range(9..15));
            let reported = office_time_on(rng, report_day);
            records.push(vec![
                format!("{year}-{month:02}"),
                format!("{insured:.0}"),
                format!("{paying:.0}"),
                yuan(income),
                yuan(expense),
                yuan(closing),
                iso_timestamp(reported),
            ]);
        }
        let path = out_dir.join(format!("ui_fund_monthly_{year}0101.csv"));
        write_csv(&path, &UI_FUND_HEADERS, &records, FileEncoding::Utf8)?;
        files.push(DemoFile { path, rows: records.len() });
    }
    Ok(files)
}
