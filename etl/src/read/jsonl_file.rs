use std::path::Path;

use serde_json::Value;

use super::{RawRow, RawTable};
use crate::EtlError;

/// JSON Lines: one object per line keyed by the same Chinese column names as the CSV
/// exports. Columns are the keys in order of first appearance; a line that is not a JSON
/// object becomes a one-cell row, which the loader keeps whole and quarantines.
pub fn read_jsonl(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| EtlError::Encoding {
        file: path.display().to_string(),
        message: format!("is not valid UTF-8 at byte {} (JSON Lines must be UTF-8)", e.valid_up_to()),
    })?;
    let mut headers: Vec<String> = Vec::new();
    // (line number, the object or None when the line is not one, the raw line)
    type Parsed<'a> = (u64, Option<serde_json::Map<String, Value>>, &'a str);
    let mut parsed: Vec<Parsed> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => {
                for key in map.keys() {
                    if !headers.iter().any(|h| h == key.trim()) {
                        headers.push(key.trim().to_string());
                    }
                }
                parsed.push((i as u64 + 1, Some(map), line));
            }
            _ => parsed.push((i as u64 + 1, None, line)),
        }
    }
    if parsed.is_empty() {
        return Err(EtlError::EmptyFile {
            file: path.display().to_string(),
        });
    }
    let rows = parsed
        .into_iter()
        .map(|(line, map, raw)| match map {
            Some(map) => RawRow {
                line,
                cells: headers
                    .iter()
                    .map(|h| match map.iter().find(|(k, _)| k.trim() == h).map(|(_, v)| v) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Bool(b)) => (if *b { "1" } else { "0" }).to_string(),
                        Some(other) => other.to_string(),
                    })
                    .collect(),
            },
            None => RawRow {
                line,
                cells: vec![raw.to_string()],
            },
        })
        .collect();
    Ok(RawTable {
        headers,
        rows,
        encoding: "UTF-8 (JSON Lines)",
    })
}
