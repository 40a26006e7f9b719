use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::{RawRow, RawTable};
use crate::EtlError;

/// Most columns a sheet may use: exports have a few dozen. A sheet claiming more (up to
/// XFD, 16,384) is refused rather than laid out.
const MAX_COLUMNS: u32 = 1_024;

/// First sheet; cells as the text an export would have written (codes stored as numbers
/// lose no digits here, dates become `YYYY-MM-DD[ HH:MM:SS]`). An XLSX sheet is streamed
/// cell by cell and kept sparse, so memory follows the cells present, never the sheet's
/// claimed dimensions (a cell at A1 and one at XFD1048576 would otherwise be a dense grid
/// of seventeen billion); legacy XLS is bounded by its format (65,536 × 256).
pub fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<RawTable, EtlError> {
    let err = |message: String| EtlError::Parse {
        file: path.display().to_string(),
        line: 0,
        message,
    };
    let cells = match calamine::Xlsx::new(Cursor::new(bytes)) {
        Ok(book) => xlsx_cells(book).map_err(err)?,
        Err(_) => xls_cells(bytes).map_err(err)?,
    };
    let Some(first_row) = cells.keys().next().copied() else {
        return Err(EtlError::EmptyFile {
            file: path.display().to_string(),
        });
    };
    let first_col = cells.values().flat_map(|r| r.keys()).min().copied().unwrap_or(0);
    let width = cells.values().flat_map(|r| r.keys()).max().map_or(0, |c| c - first_col + 1) as usize;
    let dense = |row: &BTreeMap<u32, String>| -> Vec<String> {
        let mut out = vec![String::new(); width];
        for (c, v) in row {
            out[(c - first_col) as usize] = v.clone();
        }
        out
    };
    let headers: Vec<String> = dense(&cells[&first_row]).iter().map(|h| h.trim().to_string()).collect();
    let rows = cells
        .range(first_row + 1..)
        .map(|(r, row)| RawRow {
            // 1-based sheet row number, as a spreadsheet user reads it.
            line: u64::from(*r) + 1,
            cells: dense(row),
        })
        .filter(|row| !row.cells.iter().all(|c| c.trim().is_empty()))
        .collect();
    Ok(RawTable {
        headers,
        rows,
        encoding: "XLSX",
    })
}

/// Non-empty cells by row and column.
type Cells = BTreeMap<u32, BTreeMap<u32, String>>;

fn place(cells: &mut Cells, (row, col): (u32, u32), text: String) -> Result<(), String> {
    if col >= MAX_COLUMNS {
        return Err(format!(
            "the first sheet uses column {} (more than {MAX_COLUMNS}); exports have a few dozen",
            col + 1
        ));
    }
    if !text.is_empty() {
        cells.entry(row).or_default().insert(col, text);
    }
    Ok(())
}

fn xlsx_cells(mut book: calamine::Xlsx<Cursor<&[u8]>>) -> Result<Cells, String> {
    let first = book.sheet_names().into_iter().next().ok_or("the workbook has no sheet")?;
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("cannot read the first sheet: {e}"))?;
    let mut cells = Cells::new();
    while let Some(cell) = reader.next_cell().map_err(|e| format!("cannot read the first sheet: {e}"))? {
        let text = cell_text(&Data::from(cell.get_value().clone()));
        place(&mut cells, cell.get_position(), text)?;
    }
    Ok(cells)
}

fn xls_cells(bytes: &[u8]) -> Result<Cells, String> {
    // Only the legacy binary format falls back to a dense range: other formats (ODS) have
    // no such bound and are not exports.
    let mut book = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| format!("not a readable XLSX or XLS workbook: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| format!("cannot read the first sheet: {e}"))?;
    let mut cells = Cells::new();
    for (row, col, value) in range.used_cells() {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        place(&mut cells, (r0 + row as u32, c0 + col as u32), cell_text(value))?;
    }
    Ok(cells)
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
