//! 公共招聘岗位 and 求职应聘 from export to indicator, on SQLite and PostgreSQL: an
//! application counts under its posting's district; 求人倍率 is a ratio of sums; an
//! application whose posting has not arrived waits (pending), is never lost, and loads
//! — exactly once, accounted in its own file — when the posting arrives.

mod support;

use jiuye_semantic::Grain;
use jiuye_sql_value::Statement;
use serde_json::json;
use support::fixtures::{person_id, uscc, write_raw};
use support::{TestDb, backends, query};

const POSTING_HEADER: &str = "岗位编号,发布日期,截止日期,单位统一社会信用代码,单位名称,行业代码,区县代码,职业代码,岗位名称,招聘人数,月薪下限,月薪上限,学历要求,岗位描述,经度,纬度,更新时间";
const APPLICATION_HEADER: &str = "应聘编号,岗位编号,公民身份号码,应聘日期,应聘状态,更新时间";

fn posting(key: &str, date: &str, district: &str, industry: &str, headcount: u32, salary: (&str, &str)) -> String {
    format!(
        "{key},{date},,{},上海测试{key}有限公司,{industry},{district},4,\"客服专员,全职\",{headcount},{},{},20,负责客户咨询,121.5,31.2,{date} 09:00:00",
        uscc(key.len() as u32 * 7 + headcount),
        salary.0,
        salary.1
    )
}

fn application(key: &str, posting: &str, person: u32, date: &str, updated: &str) -> String {
    format!("{key},{posting},{},{date},1,{updated}", person_id(person))
}

fn files(dir: &std::path::Path, name: &str, header: &str, rows: &[String]) {
    write_raw(dir, name, &format!("{header}\n{}\n", rows.join("\n")));
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    db.warehouse
        .fetch(&Statement {
            sql: sql.into(),
            params: vec![],
        })
        .await
        .unwrap()
        .rows[0][0]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn applications_take_the_posting_district_and_the_ratio_is_of_sums() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        files(
            dir.path(),
            "job_posting_202403.csv",
            POSTING_HEADER,
            &[
                posting("GW1", "2024-03-01", "310115", "65", 10, ("6000", "9000")),
                posting("GW2", "2024-03-02", "310104", "51", 2, ("", "")),
                // 上限 below 下限, and 招聘人数 0: both quarantined with the rule named.
                posting("GW3", "2024-03-03", "310104", "51", 1, ("9000", "6000")),
                posting("GW4", "2024-03-03", "310104", "51", 0, ("", "")),
            ],
        );
        files(
            dir.path(),
            "job_application_202403.csv",
            APPLICATION_HEADER,
            &[
                application("YP1", "GW1", 1, "2024-03-05", "2024-03-05 10:00:00"),
                application("YP2", "GW1", 2, "2024-03-06", "2024-03-06 10:00:00"),
                application("YP3", "GW2", 1, "2024-03-07", "2024-03-07 10:00:00"), // person 1 again, other district
                application("YP4", "GW2", 3, "2024-03-08", "2024-03-08 10:00:00"),
                application("YP5", "GW2", 4, "2024-03-09", "2024-03-09 10:00:00"),
            ],
        );
        let report = db.load(dir.path()).await;
        let postings = report.files.iter().find(|f| f.feed == "job_posting").unwrap();
        assert_eq!((postings.read, postings.loaded, postings.quarantined), (4, 2, 2), "{}", db.name);
        let rules = jiuye_etl::ledger::quarantine(&db.warehouse, Some("job_posting"), None, 10)
            .await
            .unwrap();
        let mut rules: Vec<&str> = rules.iter().map(|r| r.rule.as_str()).collect();
        rules.sort();
        assert_eq!(rules, vec!["out_of_order", "out_of_range"]);
        let applications = report.files.iter().find(|f| f.feed == "job_application").unwrap();
        assert_eq!((applications.loaded, applications.pending), (5, 0));

        let q = query(
            &["postings", "posting_headcount", "applications", "applicants", "demand_supply_ratio"],
            &["district"],
            Grain::Month,
            "2024-03-01",
            "2024-03-31",
        );
        let t = db.metrics(&q).await;
        let at = |district: &str| t.rows.iter().find(|r| r["district"] == json!(district)).unwrap().clone();
        assert_eq!(at("310115")["applicants"], json!(2), "{}", db.name);
        assert_eq!(at("310115")["posting_headcount"], json!(10));
        assert_eq!(at("310115")["demand_supply_ratio"].as_f64().unwrap(), 5.0);
        assert_eq!(at("310104")["applications"], json!(3));
        assert_eq!(at("310104")["demand_supply_ratio"].as_f64().unwrap(), 2.0 / 3.0);
        // The city: 12 openings / 4 distinct applicants = 3.0, not the mean of 5 and 2/3
        // and not 12 / 5 (person 1 applied in both districts).
        let city = db
            .metrics(&query(
                &["posting_headcount", "applicants", "demand_supply_ratio"],
                &[],
                Grain::Month,
                "2024-03-01",
                "2024-03-31",
            ))
            .await;
        assert_eq!(city.rows[0]["applicants"], json!(4));
        assert_eq!(city.rows[0]["demand_supply_ratio"].as_f64().unwrap(), 3.0, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_application_before_its_posting_waits_and_loads_once_when_the_posting_arrives() {
    for db in backends().await {
        // Run 1: applications only; GW9 is loaded, GW7 and GW8 are not yet.
        let first = tempfile::tempdir().unwrap();
        files(
            first.path(),
            "job_posting_202404.csv",
            POSTING_HEADER,
            &[posting("GW9", "2024-04-01", "310112", "65", 3, ("5000", "7000"))],
        );
        files(
            first.path(),
            "job_application_202404.csv",
            APPLICATION_HEADER,
            &[
                application("YP7", "GW7", 1, "2024-04-10", "2024-04-10 10:00:00"),
                application("YP8", "GW8", 2, "2024-04-11", "2024-04-11 10:00:00"),
                application("YP9", "GW9", 3, "2024-04-12", "2024-04-12 10:00:00"),
            ],
        );
        let report = db.load(first.path()).await;
        let f = report.files.iter().find(|f| f.feed == "job_application").unwrap();
        assert_eq!((f.read, f.loaded, f.pending, f.unchanged), (3, 1, 2, 0), "{}", db.name);
        let status = jiuye_etl::ledger::status(&db.warehouse, 5).await.unwrap();
        let feed = status.feeds.iter().find(|f| f.feed == "job_application").unwrap();
        assert_eq!(feed.pending, 2);
        assert_eq!(status.runs[0].pending, 2);
        let q = query(&["applications"], &[], Grain::Month, "2024-04-01", "2024-04-30");
        assert_eq!(
            db.metrics(&q).await.rows[0]["applications"],
            json!(1),
            "waiting rows do not count yet"
        );

        // Run 2: a newer version of YP8 (still waiting) replaces the waiting one.
        let second = tempfile::tempdir().unwrap();
        files(
            second.path(),
            "job_application_202404_resend.csv",
            APPLICATION_HEADER,
            &[application("YP8", "GW8", 2, "2024-04-13", "2024-04-13 10:00:00")],
        );
        let report = db.load(second.path()).await;
        assert_eq!(report.files[0].pending, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM meta_pending_row").await, 2);

        // Run 3: the postings arrive; both waiting applications load in that run.
        let third = tempfile::tempdir().unwrap();
        files(
            third.path(),
            "job_posting_202405.csv",
            POSTING_HEADER,
            &[
                posting("GW7", "2024-04-09", "310115", "65", 1, ("", "")),
                posting("GW8", "2024-04-09", "310104", "51", 1, ("", "")),
            ],
        );
        db.load(third.path()).await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM meta_pending_row").await, 0, "{}", db.name);
        let t = db
            .metrics(&query(&["applications"], &["district"], Grain::Month, "2024-04-01", "2024-04-30"))
            .await;
        let cells: Vec<(String, i64)> = t
            .rows
            .iter()
            .map(|r| (r["district"].as_str().unwrap().to_string(), r["applications"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            cells,
            vec![("310104".into(), 1), ("310112".into(), 1), ("310115".into(), 1)],
            "{}: each application once, under its posting's district",
            db.name
        );
        // YP8 counts on its newer 应聘日期.
        let day = db
            .metrics(&query(&["applications"], &[], Grain::Day, "2024-04-13", "2024-04-13"))
            .await;
        assert_eq!(day.rows[0]["applications"], json!(1));
        // Every file balances: read = loaded + unchanged + quarantined + pending.
        let files = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT file_name, rows_read, rows_loaded, rows_unchanged, rows_quarantined, rows_pending FROM meta_load_file WHERE feed = 'job_application' ORDER BY file_id".into(),
                params: vec![],
            })
            .await
            .unwrap();
        let got: Vec<Vec<i64>> = files
            .rows
            .iter()
            .map(|r| r[1..].iter().map(|v| v.as_i64().unwrap()).collect())
            .collect();
        // First file: YP9 loaded at once, YP7 loaded on release, YP8 superseded while waiting.
        // The re-send: its YP8 loaded on release.
        assert_eq!(got, vec![vec![3, 2, 1, 0, 0], vec![1, 1, 0, 0, 0]], "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_newest_version_wins_across_waiting_rows_and_postings_corrections_reach_applications() {
    for db in backends().await {
        // YP1 v1 (posting GW1 present) loads; then v2 of YP1 for a posting not yet
        // loaded waits: v1 no longer counts anywhere.
        let first = tempfile::tempdir().unwrap();
        files(
            first.path(),
            "job_posting_202406.csv",
            POSTING_HEADER,
            &[posting("GW1", "2024-06-01", "310115", "65", 2, ("", ""))],
        );
        files(
            first.path(),
            "job_application_202406.csv",
            APPLICATION_HEADER,
            &[application("YP1", "GW1", 1, "2024-06-03", "2024-06-03 10:00:00")],
        );
        db.load(first.path()).await;
        let q = query(&["applications"], &["district"], Grain::Month, "2024-06-01", "2024-06-30");
        assert_eq!(db.metrics(&q).await.rows.len(), 1, "{}", db.name);
        let second = tempfile::tempdir().unwrap();
        files(
            second.path(),
            "job_application_202406_b.csv",
            APPLICATION_HEADER,
            &[application("YP1", "GW2", 1, "2024-06-05", "2024-06-05 10:00:00")],
        );
        let report = db.load(second.path()).await;
        assert_eq!(report.files[0].pending, 1);
        assert!(db.metrics(&q).await.rows.is_empty(), "{}: the older version left DWD", db.name);

        // An even older re-send whose posting exists changes nothing: v2 is the newest.
        let third = tempfile::tempdir().unwrap();
        files(
            third.path(),
            "job_application_202406_c.csv",
            APPLICATION_HEADER,
            &[application("YP1", "GW1", 1, "2024-06-04", "2024-06-04 10:00:00")],
        );
        let report = db.load(third.path()).await;
        assert_eq!((report.files[0].loaded, report.files[0].unchanged), (0, 1), "{}", db.name);
        assert!(db.metrics(&q).await.rows.is_empty());

        // GW2 arrives in 徐汇, then a correction moves it to 闵行: the application follows.
        let fourth = tempfile::tempdir().unwrap();
        files(
            fourth.path(),
            "job_posting_202406_b.csv",
            POSTING_HEADER,
            &[posting("GW2", "2024-06-02", "310104", "51", 1, ("", ""))],
        );
        db.load(fourth.path()).await;
        let cells = |t: jiuye_semantic::Table| -> Vec<(String, i64)> {
            t.rows
                .iter()
                .map(|r| (r["district"].as_str().unwrap().to_string(), r["applications"].as_i64().unwrap()))
                .collect()
        };
        assert_eq!(cells(db.metrics(&q).await), vec![("310104".to_string(), 1)], "{}", db.name);
        let fifth = tempfile::tempdir().unwrap();
        let corrected = posting("GW2", "2024-06-02", "310112", "51", 1, ("", "")).replace("2024-06-02 09:00:00", "2024-06-20 09:00:00");
        files(fifth.path(), "job_posting_202406_fix.csv", POSTING_HEADER, &[corrected]);
        db.load(fifth.path()).await;
        assert_eq!(cells(db.metrics(&q).await), vec![("310112".to_string(), 1)], "{}", db.name);
        // The rollup agrees with detail (its periods were rebuilt for the moved rows).
        let whole = query(&["applications"], &["district"], Grain::Month, "2024-06-01", "2024-06-30");
        assert_eq!(cells(db.metrics(&whole).await), vec![("310112".to_string(), 1)]);
        db.cleanup().await;
    }
}
