//! Tests of the service feeds at a small scale: the files and their exact contract headers,
//! references between feeds (applications → postings, training → schools, internships →
//! bases, 创业场地 → parks), the re-sent keys, valid codes everywhere (no defects), ages,
//! and the fund's balance chain.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};

use super::employers::is_valid_uscc;
use super::people::{age_on, is_valid_id_number};
use super::tests::{file_name, generate, read_csv};
use super::*;
use crate::code_tables::code_table;

/// The contract's headers of every service feed, spelled out here rather than taken from
/// the generator, so a typo in either place fails.
const CONTRACT: [(&str, &[&str]); 10] = [
    (
        "facility_registry",
        &[
            "机构编号",
            "机构名称",
            "机构类型",
            "区县代码",
            "地址",
            "经度",
            "纬度",
            "状态",
            "更新时间",
            // Beyond the contract, after its columns (docs/feeds.md).
            "年度计划数",
            "指导教师数",
        ],
    ),
    (
        "job_posting",
        &[
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
        ],
    ),
    (
        "job_application",
        &["应聘编号", "岗位编号", "公民身份号码", "应聘日期", "应聘状态", "更新时间"],
    ),
    (
        "training_enrollment",
        &[
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
        ],
    ),
    (
        "startup_support",
        &[
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
        ],
    ),
    (
        "ui_benefit_payment",
        &[
            "发放流水号",
            "公民身份号码",
            "性别",
            "出生日期",
            "区县代码",
            "发放年月",
            "发放金额",
            "核定领金月数",
            "更新时间",
        ],
    ),
    (
        "ui_fund_monthly",
        &["年月", "参保人数", "实际缴费人数", "基金收入", "基金支出", "期末结余", "更新时间"],
    ),
    (
        "policy_subsidy",
        &[
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
        ],
    ),
    (
        "internship",
        &[
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
        ],
    ),
    ("indicator_target", &["年度", "指标代码", "区县代码", "目标值", "预警值"]),
];

fn small() -> DemoConfig {
    DemoConfig {
        first_year: 2024,
        years: 1,
        scale: 0.02,
        seed: 20240101,
    }
}

/// One row of a feed: the file it came from and its cells by header.
struct Row {
    file: String,
    cells: HashMap<String, String>,
}

impl Row {
    fn get(&self, header: &str) -> &str {
        self.cells
            .get(header)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no column {header}"))
    }

    fn date(&self, header: &str) -> NaiveDate {
        NaiveDate::parse_from_str(self.get(header), "%Y-%m-%d").unwrap_or_else(|_| panic!("{header} {:?}", self.get(header)))
    }

    fn timestamp(&self, header: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(self.get(header), "%Y-%m-%d %H:%M:%S").unwrap_or_else(|_| panic!("{header} {:?}", self.get(header)))
    }

    /// `YYYYMM` of a monthly file (`<feed>_<YYYYMM>.csv`).
    fn file_month(&self) -> &str {
        &self.file[self.file.len() - 10..self.file.len() - 4]
    }
}

/// Every row of the feed's files, in file order.
fn feed_rows(summary: &DemoSummary, feed: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for file in summary.files.iter().filter(|f| is_file_of(&file_name(&f.path), feed)) {
        let (headers, records) = read_csv(&file.path);
        for record in records {
            rows.push(Row {
                file: file_name(&file.path),
                cells: headers.iter().cloned().zip(record).collect(),
            });
        }
    }
    rows
}

/// `job_posting_202403.csv` is of job_posting; `job_application_…` is not.
fn is_file_of(name: &str, feed: &str) -> bool {
    name.strip_prefix(feed)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

fn yyyymm(date: NaiveDate) -> String {
    date.format("%Y%m").to_string()
}

#[test]
fn every_service_feed_writes_its_files_with_the_contract_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &small());
    for (feed, headers) in CONTRACT {
        let files: Vec<&DemoFile> = summary.files.iter().filter(|f| is_file_of(&file_name(&f.path), feed)).collect();
        let expected = match feed {
            "facility_registry" | "ui_fund_monthly" | "indicator_target" => 1,
            _ => 12,
        };
        assert_eq!(files.len(), expected, "{feed}");
        for file in files {
            let name = file_name(&file.path);
            let (found, rows) = read_csv(&file.path);
            assert_eq!(found, headers.to_vec(), "{name}");
            assert_eq!(rows.len(), file.rows, "{name}");
            assert!(!rows.is_empty(), "{name} has no rows at scale 0.02");
            let bytes = std::fs::read(&file.path).expect("read");
            assert!(
                !bytes.starts_with(b"\xEF\xBB\xBF") && std::str::from_utf8(&bytes).is_ok(),
                "{name} is plain UTF-8"
            );
        }
    }
    let targets = feed_rows(&summary, "indicator_target");
    assert_eq!(targets.len(), 10 * 17);
}

#[test]
fn applications_point_at_exported_open_postings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &small());
    let postings = feed_rows(&summary, "job_posting");
    let mut by_id: HashMap<&str, &Row> = HashMap::new();
    for posting in &postings {
        assert!(
            by_id.insert(posting.get("岗位编号"), posting).is_none(),
            "{} repeats",
            posting.get("岗位编号")
        );
        let published = posting.date("发布日期");
        if !posting.get("截止日期").is_empty() {
            let open_days = (posting.date("截止日期") - published).num_days();
            assert!((30..=90).contains(&open_days), "{open_days} days");
        }
        let (lower, upper) = (posting.get("月薪下限"), posting.get("月薪上限"));
        if !lower.is_empty() && !upper.is_empty() {
            let (lower, upper): (u32, u32) = (lower.parse().expect("lower"), upper.parse().expect("upper"));
            assert!(lower <= upper, "{lower} > {upper}");
        }
        assert!(posting.get("招聘人数").parse::<u32>().expect("招聘人数") >= 1);
        assert!(posting.timestamp("更新时间").date() >= published);
        // A posting is in the file of its 发布日期, or of the next month when exported late.
        let next = published.checked_add_months(chrono::Months::new(1)).expect("date");
        assert!(posting.file_month() == yyyymm(published) || posting.file_month() == yyyymm(next));
    }
    assert!(
        postings
            .iter()
            .all(|p| !p.file.ends_with("202412.csv") || p.file_month() == yyyymm(p.date("发布日期"))),
        "late exports only before the last month"
    );
    let applications = feed_rows(&summary, "job_application");
    let mut pending = 0;
    for application in &applications {
        let day = application.date("应聘日期");
        assert_eq!(application.file_month(), yyyymm(day));
        let posting = by_id
            .get(application.get("岗位编号"))
            .unwrap_or_else(|| panic!("{} has no posting", application.get("岗位编号")));
        let published = posting.date("发布日期");
        let open_until = if posting.get("截止日期").is_empty() {
            published + chrono::Days::new(60)
        } else {
            posting.date("截止日期")
        };
        assert!(
            published <= day && day <= open_until,
            "applied {day} to a posting open {published}–{open_until}"
        );
        if posting.file_month() > application.file_month() {
            pending += 1;
            assert_eq!(yyyymm(published), application.file_month(), "pending only within the month");
        }
        let id = application.get("公民身份号码");
        assert!(is_valid_id_number(id), "{id}");
        let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").expect("birth");
        assert!((16..=60).contains(&age_on(birth, day)));
        assert!(["1", "2", "3", "4"].contains(&application.get("应聘状态")));
    }
    assert!(pending > 0, "no application waits for a late posting");
    assert!(pending * 50 < applications.len(), "{pending} of {} pending", applications.len());
}

/// Training and internship rows are sent at most twice per key: the second copy in a later
/// file, with a newer 更新时间 and the outcome filled in.
#[test]
fn re_sent_keys_carry_a_newer_update_time_and_the_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &small());
    for (feed, key, start, end, outcome) in [
        ("training_enrollment", "报名编号", "报名日期", "结业日期", "结业状态"),
        ("internship", "见习编号", "开始日期", "结束日期", "是否留用"),
    ] {
        let mut first: HashMap<String, Row> = HashMap::new();
        let mut resent: BTreeSet<String> = BTreeSet::new();
        for row in feed_rows(&summary, feed) {
            assert_eq!(
                row.file_month(),
                yyyymm(row.date(if row.get(end).is_empty() { start } else { end }))
            );
            let id = row.get(key).to_string();
            match first.get(&id) {
                None => {
                    assert!(
                        row.get(end).is_empty() && row.get(outcome).is_empty(),
                        "{feed} first row has an outcome"
                    );
                    first.insert(id, row);
                }
                Some(earlier) => {
                    assert!(resent.insert(id.clone()), "{feed} {id} sent three times");
                    assert!(row.timestamp("更新时间") > earlier.timestamp("更新时间"), "{feed} {id}");
                    assert!(row.file > earlier.file);
                    assert!(!row.get(outcome).is_empty());
                    let days = (row.date(end) - row.date(start)).num_days();
                    assert!(days >= 20, "{feed} lasted {days} days");
                    for header in [start, "公民身份号码"] {
                        assert_eq!(row.get(header), earlier.get(header), "{feed} {header}");
                    }
                }
            }
        }
        assert!(!resent.is_empty(), "{feed} re-sends nothing");
    }
    for row in feed_rows(&summary, "training_enrollment") {
        let (planned, attended): (u32, u32) = (
            row.get("应打卡次数").parse().expect("应打卡次数"),
            row.get("实际打卡次数").parse().expect("实际打卡次数"),
        );
        assert!((20..=90).contains(&planned) && attended <= planned);
        match (row.get("结业状态"), row.get("是否取证")) {
            ("1", "1") => assert!(["1", "2", "3", "4", "5"].contains(&row.get("证书等级"))),
            ("", "") | ("1", "0") | ("2", "0") | ("3", "0") => assert!(row.get("证书等级").is_empty()),
            other => panic!("结业状态/是否取证 {other:?}"),
        }
        if !row.get("补贴金额").is_empty() {
            let amount: f64 = row.get("补贴金额").parse().expect("补贴金额");
            assert!(row.get("结业状态") == "1" && row.get("培训类型") == "1" && (800.0..=6000.0).contains(&amount));
        }
    }
}

/// No defects: every ID number, USCC, district, code and reference is valid.
#[test]
fn service_feeds_carry_no_defects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &small());
    let districts: BTreeSet<&str> = DISTRICT_CODES.into_iter().collect();
    let industries = code_table("industry").expect("industry table");
    let facilities: BTreeMap<String, String> = feed_rows(&summary, "facility_registry")
        .iter()
        .map(|f| (f.get("机构编号").to_string(), f.get("机构类型").to_string()))
        .collect();
    let kinds: BTreeSet<&str> = facilities.values().map(String::as_str).collect();
    assert_eq!(kinds.len(), 8, "every 机构类型 exists");
    assert_eq!(facilities.values().filter(|k| *k == "1").count(), 16);
    // 年度计划数 for the bases and training schools, 指导教师数 for those that teach; the
    // centres, evaluation bodies and parks have neither.
    for row in feed_rows(&summary, "facility_registry") {
        let kind = row.get("机构类型");
        let plans = row.get("年度计划数").parse::<u64>().ok();
        let instructors = row.get("指导教师数").parse::<u64>().ok();
        assert_eq!(plans.is_some(), ["2", "3", "5", "6", "8"].contains(&kind), "{kind}");
        assert_eq!(instructors.is_some(), ["3", "5", "6", "8"].contains(&kind), "{kind}");
        assert!(plans.is_none_or(|p| p >= 10) && instructors.is_none_or(|i| i >= 2), "{kind}");
    }
    let reference = |code: &str, kinds: &[&str]| {
        assert!(
            facilities.get(code).is_some_and(|kind| kinds.contains(&kind.as_str())),
            "{code} is no facility of type {kinds:?}"
        );
    };
    for (feed, _) in CONTRACT {
        for row in feed_rows(&summary, feed) {
            if let Some(id) = row.cells.get("公民身份号码").filter(|id| !id.is_empty()) {
                assert!(is_valid_id_number(id), "{feed} ID {id}");
                let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").expect("birth");
                if let Some(birth_text) = row.cells.get("出生日期").filter(|b| !b.is_empty()) {
                    assert_eq!(NaiveDate::parse_from_str(birth_text, "%Y-%m-%d").ok(), Some(birth), "{feed}");
                }
                let business = ["应聘日期", "报名日期", "办理日期", "发放日期", "开始日期"]
                    .iter()
                    .find_map(|h| row.cells.get(*h).map(|_| row.date(h)))
                    .or_else(|| {
                        row.cells
                            .get("发放年月")
                            .map(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").expect("年月"))
                    })
                    .expect("business date");
                assert!(age_on(birth, business) >= 16, "{feed}: {id} under 16 on {business}");
            }
            if let Some(uscc) = row.cells.get("单位统一社会信用代码").filter(|u| !u.is_empty()) {
                assert!(is_valid_uscc(uscc), "{feed} USCC {uscc}");
            }
            if let Some(district) = row.cells.get("区县代码") {
                let city_row = feed == "indicator_target" && district == "310000";
                assert!(city_row || districts.contains(district.as_str()), "{feed} district {district}");
            }
            if let Some(industry) = row.cells.get("行业代码") {
                assert!(industry.len() == 2 && industries.contains(industry), "{feed} industry {industry}");
            }
            if let Some(timestamp) = row.cells.get("更新时间") {
                assert!(
                    NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%d %H:%M:%S").is_ok(),
                    "{feed} {timestamp}"
                );
            }
            match feed {
                "job_posting" => {
                    assert!(["1", "2", "3", "4", "5", "6", "8"].contains(&row.get("职业代码")));
                    assert!(["00", "10", "20", "30", "40", "60", "70"].contains(&row.get("学历要求")));
                }
                "training_enrollment" => reference(row.get("培训机构代码"), &["6"]),
                "internship" => reference(row.get("见习基地编号"), &["5"]),
                "startup_support" => {
                    let person = row.get("对象类型") == "1";
                    assert_eq!(row.get("公民身份号码").is_empty(), !person);
                    assert_eq!(row.get("单位统一社会信用代码").is_empty(), person);
                    assert_eq!(row.get("贷款金额").is_empty(), row.get("帮扶类型") != "2");
                    if row.get("帮扶类型") == "3" {
                        reference(row.get("园区编号"), &["2", "7"]);
                    }
                }
                "ui_benefit_payment" => {
                    let amount: f64 = row.get("发放金额").parse().expect("发放金额");
                    assert!((1800.0..=2300.0).contains(&amount), "{amount}");
                    let months: u32 = row.get("核定领金月数").parse().expect("月数");
                    assert!((3..=24).contains(&months));
                    let birth = NaiveDate::parse_from_str(&row.get("公民身份号码")[6..14], "%Y%m%d").expect("birth");
                    let month = NaiveDate::parse_from_str(&format!("{}-01", row.get("发放年月")), "%Y-%m-%d").expect("年月");
                    assert!(age_on(birth, month) <= 59);
                }
                _ => {}
            }
        }
    }
}

#[test]
fn ui_fund_balances_chain_and_targets_warn_below_or_above() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &DemoConfig { years: 2, ..small() });
    let fund = feed_rows(&summary, "ui_fund_monthly");
    assert_eq!(fund.len(), 24);
    let cents = |text: &str| -> i64 {
        let (yuan, fraction) = text.split_once('.').expect("two decimals");
        yuan.parse::<i64>().expect("yuan") * 100 + fraction.parse::<i64>().expect("cents")
    };
    let mut balance = None;
    for month in &fund {
        let closing = cents(month.get("期末结余"));
        if let Some(previous) = balance {
            assert_eq!(
                previous + cents(month.get("基金收入")) - cents(month.get("基金支出")),
                closing,
                "{}",
                month.get("年月")
            );
        }
        balance = Some(closing);
        let (insured, paying): (u64, u64) = (
            month.get("参保人数").parse().expect("参保人数"),
            month.get("实际缴费人数").parse().expect("实际缴费人数"),
        );
        assert!(paying < insured && paying * 100 >= insured * 95);
    }
    let targets = feed_rows(&summary, "indicator_target");
    assert_eq!(targets.len(), 2 * 170);
    for row in &targets {
        let (target, warning): (u64, u64) = (
            row.get("目标值").parse().expect("目标值"),
            row.get("预警值").parse().expect("预警值"),
        );
        if row.get("指标代码") == "registered_unemployed" {
            assert!(warning > target);
        } else {
            assert!(warning <= target && target >= 1);
        }
    }
}

/// The 16 current district codes.
const DISTRICT_CODES: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114", "310115", "310116", "310117",
    "310118", "310120", "310151",
];
