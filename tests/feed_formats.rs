//! Every feed loads from every format on SQLite and PostgreSQL: one month of each demo
//! feed, converted from CSV to JSON Lines, XLSX and Parquet, gives the same DWD and DWS
//! (every value, lineage aside) as the CSV itself.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use support::{backends, snapshot};

/// The demo's files of the first year's March (and the registry, fund and target files).
fn march_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with("_202403.csv") || name.ends_with("0101.csv") || name.starts_with("ui_fund_monthly")
        })
        .collect();
    files.sort();
    files
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    // The demo writes some employment-registration months in GB18030, as old systems do.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => encoding_rs::GB18030.decode(e.as_bytes()).0.into_owned(),
    };
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

fn write_jsonl(path: &Path, headers: &[String], rows: &[Vec<String>]) {
    let mut out = String::new();
    for row in rows {
        let object: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(row)
            .map(|(h, v)| {
                let value = if v.is_empty() { serde_json::Value::Null } else { v.clone().into() };
                (h.clone(), value)
            })
            .collect();
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn write_xlsx(path: &Path, headers: &[String], rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save(path).unwrap();
}

fn write_parquet(path: &Path, headers: &[String], rows: &[Vec<String>]) {
    use parquet::basic::{LogicalType, Repetition, Type as Physical};
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let fields = headers
        .iter()
        .map(|h| {
            Arc::new(
                Type::primitive_type_builder(h, Physical::BYTE_ARRAY)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(Some(LogicalType::String))
                    .build()
                    .unwrap(),
            )
        })
        .collect();
    let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build().unwrap());
    let mut writer = SerializedFileWriter::new(std::fs::File::create(path).unwrap(), schema, Default::default()).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let mut column = 0;
    while let Some(mut col) = group.next_column().unwrap() {
        let values: Vec<&String> = rows.iter().map(|r| &r[column]).collect();
        let defs: Vec<i16> = values.iter().map(|v| i16::from(!v.is_empty())).collect();
        let present: Vec<ByteArray> = values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| ByteArray::from(v.as_str()))
            .collect();
        col.typed::<ByteArrayType>().write_batch(&present, Some(&defs), None).unwrap();
        col.close().unwrap();
        column += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
}

#[tokio::test]
async fn every_feed_loads_from_every_format_with_the_same_result() {
    let exports = support::demo_exports(1, 0.02, 5);
    let files = march_files(exports.path());
    let feeds: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            jiuye_etl::all_feeds()
                .iter()
                .map(|f| f.name())
                .filter(|f| name.starts_with(f))
                .max_by_key(|f| f.len())
                .map(str::to_string)
        })
        .collect();
    assert_eq!(feeds.len(), 14, "one month of every feed: {feeds:?}");
    let formats: [(&str, fn(&Path, &[String], &[Vec<String>])); 3] =
        [("jsonl", write_jsonl), ("xlsx", write_xlsx), ("parquet", write_parquet)];
    let mut converted = Vec::new();
    for (extension, write) in formats {
        let dir = tempfile::tempdir().unwrap();
        for file in &files {
            let (headers, rows) = read_csv(file);
            let stem = file.file_stem().unwrap().to_string_lossy().to_string();
            write(&dir.path().join(format!("{stem}.{extension}")), &headers, &rows);
        }
        converted.push((extension, dir));
    }
    let csv_dir = tempfile::tempdir().unwrap();
    for file in &files {
        std::fs::copy(file, csv_dir.path().join(file.file_name().unwrap())).unwrap();
    }
    for db in backends().await {
        let report = db.load(csv_dir.path()).await;
        assert!(report.files.iter().all(|f| f.status == "loaded"), "{}: {:?}", db.name, report.files);
        let expected = snapshot(&db).await;
        let loaded: usize = expected
            .iter()
            .filter(|(t, _)| t.starts_with("dwd_"))
            .map(|(_, rows)| rows.len())
            .sum();
        assert!(loaded > 1000, "{}: {loaded} DWD rows", db.name);
        for (extension, dir) in &converted {
            let other = db.fresh_like().await;
            let report = other.load(dir.path()).await;
            assert!(
                report.files.iter().all(|f| f.status == "loaded"),
                "{} {extension}: {:?}",
                db.name,
                report.files.iter().filter(|f| f.status != "loaded").collect::<Vec<_>>()
            );
            let got = snapshot(&other).await;
            for ((table, want), (_, have)) in expected.iter().zip(&got) {
                assert!(want == have, "{table} differs when loaded from {extension} on {}", db.name);
            }
            other.cleanup().await;
        }
        db.cleanup().await;
    }
}
