//! Reading export files as header + batches of text rows, whatever the format and
//! encoding. CSV streams (bounded memory for any size); XLSX, Parquet and JSON Lines are
//! read whole (spreadsheets are small by nature; the others stream in a later change).

mod csv_file;
#[cfg(test)]
mod fuzz;
mod jsonl_file;
mod parquet_file;
mod stream;
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

/// Rows of one export, a batch at a time.
pub trait RowReader: Send {
    fn headers(&self) -> &[String];
    fn encoding(&self) -> &'static str;
    /// Up to `max` rows; an empty batch when the file is done.
    fn next_batch(&mut self, max: usize) -> Result<Vec<RawRow>, EtlError>;
    /// SM3 of the file's bytes; complete once every batch has been read.
    fn content_hash(&self) -> String;
}

/// A file already read whole.
struct TableReader {
    table: RawTable,
    next: usize,
    hash: String,
}

impl RowReader for TableReader {
    fn headers(&self) -> &[String] {
        &self.table.headers
    }
    fn encoding(&self) -> &'static str {
        self.table.encoding
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<RawRow>, EtlError> {
        let end = (self.next + max).min(self.table.rows.len());
        let batch = self.table.rows[self.next..end].to_vec();
        self.next = end;
        Ok(batch)
    }
    fn content_hash(&self) -> String {
        self.hash.clone()
    }
}

/// SM3 of a file's bytes, streamed; empty when it cannot be read.
pub fn file_hash(path: &Path) -> String {
    match std::fs::File::open(path) {
        Ok(file) => {
            let (mut reader, hasher) = stream::HashingRead::new(file);
            match std::io::copy(&mut reader, &mut std::io::sink()) {
                Ok(_) => stream::finish_hash(&hasher),
                Err(_) => String::new(),
            }
        }
        Err(_) => String::new(),
    }
}

/// Opens an export by its extension.
pub fn open(path: &Path) -> Result<Box<dyn RowReader>, EtlError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let whole = |read: fn(&Path, &[u8]) -> Result<RawTable, EtlError>| -> Result<Box<dyn RowReader>, EtlError> {
        let bytes = std::fs::read(path).map_err(|source| EtlError::Io {
            file: path.display().to_string(),
            source,
        })?;
        let hash = hex::encode(<sm3::Sm3 as sm3::Digest>::digest(&bytes));
        Ok(Box::new(TableReader {
            table: read(path, &bytes)?,
            next: 0,
            hash,
        }))
    };
    match ext.as_str() {
        "csv" | "txt" => Ok(Box::new(csv_file::CsvReader::open(path)?)),
        "xlsx" | "xlsm" | "xls" => whole(xlsx_file::read_xlsx),
        "jsonl" | "ndjson" => whole(jsonl_file::read_jsonl),
        "parquet" => whole(parquet_file::read_parquet),
        other => Err(EtlError::UnsupportedFormat {
            file: path.display().to_string(),
            extension: other.to_string(),
        }),
    }
}
