//! Code tables from `seeds/`, indexed for validation.

use std::collections::HashMap;

use jiuye_seeds::{CodeRow, CodeTable};

pub struct CodeTables {
    tables: Vec<CodeTable>,
    rows: HashMap<String, HashMap<String, CodeRow>>,
    width: HashMap<String, usize>,
}

impl CodeTables {
    pub fn new(tables: Vec<CodeTable>) -> CodeTables {
        let mut rows = HashMap::new();
        let mut width = HashMap::new();
        for t in &tables {
            rows.insert(
                t.name.to_string(),
                t.rows.iter().map(|r| (r.code.clone(), r.clone())).collect::<HashMap<_, _>>(),
            );
            if let Some(first) = t.rows.first()
                && t.rows.iter().all(|r| r.code.len() == first.code.len())
            {
                width.insert(t.name.to_string(), first.code.len());
            }
        }
        CodeTables { tables, rows, width }
    }

    pub fn load() -> Result<CodeTables, jiuye_seeds::SeedError> {
        Ok(CodeTables::new(jiuye_seeds::code_tables()?))
    }

    /// The code as stored, or `None` when the table lacks it. A numeric code that lost its
    /// leading zeros in a spreadsheet (`1` for `01`) is padded back to the table's width.
    pub fn normalise(&self, table: &str, text: &str) -> Option<String> {
        let rows = self.rows.get(table)?;
        let t = text.trim();
        if rows.contains_key(t) {
            return Some(t.to_string());
        }
        let width = *self.width.get(table)?;
        if t.len() < width && t.chars().all(|c| c.is_ascii_digit()) {
            let padded = format!("{t:0>width$}");
            if rows.contains_key(&padded) {
                return Some(padded);
            }
        }
        None
    }

    pub fn tables(&self) -> &[CodeTable] {
        &self.tables
    }

    pub fn get(&self, table: &str, code: &str) -> Option<&CodeRow> {
        self.rows.get(table)?.get(code)
    }

    pub fn parent(&self, table: &str, code: &str) -> Option<&str> {
        self.get(table, code)?.parent.as_deref()
    }

    /// Today's code for a possibly retired one (district merges).
    pub fn current(&self, table: &str, code: &str) -> String {
        let mut current = code.to_string();
        for _ in 0..8 {
            match self.get(table, &current).and_then(|r| r.successor.clone()) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }
}
