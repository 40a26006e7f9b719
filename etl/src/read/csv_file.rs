use std::path::Path;

use super::{RawRow, RawTable};
use crate::EtlError;

/// UTF-8 (with or without BOM) or GB18030, detected from the bytes: a BOM or valid UTF-8
/// means UTF-8; anything else must decode cleanly as GB18030 or the file is refused.
fn decode(path: &Path, bytes: &[u8]) -> Result<(String, &'static str), EtlError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "UTF-8 (BOM)"))
            .map_err(|e| EtlError::Encoding {
                file: path.display().to_string(),
                message: format!("has a UTF-8 BOM but invalid UTF-8 at byte {}", e.valid_up_to() + 3),
            });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), "GB18030")),
        None => Err(EtlError::Encoding {
            file: path.display().to_string(),
            message: "is neither valid UTF-8 nor valid GB18030; re-export it in one of those encodings".into(),
        }),
    }
}

pub fn read_csv(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let (text, encoding) = decode(path, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = match records.next() {
        Some(r) => r
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
        None => {
            return Err(EtlError::EmptyFile {
                file: path.display().to_string(),
            });
        }
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(path, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(RawRow {
            line,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(RawTable { headers, rows, encoding })
}

fn csv_error(path: &Path, e: csv::Error) -> EtlError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    EtlError::Parse {
        file: path.display().to_string(),
        line,
        message: e.to_string(),
    }
}
