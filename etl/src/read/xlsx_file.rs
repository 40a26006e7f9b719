use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::{RawRow, RawTable};
use crate::EtlError;

/// First sheet; cells as the text an export would have written (codes stored as numbers
/// lose no digits here, dates become `YYYY-MM-DD[ HH:MM:SS]`).
pub fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let err = |message: String| EtlError::Parse {
        file: path.display().to_string(),
        line: 0,
        message,
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| err(format!("not a readable workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| err("the workbook has no sheet".into()))?
        .map_err(|e| err(format!("cannot read the first sheet: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows_iter = range.rows();
    let headers: Vec<String> = match rows_iter.next() {
        Some(r) => r.iter().map(|c| cell_text(c).trim().to_string()).collect(),
        None => {
            return Err(EtlError::EmptyFile {
                file: path.display().to_string(),
            });
        }
    };
    let mut rows = Vec::new();
    for (i, r) in rows_iter.enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // 1-based sheet row number: header is row first_row + 1.
        rows.push(RawRow {
            line: first_row as u64 + i as u64 + 2,
            cells,
        });
    }
    Ok(RawTable {
        headers,
        rows,
        encoding: "XLSX",
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => (if *b { "1" } else { "0" }).to_string(),
        // Always the full timestamp: a 更新时间 at midnight stays a timestamp, and date
        // fields accept midnight as the day.
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::Error(e) => format!("#{e:?}"),
    }
}
