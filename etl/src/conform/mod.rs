//! From text cells to typed fields, by a feed spec: header mapping, parsing, code tables,
//! check characters and cross-field rules. A row either conforms completely or is
//! quarantined with every rule it breaks.

pub mod checks;
mod codes;

use chrono::{NaiveDate, NaiveDateTime};
use jiuye_privacy::{mask_birth_date, mask_id_number, mask_name};

pub use codes::CodeTables;

use crate::EtlError;
use crate::read::RawRow;
use crate::spec::{ColumnSpec, FeedSpec, FieldType};

/// A typed field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
    Int(i64),
    Decimal(f64),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Decimal(f) => Some(*f),
            _ => None,
        }
    }
    /// Order of two given values of the same kind; `None` when either is null.
    pub fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            _ => self.number()?.partial_cmp(&other.number()?),
        }
    }
}

/// One broken rule of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: &'static str,
    /// The column header as exported.
    pub column: String,
    /// The offending value, masked when the column holds personal data.
    pub value: Option<String>,
    pub message: String,
}

/// A conformed row: values in the spec's column order.
#[derive(Debug, Clone)]
pub struct ConformedRow {
    pub line: u64,
    pub values: Vec<Value>,
}

/// Maps one file's headers onto a spec, then conforms its rows.
pub struct Conformer<'a> {
    spec: &'a FeedSpec,
    codes: &'a CodeTables,
    /// For each spec column, the index of its cell in this file.
    positions: Vec<Option<usize>>,
    width: usize,
}

impl<'a> Conformer<'a> {
    pub fn new(spec: &'a FeedSpec, codes: &'a CodeTables, file: &str, headers: &[String]) -> Result<Conformer<'a>, EtlError> {
        let mut positions = Vec::with_capacity(spec.columns.len());
        for c in &spec.columns {
            let pos = headers.iter().position(|h| *h == c.header || c.aliases.iter().any(|a| a == h));
            if pos.is_none() && (c.required || !c.required_when.is_empty()) {
                return Err(EtlError::MissingColumn {
                    file: file.to_string(),
                    column: c.header.clone(),
                    feed: spec.feed.clone(),
                    found: headers.join(", "),
                });
            }
            positions.push(pos);
        }
        Ok(Conformer {
            spec,
            codes,
            positions,
            width: headers.len(),
        })
    }

    pub fn spec(&self) -> &FeedSpec {
        self.spec
    }

    /// Whether the row has as many cells as the header, so its cells map to columns.
    pub fn fits(&self, row: &RawRow) -> bool {
        row.cells.len() == self.width
    }

    /// The raw text of each spec column (for ODS), in spec order.
    pub fn raw_cells<'r>(&self, row: &'r RawRow) -> Vec<Option<&'r str>> {
        self.positions
            .iter()
            .map(|p| p.and_then(|i| row.cells.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty()))
            .collect()
    }

    pub fn conform(&self, row: &RawRow) -> Result<ConformedRow, Vec<Violation>> {
        let mut violations = Vec::new();
        if row.cells.len() != self.width {
            violations.push(Violation {
                rule: "malformed_row",
                column: "*".into(),
                value: None,
                message: format!(
                    "has {} cells where the header has {}; check quoting of commas",
                    row.cells.len(),
                    self.width
                ),
            });
            return Err(violations);
        }
        let cells = self.raw_cells(row);
        let mut values = Vec::with_capacity(cells.len());
        for (column, cell) in self.spec.columns.iter().zip(&cells) {
            let shown = |v: &str| Some(shown_in_quarantine(column, v));
            let Some(text) = cell else {
                if column.required {
                    violations.push(Violation {
                        rule: "required",
                        column: column.header.clone(),
                        value: None,
                        message: format!("{} is required", column.header),
                    });
                }
                values.push(Value::Null);
                continue;
            };
            let mut fail = |rule: &'static str, message: String| {
                violations.push(Violation {
                    rule,
                    column: column.header.clone(),
                    value: shown(text),
                    message,
                });
                Value::Null
            };
            let value = match column.field_type {
                FieldType::Text => Value::Text(text.to_string()),
                FieldType::Enum => match column.values.get(*text) {
                    Some(code) => Value::Text(code.clone()),
                    None => fail(
                        "unknown_code",
                        format!(
                            "{} must be one of {}",
                            column.header,
                            column.values.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ),
                },
                FieldType::Code => {
                    let table = column.code_table.as_deref().unwrap_or_default();
                    match self.codes.normalise(table, text) {
                        Some(code) => Value::Text(code),
                        None => fail("unknown_code", format!("{} is not a code of table {table}", column.header)),
                    }
                }
                FieldType::Date => match checks::parse_date(text) {
                    Some(d) => Value::Date(d),
                    None => fail(
                        "invalid_date",
                        format!("{} must be a real date as YYYY-MM-DD, YYYY/M/D or YYYYMMDD", column.header),
                    ),
                },
                FieldType::Month => match checks::parse_month(text) {
                    Some(d) => Value::Date(d),
                    None => fail(
                        "invalid_date",
                        format!("{} must be a month as YYYY-MM, YYYY/M or YYYYMM", column.header),
                    ),
                },
                FieldType::Timestamp => match checks::parse_timestamp(text) {
                    Some(t) => Value::Timestamp(t),
                    None => fail(
                        "invalid_timestamp",
                        format!("{} must be YYYY-MM-DD HH:MM:SS or YYYY/M/D H:MM:SS", column.header),
                    ),
                },
                FieldType::Integer => match text.replace(',', "").parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => fail("invalid_number", format!("{} must be a whole number", column.header)),
                },
                FieldType::Decimal => match checks::parse_money(text) {
                    Some(f) => Value::Decimal(f),
                    None => fail(
                        "invalid_number",
                        format!("{} must be an amount in yuan with at most 2 decimal places", column.header),
                    ),
                },
                FieldType::Geo => {
                    let limit = if column.field.contains("lat") { 90.0 } else { 180.0 };
                    match text.parse::<f64>() {
                        Ok(f) if f.is_finite() && f.abs() <= limit => Value::Decimal(f),
                        _ => fail(
                            "invalid_number",
                            format!("{} must be WGS-84 degrees within ±{limit}", column.header),
                        ),
                    }
                }
                FieldType::IdNumber => {
                    let id = text.to_ascii_uppercase();
                    match checks::id_number_birth_date(&id) {
                        Ok(_) => Value::Text(id),
                        Err(why) => fail("id_number", format!("{} {why}", column.header)),
                    }
                }
                FieldType::Uscc => {
                    let code = text.to_ascii_uppercase();
                    if checks::uscc_is_valid(&code) {
                        Value::Text(code)
                    } else {
                        fail("uscc", format!("{} fails the GB 32100 check character", column.header))
                    }
                }
            };
            values.push(value);
        }
        self.cross_field_rules(&cells, &values, &mut violations);
        if violations.is_empty() {
            Ok(ConformedRow { line: row.line, values })
        } else {
            Err(violations)
        }
    }

    fn cross_field_rules(&self, cells: &[Option<&str>], values: &[Value], violations: &mut Vec<Violation>) {
        let value_of = |field: &str| self.spec.columns.iter().position(|c| c.field == field).map(|i| &values[i]);
        for (i, column) in self.spec.columns.iter().enumerate() {
            for (other, expected) in &column.required_when {
                if value_of(other).and_then(Value::text) == Some(expected.as_str()) && cells[i].is_none() {
                    let other_header = self.spec.column(other).map(|c| c.header.clone()).unwrap_or_default();
                    let shown = self
                        .spec
                        .column(other)
                        .and_then(|c| c.values.iter().find(|(_, v)| *v == expected))
                        .map(|(k, _)| k.clone())
                        .unwrap_or(expected.clone());
                    violations.push(Violation {
                        rule: "conditional_required",
                        column: column.header.clone(),
                        value: None,
                        message: format!("{} is required when {other_header} is {shown}", column.header),
                    });
                }
            }
            if let (Some(min), Some(n)) = (column.min, values[i].number())
                && n < min
            {
                violations.push(Violation {
                    rule: "out_of_range",
                    column: column.header.clone(),
                    value: cells[i].map(|v| shown_in_quarantine(column, v)),
                    message: format!("{} must be at least {min}", column.header),
                });
            }
            for (other, must_be_at_least) in [(&column.at_least, true), (&column.at_most, false)] {
                let Some(other) = other else { continue };
                let Some(order) = value_of(other).and_then(|o| values[i].compare(o)) else {
                    continue;
                };
                if (must_be_at_least && order.is_lt()) || (!must_be_at_least && order.is_gt()) {
                    let other_header = self.spec.column(other).map(|c| c.header.clone()).unwrap_or_default();
                    violations.push(Violation {
                        rule: "out_of_order",
                        column: column.header.clone(),
                        value: cells[i].map(|v| shown_in_quarantine(column, v)),
                        message: format!(
                            "{} must be {} {other_header}",
                            column.header,
                            if must_be_at_least {
                                "no earlier or smaller than"
                            } else {
                                "no greater than"
                            }
                        ),
                    });
                }
            }
            if let (Some(id_field), Value::Date(given)) = (&column.birth_date_of, &values[i])
                && let Some(Value::Text(id)) = value_of(id_field)
                && let Ok(from_id) = checks::id_number_birth_date(id)
                && from_id != *given
            {
                violations.push(Violation {
                    rule: "birth_date_mismatch",
                    column: column.header.clone(),
                    value: cells[i].map(|v| shown_in_quarantine(column, v)),
                    message: format!("{} differs from the birth date in the ID number", column.header),
                });
            }
        }
    }
}

/// A rejected cell as quarantine keeps it: personal values masked by the published rules
/// (an ID to its last four, a name to its surname, a birth date to its year), others as
/// exported. Quarantine rows of one line can be joined, so none may hold more.
fn shown_in_quarantine(column: &ColumnSpec, value: &str) -> String {
    match (column.personal, column.field_type) {
        (true, FieldType::IdNumber) => mask_id_number(value),
        (true, _) => mask_name(value),
        (false, _) if column.birth_date_of.is_some() => mask_birth_date(value),
        _ => value.to_string(),
    }
}
