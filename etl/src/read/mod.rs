//! Reading export files into header + rows of text, whatever the format and encoding.

mod csv_file;
mod jsonl_file;
mod parquet_file;
mod xlsx_file;

use std::path::Path;

use crate::EtlError;

/// A data row as text cells, with its line (CSV) or row (XLSX) number in the file.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    pub encoding: &'static str,
}

/// File formats recognised by extension.
pub fn read_file(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" => csv_file::read_csv(path, bytes),
        "xlsx" | "xlsm" | "xls" => xlsx_file::read_xlsx(path, bytes),
        "jsonl" | "ndjson" => jsonl_file::read_jsonl(path, bytes),
        "parquet" => parquet_file::read_parquet(path, bytes),
        other => Err(EtlError::UnsupportedFormat {
            file: path.display().to_string(),
            extension: other.to_string(),
        }),
    }
}
