//! Registries keep history (SCD2) on SQLite and PostgreSQL: a figure by an employer's
//! industry uses the industry the registry gave it on the event date, whatever order the
//! versions arrive in; the newest version stays the current one.

mod support;

use jiuye_semantic::Grain;
use jiuye_sql_value::Statement;
use serde_json::json;
use support::fixtures::{uscc, write_raw};
use support::{TestDb, backends, query};

const REGISTRY: &str = "统一社会信用代码,单位名称,单位性质,行业代码,区县代码,成立日期,参保人数,经度,纬度,更新时间";
const SUBSIDY: &str = "补贴流水号,政策代码,政策名称,对象类型,公民身份号码,单位统一社会信用代码,区县代码,发放日期,补贴金额,更新时间";

fn version(industry: &str, district: &str, updated: &str) -> String {
    format!(
        "{},上海测试制造有限公司,05,{industry},{district},2010-01-01,100,,,{updated}",
        uscc(9)
    )
}

async fn history(db: &TestDb) -> Vec<String> {
    db.warehouse
        .fetch(&Statement {
            sql: "SELECT industry, valid_from, valid_to FROM dwd_employer_history ORDER BY updated_at".into(),
            params: vec![],
        })
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.to_key()).collect::<Vec<_>>().join(" "))
        .collect()
}

#[tokio::test]
async fn an_employer_figure_takes_the_industry_of_the_event_date() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        // The newer version (industry 36 from June) arrives first; the older one (13) later.
        write_raw(
            dir.path(),
            "employer_registry_20240701.csv",
            &format!("{REGISTRY}\n{}\n", version("36", "310115", "2024-06-01 10:00:00")),
        );
        let subsidies = [
            format!(
                "BT1,P02,一次性吸纳就业补贴,2,,{},310115,2024-05-20,1000,2024-05-20 10:00:00",
                uscc(9)
            ),
            format!(
                "BT2,P02,一次性吸纳就业补贴,2,,{},310115,2024-07-20,3000,2024-07-20 10:00:00",
                uscc(9)
            ),
        ];
        write_raw(
            dir.path(),
            "policy_subsidy_2024.csv",
            &format!("{SUBSIDY}\n{}\n", subsidies.join("\n")),
        );
        db.load(dir.path()).await;
        let old = tempfile::tempdir().unwrap();
        write_raw(
            old.path(),
            "employer_registry_20240101.csv",
            &format!("{REGISTRY}\n{}\n", version("13", "310108", "2024-01-02 10:00:00")),
        );
        let report = db.load(old.path()).await;
        assert_eq!(
            report.files[0].unchanged, 1,
            "{}: an older version is no news for the current row",
            db.name
        );
        assert_eq!(
            history(&db).await,
            vec!["13 0 20240601".to_string(), "36 20240601 99991231".into()],
            "{}",
            db.name
        );
        let current = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT industry FROM dwd_employer".into(),
                params: vec![],
            })
            .await
            .unwrap();
        assert_eq!(current.rows[0][0].to_key(), "36");

        let t = db
            .metrics(&query(
                &["subsidy_amount"],
                &["industry", "industry_section"],
                Grain::Month,
                "2024-05-01",
                "2024-07-31",
            ))
            .await;
        let cells: Vec<(String, String, String, f64)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["industry"].as_str().unwrap().to_string(),
                    r["industry_section"].as_str().unwrap().to_string(),
                    r["subsidy_amount"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            cells,
            vec![
                ("2024-05".to_string(), "13".to_string(), "C".to_string(), 1000.0),
                ("2024-07".to_string(), "36".to_string(), "C".to_string(), 3000.0),
            ],
            "{}",
            db.name
        );
        // The same total without the dimension: the lookup neither drops nor doubles rows.
        let total = db
            .metrics(&query(&["subsidy_amount"], &[], Grain::Year, "2024-01-01", "2024-12-31"))
            .await;
        assert_eq!(total.rows[0]["subsidy_amount"], json!(4000.0));
        db.cleanup().await;
    }
}
