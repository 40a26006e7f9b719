use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sm3::Sm3;

use super::stream::{Gb18030Read, HashingRead, finish_hash};
use super::{RawRow, RowReader};
use crate::EtlError;

/// CSV streamed from disk. The encoding is decided from the first 64 KiB: a UTF-8 BOM or
/// valid UTF-8 means UTF-8; otherwise GB18030 (the Chinese header row settles it). A
/// byte sequence invalid in the chosen encoding later on rejects the whole file.
pub struct CsvReader {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read + Send>>,
    headers: Vec<String>,
    encoding: &'static str,
    hasher: Arc<Mutex<Sm3>>,
    record: csv::ByteRecord,
}

fn io_error(path: &Path, e: std::io::Error) -> EtlError {
    EtlError::Io {
        file: path.display().to_string(),
        source: e,
    }
}

impl CsvReader {
    pub fn open(path: &Path) -> Result<CsvReader, EtlError> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let (hashing, hasher) = HashingRead::new(file);
        let mut buffered = BufReader::with_capacity(256 * 1024, hashing);
        let head = buffered.fill_buf().map_err(|e| io_error(path, e))?.to_vec();
        let probe = &head[..head.len().min(64 * 1024)];
        let (source, encoding): (Box<dyn Read + Send>, &'static str) = if probe.starts_with(b"\xEF\xBB\xBF") {
            buffered.consume(3);
            (Box::new(buffered), "UTF-8 (BOM)")
        } else {
            match std::str::from_utf8(probe) {
                // A probe cut inside a character is still UTF-8.
                Err(e) if e.error_len().is_some() => (Box::new(Gb18030Read::new(buffered)), "GB18030"),
                _ => (Box::new(buffered), "UTF-8"),
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(source);
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(|e| csv_error(path, e))? {
            return Err(EtlError::EmptyFile {
                file: path.display().to_string(),
            });
        }
        let headers = cells(path, encoding, &record)?
            .into_iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        Ok(CsvReader {
            path: path.to_path_buf(),
            reader,
            headers,
            encoding,
            hasher,
            record,
        })
    }
}

fn csv_error(path: &Path, e: csv::Error) -> EtlError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => EtlError::Encoding {
            file: path.display().to_string(),
            message: format!("line {line}: {io}"),
        },
        _ => EtlError::Parse {
            file: path.display().to_string(),
            line,
            message: e.to_string(),
        },
    }
}

fn cells(path: &Path, encoding: &str, record: &csv::ByteRecord) -> Result<Vec<String>, EtlError> {
    record
        .iter()
        .map(|field| {
            std::str::from_utf8(field).map(str::to_string).map_err(|_| EtlError::Encoding {
                file: path.display().to_string(),
                message: format!(
                    "line {}: invalid {encoding} text; re-export the file in one encoding (UTF-8 or GB18030)",
                    record.position().map(|p| p.line()).unwrap_or(0)
                ),
            })
        })
        .collect()
}

impl RowReader for CsvReader {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn encoding(&self) -> &'static str {
        self.encoding
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<RawRow>, EtlError> {
        let mut batch = Vec::with_capacity(max.min(100_000));
        let mut record = std::mem::take(&mut self.record);
        while batch.len() < max {
            match self.reader.read_byte_record(&mut record) {
                Ok(true) => {
                    if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    let line = record.position().map(|p| p.line()).unwrap_or(0);
                    batch.push(RawRow {
                        line,
                        cells: cells(&self.path, self.encoding, &record)?,
                    });
                }
                Ok(false) => break,
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
        self.record = record;
        Ok(batch)
    }
    fn content_hash(&self) -> String {
        finish_hash(&self.hasher)
    }
}
