//! Reference code tables, committed as CSV files under `seeds/code_tables/` and embedded
//! into the binary with `include_str!`.
//!
//! Every file has exactly the header `code,name,parent,successor,retired_on`; an empty
//! cell means "none". `parent` points into the same table (districts → `310000`) or into
//! another one (an industry division → its section letter in `industry_section`).
//! `successor` and `retired_on` are set on retired codes only (merged districts).

use chrono::NaiveDate;

use crate::error::SeedError;

/// The header every code-table file must start with.
pub const CODE_TABLE_HEADER: [&str; 5] = ["code", "name", "parent", "successor", "retired_on"];

/// One code of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The code as it appears in exports, e.g. `310115`, `65`, `C`, `16-24`.
    pub code: String,
    /// The official Chinese name.
    pub name: String,
    /// The parent code (same or another table), if any.
    pub parent: Option<String>,
    /// For a retired code: the code that replaced it.
    pub successor: Option<String>,
    /// For a retired code: the day it stopped being current.
    pub retired_on: Option<NaiveDate>,
}

impl CodeRow {
    /// True for a code that has been retired (merged into its successor).
    pub fn is_retired(&self) -> bool {
        self.retired_on.is_some() || self.successor.is_some()
    }
}

/// A whole code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTable {
    /// Table name, also the file stem: `district`, `industry`, …
    pub name: &'static str,
    /// The standard the codes come from, e.g. `GB/T 2260`, or `jiuye platform list`.
    pub standard: &'static str,
    /// The rows in file order.
    pub rows: Vec<CodeRow>,
}

impl CodeTable {
    /// The row with this code, if the table has it.
    pub fn get(&self, code: &str) -> Option<&CodeRow> {
        self.rows.iter().find(|row| row.code == code)
    }

    /// True when the table has this code (current or retired).
    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }
}

/// Where a table comes from: its name, standard, file name and embedded text.
struct TableSource {
    name: &'static str,
    standard: &'static str,
    file: &'static str,
    text: &'static str,
}

const PLATFORM_LIST: &str = "jiuye platform list";

const TABLE_SOURCES: [TableSource; 17] = [
    TableSource {
        name: "district",
        standard: "GB/T 2260",
        file: "district.csv",
        text: include_str!("../code_tables/district.csv"),
    },
    TableSource {
        name: "industry_section",
        standard: "GB/T 4754-2017",
        file: "industry_section.csv",
        text: include_str!("../code_tables/industry_section.csv"),
    },
    TableSource {
        name: "industry",
        standard: "GB/T 4754-2017",
        file: "industry.csv",
        text: include_str!("../code_tables/industry.csv"),
    },
    TableSource {
        name: "education",
        standard: "GB/T 4658-2006",
        file: "education.csv",
        text: include_str!("../code_tables/education.csv"),
    },
    TableSource {
        name: "gender",
        standard: "GB/T 2261.1-2003",
        file: "gender.csv",
        text: include_str!("../code_tables/gender.csv"),
    },
    TableSource {
        name: "hukou_type",
        standard: PLATFORM_LIST,
        file: "hukou_type.csv",
        text: include_str!("../code_tables/hukou_type.csv"),
    },
    TableSource {
        name: "employer_type",
        standard: PLATFORM_LIST,
        file: "employer_type.csv",
        text: include_str!("../code_tables/employer_type.csv"),
    },
    TableSource {
        name: "employment_form",
        standard: PLATFORM_LIST,
        file: "employment_form.csv",
        text: include_str!("../code_tables/employment_form.csv"),
    },
    TableSource {
        name: "separation_reason",
        standard: PLATFORM_LIST,
        file: "separation_reason.csv",
        text: include_str!("../code_tables/separation_reason.csv"),
    },
    TableSource {
        name: "occupation",
        standard: "GB/T 6565-2015",
        file: "occupation.csv",
        text: include_str!("../code_tables/occupation.csv"),
    },
    TableSource {
        name: "age_band",
        standard: PLATFORM_LIST,
        file: "age_band.csv",
        text: include_str!("../code_tables/age_band.csv"),
    },
    TableSource {
        name: "flexible_type",
        standard: PLATFORM_LIST,
        file: "flexible_type.csv",
        text: include_str!("../code_tables/flexible_type.csv"),
    },
    TableSource {
        name: "training_type",
        standard: PLATFORM_LIST,
        file: "training_type.csv",
        text: include_str!("../code_tables/training_type.csv"),
    },
    TableSource {
        name: "support_type",
        standard: PLATFORM_LIST,
        file: "support_type.csv",
        text: include_str!("../code_tables/support_type.csv"),
    },
    TableSource {
        name: "facility_type",
        standard: PLATFORM_LIST,
        file: "facility_type.csv",
        text: include_str!("../code_tables/facility_type.csv"),
    },
    TableSource {
        name: "unemployment_reason",
        standard: PLATFORM_LIST,
        file: "unemployment_reason.csv",
        text: include_str!("../code_tables/unemployment_reason.csv"),
    },
    TableSource {
        // The city's catalogue of employment subsidies (政策代码); the demo pays under these.
        name: "policy",
        standard: PLATFORM_LIST,
        file: "policy.csv",
        text: include_str!("../code_tables/policy.csv"),
    },
];

/// The names of all shipped tables, in load order.
pub fn code_table_names() -> Vec<&'static str> {
    TABLE_SOURCES.iter().map(|source| source.name).collect()
}

/// All tables, parsed from the CSVs embedded with `include_str!`.
pub fn code_tables() -> Result<Vec<CodeTable>, SeedError> {
    TABLE_SOURCES.iter().map(parse_table).collect()
}

/// One table by name; [`SeedError::UnknownTable`] names it and lists the known ones.
pub fn code_table(name: &str) -> Result<CodeTable, SeedError> {
    match TABLE_SOURCES.iter().find(|source| source.name == name) {
        Some(source) => parse_table(source),
        None => Err(SeedError::UnknownTable {
            name: name.to_string(),
            known: code_table_names().join(", "),
        }),
    }
}

fn malformed(source: &TableSource, line: u64, reason: impl Into<String>) -> SeedError {
    SeedError::MalformedTable {
        file: source.file,
        line,
        reason: reason.into(),
    }
}

fn optional_cell(cell: &str) -> Option<String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() { None } else { Some(trimmed.to_string()) }
}

fn parse_table(source: &TableSource) -> Result<CodeTable, SeedError> {
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(source.text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<CodeRow> = Vec::new();
    let mut seen_header = false;
    for result in reader.records() {
        let record = result.map_err(|error| {
            let line = error.position().map(|position| position.line()).unwrap_or(0);
            malformed(source, line, error.to_string())
        })?;
        let line = record.position().map(|position| position.line()).unwrap_or(0);
        if !seen_header {
            let header: Vec<&str> = record.iter().map(str::trim).collect();
            if header != CODE_TABLE_HEADER {
                return Err(malformed(
                    source,
                    line,
                    format!("header is `{}`, expected `{}`", header.join(","), CODE_TABLE_HEADER.join(",")),
                ));
            }
            seen_header = true;
            continue;
        }
        if record.len() == 1 && record.get(0).is_some_and(|cell| cell.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != CODE_TABLE_HEADER.len() {
            return Err(malformed(
                source,
                line,
                format!("{} cells, expected {}", record.len(), CODE_TABLE_HEADER.len()),
            ));
        }
        let cell = |index: usize| record.get(index).unwrap_or("");
        let code = cell(0).trim().to_string();
        if code.is_empty() {
            return Err(malformed(source, line, "empty code"));
        }
        let name = cell(1).trim().to_string();
        if name.is_empty() {
            return Err(malformed(source, line, format!("code `{code}` has an empty name")));
        }
        let retired_on = match optional_cell(cell(4)) {
            None => None,
            Some(text) => Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                malformed(
                    source,
                    line,
                    format!("retired_on `{text}` of code `{code}` is not a YYYY-MM-DD date"),
                )
            })?),
        };
        if rows.iter().any(|row| row.code == code) {
            return Err(malformed(source, line, format!("duplicate code `{code}`")));
        }
        rows.push(CodeRow {
            code,
            name,
            parent: optional_cell(cell(2)),
            successor: optional_cell(cell(3)),
            retired_on,
        });
    }
    if !seen_header {
        return Err(malformed(source, 1, "the file is empty (no header)"));
    }
    Ok(CodeTable {
        name: source.name,
        standard: source.standard,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn table(name: &str) -> CodeTable {
        match code_table(name) {
            Ok(table) => table,
            Err(error) => panic!("table {name} failed to load: {error}"),
        }
    }

    #[test]
    fn every_table_loads() {
        let tables = code_tables().expect("all tables load");
        assert_eq!(tables.len(), TABLE_SOURCES.len());
        for table in &tables {
            assert!(!table.rows.is_empty(), "table {} is empty", table.name);
        }
    }

    #[test]
    fn industry_has_all_97_divisions() {
        let industry = table("industry");
        assert_eq!(industry.rows.len(), 97);
        for number in 1..=97 {
            let code = format!("{number:02}");
            assert!(industry.contains(&code), "division {code} missing");
        }
        assert_eq!(industry.get("65").map(|row| row.name.as_str()), Some("软件和信息技术服务业"));
        assert_eq!(
            industry.get("39").map(|row| row.name.as_str()),
            Some("计算机、通信和其他电子设备制造业")
        );
    }

    #[test]
    fn every_industry_parent_is_a_section() {
        let industry = table("industry");
        let sections = table("industry_section");
        assert_eq!(sections.rows.len(), 20);
        for row in &industry.rows {
            let parent = row.parent.as_deref().unwrap_or("");
            assert!(sections.contains(parent), "industry {} has parent `{parent}`", row.code);
        }
        assert_eq!(industry.get("65").and_then(|row| row.parent.as_deref()), Some("I"));
        assert_eq!(industry.get("97").and_then(|row| row.parent.as_deref()), Some("T"));
    }

    #[test]
    fn district_table_has_city_current_and_retired_codes() {
        let district = table("district");
        assert_eq!(district.rows.len(), 21);
        let current: Vec<&CodeRow> = district
            .rows
            .iter()
            .filter(|row| !row.is_retired() && row.code != "310000")
            .collect();
        assert_eq!(current.len(), 16);
        let retired: Vec<&CodeRow> = district.rows.iter().filter(|row| row.is_retired()).collect();
        assert_eq!(retired.len(), 4);
        for row in retired {
            assert!(row.retired_on.is_some(), "{} has no retired_on", row.code);
            let successor = row.successor.as_deref().unwrap_or("");
            let successor_row = district.get(successor);
            assert!(
                successor_row.is_some_and(|s| !s.is_retired() && s.code != "310000"),
                "retired {} points to `{successor}`, not a current district",
                row.code
            );
        }
        for row in &district.rows {
            if row.code != "310000" {
                assert!(row.parent.as_deref() == Some("310000") || row.parent.is_none());
            }
        }
    }

    #[test]
    fn no_table_has_duplicate_codes() {
        for table in code_tables().expect("all tables load") {
            let mut seen = BTreeSet::new();
            for row in &table.rows {
                assert!(seen.insert(row.code.clone()), "{} repeats {}", table.name, row.code);
            }
        }
    }

    #[test]
    fn small_tables_have_the_contract_codes() {
        let expect = |name: &str, codes: &[&str]| {
            let table = table(name);
            let actual: Vec<&str> = table.rows.iter().map(|row| row.code.as_str()).collect();
            assert_eq!(actual, codes, "table {name}");
        };
        expect("education", &["10", "20", "30", "40", "60", "70", "80", "90"]);
        expect("gender", &["1", "2"]);
        expect("hukou_type", &["1", "2", "3", "4", "5", "6"]);
        expect(
            "employer_type",
            &["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "99"],
        );
        expect("employment_form", &["1", "2", "3"]);
        expect("separation_reason", &["1", "2", "3", "4", "5", "9"]);
        expect("occupation", &["1", "2", "3", "4", "5", "6", "7", "8"]);
        expect("age_band", &["16-24", "25-34", "35-44", "45-54", "55+"]);
    }

    #[test]
    fn unknown_table_lists_the_known_ones() {
        match code_table("no_such_table") {
            Err(SeedError::UnknownTable { name, known }) => {
                assert_eq!(name, "no_such_table");
                assert!(known.contains("district") && known.contains("industry"));
            }
            other => panic!("expected UnknownTable, got {other:?}"),
        }
    }

    #[test]
    fn malformed_file_names_file_and_line() {
        let source = TableSource {
            name: "broken",
            standard: PLATFORM_LIST,
            file: "broken.csv",
            text: "code,name,parent,successor,retired_on\n1,ok,,,\n2,bad,,,2024-02-30\n",
        };
        match parse_table(&source) {
            Err(SeedError::MalformedTable { file, line, .. }) => {
                assert_eq!(file, "broken.csv");
                assert_eq!(line, 3);
            }
            other => panic!("expected MalformedTable, got {other:?}"),
        }
    }
}
