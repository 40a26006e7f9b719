//! Loading scenarios of source-feeds.md, each run on SQLite and PostgreSQL with the same
//! expected answers.

mod support;

use jiuye_semantic::Grain;
use jiuye_sql_value::{SqlValue, Statement};
use support::fixtures::{
    HEADERS, Reg, sample, write_raw, write_regs, write_regs_gb18030, write_regs_in, write_regs_jsonl, write_regs_parquet, write_regs_xlsx,
};
use support::{TestDb, backends, query};

fn month_query() -> jiuye_semantic::MetricsQuery {
    query(
        &["hire_registrations", "hire_persons", "separation_registrations"],
        &["district"],
        Grain::Month,
        "2024-03-01",
        "2024-03-31",
    )
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let rs = db
        .warehouse
        .fetch(&Statement {
            sql: sql.into(),
            params: vec![],
        })
        .await
        .unwrap();
    rs.rows[0][0].as_i64().unwrap()
}

#[tokio::test]
async fn the_same_file_twice_changes_nothing() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut regs = sample();
        regs.push(Reg::hire("BAD", 9, "310199", "2024-03-07"));
        write_regs(dir.path(), "employment_registration_20240331.csv", &regs);
        let first = db.load(dir.path()).await;
        let f = &first.files[0];
        assert_eq!((f.read, f.loaded, f.unchanged, f.quarantined), (5, 4, 0, 1), "{}", db.name);
        let before = db.metrics(&month_query()).await;
        let second = db.load(dir.path()).await;
        let f = &second.files[0];
        assert_eq!((f.read, f.loaded, f.unchanged, f.quarantined), (5, 0, 4, 1), "{}", db.name);
        assert_eq!(db.metrics(&month_query()).await, before, "{}", db.name);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM dwd_employment_registration").await, 4);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_newer_correction_moves_the_numbers_and_older_or_equal_ones_do_not() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_20240331.csv", &sample());
        db.load(dir.path()).await;
        let q = month_query();
        assert_eq!(db.value(&q, "hire_persons", &[("district", "310115")]).await, Some(2.into()));

        // K2 moves from 浦东 to 徐汇 with a newer 更新时间; K1's equal-time and K3's older
        // "corrections" change nothing.
        let dir2 = tempfile::tempdir().unwrap();
        write_regs(
            dir2.path(),
            "employment_registration_20240401_corrections.csv",
            &[
                Reg::hire("K2", 2, "310104", "2024-03-05").set("更新时间", "2024-04-01 10:00:00"),
                Reg::hire("K1", 1, "310104", "2024-03-04").set("更新时间", "2024-03-04 09:00:00"),
                Reg::hire("K3", 3, "310115", "2024-03-05").set("更新时间", "2024-03-01 08:00:00"),
            ],
        );
        let report = db.load(dir2.path()).await;
        let f = &report.files[0];
        assert_eq!((f.read, f.loaded, f.unchanged, f.quarantined), (3, 1, 2, 0), "{}", db.name);
        assert_eq!(
            db.value(&q, "hire_persons", &[("district", "310115")]).await,
            Some(1.into()),
            "{}",
            db.name
        );
        assert_eq!(
            db.value(&q, "hire_persons", &[("district", "310104")]).await,
            Some(2.into()),
            "{}",
            db.name
        );
        // The rollups moved too: the whole-month query is served from them.
        let city = query(&["hire_persons"], &[], Grain::Month, "2024-03-01", "2024-03-31");
        assert_eq!(db.value(&city, "hire_persons", &[("period", "2024-03")]).await, Some(3.into()));

        // A correction that moves the date to another month dirties both months.
        let dir3 = tempfile::tempdir().unwrap();
        write_regs(
            dir3.path(),
            "employment_registration_20240402.csv",
            &[Reg::hire("K3", 3, "310104", "2024-04-02").set("更新时间", "2024-04-02 10:00:00")],
        );
        db.load(dir3.path()).await;
        let spring = query(&["hire_registrations"], &[], Grain::Month, "2024-03-01", "2024-04-30");
        assert_eq!(
            db.value(&spring, "hire_registrations", &[("period", "2024-03")]).await,
            Some(2.into()),
            "{}",
            db.name
        );
        assert_eq!(
            db.value(&spring, "hire_registrations", &[("period", "2024-04")]).await,
            Some(1.into()),
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn gb18030_with_shuffled_columns_xlsx_parquet_and_jsonl_load_like_utf8() {
    for db in backends().await {
        let utf8 = tempfile::tempdir().unwrap();
        write_regs(utf8.path(), "employment_registration_a.csv", &sample());
        let expected_report = db.load(utf8.path()).await;
        let expected = db.metrics(&month_query()).await;
        assert_eq!(expected.rows.len(), 2);

        for variant in ["gb18030", "xlsx", "parquet", "jsonl"] {
            let other = db.fresh_like().await;
            let dir = tempfile::tempdir().unwrap();
            if variant == "gb18030" {
                let mut shuffled: Vec<&str> = HEADERS.to_vec();
                shuffled.reverse();
                shuffled.swap(0, 7);
                let mut with_extra = shuffled.clone();
                with_extra.push("备注");
                let regs: Vec<Reg> = sample()
                    .into_iter()
                    .map(|r| {
                        let slashed = r.0["办理日期"].replace('-', "/").replace("/0", "/");
                        r.set("办理日期", &slashed)
                    })
                    .collect();
                write_regs_gb18030(dir.path(), "employment_registration_b.csv", &with_extra, &regs);
            } else if variant == "parquet" {
                write_regs_parquet(dir.path(), "employment_registration_b.parquet", &sample());
            } else if variant == "jsonl" {
                write_regs_jsonl(dir.path(), "employment_registration_b.jsonl", &sample());
            } else {
                // One 更新时间 at midnight: a spreadsheet must not turn it into a bare date.
                let mut regs = sample();
                regs[0] = regs[0].clone().set("更新时间", "2024-03-04 00:00:00");
                write_regs_xlsx(dir.path(), "employment_registration_b.xlsx", &regs);
            }
            let report = other.load(dir.path()).await;
            let f = &report.files[0];
            assert_eq!(f.status, "loaded", "{variant} on {}: {:?}", db.name, f.error);
            assert_eq!((f.read, f.loaded, f.quarantined), (4, 4, 0), "{variant} on {}", db.name);
            assert_eq!(other.metrics(&month_query()).await, expected, "{variant} on {}", db.name);
            other.cleanup().await;
        }
        assert_eq!(expected_report.files[0].loaded, 4);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn every_quarantine_rule_keeps_the_row_the_rule_and_the_value() {
    let bad_check = {
        let id = support::fixtures::person_id(20);
        let last = if id.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &id[..17])
    };
    let mut bad_uscc = support::fixtures::uscc(7);
    bad_uscc.pop();
    bad_uscc.push(if bad_uscc.ends_with('0') { '1' } else { '0' });
    let cases: Vec<(Reg, &str, &str)> = vec![
        (Reg::hire("Q1", 21, "310115", "2024-03-04").set("姓名", ""), "required", "姓名"),
        (
            Reg::separation("Q2", 22, "310115", "2024-03-04", ""),
            "conditional_required",
            "退工原因",
        ),
        (Reg::hire("Q3", 23, "310115", "2024-02-30"), "invalid_date", "办理日期"),
        (
            Reg::hire("Q4", 24, "310115", "2024-03-04").set("更新时间", "2024-03-04 25:61:00"),
            "invalid_timestamp",
            "更新时间",
        ),
        (Reg::hire("Q5", 25, "310199", "2024-03-04"), "unknown_code", "区县代码"),
        (
            Reg::hire("Q6", 26, "310115", "2024-03-04").set("公民身份号码", &bad_check),
            "id_number",
            "公民身份号码",
        ),
        (
            Reg::hire("Q7", 27, "310115", "2024-03-04").set("单位统一社会信用代码", &bad_uscc),
            "uscc",
            "单位统一社会信用代码",
        ),
        (
            Reg::hire("Q8", 28, "310115", "2024-03-04").set("出生日期", "1980-01-01"),
            "birth_date_mismatch",
            "出生日期",
        ),
        (
            Reg::hire("Q9", 29, "310115", "2024-03-04").set("月工资", "一万"),
            "invalid_number",
            "月工资",
        ),
        (
            Reg::hire("Q10", 30, "310115", "2024-03-04").set("业务类型", "调动"),
            "unknown_code",
            "业务类型",
        ),
        (
            Reg::hire("Q11", 31, "310115", "2024-03-04")
                .set("公民身份号码", &support::fixtures::id_number("310101", "20150101", 123))
                .set("出生日期", "2015-01-01"),
            "below_working_age",
            "公民身份号码",
        ),
        (Reg::hire("Q12", 32, "310000", "2024-03-04"), "unknown_code", "区县代码"),
        (
            Reg::hire("Q13", 33, "310115", "2024-03-04").set("月工资", "5000.125"),
            "invalid_number",
            "月工资",
        ),
    ];
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut regs: Vec<Reg> = cases.iter().map(|(r, _, _)| r.clone()).collect();
        regs.push(Reg::hire("OK", 40, "310115", "2024-03-04"));
        write_regs(dir.path(), "employment_registration_q.csv", &regs);
        let report = db.load(dir.path()).await;
        let f = &report.files[0];
        assert_eq!((f.read, f.loaded, f.unchanged, f.quarantined), (14, 1, 0, 13), "{}", db.name);
        let rows = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT business_key, rule, column_name, value, line_no FROM meta_quarantine ORDER BY line_no".into(),
                params: vec![],
            })
            .await
            .unwrap();
        for (i, (_, rule, column)) in cases.iter().enumerate() {
            let key = format!("Q{}", i + 1);
            let row = rows
                .rows
                .iter()
                .find(|r| r[0].to_key() == key)
                .unwrap_or_else(|| panic!("{key} not quarantined on {}", db.name));
            assert_eq!(
                (row[1].to_key().as_str(), row[2].to_key().as_str()),
                (*rule, *column),
                "{key} on {}",
                db.name
            );
            assert_eq!(row[4], SqlValue::Int(i as i64 + 2), "line of {key}: header is line 1");
        }
        // Personal values are masked even in quarantine.
        let id_row = rows.rows.iter().find(|r| r[0].to_key() == "Q6").unwrap();
        assert_eq!(id_row[3].to_key(), jiuye_privacy::mask_id_number(&bad_check));
        let value_of = |k: &str| rows.rows.iter().find(|r| r[0].to_key() == k).unwrap()[3].to_key();
        assert_eq!(value_of("Q3"), "2024-02-30");
        assert_eq!(value_of("Q5"), "310199");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_file_missing_a_required_column_is_rejected_whole_with_the_column_named() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let headers: Vec<&str> = HEADERS.iter().copied().filter(|h| *h != "区县代码").collect();
        write_regs_in(dir.path(), "employment_registration_x.csv", &headers, &sample());
        write_regs(dir.path(), "employment_registration_y.csv", &sample());
        write_raw(dir.path(), "unrelated_export.csv", "a,b\n1,2\n");
        let report = db.load(dir.path()).await;
        let x = &report.files[0];
        assert_eq!(x.status, "rejected");
        assert!(x.error.as_deref().unwrap().contains("区县代码"), "{:?}", x.error);
        assert_eq!(report.files[1].loaded, 4, "the run goes on with the next file");
        assert_eq!(report.skipped, vec!["unrelated_export.csv".to_string()]);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn no_plaintext_personal_data_past_ods_and_ods_is_encrypted() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_p.csv", &sample());
        db.load(dir.path()).await;
        let id = support::fixtures::person_id(1);
        for table in [
            "ods_employment_registration",
            "dwd_employment_registration",
            "meta_quarantine",
            "dws_employment_registration_persons_day_district",
        ] {
            let rs = db
                .warehouse
                .fetch(&Statement {
                    sql: format!("SELECT * FROM {table}"),
                    params: vec![],
                })
                .await
                .unwrap();
            for row in &rs.rows {
                for cell in row {
                    let text = cell.to_key();
                    assert!(
                        !text.contains(&id) && !text.contains("测试1"),
                        "{table} holds plaintext personal data: {text}"
                    );
                }
            }
        }
        let enc = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT id_number_enc, file_id, line_no FROM ods_employment_registration WHERE business_key = 'K1'".into(),
                params: vec![],
            })
            .await
            .unwrap();
        let sealed = enc.rows[0][0].to_key();
        let row = format!("{}:{}", enc.rows[0][1].to_key(), enc.rows[0][2].to_key());
        let place = |column, row| jiuye_privacy::Place {
            table: "ods_employment_registration",
            column,
            row,
        };
        assert_eq!(
            support::keys().open(&sealed, &place("id_number_enc", &row)).unwrap(),
            id,
            "ODS decrypts with the key, in its place"
        );
        assert!(
            support::keys().open(&sealed, &place("name_enc", &row)).is_err(),
            "not as another column"
        );
        assert!(
            support::keys().open(&sealed, &place("id_number_enc", "999:1")).is_err(),
            "not as another row"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_row_that_does_not_fit_its_header_is_kept_whole_and_encrypted() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        // Headers with the ID column after a name column; an unquoted comma in 单位名称
        // shifts every following cell, so the ID number would land under 业务流水号.
        let mut headers: Vec<&str> = HEADERS.to_vec();
        headers.retain(|h| *h != "单位名称" && *h != "公民身份号码");
        headers.insert(0, "单位名称");
        headers.insert(1, "公民身份号码");
        let good = Reg::hire("M1", 1, "310115", "2024-03-04");
        let mut text = String::new();
        text.push_str(&headers.join(","));
        text.push('\n');
        let cells = |r: &Reg| r.cells(&headers).join(",");
        text.push_str(&cells(&good));
        text.push('\n');
        let bad = Reg::hire("M2", 2, "310115", "2024-03-04").set("单位名称", "某公司,浦东分公司");
        text.push_str(&cells(&bad));
        text.push('\n');
        write_raw(dir.path(), "employment_registration_m.csv", &text);
        let report = db.load(dir.path()).await;
        let f = &report.files[0];
        assert_eq!((f.read, f.loaded, f.quarantined), (2, 1, 1), "{}", db.name);
        let id = support::fixtures::person_id(2);
        for table in ["ods_employment_registration", "meta_quarantine"] {
            let rs = db
                .warehouse
                .fetch(&Statement {
                    sql: format!("SELECT * FROM {table}"),
                    params: vec![],
                })
                .await
                .unwrap();
            assert!(
                rs.rows.iter().flatten().all(|c| !c.to_key().contains(&id)),
                "{table} holds the ID in plain text"
            );
        }
        let raw = db
            .warehouse
            .fetch(&Statement {
                sql: "SELECT raw_line_enc, file_id, line_no FROM ods_employment_registration WHERE raw_line_enc IS NOT NULL".into(),
                params: vec![],
            })
            .await
            .unwrap();
        let row = format!("{}:{}", raw.rows[0][1].to_key(), raw.rows[0][2].to_key());
        let place = jiuye_privacy::Place {
            table: "ods_employment_registration",
            column: "raw_line_enc",
            row: &row,
        };
        assert!(
            support::keys().open(&raw.rows[0][0].to_key(), &place).unwrap().contains(&id),
            "the whole line is kept, encrypted"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_broken_json_line_is_quarantined_whole() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    write_regs_jsonl(dir.path(), "employment_registration_j.jsonl", &sample());
    let path = dir.path().join("employment_registration_j.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"业务流水号\": \"J9\", \"公民身份号码\": \"310101199001011234\"\n");
    std::fs::write(&path, text).unwrap();
    let report = db.load(dir.path()).await;
    let f = &report.files[0];
    assert_eq!((f.read, f.loaded, f.quarantined), (5, 4, 1));
    let rules = jiuye_etl::ledger::quarantine(&db.warehouse, None, None, 10).await.unwrap();
    assert_eq!((rules[0].rule.as_str(), rules[0].line), ("malformed_row", 5));
    let ods = db
        .warehouse
        .fetch(&Statement {
            sql: "SELECT * FROM ods_employment_registration".into(),
            params: vec![],
        })
        .await
        .unwrap();
    assert!(
        ods.rows.iter().flatten().all(|c| !c.to_key().contains("310101199001011234")),
        "the broken line is kept encrypted only"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn large_files_stream_in_batches_with_the_same_rules_and_atomicity() {
    let mut regs: Vec<Reg> = (0..20_010u32)
        .map(|i| Reg::hire(&format!("B{i}"), i % 5000, "310115", "2024-03-04"))
        .collect();
    // A key first in batch 1 with an older time and again in batch 2 with a newer one, and
    // the reverse: the newest wins either way.
    regs[3] = Reg::hire("DUP1", 1, "310115", "2024-03-04").set("更新时间", "2024-03-04 09:00:00");
    regs[20_005] = Reg::hire("DUP1", 1, "310104", "2024-03-04").set("更新时间", "2024-03-05 09:00:00");
    regs[4] = Reg::hire("DUP2", 2, "310104", "2024-03-04").set("更新时间", "2024-03-06 09:00:00");
    regs[20_006] = Reg::hire("DUP2", 2, "310115", "2024-03-04").set("更新时间", "2024-03-05 09:00:00");
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_big.csv", &regs);
        let report = db.load(dir.path()).await;
        let f = &report.files[0];
        assert_eq!(
            (f.read, f.loaded, f.unchanged, f.quarantined),
            (20_010, 20_008, 2, 0),
            "{}",
            db.name
        );
        let rs = db
            .warehouse
            .fetch(&Statement { sql: "SELECT business_key, district FROM dwd_employment_registration WHERE business_key IN ('DUP1', 'DUP2') ORDER BY business_key".into(), params: vec![] })
            .await
            .unwrap();
        let got: Vec<String> = rs.rows.iter().map(|r| r[1].to_key()).collect();
        assert_eq!(got, vec!["310104", "310104"], "the newest version of each key ({})", db.name);

        // An invalid byte after the first batch rejects the whole file: nothing of it stays.
        let other = db.fresh_like().await;
        let bad = tempfile::tempdir().unwrap();
        write_regs(bad.path(), "employment_registration_bad.csv", &regs);
        let path = bad.path().join("employment_registration_bad.csv");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"X1,\xff\xfe,broken\n");
        std::fs::write(&path, bytes).unwrap();
        let report = other.load(bad.path()).await;
        assert_eq!(report.files[0].status, "rejected", "{}", db.name);
        assert!(
            report.files[0].error.as_deref().unwrap().contains("line 20012"),
            "{:?}",
            report.files[0].error
        );
        for table in ["ods_employment_registration", "dwd_employment_registration", "meta_quarantine"] {
            let n = other
                .warehouse
                .fetch(&Statement {
                    sql: format!("SELECT COUNT(*) FROM {table}"),
                    params: vec![],
                })
                .await
                .unwrap()
                .rows[0][0]
                .as_i64()
                .unwrap();
            assert_eq!(n, 0, "{table} keeps nothing of a rejected file ({})", db.name);
        }
        other.cleanup().await;
        db.cleanup().await;
    }
}
