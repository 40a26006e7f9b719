//! The pieces `jiuye bench etl` times: a generator of large employment_registration
//! exports, and the read-only and conform-only stages of a load (no database).

use std::io::Write;
use std::path::Path;

use jiuye_privacy::Keys;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::EtlError;
use crate::conform::{CodeTables, Conformer};
use crate::feeds::{EmploymentRegistration, Feed, FeedContext, Fields};
use crate::read;
use crate::spec::builtin_specs;

const HEADER: &str = "业务流水号,业务类型,办理日期,公民身份号码,姓名,性别,出生日期,户籍类型,文化程度,单位统一社会信用代码,单位名称,单位性质,行业代码,区县代码,用工形式,退工原因,月工资,更新时间";
const DISTRICTS: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114", "310115", "310116", "310117",
    "310118", "310120", "310151",
];
const INDUSTRIES: [&str; 12] = ["65", "64", "72", "51", "52", "36", "39", "54", "59", "62", "70", "73"];

fn id_number(rng: &mut StdRng) -> (String, String) {
    let year = rng.random_range(1962..2006);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    let base = format!(
        "{}{year:04}{month:02}{day:02}{:03}",
        DISTRICTS[rng.random_range(0..16)],
        rng.random_range(0..1000)
    );
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = base.bytes().zip(weights).map(|(b, w)| (b - b'0') as u32 * w).sum();
    (
        format!("{base}{}", b"10X98765432"[(sum % 11) as usize] as char),
        format!("{year:04}-{month:02}-{day:02}"),
    )
}

fn uscc(n: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let base = format!("91310115{n:09}");
    let sum: usize = base
        .bytes()
        .zip(weights)
        .map(|(b, w)| ALPHABET.iter().position(|a| *a == b).unwrap_or(0) * w)
        .sum();
    format!("{base}{}", ALPHABET[(31 - sum % 31) % 31] as char)
}

/// Writes `rows` valid employment registrations (2024–2025, 200,000 persons, 20,000
/// employers) as one UTF-8 CSV; deterministic for a seed.
pub fn generate_registrations(path: &Path, rows: u64, seed: u64) -> Result<(), EtlError> {
    let io = |e: std::io::Error| EtlError::Io {
        file: path.display().to_string(),
        source: e,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let persons: Vec<(String, String)> = (0..200_000).map(|_| id_number(&mut rng)).collect();
    let employers: Vec<String> = (0..20_000).map(uscc).collect();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).map_err(io)?);
    writeln!(out, "{HEADER}").map_err(io)?;
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid");
    for i in 0..rows {
        let (id, birth) = &persons[rng.random_range(0..persons.len())];
        let day = start + chrono::Days::new(rng.random_range(0..731));
        let hire = rng.random_bool(0.52);
        let employer = &employers[rng.random_range(0..employers.len())];
        writeln!(
            out,
            "B{i:010},{},{},{id},测试{},{},{birth},{},{},{employer},上海测试{}有限公司,05,{},{},{},{},{},{} 09:{:02}:00",
            if hire { "招工" } else { "退工" },
            day.format("%Y-%m-%d"),
            i % 1000,
            if id.as_bytes()[16] % 2 == 1 { 1 } else { 2 },
            rng.random_range(1..=4),
            ["10", "20", "30", "40", "60", "70"][rng.random_range(0..6)],
            i % 20_000,
            INDUSTRIES[rng.random_range(0..INDUSTRIES.len())],
            DISTRICTS[rng.random_range(0..16)],
            rng.random_range(1..=3),
            if hire { "" } else { ["1", "2", "3", "4"][rng.random_range(0..4)] },
            rng.random_range(4000..30000),
            day.format("%Y-%m-%d"),
            rng.random_range(0..60),
        )
        .map_err(io)?;
    }
    out.flush().map_err(io)
}

/// Reads every row (decode, CSV parse); returns the row count.
pub fn read_only(path: &Path) -> Result<u64, EtlError> {
    let mut reader = read::open(path)?;
    let mut rows = 0;
    loop {
        let batch = reader.next_batch(20_000)?;
        if batch.is_empty() {
            return Ok(rows);
        }
        rows += batch.len() as u64;
    }
}

/// Reads and conforms every row (types, code tables, check characters, pseudonyms, ODS
/// encryption) without a database; returns (rows, rows that pass).
pub fn conform_only(path: &Path, keys: &Keys, codes: &CodeTables) -> Result<(u64, u64), EtlError> {
    let specs = builtin_specs()?;
    let feed = EmploymentRegistration;
    let spec = specs
        .iter()
        .find(|s| s.feed == feed.name())
        .ok_or_else(|| EtlError::Internal("no spec".into()))?;
    let mut reader = read::open(path)?;
    let conformer = Conformer::new(spec, codes, "bench", reader.headers())?;
    let no_codes = Default::default();
    let ctx = FeedContext {
        keys,
        indicator_codes: &no_codes,
        codes,
        file_id: 0,
    };
    let (mut rows, mut passed) = (0, 0);
    loop {
        let batch = reader.next_batch(20_000)?;
        if batch.is_empty() {
            return Ok((rows, passed));
        }
        for raw in &batch {
            rows += 1;
            let row_id = format!("0:{}", raw.line);
            for (column, cell) in spec.columns.iter().zip(conformer.raw_cells(raw)) {
                if let (true, Some(text)) = (column.personal, cell) {
                    let place = jiuye_privacy::Place {
                        table: "ods_bench",
                        column: &column.field,
                        row: &row_id,
                    };
                    std::hint::black_box(keys.seal(text, &place));
                }
            }
            if let Ok(row) = conformer.conform(raw)
                && feed.to_dwd(&Fields { spec, row: &row }, &ctx).is_ok()
            {
                passed += 1;
            }
        }
    }
}
