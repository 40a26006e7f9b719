//! Code tables from `seeds/`, indexed for validation.

use std::collections::HashMap;

use jiuye_seeds::{CodeRow, CodeTable};

pub struct CodeTables {
    tables: Vec<CodeTable>,
    /// Codes that are the parent of other codes of the same table (上海市 310000 above the
    /// districts): aggregates, not values a row may carry.
    roots: HashMap<String, Vec<String>>,
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
        let roots = tables
            .iter()
            .map(|t| {
                let own: Vec<String> = t
                    .rows
                    .iter()
                    .filter_map(|r| r.parent.clone())
                    .filter(|p| t.rows.iter().any(|r| &r.code == p))
                    .collect();
                (t.name.to_string(), own)
            })
            .collect();
        CodeTables {
            tables,
            roots,
            rows,
            width,
        }
    }

    pub fn load() -> Result<CodeTables, jiuye_seeds::SeedError> {
        Ok(CodeTables::new(jiuye_seeds::code_tables()?))
    }

    /// The code as stored, or `None` when the table lacks it. A numeric code that lost its
    /// leading zeros in a spreadsheet (`1` for `01`) is padded back to the table's width.
    pub fn normalise(&self, table: &str, text: &str) -> Option<String> {
        let rows = self.rows.get(table)?;
        let t = text.trim();
        if self.roots.get(table).is_some_and(|r| r.iter().any(|c| c == t)) {
            return None;
        }
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
