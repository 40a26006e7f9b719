//! Tests of the whole generator: determinism, the files written, and that the rows agree
//! with the contract and with the defect counts of the summary.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use super::employers::is_valid_uscc;
use super::people::{age_on, is_valid_id_number};
use super::*;
use crate::code_tables::code_table;

fn config(scale: f64, seed: u64) -> DemoConfig {
    DemoConfig {
        first_year: 2024,
        years: 1,
        scale,
        seed,
    }
}

pub(super) fn generate(dir: &Path, cfg: &DemoConfig) -> DemoSummary {
    match generate_demo(dir, cfg) {
        Ok(summary) => summary,
        Err(error) => panic!("demo generation failed: {error}"),
    }
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Reads a generated CSV whatever its encoding: (headers, rows).
pub(super) fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).expect("file readable");
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8(rest.to_vec()).expect("UTF-8 after BOM")
    } else {
        match String::from_utf8(bytes.clone()) {
            Ok(text) => text,
            Err(_) => {
                let (text, _, had_errors) = encoding_rs::GB18030.decode(&bytes);
                assert!(!had_errors, "{} is neither UTF-8 nor GB18030", path.display());
                text.into_owned()
            }
        }
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers().expect("header row").iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|record| record.expect("well-formed record").iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

fn parse_any_date(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

#[test]
fn same_seed_gives_the_same_bytes() {
    let cfg = config(0.02, 7);
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    let summary_a = generate(first.path(), &cfg);
    let summary_b = generate(second.path(), &cfg);
    assert_eq!(summary_a.files.len(), summary_b.files.len());
    assert_eq!(summary_a.defects, summary_b.defects);
    for (a, b) in summary_a.files.iter().zip(&summary_b.files) {
        assert_eq!(file_name(&a.path), file_name(&b.path));
        assert_eq!(a.rows, b.rows);
        let bytes_a = std::fs::read(&a.path).expect("read a");
        let bytes_b = std::fs::read(&b.path).expect("read b");
        assert!(bytes_a == bytes_b, "{} differs between runs", file_name(&a.path));
    }
}

#[test]
fn another_seed_gives_other_data() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    let a = generate(first.path(), &config(0.02, 1));
    let b = generate(second.path(), &config(0.02, 2));
    let bytes_a = std::fs::read(&a.files[1].path).expect("read");
    let bytes_b = std::fs::read(&b.files[1].path).expect("read");
    assert!(bytes_a != bytes_b);
}

#[test]
fn writes_one_file_per_month_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &config(0.02, 20240101));
    let mut expected = vec!["employer_registry_20240101.csv".to_string()];
    for month in 1..=12 {
        expected.push(format!("employment_registration_2024{month:02}.csv"));
    }
    expected.push("employment_registration_202412_corrections.csv".to_string());
    for month in 1..=12 {
        expected.push(format!("flexible_employment_2024{month:02}.csv"));
    }
    for month in 1..=12 {
        expected.push(format!("unemployment_registration_2024{month:02}.csv"));
    }
    expected.push("facility_registry_20240101.csv".to_string());
    for feed in [
        "job_posting",
        "job_application",
        "training_enrollment",
        "startup_support",
        "ui_benefit_payment",
        "policy_subsidy",
        "internship",
    ] {
        for month in 1..=12 {
            expected.push(format!("{feed}_2024{month:02}.csv"));
        }
    }
    expected.push("ui_fund_monthly_20240101.csv".to_string());
    expected.push("indicator_target_20240101.csv".to_string());
    let written: Vec<String> = summary.files.iter().map(|file| file_name(&file.path)).collect();
    assert_eq!(written, expected);
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut sorted_expected = expected.clone();
    sorted_expected.sort();
    assert_eq!(on_disk, sorted_expected, "no other files are written");
    // The corrections file sorts right after December's file.
    assert_eq!(
        sorted_expected
            .iter()
            .filter(|n| n.starts_with("employment_registration"))
            .next_back()
            .map(String::as_str),
        Some("employment_registration_202412_corrections.csv")
    );
    for file in &summary.files {
        assert!(file.rows > 0, "{} is empty", file_name(&file.path));
    }
    for kind in DEMO_DEFECT_KINDS {
        assert!(summary.defects.contains_key(kind), "defect {kind} missing from summary");
    }
}

#[test]
fn headers_encodings_and_row_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &config(0.02, 99));
    let contract: BTreeSet<&str> = rows::CONTRACT_COLUMNS.iter().map(|column| column.header()).collect();
    for file in summary.files[1..]
        .iter()
        .filter(|f| file_name(&f.path).starts_with("employment_registration"))
    {
        let name = file_name(&file.path);
        let (headers, rows) = read_csv(&file.path);
        assert_eq!(rows.len(), file.rows, "{name}");
        let header_set: BTreeSet<&str> = headers.iter().map(String::as_str).collect();
        assert!(contract.is_subset(&header_set), "{name} lacks contract columns");
        assert!(
            headers.len() == 18 || (headers.len() == 19 && header_set.contains("备注")),
            "{name}"
        );
        let bytes = std::fs::read(&file.path).expect("read");
        match name.as_str() {
            "employment_registration_202403.csv" | "employment_registration_202406.csv" | "employment_registration_202409.csv" => {
                assert!(String::from_utf8(bytes).is_err(), "{name} should be GB18030");
            }
            "employment_registration_202404.csv" => assert!(bytes.starts_with(b"\xEF\xBB\xBF")),
            _ => {
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                assert!(std::str::from_utf8(body).is_ok(), "{name} should be UTF-8");
            }
        }
    }
    let (registry_headers, registry_rows) = read_csv(&summary.files[0].path);
    assert_eq!(registry_headers, rows::EMPLOYER_REGISTRY_HEADERS.to_vec());
    assert_eq!(registry_rows.len(), summary.files[0].rows);
    for row in &registry_rows {
        assert!(is_valid_uscc(&row[0]), "registry USCC {}", row[0]);
    }
}

/// Tracks what one monthly-file pass finds.
#[derive(Default)]
struct Findings {
    hires: usize,
    separations: usize,
    hires_by_month: BTreeMap<u32, usize>,
    defects: BTreeMap<&'static str, usize>,
    serials: BTreeSet<String>,
    one_job_violations: usize,
    early_retirements: usize,
}

#[test]
fn rows_follow_the_contract_and_the_defect_counts_add_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &config(0.1, 20240101));
    let districts = code_table("district").expect("district table");
    let mut findings = Findings::default();
    // person (first 17 ID chars) → employed after the last row seen
    let mut employed: HashMap<String, bool> = HashMap::new();
    // (person, month) → districts of its 招工 rows
    let mut hire_districts: HashMap<(String, u32), BTreeSet<String>> = HashMap::new();
    for (month_index, file) in summary.files[1..13].iter().enumerate() {
        let month = month_index as u32 + 1;
        let (headers, rows) = read_csv(&file.path);
        let column = |header: &str| headers.iter().position(|h| h == header).expect("column present");
        let (serial, kind, date, id, birth, district, uscc, reason) = (
            column("业务流水号"),
            column("业务类型"),
            column("办理日期"),
            column("公民身份号码"),
            column("出生日期"),
            column("区县代码"),
            column("单位统一社会信用代码"),
            column("退工原因"),
        );
        let gender = column("性别");
        for row in &rows {
            assert!(findings.serials.insert(row[serial].clone()), "serial {} repeats", row[serial]);
            let person = row[id][..17].to_string();
            let count = |findings: &mut Findings, defect: &'static str| *findings.defects.entry(defect).or_insert(0) += 1;
            if !is_valid_id_number(&row[id]) {
                count(&mut findings, "id_check_digit");
            }
            if !is_valid_uscc(&row[uscc]) {
                count(&mut findings, "uscc_check");
            }
            let business_date = parse_any_date(&row[date]);
            if business_date.is_none() {
                count(&mut findings, "invalid_date");
            }
            if !districts.contains(&row[district]) {
                count(&mut findings, "unknown_district");
            }
            let id_birth = NaiveDate::parse_from_str(&row[id][6..14], "%Y%m%d").expect("ID birth date");
            if !row[birth].is_empty() && parse_any_date(&row[birth]) != Some(id_birth) {
                count(&mut findings, "birth_date_mismatch");
            }
            match row[kind].as_str() {
                "招工" => {
                    findings.hires += 1;
                    *findings.hires_by_month.entry(month).or_insert(0) += 1;
                    assert!(row[reason].is_empty(), "招工 with 退工原因");
                    if employed.insert(person.clone(), true) == Some(true) {
                        findings.one_job_violations += 1;
                    }
                    hire_districts.entry((person, month)).or_default().insert(row[district].clone());
                }
                "退工" => {
                    findings.separations += 1;
                    if row[reason].is_empty() {
                        count(&mut findings, "separation_reason_missing");
                    }
                    if row[reason] == "5"
                        && let Some(on) = business_date
                    {
                        let minimum = if row[gender] == "1" { 55 } else { 50 };
                        if age_on(id_birth, on) < minimum {
                            findings.early_retirements += 1;
                        }
                    }
                    employed.insert(person, false);
                }
                other => panic!("业务类型 {other}"),
            }
        }
    }
    for kind in DEMO_DEFECT_KINDS {
        let found = findings.defects.get(kind).copied().unwrap_or(0);
        assert_eq!(Some(&found), summary.defects.get(kind), "defect {kind}");
        assert!(found > 0, "defect {kind} never generated at scale 0.1");
    }
    assert_eq!(findings.one_job_violations, 0, "someone held two jobs at once");
    assert_eq!(findings.early_retirements, 0, "退休 below the minimum age");
    assert!((9_000..=13_000).contains(&findings.hires), "hires {}", findings.hires);
    assert!(findings.separations < findings.hires, "separations {}", findings.separations);
    assert!(
        findings.separations * 10 > findings.hires * 7,
        "separations {}",
        findings.separations
    );
    let june = findings.hires_by_month.get(&6).copied().unwrap_or(0);
    let december = findings.hires_by_month.get(&12).copied().unwrap_or(0);
    assert!(june > december, "June {june} vs December {december}");
    let two_district_hires = hire_districts.values().filter(|set| set.len() > 1).count();
    assert!(two_district_hires > 0, "nobody hired in two districts in one month");

    let corrections = &summary.files[13];
    let (_, correction_rows) = read_csv(&corrections.path);
    assert_eq!(correction_rows.len(), 30);
    for row in &correction_rows {
        assert!(findings.serials.contains(&row[0]), "correction {} has no original", row[0]);
    }
}

#[test]
fn invalid_configs_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    for cfg in [
        DemoConfig {
            years: 0,
            ..config(0.02, 1)
        },
        DemoConfig {
            scale: 0.0,
            ..config(0.02, 1)
        },
        DemoConfig {
            scale: f64::NAN,
            ..config(0.02, 1)
        },
    ] {
        assert!(matches!(generate_demo(dir.path(), &cfg), Err(SeedError::InvalidConfig(_))));
    }
}

#[test]
fn flexible_employment_files_follow_the_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), &config(0.05, 5));
    let flexible: Vec<_> = summary
        .files
        .iter()
        .filter(|f| file_name(&f.path).starts_with("flexible_employment"))
        .collect();
    assert_eq!(flexible.len(), 12);
    let mut registrations = 0;
    for file in flexible {
        let (headers, rows) = read_csv(&file.path);
        assert_eq!(
            headers,
            super::flexible::FLEXIBLE_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(rows.len(), file.rows);
        registrations += rows.iter().filter(|r| r[1] == "登记").count();
        for r in &rows {
            assert!(people::id_check_char(&r[3][..17]) == r[3].chars().nth(17), "valid ID");
        }
    }
    // ≈30,000 × 0.05 a year, give or take the pool and the age limits.
    assert!((900..=2200).contains(&registrations), "{registrations} registrations");
}
