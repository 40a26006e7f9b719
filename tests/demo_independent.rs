//! The foundation's acceptance check: `hire_persons` by district and month with YOY, as
//! served over GraphQL from the loaded demo exports, equals a computation made here
//! directly from the export files — with its own parsing, validation and "newest
//! 更新时间 wins" — on SQLite and PostgreSQL. Every file's accounting must balance.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

const DISTRICTS: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114", "310115", "310116", "310117",
    "310118", "310120", "310151",
];
const RETIRED: [(&str, &str); 4] = [
    ("310119", "310115"),
    ("310103", "310101"),
    ("310108", "310106"),
    ("310230", "310151"),
];

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .or_else(|| NaiveDate::parse_from_str(s, "%Y/%m/%d").ok())
}

fn timestamp(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s.trim(), "%Y/%m/%d %H:%M:%S").ok())
}

fn id_birth(id: &str) -> Option<NaiveDate> {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let w = [7u32, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(w).map(|(c, w)| (c - b'0') as u32 * w).sum();
    (b"10X98765432"[(sum % 11) as usize] == b[17].to_ascii_uppercase()).then_some(())?;
    NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok()
}

fn uscc_ok(code: &str) -> bool {
    let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let w = [1usize, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let v: Option<Vec<usize>> = code.chars().map(|c| alphabet.find(c)).collect();
    match v {
        Some(v) if v.len() == 18 => (31 - v[..17].iter().zip(w).map(|(a, b)| a * b).sum::<usize>() % 31) % 31 == v[17],
        _ => false,
    }
}

struct Hire {
    key: String,
    updated: NaiveDateTime,
    kind: String,
    month: String,
    district: String,
    id: String,
}

/// Reads every employment_registration file in name order; returns valid rows and the
/// number of rejected ones.
fn independent_rows(dir: &Path) -> (Vec<Hire>, usize) {
    let industries: BTreeSet<String> = jiuye_seeds::code_table("industry")
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.code)
        .collect();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("employment_registration"))
        .collect();
    names.sort();
    let mut rows = Vec::new();
    let mut rejected = 0;
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
            Ok(t) => t.to_string(),
            Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
        };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        for record in reader.records() {
            let record = record.unwrap();
            let get = |h: &str| {
                headers
                    .iter()
                    .position(|x| x == h)
                    .map(|i| record[i].trim().to_string())
                    .unwrap_or_default()
            };
            let kind = get("业务类型");
            let id = get("公民身份号码").to_uppercase();
            let birth = id_birth(&id);
            let handled = date(&get("办理日期"));
            let district = get("区县代码");
            let reason = get("退工原因");
            let ok = ["业务流水号", "姓名", "单位名称"].iter().all(|h| !get(h).is_empty())
                && (kind == "招工" || kind == "退工")
                && handled.is_some()
                && birth.is_some()
                && (get("出生日期").is_empty() || date(&get("出生日期")) == birth)
                && ["1", "2"].contains(&get("性别").as_str())
                && ["1", "2", "3", "4", "5", "6"].contains(&get("户籍类型").as_str())
                && ["10", "20", "30", "40", "60", "70", "80", "90"].contains(&get("文化程度").as_str())
                && uscc_ok(&get("单位统一社会信用代码").to_uppercase())
                && ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "99"].contains(&get("单位性质").as_str())
                && industries.contains(&get("行业代码"))
                && (DISTRICTS.contains(&district.as_str()) || RETIRED.iter().any(|(r, _)| *r == district))
                && ["1", "2", "3"].contains(&get("用工形式").as_str())
                && (reason.is_empty() || ["1", "2", "3", "4", "5", "9"].contains(&reason.as_str()))
                && (kind != "退工" || !reason.is_empty())
                && (get("月工资").is_empty() || get("月工资").parse::<f64>().is_ok())
                && timestamp(&get("更新时间")).is_some();
            if !ok {
                rejected += 1;
                continue;
            }
            let handled = handled.unwrap();
            let current = RETIRED
                .iter()
                .find(|(r, _)| *r == district)
                .map(|(_, c)| c.to_string())
                .unwrap_or(district);
            rows.push(Hire {
                key: get("业务流水号"),
                updated: timestamp(&get("更新时间")).unwrap(),
                kind,
                month: format!("{}-{:02}", handled.year(), handled.month()),
                district: current,
                id,
            });
        }
    }
    (rows, rejected)
}

/// hire_persons per (month, district) after "newest 更新时间 wins" (ties: first seen).
fn independent_hire_persons(rows: Vec<Hire>) -> BTreeMap<(String, String), i64> {
    let mut latest: HashMap<String, Hire> = HashMap::new();
    for row in rows {
        match latest.get(&row.key) {
            Some(kept) if kept.updated >= row.updated => {}
            _ => {
                latest.insert(row.key.clone(), row);
            }
        }
    }
    let mut persons: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for row in latest.into_values().filter(|r| r.kind == "招工") {
        persons.entry((row.month, row.district)).or_default().insert(row.id);
    }
    persons.into_iter().map(|(k, v)| (k, v.len() as i64)).collect()
}

#[tokio::test]
async fn hire_persons_by_district_and_month_with_yoy_equals_an_independent_computation() {
    let exports = tempfile::tempdir().unwrap();
    let summary = jiuye_seeds::generate_demo(
        exports.path(),
        &jiuye_seeds::DemoConfig {
            first_year: 2024,
            years: 2,
            scale: 0.04,
            seed: 11,
        },
    )
    .unwrap();
    let (rows, rejected) = independent_rows(exports.path());
    let expected = independent_hire_persons(rows);
    assert!(expected.len() > 300, "enough cells to mean something: {}", expected.len());

    for db in support::backends().await {
        let report = db.load(exports.path()).await;
        for f in &report.files {
            assert_eq!(f.status, "loaded", "{}: {:?}", f.file, f.error);
            assert_eq!(
                f.read,
                f.loaded + f.unchanged + f.quarantined,
                "accounting of {} on {}",
                f.file,
                db.name
            );
        }
        let quarantined: u64 = report
            .files
            .iter()
            .filter(|f| f.feed == "employment_registration")
            .map(|f| f.quarantined)
            .sum();
        assert_eq!(
            quarantined as usize, rejected,
            "the ETL and this test reject the same rows ({})",
            db.name
        );
        assert_eq!(
            quarantined as usize,
            summary.defects.values().sum::<usize>(),
            "every generated defect is caught ({})",
            db.name
        );

        let token = jiuye_graphql::auth::create_token(&db.warehouse, "city_analyst", None, None)
            .await
            .unwrap();
        let state = jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), support::keys())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, jiuye_graphql::router(state)).await.unwrap() });
        let query = r#"{ metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH, timeRange: {from: "2025-01-01", to: "2025-12-31"}, compare: [YOY]) { columns rows } }"#;
        let body: Value = reqwest::Client::new()
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        server.abort();
        let rows = body["data"]["metrics"]["rows"].as_array().unwrap_or_else(|| panic!("{body}"));
        let served: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["district"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let wanted: Vec<(String, String)> = expected.keys().filter(|(m, _)| m.starts_with("2025")).cloned().collect();
        assert_eq!(served, wanted, "the same (month, district) cells ({})", db.name);
        for r in rows {
            let month = r["period"].as_str().unwrap();
            let district = r["district"].as_str().unwrap().to_string();
            let x = expected[&(month.to_string(), district.clone())];
            let base_month = format!("2024{}", &month[4..]);
            let yoy = expected
                .get(&(base_month, district.clone()))
                .filter(|b| **b != 0)
                .map(|b| (x - b) as f64 / *b as f64);
            assert_eq!(r["hire_persons"], json!(x), "{month} {district} on {}", db.name);
            assert_eq!(r["hire_persons_yoy"].as_f64(), yoy, "{month} {district} YOY on {}", db.name);
        }
        db.cleanup().await;
    }
}

/// Rollup-served answers equal detail-served ones: every query is answered once with the
/// model's rollups and once by a catalog without any (so from DWD), on the demo data.
#[tokio::test]
async fn rollup_answers_equal_detail_answers_on_the_demo() {
    use jiuye_semantic::{Caller, Grain, sql::dialect_for};
    let exports = support::demo_exports(2, 0.03, 5);
    for db in support::backends().await {
        db.load(exports.path()).await;
        let mut detail_only = db.catalog.clone();
        detail_only.rollups.clear();
        let indicators = [
            "hire_persons",
            "separation_persons",
            "hiring_employers",
            "dispatch_hire_persons",
            "hire_registrations",
            "net_hires",
        ];
        let mut served_by_rollup = 0;
        for grain in [Grain::Day, Grain::Month, Grain::Quarter, Grain::Year] {
            for dims in [&[][..], &["district"][..], &["education"][..]] {
                for indicator in indicators {
                    let (from, to) = if grain == Grain::Day {
                        ("2025-06-01", "2025-06-30")
                    } else {
                        ("2024-01-01", "2025-12-31")
                    };
                    let mut q = support::with_compare(support::query(&[indicator], dims, grain, from, to), &[jiuye_semantic::Compare::Yoy]);
                    if dims.is_empty() && indicator == "hire_registrations" {
                        q = support::with_filter(q, "district", &["310115"]);
                    }
                    let plan = jiuye_semantic::plan(
                        &db.catalog,
                        dialect_for(db.warehouse.backend()),
                        &q,
                        &Caller::unrestricted(),
                        support::day("2026-01-01"),
                    )
                    .unwrap();
                    served_by_rollup += plan.parts.iter().filter(|p| p.table.starts_with("dws_")).count();
                    let detail = jiuye_graphql::run_metrics(&db.warehouse, &detail_only, &q, &Caller::unrestricted())
                        .await
                        .unwrap()
                        .table;
                    assert!(!detail.rows.is_empty());
                    assert_eq!(db.metrics(&q).await, detail, "{indicator} by {dims:?} at {grain:?} on {}", db.name);
                }
            }
        }
        assert!(served_by_rollup > 40, "rollups served {served_by_rollup} parts");
        db.cleanup().await;
    }
}
