//! Small export files written inside tests, with valid check characters unless a test
//! breaks one on purpose.

use std::collections::BTreeMap;
use std::path::Path;

pub const HEADERS: [&str; 18] = [
    "业务流水号",
    "业务类型",
    "办理日期",
    "公民身份号码",
    "姓名",
    "性别",
    "出生日期",
    "户籍类型",
    "文化程度",
    "单位统一社会信用代码",
    "单位名称",
    "单位性质",
    "行业代码",
    "区县代码",
    "用工形式",
    "退工原因",
    "月工资",
    "更新时间",
];

/// GB 11643 ID number for a birth date `YYYYMMDD` and a 3-digit sequence.
pub fn id_number(region: &str, birth: &str, seq: u32) -> String {
    let base = format!("{region}{birth}{:03}", seq % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = base.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{base}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A person of the fixtures: born 1990-01-01 plus `n` days, Shanghai region.
pub fn person_id(n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(n as u64);
    id_number("310101", &birth.format("%Y%m%d").to_string(), 100 + n % 800)
}

pub fn person_birth(n: u32) -> String {
    (chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(n as u64))
        .format("%Y-%m-%d")
        .to_string()
}

/// GB 32100 USCC: 91 + 310115 + 9-char organisation code + check.
pub fn uscc(n: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let base = format!("91310115{:09}", n);
    let sum: usize = base
        .bytes()
        .zip(weights)
        .map(|(b, w)| ALPHABET.iter().position(|a| *a == b).unwrap() * w)
        .sum();
    format!("{base}{}", ALPHABET[(31 - sum % 31) % 31] as char)
}

/// One employment registration, cells keyed by header.
#[derive(Clone, Debug)]
pub struct Reg(pub BTreeMap<&'static str, String>);

impl Reg {
    pub fn hire(key: &str, person: u32, district: &str, date: &str) -> Reg {
        let mut m = BTreeMap::new();
        for (h, v) in [
            ("业务流水号", key.to_string()),
            ("业务类型", "招工".into()),
            ("办理日期", date.into()),
            ("公民身份号码", person_id(person)),
            ("姓名", format!("测试{person}")),
            ("性别", if person.is_multiple_of(2) { "2" } else { "1" }.into()),
            ("出生日期", person_birth(person)),
            ("户籍类型", "1".into()),
            ("文化程度", "20".into()),
            ("单位统一社会信用代码", uscc(7)),
            ("单位名称", "上海测试科技有限公司".into()),
            ("单位性质", "05".into()),
            ("行业代码", "65".into()),
            ("区县代码", district.into()),
            ("用工形式", "1".into()),
            ("退工原因", String::new()),
            ("月工资", "12000".into()),
            ("更新时间", format!("{date} 09:00:00")),
        ] {
            m.insert(h, v);
        }
        Reg(m)
    }

    pub fn separation(key: &str, person: u32, district: &str, date: &str, reason: &str) -> Reg {
        Reg::hire(key, person, district, date)
            .set("业务类型", "退工")
            .set("退工原因", reason)
    }

    pub fn set(mut self, header: &'static str, value: &str) -> Reg {
        assert!(HEADERS.contains(&header), "unknown header {header}");
        self.0.insert(header, value.to_string());
        self
    }

    pub fn cells(&self, headers: &[&str]) -> Vec<String> {
        headers.iter().map(|h| self.0.get(h).cloned().unwrap_or_default()).collect()
    }
}

/// Three hires and a separation in two districts, March 2024: the shared small load.
pub fn sample() -> Vec<Reg> {
    vec![
        Reg::hire("K1", 1, "310115", "2024-03-04"),
        Reg::hire("K2", 2, "310115", "2024-03-05"),
        Reg::hire("K3", 3, "310104", "2024-03-05"),
        Reg::separation("K4", 4, "310104", "2024-03-06", "3"),
    ]
}

fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

pub fn write_regs(dir: &Path, name: &str, regs: &[Reg]) {
    write_regs_in(dir, name, &HEADERS, regs);
}

pub fn write_regs_in(dir: &Path, name: &str, headers: &[&str], regs: &[Reg]) {
    let rows: Vec<Vec<String>> = regs.iter().map(|r| r.cells(headers)).collect();
    std::fs::write(dir.join(name), csv_text(headers, &rows)).unwrap();
}

pub fn write_regs_gb18030(dir: &Path, name: &str, headers: &[&str], regs: &[Reg]) {
    let rows: Vec<Vec<String>> = regs.iter().map(|r| r.cells(headers)).collect();
    let text = csv_text(headers, &rows);
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must really be GB18030, not UTF-8"
    );
    std::fs::write(dir.join(name), bytes).unwrap();
}

pub fn write_raw(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// XLSX as a spreadsheet user saves it: dates as real Excel dates, codes as numbers
/// (losing leading zeros), everything else text.
pub fn write_regs_xlsx(dir: &Path, name: &str, regs: &[Reg]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let ts_format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, reg) in regs.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, h) in HEADERS.iter().enumerate() {
            let col = c as u16;
            let v = reg.0.get(h).cloned().unwrap_or_default();
            if v.is_empty() {
                continue;
            }
            match *h {
                "办理日期" | "出生日期" => {
                    let d = ExcelDateTime::parse_from_str(&v).unwrap();
                    sheet.write_datetime_with_format(row, col, &d, &date_format).unwrap();
                }
                "更新时间" => {
                    let d = ExcelDateTime::parse_from_str(&v).unwrap();
                    sheet.write_datetime_with_format(row, col, &d, &ts_format).unwrap();
                }
                "单位性质" | "行业代码" | "区县代码" | "户籍类型" | "文化程度" | "性别" | "用工形式" | "月工资" =>
                {
                    sheet.write_number(row, col, v.parse::<f64>().unwrap()).unwrap();
                }
                _ => {
                    sheet.write_string(row, col, &v).unwrap();
                }
            }
        }
    }
    book.save(dir.join(name)).unwrap();
}

/// JSON Lines: one object per row; codes as JSON numbers where a system would write them.
pub fn write_regs_jsonl(dir: &Path, name: &str, regs: &[Reg]) {
    let mut out = String::new();
    for r in regs {
        let mut map = serde_json::Map::new();
        for h in HEADERS {
            let v = r.0.get(h).cloned().unwrap_or_default();
            let value = match h {
                _ if v.is_empty() => serde_json::Value::Null,
                "行业代码" | "户籍类型" | "月工资" => serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v)),
                _ => serde_json::Value::String(v),
            };
            map.insert(h.to_string(), value);
        }
        out.push_str(&serde_json::Value::Object(map).to_string());
        out.push('\n');
    }
    std::fs::write(dir.join(name), out).unwrap();
}

/// Parquet with typed columns: 办理日期 as DATE, 月工资 as DOUBLE, the rest UTF8 strings.
pub fn write_regs_parquet(dir: &Path, name: &str, regs: &[Reg]) {
    use std::sync::Arc;

    use parquet::basic::{LogicalType, Repetition, Type as Physical};
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let physical = |h: &str| match h {
        "办理日期" => Physical::INT32,
        "月工资" => Physical::DOUBLE,
        _ => Physical::BYTE_ARRAY,
    };
    let fields = HEADERS
        .iter()
        .map(|h| {
            let logical = match physical(h) {
                Physical::INT32 => Some(LogicalType::Date),
                Physical::BYTE_ARRAY => Some(LogicalType::String),
                _ => None,
            };
            Arc::new(
                Type::primitive_type_builder(h, physical(h))
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(logical)
                    .build()
                    .unwrap(),
            )
        })
        .collect();
    let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build().unwrap());
    let file = std::fs::File::create(dir.join(name)).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, Default::default()).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let mut column = 0;
    while let Some(mut col) = group.next_column().unwrap() {
        let h = HEADERS[column];
        let values: Vec<String> = regs.iter().map(|r| r.0.get(h).cloned().unwrap_or_default()).collect();
        let defs: Vec<i16> = values.iter().map(|v| i16::from(!v.is_empty())).collect();
        let present: Vec<&String> = values.iter().filter(|v| !v.is_empty()).collect();
        match physical(h) {
            Physical::INT32 => {
                let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
                let days: Vec<i32> = present
                    .iter()
                    .map(|v| (chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").unwrap() - epoch).num_days() as i32)
                    .collect();
                col.typed::<Int32Type>().write_batch(&days, Some(&defs), None).unwrap();
            }
            Physical::DOUBLE => {
                let nums: Vec<f64> = present.iter().map(|v| v.parse().unwrap()).collect();
                col.typed::<DoubleType>().write_batch(&nums, Some(&defs), None).unwrap();
            }
            _ => {
                let bytes: Vec<ByteArray> = present.iter().map(|v| ByteArray::from(v.as_str())).collect();
                col.typed::<ByteArrayType>().write_batch(&bytes, Some(&defs), None).unwrap();
            }
        }
        col.close().unwrap();
        column += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
}
