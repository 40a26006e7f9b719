//! The indicator dictionary, generated from the semantic model (never a second copy of a
//! definition), and the code tables with the standard each follows.

use jiuye_semantic::{Catalog, IndicatorKind, SemanticError};
use serde::Serialize;

/// One indicator as the dictionary shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndicatorEntry {
    pub code: String,
    pub name: String,
    /// The 口径 in Chinese.
    pub definition: String,
    /// The 口径 in English, where written.
    pub definition_en: Option<String>,
    pub unit: String,
    /// The formula in the model's terms: the aggregation and its conditions, or the
    /// arithmetic over other indicators.
    pub formula: String,
    /// Whether values may be added across rows, periods or districts.
    pub additive: bool,
    pub dimensions: Vec<String>,
    pub source: String,
    pub source_table: String,
    pub feeds: Vec<String>,
    pub refresh: String,
}

/// The dictionary of every indicator in the model, in model order.
pub fn indicator_dictionary(catalog: &Catalog) -> Result<Vec<IndicatorEntry>, SemanticError> {
    catalog
        .indicators()
        .map(|i| {
            let source = catalog.source(&i.source);
            let formula = match &i.kind {
                IndicatorKind::Measure(m) => {
                    let agg = match m.aggregation {
                        jiuye_semantic::Aggregation::Count => "COUNT(*)".to_string(),
                        jiuye_semantic::Aggregation::CountDistinct => format!("COUNT(DISTINCT {})", m.column.clone().unwrap_or_default()),
                        jiuye_semantic::Aggregation::Sum => format!("SUM({})", m.column.clone().unwrap_or_default()),
                        jiuye_semantic::Aggregation::KeySum => format!("SUM(record_key({}))", m.column.clone().unwrap_or_default()),
                    };
                    let conditions: Vec<String> = m
                        .where_in
                        .iter()
                        .map(|(c, v)| format!("{c} IN ({})", v.join(", ")))
                        .chain(m.at_least.iter().map(|(c, least)| format!("{c} >= {least}")))
                        .collect();
                    if conditions.is_empty() {
                        agg
                    } else {
                        format!("{agg} WHERE {}", conditions.join(" AND "))
                    }
                }
                IndicatorKind::Formula(_) => i.formula_text.clone().unwrap_or_default(),
            };
            Ok(IndicatorEntry {
                code: i.code.clone(),
                name: i.name.clone(),
                definition: i.definition.clone(),
                definition_en: i.definition_en.clone(),
                unit: i.unit.clone(),
                formula,
                additive: i.is_additive(),
                dimensions: catalog.indicator_dimensions(&i.code)?,
                source: source.code.clone(),
                source_table: source.table.clone(),
                feeds: source.feeds.clone(),
                refresh: source.refresh.clone(),
            })
        })
        .collect()
}

/// A code table as the dictionary shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeTableEntry {
    pub name: String,
    /// 中文名 of the table, from the dimension that uses it when there is one.
    pub title: String,
    pub standard: String,
    pub codes: Vec<CodeValue>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CodeValue {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub successor: Option<String>,
}

pub fn code_tables(catalog: &Catalog) -> Result<Vec<CodeTableEntry>, jiuye_seeds::SeedError> {
    Ok(jiuye_seeds::code_tables()?
        .into_iter()
        .map(|t| CodeTableEntry {
            name: t.name.to_string(),
            title: catalog
                .dimensions
                .values()
                .find(|d| d.code_table == t.name)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| t.name.to_string()),
            standard: t.standard.to_string(),
            codes: t
                .rows
                .into_iter()
                .map(|r| CodeValue {
                    code: r.code,
                    name: r.name,
                    parent: r.parent,
                    successor: r.successor,
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_indicator_is_in_the_dictionary() {
        let catalog = Catalog::builtin().unwrap();
        let dict = indicator_dictionary(&catalog).unwrap();
        assert_eq!(dict.len(), catalog.indicators().count());
        let hp = dict.iter().find(|e| e.code == "hire_persons").unwrap();
        assert_eq!(hp.name, "招工登记人数");
        assert!(!hp.additive);
        assert!(hp.formula.contains("COUNT(DISTINCT person_key)"));
        assert!(hp.dimensions.contains(&"district".to_string()));
        let net = dict.iter().find(|e| e.code == "net_hires").unwrap();
        assert_eq!(net.formula, "hire_registrations - separation_registrations");
    }
}
