//! Stocks on SQLite and PostgreSQL: registered_unemployed and employed_persons on every
//! day, and new_jobs per month, equal an independent replay of the same records — the
//! "latest record on or before the day" rule written out naively here — including
//! same-day records, corrections re-sent later, and the fund's month-end stocks.

mod support;

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use jiuye_semantic::Grain;
use serde_json::json;
use support::fixtures::{Reg, person_birth, person_id, write_raw, write_regs};
use support::{backends, day, query};

/// One generated record: (person, date, 更新时间 seconds, key, opens, retirement).
#[derive(Clone, Debug)]
struct Event {
    person: u32,
    date: NaiveDate,
    second: u32,
    key: String,
    opens: bool,
    retirement: bool,
    hukou: &'static str,
    district: &'static str,
}

/// A small deterministic generator (no RNG crate needed): a linear congruential walk.
struct Walk(u64);
impl Walk {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const DISTRICTS: [&str; 3] = ["310115", "310104", "310112"];
const HUKOU: [&str; 3] = ["1", "2", "3"];

/// Records of one feed for 24 persons over January–June 2024, several on the same day.
fn events(seed: u64, prefix: &str, retirements: bool) -> Vec<Event> {
    let mut walk = Walk(seed);
    let first = day("2024-01-01");
    let mut out = Vec::new();
    for person in 1..=24u32 {
        for i in 0..walk.next(6) {
            let date = first + Days::new(walk.next(180));
            let opens = walk.next(2) == 0;
            out.push(Event {
                person,
                date,
                second: walk.next(3000) as u32,
                key: format!("{prefix}{person:02}{i}"),
                opens,
                retirement: retirements && !opens && walk.next(4) == 0,
                hukou: HUKOU[walk.next(3) as usize],
                district: DISTRICTS[walk.next(3) as usize],
            });
        }
    }
    out
}

fn timestamp(e: &Event) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        e.date,
        8 + e.second / 3600,
        (e.second / 60) % 60,
        e.second % 60
    )
}

/// The latest record of `person` on or before `d` among `events` opens the state.
fn holds(events: &[Event], person: u32, d: NaiveDate) -> bool {
    events
        .iter()
        .filter(|e| e.person == person && e.date <= d)
        .max_by(|a, b| (a.date, a.second, &a.key).cmp(&(b.date, b.second, &b.key)))
        .is_some_and(|e| e.opens)
}

fn unemployment_csv(events: &[Event]) -> String {
    let mut text =
        "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,区县代码,原行业代码,原因,更新时间\n".to_string();
    for e in events {
        text.push_str(&format!(
            "{},{},{},{},失业{},1,{},{},20,{},65,{},{}\n",
            e.key,
            if e.opens { "登记" } else { "注销" },
            e.date,
            person_id(e.person),
            e.person,
            person_birth(e.person),
            e.hukou,
            e.district,
            if e.opens { "1" } else { "1" },
            timestamp(e)
        ));
    }
    text
}

#[tokio::test]
async fn registered_unemployed_on_every_day_equals_a_replay_of_the_records() {
    let records = events(7, "SY", false);
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_raw(dir.path(), "unemployment_registration_2024.csv", &unemployment_csv(&records));
        db.load(dir.path()).await;
        let q = query(
            &["registered_unemployed", "registered_unemployed_all"],
            &["district"],
            Grain::Day,
            "2024-01-01",
            "2024-07-10",
        );
        let t = db.metrics(&q).await;
        let mut got: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for r in &t.rows {
            got.insert(
                (r["period"].as_str().unwrap().into(), r["district"].as_str().unwrap().into()),
                (
                    r["registered_unemployed"].as_i64().unwrap(),
                    r["registered_unemployed_all"].as_i64().unwrap(),
                ),
            );
        }
        let mut expected: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for d in day("2024-01-01").iter_days().take_while(|d| *d <= day("2024-07-10")) {
            for person in 1..=24 {
                if !holds(&records, person, d) {
                    continue;
                }
                // The dimensions are those of the latest 登记.
                let holder = records
                    .iter()
                    .filter(|e| e.person == person && e.date <= d)
                    .max_by(|a, b| (a.date, a.second, &a.key).cmp(&(b.date, b.second, &b.key)))
                    .unwrap();
                let cell = expected.entry((d.to_string(), holder.district.to_string())).or_default();
                cell.1 += 1;
                if holder.hukou != "3" {
                    cell.0 += 1;
                }
            }
        }
        expected.retain(|_, v| v.1 > 0);
        assert!(expected.len() > 100, "the fixture exercises the rule: {} cells", expected.len());
        assert_eq!(got, expected, "{}", db.name);

        // A month's value is its last day's; the running month's, the query's end date's.
        let months = db
            .metrics(&query(
                &["registered_unemployed_all"],
                &[],
                Grain::Month,
                "2024-01-01",
                "2024-03-20",
            ))
            .await;
        let on = |d: &str| (1..=24).filter(|p| holds(&records, *p, day(d))).count() as i64;
        let values: Vec<(String, i64)> = months
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["registered_unemployed_all"].as_i64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, i64)> = [("2024-01", "2024-01-31"), ("2024-02", "2024-02-29"), ("2024-03", "2024-03-20")]
            .iter()
            .map(|(p, d)| (p.to_string(), on(d)))
            .filter(|(_, v)| *v > 0)
            .collect();
        assert_eq!(values, expected, "{}", db.name);
        db.cleanup().await;
    }
}

fn flexible_csv(events: &[Event]) -> String {
    let mut text =
        "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,区县代码,灵活就业类型,更新时间\n".to_string();
    for e in events {
        text.push_str(&format!(
            "{},{},{},{},灵活{},1,{},1,20,{},3,{}\n",
            e.key,
            if e.opens { "登记" } else { "注销" },
            e.date,
            person_id(e.person),
            e.person,
            person_birth(e.person),
            e.district,
            timestamp(e)
        ));
    }
    text
}

fn registrations(events: &[Event]) -> Vec<Reg> {
    events
        .iter()
        .map(|e| {
            let date = e.date.to_string();
            let reg = if e.opens {
                Reg::hire(&e.key, e.person, e.district, &date)
            } else {
                Reg::separation(&e.key, e.person, e.district, &date, if e.retirement { "5" } else { "3" })
            };
            reg.set("更新时间", &timestamp(e))
        })
        .collect()
}

#[tokio::test]
async fn employed_persons_and_new_jobs_equal_a_replay_and_follow_corrections() {
    let mut hires = events(11, "ZG", true);
    let flexible = events(13, "LJ", false);
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_2024.csv", &registrations(&hires));
        write_raw(dir.path(), "flexible_employment_2024.csv", &flexible_csv(&flexible));
        db.load(dir.path()).await;
        let check = |hires: Vec<Event>, label: &'static str| {
            let flexible = flexible.clone();
            let db = &db;
            async move {
                let employed = |p: u32, d: NaiveDate| holds(&hires, p, d) || holds(&flexible, p, d);
                let t = db
                    .metrics(&query(&["employed_persons"], &[], Grain::Day, "2024-01-01", "2024-07-10"))
                    .await;
                let got: BTreeMap<String, i64> = t
                    .rows
                    .iter()
                    .map(|r| (r["period"].as_str().unwrap().to_string(), r["employed_persons"].as_i64().unwrap()))
                    .collect();
                let expected: BTreeMap<String, i64> = day("2024-01-01")
                    .iter_days()
                    .take_while(|d| *d <= day("2024-07-10"))
                    .map(|d| (d.to_string(), (1..=24).filter(|p| employed(*p, d)).count() as i64))
                    .filter(|(_, n)| *n > 0)
                    .collect();
                assert_eq!(got, expected, "{} ({label}): employed_persons by day", db.name);

                let t = db
                    .metrics(&query(
                        &["new_jobs", "employment_entrants", "natural_attrition"],
                        &[],
                        Grain::Month,
                        "2024-01-01",
                        "2024-06-30",
                    ))
                    .await;
                for month in 1..=6u32 {
                    let first = NaiveDate::from_ymd_opt(2024, month, 1).unwrap();
                    let last = first.checked_add_months(chrono::Months::new(1)).unwrap() - Days::new(1);
                    let in_month = |e: &&Event| e.date >= first && e.date <= last;
                    let mut entrants: Vec<u32> = hires
                        .iter()
                        .chain(&flexible)
                        .filter(in_month)
                        .filter(|e| e.opens && !employed(e.person, e.date - Days::new(1)))
                        .map(|e| e.person)
                        .collect();
                    entrants.sort();
                    entrants.dedup();
                    let mut retired: Vec<u32> = hires.iter().filter(in_month).filter(|e| e.retirement).map(|e| e.person).collect();
                    retired.sort();
                    retired.dedup();
                    let label_month = format!("2024-{month:02}");
                    let row = t.rows.iter().find(|r| r["period"] == json!(label_month));
                    let cell = |code: &str| row.map(|r| r[code].as_i64().unwrap()).unwrap_or(0);
                    assert_eq!(
                        (cell("employment_entrants"), cell("natural_attrition"), cell("new_jobs")),
                        (
                            entrants.len() as i64,
                            retired.len() as i64,
                            entrants.len() as i64 - retired.len() as i64
                        ),
                        "{} ({label}): {label_month}",
                        db.name
                    );
                }
            }
        };
        check(hires.clone(), "first load").await;

        // A correction re-sent later moves a 招工 to another day and turns a 退工 into a
        // 招工: the states of those persons are rebuilt, nobody else's change.
        let fix = tempfile::tempdir().unwrap();
        let mut corrected = Vec::new();
        for e in hires.iter_mut().filter(|e| e.person % 5 == 0).take(4) {
            e.date = e.date.min(day("2024-06-20")) + Days::new(3);
            e.opens = !e.opens;
            e.retirement = false;
            e.second = 3500;
            corrected.push(e.clone());
        }
        let mut regs = registrations(&corrected);
        for r in &mut regs {
            let date = r.0["办理日期"].clone();
            *r = r.clone().set("更新时间", &format!("{date} 23:59:00"));
        }
        for e in hires.iter_mut().filter(|e| corrected.iter().any(|c| c.key == e.key)) {
            e.second = 3600 * 15 + 3540;
        }
        write_regs(fix.path(), "employment_registration_2024_fix.csv", &regs);
        db.load(fix.path()).await;
        check(hires.clone(), "after corrections").await;
        db.cleanup().await;
    }
}

/// 城镇登记失业率 at each month's end: the replayed registered unemployed (any 户籍) over
/// the replayed labour force (employed plus those unemployed), as a percentage.
#[tokio::test]
async fn the_registered_unemployment_rate_is_the_replayed_unemployed_over_the_labour_force() {
    let hires = events(11, "ZG", true);
    let flexible = events(13, "LJ", false);
    let unemployed = events(7, "SY", false);
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        write_regs(dir.path(), "employment_registration_2024.csv", &registrations(&hires));
        write_raw(dir.path(), "flexible_employment_2024.csv", &flexible_csv(&flexible));
        write_raw(dir.path(), "unemployment_registration_2024.csv", &unemployment_csv(&unemployed));
        db.load(dir.path()).await;
        let t = db
            .metrics(&query(
                &["registered_unemployment_rate"],
                &[],
                Grain::Month,
                "2024-01-01",
                "2024-06-30",
            ))
            .await;
        let mut checked = 0;
        for month in 1..=6u32 {
            let first = NaiveDate::from_ymd_opt(2024, month, 1).unwrap();
            let end = first.checked_add_months(chrono::Months::new(1)).unwrap() - Days::new(1);
            let count = |held: &dyn Fn(u32) -> bool| (1..=24).filter(|p| held(*p)).count() as f64;
            let jobless = count(&|p| holds(&unemployed, p, end));
            let employed = count(&|p| holds(&hires, p, end) || holds(&flexible, p, end));
            let label = format!("2024-{month:02}");
            let got = t
                .rows
                .iter()
                .find(|r| r["period"] == json!(label))
                .and_then(|r| r["registered_unemployment_rate"].as_f64());
            if employed + jobless == 0.0 {
                assert_eq!(got, None, "{} {label}: no labour force, no rate", db.name);
                continue;
            }
            let expected = jobless * 100.0 / (employed + jobless);
            let got = got.unwrap_or_else(|| panic!("{} {label}: no rate in {:?}", db.name, t.rows));
            assert!((got - expected).abs() < 1e-9, "{} {label}: {got} vs {expected}", db.name);
            checked += 1;
        }
        assert!(checked >= 5, "{}: the fixtures hold a labour force most months", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_fund_stocks_take_the_last_month_of_the_period() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut text = "年月,参保人数,实际缴费人数,基金收入,基金支出,期末结余,更新时间\n".to_string();
        for (i, month) in (1..=5).enumerate() {
            text.push_str(&format!(
                "2024-{month:02},{},{},1000,500,{},2024-{month:02}-28 10:00:00\n",
                500_000 + i * 1000,
                490_000 + i * 700,
                10_000 + i * 500
            ));
        }
        write_raw(dir.path(), "ui_fund_monthly_2024.csv", &text);
        db.load(dir.path()).await;
        let t = db
            .metrics(&query(
                &["ui_insured", "ui_fund_balance", "ui_fund_income", "ui_contributors"],
                &[],
                Grain::Quarter,
                "2024-01-01",
                "2024-05-15",
            ))
            .await;
        let cells: Vec<(String, i64, f64, f64, i64)> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r["period"].as_str().unwrap().to_string(),
                    r["ui_insured"].as_i64().unwrap(),
                    r["ui_fund_balance"].as_f64().unwrap(),
                    r["ui_fund_income"].as_f64().unwrap(),
                    r["ui_contributors"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            cells,
            vec![
                ("2024-Q1".to_string(), 502_000, 11_000.0, 3000.0, 491_400),
                // Q2 so far: the stocks of May (the month holding the end date), the flows of April–May.
                ("2024-Q2".to_string(), 504_000, 12_000.0, 2000.0, 492_800),
            ],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}
