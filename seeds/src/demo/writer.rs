//! Writing the exports: RFC 4180 CSV (comma, CRLF), per-file column order, the optional
//! 备注 column, and the encoding (UTF-8, UTF-8 with BOM, GB18030).

use std::path::Path;

use rand::rngs::StdRng;

use super::employers::Employer;
use super::formats::{iso_date, iso_timestamp};
use super::random::{chance, pick_str, shuffle};
use super::rows::{CONTRACT_COLUMNS, EMPLOYER_REGISTRY_HEADERS, RegistrationColumn, RegistrationRow};
use crate::error::SeedError;

/// How a file's bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileEncoding {
    Utf8,
    Utf8WithBom,
    Gb18030,
}

/// The shape of one employment_registration file.
#[derive(Debug, Clone)]
pub(crate) struct FileLayout {
    pub columns: Vec<RegistrationColumn>,
    pub encoding: FileEncoding,
}

/// Share of monthly files whose columns come in a shuffled order.
pub(crate) const SHUFFLED_COLUMNS_SHARE: f64 = 0.3;
/// Share of monthly files that carry the extra 备注 column.
pub(crate) const REMARK_COLUMN_SHARE: f64 = 0.25;
/// Share of the remaining UTF-8 monthly files written with a BOM.
pub(crate) const BOM_SHARE: f64 = 0.12;
/// Months of the first year exported by the old GB18030 system.
pub(crate) const GB18030_MONTHS: [u32; 3] = [3, 6, 9];
/// The first year's month always written with a BOM (so every demo set has one).
const ALWAYS_BOM_MONTH: u32 = 4;

const REMARKS: [&str; 7] = [
    "补录",
    "单位代报",
    "系统迁移数据",
    "网上办理",
    "已核实",
    "补录,经办人已核实",
    "单位名称以\"营业执照\"为准",
];
const REMARK_SHARE: f64 = 0.06;

/// The layout of the file for `year`-`month`: encoding by the rules above, column order
/// and the 备注 column chosen by the RNG.
pub(crate) fn choose_layout(rng: &mut StdRng, year: i32, month: u32, first_year: i32) -> FileLayout {
    let mut columns: Vec<RegistrationColumn> = CONTRACT_COLUMNS.to_vec();
    if chance(rng, SHUFFLED_COLUMNS_SHARE) {
        shuffle(rng, &mut columns);
    }
    if chance(rng, REMARK_COLUMN_SHARE) {
        columns.push(RegistrationColumn::Remark);
    }
    let in_first_year = year == first_year;
    let encoding = if in_first_year && GB18030_MONTHS.contains(&month) {
        FileEncoding::Gb18030
    } else if (in_first_year && month == ALWAYS_BOM_MONTH) || chance(rng, BOM_SHARE) {
        FileEncoding::Utf8WithBom
    } else {
        FileEncoding::Utf8
    };
    FileLayout { columns, encoding }
}

/// The layout of the corrections file: the contract's order, UTF-8.
pub(crate) fn corrections_layout() -> FileLayout {
    FileLayout {
        columns: CONTRACT_COLUMNS.to_vec(),
        encoding: FileEncoding::Utf8,
    }
}

/// Writes employment_registration rows; returns the number of data rows written.
pub(crate) fn write_registrations(
    path: &Path,
    layout: &FileLayout,
    rows: &[RegistrationRow],
    rng: &mut StdRng,
) -> Result<usize, SeedError> {
    let headers: Vec<&str> = layout.columns.iter().map(|column| column.header()).collect();
    let mut records: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for row in rows {
        let record: Vec<String> = layout
            .columns
            .iter()
            .map(|&column| match column {
                RegistrationColumn::Remark if chance(rng, REMARK_SHARE) => pick_str(rng, &REMARKS).to_string(),
                other => row.cell(other).to_string(),
            })
            .collect();
        records.push(record);
    }
    write_csv(path, &headers, &records, layout.encoding)?;
    Ok(records.len())
}

/// Writes the employer_registry export (UTF-8); returns the number of data rows.
pub(crate) fn write_employer_registry(path: &Path, rows: &[Employer]) -> Result<usize, SeedError> {
    let records: Vec<Vec<String>> = rows
        .iter()
        .map(|employer| {
            vec![
                employer.uscc.clone(),
                employer.name.clone(),
                employer.employer_type.to_string(),
                employer.industry.to_string(),
                employer.district.to_string(),
                iso_date(employer.founded_on),
                employer.insured.to_string(),
                format!("{:.6}", employer.longitude),
                format!("{:.6}", employer.latitude),
                iso_timestamp(employer.updated_at),
            ]
        })
        .collect();
    write_csv(path, &EMPLOYER_REGISTRY_HEADERS, &records, FileEncoding::Utf8)?;
    Ok(records.len())
}

/// Serialises header + records as RFC 4180 CSV and writes them in `encoding`.
pub(crate) fn write_csv(path: &Path, headers: &[&str], records: &[Vec<String>], encoding: FileEncoding) -> Result<(), SeedError> {
    let csv_error = |source: csv::Error| SeedError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(headers).map_err(csv_error)?;
    for record in records {
        writer.write_record(record).map_err(csv_error)?;
    }
    let utf8 = writer.into_inner().map_err(|error| SeedError::Io {
        path: path.to_path_buf(),
        source: error.into_error(),
    })?;
    let bytes = encode(path, utf8, encoding)?;
    std::fs::write(path, bytes).map_err(|source| SeedError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Re-encodes UTF-8 CSV bytes for the file.
fn encode(path: &Path, utf8: Vec<u8>, encoding: FileEncoding) -> Result<Vec<u8>, SeedError> {
    match encoding {
        FileEncoding::Utf8 => Ok(utf8),
        FileEncoding::Utf8WithBom => {
            let mut bytes = Vec::with_capacity(utf8.len() + 3);
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
            bytes.extend_from_slice(&utf8);
            Ok(bytes)
        }
        FileEncoding::Gb18030 => {
            let text = String::from_utf8(utf8).map_err(|error| SeedError::Encoding {
                path: path.to_path_buf(),
                reason: error.to_string(),
            })?;
            let (bytes, _, had_unmappable) = encoding_rs::GB18030.encode(&text);
            if had_unmappable {
                return Err(SeedError::Encoding {
                    path: path.to_path_buf(),
                    reason: "text has characters GB18030 cannot represent".to_string(),
                });
            }
            Ok(bytes.into_owned())
        }
    }
}
