use std::path::Path;

use chrono::{DateTime, NaiveDate};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use super::{RawRow, RawTable};
use crate::EtlError;

/// Parquet: the same columns as the CSV exports, as top-level fields. Typed values become
/// the text an export would carry: DATE → `YYYY-MM-DD`; TIMESTAMP → `YYYY-MM-DD HH:MM:SS`,
/// read as Shanghai wall-clock time (the contract's timestamps are local, and the legacy
/// systems write them without a zone); whole floating values lose their `.0`.
///
/// The parquet crate asserts on some malformed metadata instead of returning an error
/// (found by `read::fuzz`): the known case is checked first with a clear message, and
/// any other panic inside the library is answered as a corrupt file, not a crash.
pub fn read_parquet(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    std::panic::catch_unwind(|| read_checked(path, bytes)).unwrap_or_else(|_| {
        Err(EtlError::Parse {
            file: path.display().to_string(),
            line: 0,
            message: "not a readable Parquet file: the Parquet library failed on its contents (corrupt file?)".into(),
        })
    })
}

fn read_checked(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let err = |message: String| EtlError::Parse {
        file: path.display().to_string(),
        line: 0,
        message,
    };
    let reader =
        SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).map_err(|e| err(format!("not a readable Parquet file: {e}")))?;
    check_column_chunks(&reader, bytes.len()).map_err(err)?;
    let headers: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, row) in reader.get_row_iter(None).map_err(|e| err(e.to_string()))?.enumerate() {
        let row = row.map_err(|e| EtlError::Parse {
            file: path.display().to_string(),
            line: i as u64 + 1,
            message: e.to_string(),
        })?;
        let mut cells = vec![String::new(); headers.len()];
        for (name, field) in row.get_column_iter() {
            if let Some(pos) = headers.iter().position(|h| h == name.trim()) {
                cells[pos] = field_text(field);
            }
        }
        // Row numbers count from 1, as a spreadsheet user would.
        rows.push(RawRow { line: i as u64 + 1, cells });
    }
    if headers.is_empty() {
        return Err(EtlError::EmptyFile {
            file: path.display().to_string(),
        });
    }
    Ok(RawTable {
        headers,
        rows,
        encoding: "Parquet",
    })
}

/// Every column chunk starts and ends inside the file: the library asserts (panics) on a
/// negative offset or length rather than returning an error.
fn check_column_chunks(reader: &SerializedFileReader<bytes::Bytes>, file_len: usize) -> Result<(), String> {
    for (g, group) in reader.metadata().row_groups().iter().enumerate() {
        for column in group.columns() {
            let start = column.dictionary_page_offset().unwrap_or(column.data_page_offset());
            let len = column.compressed_size();
            let inside = start >= 0 && len >= 0 && start.checked_add(len).is_some_and(|end| end as u64 <= file_len as u64);
            if !inside {
                return Err(format!(
                    "not a readable Parquet file: row group {} column `{}` claims bytes {start}..{start}+{len} of a {file_len}-byte file",
                    g + 1,
                    column.column_path()
                ));
            }
        }
    }
    Ok(())
}

fn whole(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn field_text(field: &Field) -> String {
    match field {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float(v) => whole(*v as f64),
        Field::Double(v) => whole(*v),
        Field::Date(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::days(*days as i64)))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Field::TimestampMillis(ms) => DateTime::from_timestamp_millis(*ms)
            .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        Field::TimestampMicros(us) => DateTime::from_timestamp_micros(*us)
            .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        Field::Bytes(b) => String::from_utf8_lossy(b.data()).into_owned(),
        // Decimals, times and nested values print as Parquet renders them.
        other => other.to_string(),
    }
}
