//! Fuzzing every file reader (CSV in UTF-8 and GB18030, XLSX, Parquet, JSON Lines):
//! valid exports mutated byte by byte, cut short, spliced, or replaced by noise must give
//! rows or an error — never a panic — and each file may make the reader allocate at most
//! `MAX_PEAK_BYTES` beyond what it held before, whatever the file claims about itself.
//!
//! `cargo test -p jiuye-etl fuzz` runs `PROPTEST_CASES` cases per format (64 unless set);
//! a longer run is `PROPTEST_CASES=20000 cargo test --release -p jiuye-etl fuzz`
//! (docs/security.md).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The most a reader may allocate at once for one fuzzed file (they are a few KiB).
const MAX_PEAK_BYTES: usize = 256 * 1024 * 1024;

/// Counts this thread's live and peak heap bytes, so a case can bound its reader's
/// memory (a test thread reads one file at a time).
struct PeakAlloc;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let _ = LIVE.try_with(|live| {
                live.set(live.get() + layout.size());
                let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
            });
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(layout.size())));
    }
}

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// Bytes allocated at the peak of `f`, beyond what was live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get).saturating_sub(base))
}

const HEADERS: [&str; 6] = ["业务流水号", "业务类型", "办理日期", "公民身份号码", "区县代码", "更新时间"];

fn rows() -> Vec<[String; 6]> {
    (0..40)
        .map(|i| {
            [
                format!("K{i}"),
                "招工".into(),
                format!("2024-03-{:02}", i % 28 + 1),
                "11010519491231002X".into(),
                "310104".into(),
                "2024-03-05 10:00:00".into(),
            ]
        })
        .collect()
}

fn csv_seed() -> Vec<u8> {
    let mut out = HEADERS.join(",") + "\n";
    for r in rows() {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn gb18030_seed() -> Vec<u8> {
    encoding_rs::GB18030
        .encode(std::str::from_utf8(&csv_seed()).unwrap())
        .0
        .into_owned()
}

fn jsonl_seed() -> Vec<u8> {
    let mut out = String::new();
    for r in rows() {
        let object: serde_json::Map<String, serde_json::Value> = HEADERS.iter().zip(r).map(|(h, v)| (h.to_string(), v.into())).collect();
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    out.into_bytes()
}

fn xlsx_seed() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows().iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn parquet_seed() -> Vec<u8> {
    use std::sync::Arc;

    use parquet::basic::{LogicalType, Repetition, Type as Physical};
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;

    let fields = HEADERS
        .iter()
        .map(|h| {
            Arc::new(
                Type::primitive_type_builder(h, Physical::BYTE_ARRAY)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(Some(LogicalType::String))
                    .build()
                    .unwrap(),
            )
        })
        .collect();
    let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build().unwrap());
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, Default::default()).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let rows = rows();
    let mut column = 0;
    while let Some(mut col) = group.next_column().unwrap() {
        let values: Vec<ByteArray> = rows.iter().map(|r| ByteArray::from(r[column].as_str())).collect();
        col.typed::<ByteArrayType>().write_batch(&values, None, None).unwrap();
        col.close().unwrap();
        column += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
    out
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    /// Copies a stretch of the file over another (a spliced or repeated block).
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1..256usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>(), 1..512usize).prop_map(|(from, to, n)| Edit::Splice(from, to, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Flip(at, b) => {
                if let Some(x) = bytes.get_mut(at % len) {
                    *x ^= b | 1;
                }
            }
            Edit::Insert(at, b) => {
                let at = (at % (len + 1)).min(bytes.len());
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Delete(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
            Edit::Splice(from, to, n) => {
                let (from, to) = (from % len, to % len);
                let piece: Vec<u8> = bytes.iter().skip(from).take(*n).copied().collect();
                let end = (to + piece.len()).min(bytes.len());
                bytes.splice(to.min(bytes.len())..end, piece);
            }
        }
    }
    bytes
}

/// Reads `bytes` as a file with `extension` the way a load does: header, then batches.
fn read_all(dir: &Path, extension: &str, bytes: &[u8]) -> Result<usize, String> {
    let path = dir.join(format!("employment_registration_fuzz.{extension}"));
    std::fs::write(&path, bytes).unwrap();
    let mut reader = super::open(&path).map_err(|e| e.to_string())?;
    let width = reader.headers().len();
    let mut rows = 0;
    loop {
        let batch = reader.next_batch(1_000).map_err(|e| e.to_string())?;
        if batch.is_empty() {
            break;
        }
        rows += batch.len();
        assert!(
            batch.iter().all(|r| r.cells.len() <= width.max(1) * 64 + 1_024),
            "a row of absurd width"
        );
    }
    let _ = reader.content_hash();
    Ok(rows)
}

fn fuzz(extension: &str, seed: Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(read_all(dir.path(), extension, &seed), Ok(40), "the seed itself reads");
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let input = prop_oneof![
        4 => prop::collection::vec(edit(), 1..8).prop_map(move |edits| apply(seed.clone(), &edits)),
        1 => prop::collection::vec(any::<u8>(), 0..4096),
    ];
    runner
        .run(&input, |bytes| {
            let (_, peak) = peak_during(|| read_all(dir.path(), extension, &bytes));
            prop_assert!(peak <= MAX_PEAK_BYTES, "{peak} bytes for a file of {}", bytes.len());
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_csv_utf8() {
    fuzz("csv", csv_seed());
}

#[test]
fn fuzz_csv_gb18030() {
    fuzz("csv", gb18030_seed());
}

#[test]
fn fuzz_jsonl() {
    fuzz("jsonl", jsonl_seed());
}

#[test]
fn fuzz_xlsx() {
    fuzz("xlsx", xlsx_seed());
}

#[test]
fn fuzz_parquet() {
    fuzz("parquet", parquet_seed());
}

#[test]
fn a_sheet_claiming_the_whole_grid_is_not_laid_out() {
    // A cell at A1 and one at XFD1048576: a dense range would be 17 billion cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "业务流水号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (result, peak) = peak_during(|| read_all(dir.path(), "xlsx", &bytes));
    assert!(result.unwrap_err().contains("column 16384"), "refused by its width");
    assert!(peak <= MAX_PEAK_BYTES, "{peak}");
    // Far rows with few columns are fine: memory follows the cells present.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "业务流水号").unwrap();
    sheet.write_string(1_048_575, 0, "K1").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (result, peak) = peak_during(|| read_all(dir.path(), "xlsx", &bytes));
    assert_eq!(result, Ok(1));
    assert!(peak <= 16 * 1024 * 1024, "{peak}");
}

/// Files the Parquet fuzzer found that made the parquet crate panic (an assertion on a
/// negative column offset; a slice index past an empty page): each is now an error.
#[test]
fn parquet_files_that_made_the_library_panic_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (
            "negative_column_offset",
            &include_bytes!("fuzz_regressions/negative_column_offset.parquet")[..],
        ),
        ("empty_page_slice", &include_bytes!("fuzz_regressions/empty_page_slice.parquet")[..]),
    ] {
        let read = read_all(dir.path(), "parquet", bytes);
        assert!(
            read.as_ref().is_err_and(|e| e.contains("not a readable Parquet file")),
            "{name}: {read:?}"
        );
    }
}
