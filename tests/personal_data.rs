//! No 公民身份号码 can be rebuilt outside ODS, on SQLite and PostgreSQL (docs/security.md).
//!
//! One demo month of every feed (defects included) is loaded; then every row of every
//! table that is not `ods_*` — DWD, superseded versions, person states, rollups,
//! quarantine, waiting rows — and every detail row `drillDetail` answers is attacked the
//! way the security review did: each masked value is combined with each date of its row
//! as a birth date. No real number may come out, and even with the birth date known
//! exactly (what joining a person's rows by age could approach) a masked value must leave
//! at least `MIN_CANDIDATES` numbers within Shanghai's own region codes.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use jiuye_semantic::{DetailPaging, Grain, detail_statement, sql::dialect_for};
use jiuye_sql_value::{Backend, ResultSet};
use support::{TestDb, backends};

/// Fewest ID numbers a masked value may stand for, whatever else a row holds.
const MIN_CANDIDATES: usize = 100;
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

struct Person {
    id: String,
    name: String,
    birth: NaiveDate,
}

/// Every person of the export files, from their CSVs (UTF-8 or GB18030).
fn real_people(dir: &Path) -> Vec<Person> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => encoding_rs::GB18030.decode(e.as_bytes()).0.into_owned(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let Some(id_col) = headers.iter().position(|h| h == "公民身份号码") else {
            continue;
        };
        let name_col = headers.iter().position(|h| h == "姓名");
        for record in reader.records().filter_map(Result::ok) {
            let id = record.get(id_col).unwrap_or("").trim().to_ascii_uppercase();
            let Some(birth) = id.get(6..14).and_then(|b| NaiveDate::parse_from_str(b, "%Y%m%d").ok()) else {
                continue;
            };
            let name = name_col.and_then(|c| record.get(c)).unwrap_or("").trim().to_string();
            out.push(Person { id, name, birth });
        }
    }
    out
}

/// Shanghai's region codes, current and retired: the fewest an attacker would try.
fn shanghai_regions() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/code_tables/district.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter(|c| c.len() == 6 && *c != "310000")
        .map(str::to_string)
        .collect()
}

/// The visible characters of a masked ID (`None` for a star), or `None` if `cell` is no
/// masked ID.
fn masked_id(cell: &str) -> Option<Vec<Option<char>>> {
    let chars: Vec<char> = cell.chars().collect();
    (chars.len() == 18 && chars.contains(&'*') && chars.iter().all(|c| *c == '*' || c.is_ascii_digit() || *c == 'X'))
        .then(|| chars.into_iter().map(|c| (c != '*').then_some(c)).collect())
}

/// A full date in any form the warehouse writes or exports: 2024-03-05, 20240305 (a
/// date key), 2024/3/5, or the date of a timestamp.
fn as_date(cell: &str) -> Option<NaiveDate> {
    let head = cell.get(..10).unwrap_or(cell);
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .ok()
        .or_else(|| (cell.len() == 8).then(|| NaiveDate::parse_from_str(cell, "%Y%m%d").ok()).flatten())
        .or_else(|| NaiveDate::parse_from_str(cell, "%Y/%m/%d").ok())
}

/// How many valid ID numbers fit `pattern` if the birth date is `birth` and the region one
/// of `regions`: the free sequence digits counted by their weighted sum modulo 11.
fn candidates(pattern: &[Option<char>], birth: NaiveDate, regions: &[String]) -> usize {
    let birth_digits: Vec<char> = birth.format("%Y%m%d").to_string().chars().collect();
    if (6..14).any(|i| pattern[i].is_some_and(|c| c != birth_digits[i - 6])) {
        return 0;
    }
    let digit = |c: char| c.to_digit(10).unwrap();
    let fixed: u32 = (6..14).map(|i| WEIGHTS[i] * digit(birth_digits[i - 6])).sum::<u32>()
        + (14..17).filter_map(|i| pattern[i].map(|c| WEIGHTS[i] * digit(c))).sum::<u32>();
    // Residues of the free sequence digits' weighted sums.
    let mut residues = [0usize; 11];
    residues[0] = 1;
    for i in (14..17).filter(|i| pattern[*i].is_none()) {
        let mut next = [0usize; 11];
        for (r, n) in residues.iter().enumerate() {
            for d in 0..10 {
                next[(r + (WEIGHTS[i] * d) as usize) % 11] += n;
            }
        }
        residues = next;
    }
    let region_fits = |r: &String| r.chars().zip(&pattern[..6]).all(|(c, p)| p.is_none_or(|p| p == c));
    regions
        .iter()
        .filter(|r| region_fits(r))
        .map(|r| {
            let sum = fixed + r.chars().zip(WEIGHTS).map(|(c, w)| w * digit(c)).sum::<u32>();
            match pattern[17] {
                None => residues.iter().sum::<usize>(),
                Some(check) => {
                    let want = CHECK.iter().position(|c| *c as char == check).unwrap();
                    (0..11).filter(|s| (sum as usize + s) % 11 == want).map(|s| residues[s]).sum()
                }
            }
        })
        .sum()
}

struct Attack<'a> {
    regions: Vec<String>,
    /// Birth date → the real people born then.
    by_birth: HashMap<NaiveDate, Vec<&'a Person>>,
    ids: BTreeSet<&'a str>,
    names: BTreeSet<&'a str>,
    births: BTreeSet<NaiveDate>,
    rows_seen: usize,
    masked_seen: usize,
}

impl<'a> Attack<'a> {
    fn new(people: &'a [Person]) -> Attack<'a> {
        let mut by_birth: HashMap<NaiveDate, Vec<&Person>> = HashMap::new();
        for p in people {
            by_birth.entry(p.birth).or_default().push(p);
        }
        Attack {
            regions: shanghai_regions(),
            by_birth,
            ids: people.iter().map(|p| p.id.as_str()).collect(),
            names: people.iter().map(|p| p.name.as_str()).filter(|n| n.chars().count() >= 2).collect(),
            births: people.iter().map(|p| p.birth).collect(),
            rows_seen: 0,
            masked_seen: 0,
        }
    }

    /// Every cell of a row, JSON arrays (waiting rows) opened up.
    fn cells(row: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for cell in row {
            match serde_json::from_str::<serde_json::Value>(cell) {
                Ok(serde_json::Value::Array(items)) => out.extend(items.iter().map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })),
                _ => out.push(cell.clone()),
            }
        }
        out
    }

    fn row(&mut self, place: &str, row: &[String]) {
        self.rows_seen += 1;
        let cells = Self::cells(row);
        let dates: BTreeSet<NaiveDate> = cells.iter().filter_map(|c| as_date(c)).collect();
        // A row about a person: it holds a masked value or a pseudonym (32 hex digits).
        let personal = cells
            .iter()
            .any(|c| masked_id(c).is_some() || (c.len() == 32 && c.chars().all(|x| x.is_ascii_hexdigit())));
        for cell in &cells {
            assert!(!self.ids.contains(cell.as_str()), "{place}: a whole ID number in clear");
            assert!(!self.names.contains(cell.as_str()), "{place}: a whole name in clear");
            if personal && let Some(d) = as_date(cell) {
                assert!(!self.births.contains(&d), "{place}: a birth date in clear ({cell})");
            }
            let Some(pattern) = masked_id(cell) else { continue };
            self.masked_seen += 1;
            for d in &dates {
                let rebuilt = self
                    .by_birth
                    .get(d)
                    .into_iter()
                    .flatten()
                    .find(|p| p.id.chars().zip(&pattern).all(|(c, v)| v.is_none_or(|v| v == c)));
                assert!(rebuilt.is_none(), "{place}: {cell} with the date {d} of its row rebuilds an ID");
                let n = candidates(&pattern, *d, &self.regions);
                assert!(n >= MIN_CANDIDATES, "{place}: {cell} born {d} leaves only {n} candidates");
            }
            let visible = pattern.iter().filter(|c| c.is_some()).count();
            assert!(
                visible <= jiuye_privacy::ID_VISIBLE_TAIL,
                "{place}: {cell} shows {visible} characters"
            );
        }
    }
}

fn text_rows(rs: &ResultSet) -> Vec<Vec<String>> {
    rs.rows.iter().map(|r| r.iter().map(|v| v.to_key()).collect()).collect()
}

async fn tables(db: &TestDb) -> Vec<String> {
    let sql = match db.warehouse.backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Backend::Postgres => "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
    };
    db.rows(sql).await.into_iter().map(|r| r[0].clone()).collect()
}

#[tokio::test]
async fn no_table_outside_ods_and_no_detail_row_rebuilds_an_id_number() {
    let exports = support::demo_exports(1, 0.02, 11);
    // One month of every feed (and the registries), as `feed_formats` does.
    let month = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(exports.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with("_202403.csv") || name.ends_with("0101.csv") || name.starts_with("ui_fund_monthly") {
            std::fs::copy(&path, month.path().join(&name)).unwrap();
        }
    }
    let people = real_people(month.path());
    assert!(people.len() > 500, "the month has persons to attack: {}", people.len());
    for db in backends().await {
        db.load(month.path()).await;
        let mut attack = Attack::new(&people);
        let all = tables(&db).await;
        assert!(all.iter().any(|t| t.starts_with("dwd_")), "{}: tables listed", db.name);
        for table in all.iter().filter(|t| !t.starts_with("ods_")) {
            let rows = db.rows(&format!("SELECT * FROM {table}")).await;
            for row in &rows {
                attack.row(&format!("{} {table}", db.name), row);
            }
        }
        assert!(
            attack.masked_seen > 500,
            "{}: masked values attacked: {}",
            db.name,
            attack.masked_seen
        );

        // drillDetail: the whitelisted columns of each role, attacked the same way.
        let dialect = dialect_for(db.warehouse.backend());
        let mut detail_rows = 0;
        for role in ["data_engineer", "city_analyst"] {
            let caller = support::caller(role, None);
            for source in db.catalog.sources.values().filter(|s| s.interval.is_none()) {
                let Some(indicator) = db.catalog.indicators().find(|i| i.source == source.code && i.measure().is_some()) else {
                    continue;
                };
                let paging = DetailPaging {
                    page: 0,
                    size: 500,
                    newest_first: false,
                };
                let statement = detail_statement(&db.catalog, &indicator.code, Grain::Month, "2024-03", &[], paging, &caller, dialect);
                let Some(whitelist) = source.detail.get(caller.detail_view.as_deref().unwrap()) else {
                    assert!(
                        statement.is_err(),
                        "{}: {} lists no detail columns for {}",
                        db.name,
                        source.code,
                        role
                    );
                    continue;
                };
                let detail = statement.unwrap_or_else(|e| panic!("{}: detail of {}: {e}", db.name, indicator.code));
                let rs = db.warehouse.fetch(&detail.statement).await.unwrap();
                let mut expected = whitelist.clone();
                expected.extend(["source_file", "line_no", "etl_run"].map(String::from));
                assert_eq!(detail.columns, expected, "{}: {} detail columns for {}", db.name, source.code, role);
                if !rs.rows.is_empty() {
                    assert_eq!(rs.columns, expected, "{}: {} columns read", db.name, source.code);
                    detail_rows += rs.rows.len();
                }
                for row in text_rows(&rs) {
                    attack.row(&format!("{} drillDetail {} as {}", db.name, source.code, role), &row);
                }
            }
        }
        assert!(detail_rows > 1000, "{}: detail rows attacked: {detail_rows}", db.name);
        eprintln!(
            "{}: {} rows and {} masked values attacked",
            db.name, attack.rows_seen, attack.masked_seen
        );
        db.cleanup().await;
    }
}

#[test]
fn the_candidate_count_is_computed_as_brute_force_would() {
    // The residue count agrees with trying every completion (the old mask fails it).
    let regions = shanghai_regions();
    let birth = NaiveDate::from_ymd_opt(1990, 1, 5).unwrap();
    for cell in ["****************3X", "310101********1234", "****************07"] {
        let pattern = masked_id(cell).unwrap();
        let mut brute = 0;
        for r in &regions {
            for seq in 0..1000 {
                let base = format!("{r}{}{seq:03}", birth.format("%Y%m%d"));
                let sum: u32 = base.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
                let id = format!("{base}{}", CHECK[(sum % 11) as usize] as char);
                if id.chars().zip(&pattern).all(|(c, p)| p.is_none_or(|p| p == c)) {
                    brute += 1;
                }
            }
        }
        assert_eq!(candidates(&pattern, birth, &regions), brute, "{cell}");
    }
    let old = masked_id("310101********1234").unwrap();
    assert!(candidates(&old, birth, &regions) < MIN_CANDIDATES);
}

/// V12 on a warehouse loaded under the old rules: birth dates leave DWD, every stored
/// mask (DWD, superseded versions, quarantine, waiting rows) becomes the new mask of the
/// same number, and the rows themselves stay.
#[tokio::test]
async fn the_migration_remasks_what_older_versions_stored() {
    let old_mask = "310101********1234";
    let exec = |db: &TestDb, sql: String| {
        let w = db.warehouse.clone();
        async move {
            w.execute(&jiuye_sql_value::Statement { sql, params: vec![] })
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    for db in support::unprepared_backends().await {
        db.warehouse.migrate_up_to(Some(11)).await.unwrap();
        exec(
            &db,
            format!(
                "INSERT INTO dwd_ui_benefit_payment (business_key, date_key, person_key, id_number_masked, gender, birth_date, age, age_band, \
                 district_reported, district, person_month, amount, approved_months, updated_at, file_id, line_no) \
                 VALUES ('B1', 20240305, 'k', '{old_mask}', '2', '1990-01-05', 34, '25-34', '310101', '310101', 'm', 2000, 3, '2024-03-05 10:00:00', 1, 2)"
            ),
        )
        .await;
        exec(
            &db,
            format!(
                "INSERT INTO dwd_job_application_superseded (business_key, posting_id, date_key, person_key, id_number_masked, gender, age, age_band, \
                 status, employer_uscc, district, industry, industry_section, occupation, updated_at, file_id, line_no, known_at, superseded_at) \
                 VALUES ('A1', 'P1', 20240305, 'k', '{old_mask}', '2', 34, '25-34', '1', 'u', '310101', '65', 'I', '2', '2024-03-05 10:00:00', 1, 3, 'x', 'y')"
            ),
        )
        .await;
        for (rule, column, value) in [
            ("id_number", "公民身份号码", "310101********123"),
            ("birth_date_mismatch", "出生日期", "1990-01-06"),
        ] {
            exec(
                &db,
                format!(
                    "INSERT INTO meta_quarantine (file_id, feed, line_no, rule, column_name, value, message) \
                     VALUES (1, 'employment_registration', 4, '{rule}', '{column}', '{value}', 'm')"
                ),
            )
            .await;
        }
        exec(
            &db,
            format!(
                "INSERT INTO meta_pending_row (feed, business_key, updated_at, ref_key, file_id, line_no, row_values) \
                 VALUES ('job_application', 'A2', '2024-03-05 10:00:00', 'P9', 1, 5, '[\"A2\",\"P9\",20240305,\"k\",\"{old_mask}\",\"2\",34]')"
            ),
        )
        .await;
        db.warehouse.migrate().await.unwrap();
        let new_mask = jiuye_privacy::mask_id_number("310101199001051234");
        assert_eq!(jiuye_privacy::mask_id_number(old_mask), new_mask);
        assert_eq!(
            db.rows("SELECT business_key, id_number_masked, age FROM dwd_ui_benefit_payment")
                .await,
            vec![vec!["B1".to_string(), new_mask.clone(), "34".into()]],
            "{}",
            db.name
        );
        let birth = db
            .warehouse
            .fetch(&jiuye_sql_value::Statement {
                sql: "SELECT birth_date FROM dwd_ui_benefit_payment_superseded".into(),
                params: vec![],
            })
            .await;
        assert!(birth.is_err(), "{}: birth_date is gone", db.name);
        assert_eq!(
            db.rows("SELECT id_number_masked FROM dwd_job_application_superseded").await,
            vec![vec![new_mask.clone()]]
        );
        assert_eq!(
            db.rows("SELECT value FROM meta_quarantine ORDER BY rule DESC").await,
            vec![
                vec![jiuye_privacy::mask_id_number("310101199001051234"[..17].as_ref())],
                vec![jiuye_privacy::mask_birth_date("1990-01-06")]
            ],
            "{}",
            db.name
        );
        assert_eq!(
            db.rows("SELECT row_values FROM meta_pending_row").await,
            vec![vec![format!("[\"A2\",\"P9\",20240305,\"k\",\"{new_mask}\",\"2\",34]")]],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}
