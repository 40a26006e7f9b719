//! The service feeds from export to indicator, on SQLite and PostgreSQL: training
//! (enrolment and certification dated apart), startup support, unemployment-insurance
//! benefit and fund, policy subsidies, internships, facilities and annual targets.

mod support;

use jiuye_semantic::Grain;
use serde_json::json;
use support::fixtures::{person_birth, person_id, uscc, write_raw};
use support::{backends, query};

fn csv(dir: &std::path::Path, name: &str, header: &str, rows: &[String]) {
    write_raw(dir, name, &format!("{header}\n{}\n", rows.join("\n")));
}

const TRAINING: &str = "报名编号,培训机构代码,培训机构名称,项目编号,课程名称,班级编号,公民身份号码,性别,出生日期,户籍类型,文化程度,区县代码,培训类型,报名日期,结业日期,结业状态,是否取证,证书等级,应打卡次数,实际打卡次数,补贴金额,更新时间";

fn training(key: &str, person: u32, kind: &str, enrolled: &str, completion: Option<(&str, &str, &str)>, updated: &str) -> String {
    let (done, certified, level) = completion.unwrap_or(("", "", ""));
    let status = if done.is_empty() { "" } else { "1" };
    format!(
        "{key},PX310115001,上海测试职业技能培训学校,XM01,电工,BJ01,{},1,{},1,30,310115,{kind},{enrolled},{done},{status},{certified},{level},40,38,1200.50,{updated}",
        person_id(person),
        person_birth(person)
    )
}

/// 培训项目数, 班级数, 开班机构数 and 打卡人数 of a month, against the rows written here.
#[tokio::test]
async fn training_projects_classes_institutions_and_check_ins_count_distinct_codes() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let other = |row: String, project: &str, class: &str, school: &str, checked_in: &str| {
            row.replace("XM01", project)
                .replace("BJ01", class)
                .replace("PX310115001", school)
                .replace(",40,38,", &format!(",40,{checked_in},"))
        };
        csv(
            dir.path(),
            "training_enrollment_202403.csv",
            TRAINING,
            &[
                training("BM1", 1, "1", "2024-03-04", None, "2024-03-04 09:00:00"),
                training("BM2", 1, "1", "2024-03-05", None, "2024-03-05 09:00:00"), // person 1 twice
                other(
                    training("BM3", 2, "1", "2024-03-06", None, "2024-03-06 09:00:00"),
                    "XM02",
                    "BJ02",
                    "PX310115001",
                    "0",
                ),
                other(
                    training("BM4", 3, "2", "2024-03-07", None, "2024-03-07 09:00:00"),
                    "XM02",
                    "BJ03",
                    "PX310115002",
                    "5",
                ),
                other(
                    training("BM5", 4, "1", "2024-03-08", None, "2024-03-08 09:00:00"),
                    "XM03",
                    "BJ04",
                    "PX310115002",
                    "",
                ),
                other(
                    training("BM6", 5, "1", "2024-04-01", None, "2024-04-01 09:00:00"),
                    "XM09",
                    "BJ09",
                    "PX310115009",
                    "1",
                ),
            ],
        );
        db.load(dir.path()).await;
        let indicators = [
            "training_projects",
            "training_classes",
            "training_institutions",
            "training_checkin_persons",
        ];
        let t = db.metrics(&query(&indicators, &[], Grain::Month, "2024-03-01", "2024-04-30")).await;
        let march = t.rows.iter().find(|r| r["period"] == json!("2024-03")).unwrap();
        // Projects XM01–03, classes BJ01–04, schools …001 and …002; check-ins: person 1
        // (38) and 3 (5) — person 2 checked in 0 times, person 4 has no count.
        assert_eq!(
            indicators.map(|i| march[i].as_i64()),
            [Some(3), Some(4), Some(2), Some(2)],
            "{}: {march:?}",
            db.name
        );
        let april = t.rows.iter().find(|r| r["period"] == json!("2024-04")).unwrap();
        assert_eq!(indicators.map(|i| april[i].as_i64()), [Some(1); 4], "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn training_counts_enrolment_by_enrolment_date_and_certificates_by_completion_date() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        csv(
            dir.path(),
            "training_enrollment_202403.csv",
            TRAINING,
            &[
                training("BM1", 1, "1", "2024-03-04", None, "2024-03-04 09:00:00"),
                training("BM2", 2, "1", "2024-03-05", None, "2024-03-05 09:00:00"),
                training("BM3", 3, "2", "2024-03-06", None, "2024-03-06 09:00:00"),
                training("BM4", 1, "1", "2024-03-07", None, "2024-03-07 09:00:00"), // person 1 twice
            ],
        );
        db.load(dir.path()).await;
        // Completions arrive in May's export as re-sends with a newer 更新时间.
        let may = tempfile::tempdir().unwrap();
        csv(
            may.path(),
            "training_enrollment_202405.csv",
            TRAINING,
            &[
                training("BM1", 1, "1", "2024-03-04", Some(("2024-05-10", "1", "3")), "2024-05-10 09:00:00"),
                training("BM2", 2, "1", "2024-03-05", Some(("2024-05-11", "1", "5")), "2024-05-11 09:00:00"),
                training("BM3", 3, "2", "2024-03-06", Some(("2024-05-12", "0", "")), "2024-05-12 09:00:00"),
                // 是否取证 1 without 证书等级; 结业日期 before 报名日期.
                training("BM5", 4, "1", "2024-03-06", Some(("2024-05-12", "1", "")), "2024-05-12 09:00:00"),
                training("BM6", 5, "1", "2024-03-06", Some(("2024-02-12", "0", "")), "2024-05-12 09:00:00"),
            ],
        );
        let report = db.load(may.path()).await;
        assert_eq!((report.files[0].loaded, report.files[0].quarantined), (3, 2), "{}", db.name);
        let q = query(
            &["subsidized_training_persons", "apprenticeship_persons", "training_enrollments"],
            &[],
            Grain::Month,
            "2024-03-01",
            "2024-05-31",
        );
        let t = db.metrics(&q).await;
        assert_eq!(t.rows.len(), 1, "enrolments all in March: {:?}", t.rows);
        assert_eq!(t.rows[0]["period"], json!("2024-03"));
        assert_eq!(t.rows[0]["subsidized_training_persons"], json!(2), "{}", db.name);
        assert_eq!(t.rows[0]["apprenticeship_persons"], json!(1));
        assert_eq!(t.rows[0]["training_enrollments"], json!(4));
        let q = query(
            &[
                "certified_persons",
                "high_skill_certified_persons",
                "training_completions",
                "training_subsidy_amount",
            ],
            &[],
            Grain::Month,
            "2024-03-01",
            "2024-05-31",
        );
        let t = db.metrics(&q).await;
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0]["period"], json!("2024-05"));
        assert_eq!(t.rows[0]["certified_persons"], json!(2), "{}", db.name);
        assert_eq!(t.rows[0]["high_skill_certified_persons"], json!(1));
        assert_eq!(t.rows[0]["training_completions"], json!(3));
        assert_eq!(t.rows[0]["training_subsidy_amount"].as_f64().unwrap(), 3.0 * 1200.5);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn support_benefit_fund_subsidy_and_internship_indicators() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        csv(
            dir.path(),
            "startup_support_202406.csv",
            "帮扶编号,帮扶类型,办理日期,对象类型,公民身份号码,单位统一社会信用代码,园区编号,区县代码,贷款金额,带动就业人数,更新时间",
            &[
                format!("CY1,2,2024-06-03,1,{},,,310115,200000,3,2024-06-03 10:00:00", person_id(1)),
                format!("CY2,2,2024-06-04,2,,{},,310104,1500000,12,2024-06-04 10:00:00", uscc(5)),
                format!("CY3,1,2024-06-05,1,{},,,310104,,1,2024-06-05 10:00:00", person_id(2)),
                // 个人 without 公民身份号码.
                "CY4,1,2024-06-05,1,,,,310104,,1,2024-06-05 10:00:00".to_string(),
            ],
        );
        let benefit = "发放流水号,公民身份号码,性别,出生日期,区县代码,发放年月,发放金额,核定领金月数,更新时间";
        csv(
            dir.path(),
            "ui_benefit_payment_202404.csv",
            benefit,
            &[
                format!("FF1,{},1,,310115,2024-04,2000,6,2024-04-20 10:00:00", person_id(1)),
                format!("FF2,{},1,,310115,2024-04,2100,9,2024-04-20 10:00:00", person_id(2)),
            ],
        );
        csv(
            dir.path(),
            "ui_benefit_payment_202405.csv",
            benefit,
            &[
                format!("FF3,{},1,,310115,2024/5,2000,6,2024-05-20 10:00:00", person_id(1)),
                format!("FF4,{},1,,310115,202405,2000,4,2024-05-20 10:00:00", person_id(3000)),
                format!("FF5,{},1,,310115,2024-13,2000,6,2024-05-20 10:00:00", person_id(4)),
            ],
        );
        csv(
            dir.path(),
            "ui_fund_monthly_2024.csv",
            "年月,参保人数,实际缴费人数,基金收入,基金支出,期末结余,更新时间",
            &[
                "2024-04,500000,490000,90000000,60000000,1030000000,2024-05-10 10:00:00".into(),
                "2024-05,501000,491000,91000000,61000000,1060000000,2024-06-10 10:00:00".into(),
                "2024-06,502000,492000,92000000,62000000,1090000000,2024-07-10 10:00:00".into(),
            ],
        );
        csv(
            dir.path(),
            "policy_subsidy_202406.csv",
            "补贴流水号,政策代码,政策名称,对象类型,公民身份号码,单位统一社会信用代码,区县代码,发放日期,补贴金额,更新时间",
            &[
                format!(
                    "BT1,P01,灵活就业社会保险费补贴,1,{},,310115,2024-06-10,800,2024-06-10 10:00:00",
                    person_id(1)
                ),
                format!(
                    "BT2,P03,职业培训补贴,1,{},,310115,2024-06-11,1200,2024-06-11 10:00:00",
                    person_id(1)
                ),
                format!(
                    "BT3,P02,一次性吸纳就业补贴,2,,{},310115,2024-06-12,5000,2024-06-12 10:00:00",
                    uscc(5)
                ),
            ],
        );
        let internship =
            "见习编号,见习基地编号,公民身份号码,性别,出生日期,文化程度,区县代码,开始日期,结束日期,是否留用,是否长期失业青年,更新时间";
        csv(
            dir.path(),
            "internship_202407.csv",
            internship,
            &[
                format!("JX1,JD001,{},1,,20,310115,2024-07-01,,,1,2024-07-01 10:00:00", person_id(11)),
                format!("JX2,JD001,{},1,,20,310115,2024-07-02,,,0,2024-07-02 10:00:00", person_id(12)),
            ],
        );
        csv(
            dir.path(),
            "internship_202410.csv",
            internship,
            &[
                format!(
                    "JX1,JD001,{},1,,20,310115,2024-07-01,2024-10-01,1,1,2024-10-01 10:00:00",
                    person_id(11)
                ),
                format!(
                    "JX2,JD001,{},1,,20,310115,2024-07-02,2024-10-02,1,0,2024-10-02 10:00:00",
                    person_id(12)
                ),
            ],
        );
        let report = db.load(dir.path()).await;
        let quarantined: Vec<(String, u64)> = report
            .files
            .iter()
            .filter(|f| f.quarantined > 0)
            .map(|f| (f.file.clone(), f.quarantined))
            .collect();
        assert_eq!(
            quarantined,
            vec![
                ("startup_support_202406.csv".into(), 1),
                ("ui_benefit_payment_202405.csv".into(), 1)
            ],
            "{}",
            db.name
        );
        let one = |t: jiuye_semantic::Table, code: &str| t.rows[0][code].clone();
        let q = |codes: &[&str], from: &str, to: &str, grain: Grain| query(codes, &[], grain, from, to);
        let t = db
            .metrics(&q(
                &["startup_supported", "startup_loans", "startup_loan_amount", "startup_jobs_driven"],
                "2024-06-01",
                "2024-06-30",
                Grain::Month,
            ))
            .await;
        assert_eq!(t.rows[0]["startup_supported"], json!(3), "{}", db.name);
        assert_eq!(t.rows[0]["startup_loans"], json!(2));
        assert_eq!(t.rows[0]["startup_loan_amount"].as_f64().unwrap(), 1_700_000.0);
        assert_eq!(t.rows[0]["startup_jobs_driven"], json!(16));
        // April + May as one quarter-to-date: 3 persons, 4 person-months, 8,100 yuan.
        let t = db
            .metrics(&q(
                &["ui_benefit_persons", "ui_benefit_amount", "ui_benefit_avg_monthly"],
                "2024-04-01",
                "2024-06-30",
                Grain::Quarter,
            ))
            .await;
        assert_eq!(t.rows[0]["ui_benefit_persons"], json!(3), "{}", db.name);
        assert_eq!(t.rows[0]["ui_benefit_amount"].as_f64().unwrap(), 8100.0);
        assert_eq!(t.rows[0]["ui_benefit_avg_monthly"].as_f64().unwrap(), 8100.0 / 4.0);
        // 领金周期 and 领金平均年龄 over the four payment records: approved months 6, 9, 6, 4;
        // ages on the first day of each 发放年月, from the fixtures' birth dates.
        let age_on = |n: u32, day: &str| {
            let birth = chrono::NaiveDate::parse_from_str(&person_birth(n), "%Y-%m-%d").unwrap();
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            day.years_since(birth).unwrap() as f64
        };
        let ages = [
            age_on(1, "2024-04-01"),
            age_on(2, "2024-04-01"),
            age_on(1, "2024-05-01"),
            age_on(3000, "2024-05-01"),
        ];
        assert!(ages[3] < ages[0], "a younger recipient makes the average move: {ages:?}");
        let t = db
            .metrics(&q(
                &["ui_benefit_payments", "ui_benefit_avg_period", "ui_benefit_avg_age"],
                "2024-04-01",
                "2024-06-30",
                Grain::Quarter,
            ))
            .await;
        assert_eq!(t.rows[0]["ui_benefit_payments"], json!(4), "{}", db.name);
        assert_eq!(t.rows[0]["ui_benefit_avg_period"].as_f64().unwrap(), (6.0 + 9.0 + 6.0 + 4.0) / 4.0);
        assert_eq!(t.rows[0]["ui_benefit_avg_age"].as_f64().unwrap(), ages.iter().sum::<f64>() / 4.0);
        let t = db
            .metrics(&q(
                &["ui_fund_income", "ui_fund_expense"],
                "2024-04-01",
                "2024-06-30",
                Grain::Quarter,
            ))
            .await;
        assert_eq!(one(t.clone(), "ui_fund_income").as_f64().unwrap(), 273_000_000.0, "{}", db.name);
        assert_eq!(one(t, "ui_fund_expense").as_f64().unwrap(), 183_000_000.0);
        let t = db
            .metrics(&q(
                &["subsidy_amount", "subsidy_recipients", "subsidy_payments"],
                "2024-06-01",
                "2024-06-30",
                Grain::Month,
            ))
            .await;
        assert_eq!(t.rows[0]["subsidy_amount"].as_f64().unwrap(), 7000.0);
        assert_eq!(t.rows[0]["subsidy_recipients"], json!(1), "only 个人 count as persons");
        assert_eq!(t.rows[0]["subsidy_payments"], json!(3));
        // By 补贴政策: one payment under each of P01, P02, P03.
        let t = db
            .metrics(&support::query(
                &["subsidy_amount", "subsidy_payments"],
                &["policy"],
                Grain::Month,
                "2024-06-01",
                "2024-06-30",
            ))
            .await;
        let by_policy: Vec<(String, f64)> = t
            .rows
            .iter()
            .map(|r| (r["policy"].as_str().unwrap().to_string(), r["subsidy_amount"].as_f64().unwrap()))
            .collect();
        assert_eq!(
            by_policy,
            [("P01".to_string(), 800.0), ("P02".into(), 5000.0), ("P03".into(), 1200.0)],
            "{}",
            db.name
        );
        let t = db
            .metrics(&q(
                &["interns", "interns_retained", "long_term_unemployed_youth_helped"],
                "2024-01-01",
                "2024-12-31",
                Grain::Quarter,
            ))
            .await;
        let by_period: Vec<(String, serde_json::Value, serde_json::Value, serde_json::Value)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["interns"].clone(),
                    r["interns_retained"].clone(),
                    r["long_term_unemployed_youth_helped"].clone(),
                )
            })
            .collect();
        assert_eq!(
            by_period,
            vec![
                ("2024-Q3".into(), json!(2), json!(0), json!(0)),
                ("2024-Q4".into(), json!(0), json!(2), json!(1)),
            ],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn facilities_and_targets_load_as_reference_data() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        csv(
            dir.path(),
            "facility_registry_20240101.csv",
            "机构编号,机构名称,机构类型,区县代码,地址,经度,纬度,状态,更新时间",
            &[
                "JG1,黄浦区就业促进中心,1,310103,某路1号,121.47,31.22,1,2024-01-01 09:00:00".into(),
                "JG2,某创业园区,7,310115,某路2号,121.6,31.2,有效,2024-01-01 09:00:00".into(),
                "JG3,某基地,9,310115,,,,1,2024-01-01 09:00:00".into(),
            ],
        );
        let header = "年度,指标代码,区县代码,目标值,预警值";
        csv(
            dir.path(),
            "indicator_target_20240101.csv",
            header,
            &[
                "2024,hire_persons,310000,100000,90000".into(),
                "2024,hire_persons,310108,5000,4500".into(),
                "2024,no_such_indicator,310000,1,1".into(),
                "2024,hire_persons,310199,1,1".into(),
            ],
        );
        // A later file replaces a target of the same year, indicator and district.
        csv(
            dir.path(),
            "indicator_target_20240601.csv",
            header,
            &["2024,hire_persons,310000,110000,95000".into()],
        );
        let report = db.load(dir.path()).await;
        let facilities = report.files.iter().find(|f| f.feed == "facility_registry").unwrap();
        assert_eq!((facilities.loaded, facilities.quarantined), (2, 1), "{}", db.name);
        assert_eq!(
            db.rows("SELECT business_key, district_reported, district, status FROM dwd_facility ORDER BY business_key")
                .await,
            vec![
                vec!["JG1".to_string(), "310103".into(), "310101".into(), "1".into()],
                vec!["JG2".to_string(), "310115".into(), "310115".into(), "1".into()],
            ]
        );
        let quarantined: u64 = report
            .files
            .iter()
            .filter(|f| f.feed == "indicator_target")
            .map(|f| f.quarantined)
            .sum();
        assert_eq!(quarantined, 2);
        // A later registry with the two columns beyond the contract (docs/feeds.md):
        // JG2 now plans 40 places with 6 instructors, a new 见习基地 plans 20 with 3, a
        // closed base's plan does not count. Before March no facility had a plan.
        let march = tempfile::tempdir().unwrap();
        csv(
            march.path(),
            "facility_registry_20240301.csv",
            "机构编号,机构名称,机构类型,区县代码,地址,经度,纬度,状态,更新时间,年度计划数,指导教师数",
            &[
                "JG2,某创业园区,7,310115,某路2号,121.6,31.2,1,2024-03-01 09:00:00,40,6".into(),
                "JG4,某见习基地,5,310104,某路4号,121.43,31.18,1,2024-03-01 09:00:00,20,3".into(),
                "JG5,某撤销基地,5,310104,,,,0,2024-03-01 09:00:00,99,9".into(),
            ],
        );
        db.load(march.path()).await;
        let plans = ["base_planned_places", "base_instructors"];
        let t = db
            .metrics(&query(&plans, &["district"], Grain::Month, "2024-02-01", "2024-03-31"))
            .await;
        let at = |period: &str, district: &str| {
            let row = t
                .rows
                .iter()
                .find(|r| r["period"] == json!(period) && r["district"] == json!(district));
            plans.map(|i| row.and_then(|r| r[i].as_i64()))
        };
        assert_eq!(at("2024-03", "310115"), [Some(40), Some(6)], "{}: {:?}", db.name, t.rows);
        assert_eq!(at("2024-03", "310104"), [Some(20), Some(3)], "{}", db.name);
        assert_eq!(at("2024-02", "310115"), [None, None], "{}: no plan before March", db.name);
        assert_eq!(
            db.rows("SELECT year, indicator_code, district, target, warning FROM dwd_indicator_target ORDER BY district")
                .await,
            vec![
                vec![
                    "2024".to_string(),
                    "hire_persons".into(),
                    "310000".into(),
                    "110000".into(),
                    "95000".into()
                ],
                vec![
                    "2024".to_string(),
                    "hire_persons".into(),
                    "310106".into(),
                    "5000".into(),
                    "4500".into()
                ],
            ],
            "{}: 闸北 (310108) targets count under 静安 (310106)",
            db.name
        );
        db.cleanup().await;
    }
}
