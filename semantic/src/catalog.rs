//! The validated model: dimensions, sources, indicators and rollups, with the lookups the
//! planner, the ETL's rollup builds and the knowledge base need.

use std::collections::{BTreeMap, BTreeSet};

use crate::SemanticError;
use crate::board::BoardDef;
use crate::companions::{self, Companions};
use crate::formula::Formula;
use crate::model::{Aggregation, BUILTIN_MODEL, DimensionDef, MeasureDef, SourceDef, TargetRule, parse_model_file};
use crate::time::Grain;

#[derive(Debug, Clone)]
pub enum IndicatorKind {
    Measure(MeasureDef),
    Formula(Formula),
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// The 口径 in Chinese.
    pub definition: String,
    /// The 口径 in English, where written.
    pub definition_en: Option<String>,
    pub unit: String,
    /// Code of the source whose table the indicator is computed from.
    pub source: String,
    pub kind: IndicatorKind,
    /// The formula as written, for the dictionary.
    pub formula_text: Option<String>,
    pub target_rule: TargetRule,
}

impl Indicator {
    pub fn measure(&self) -> Option<&MeasureDef> {
        match &self.kind {
            IndicatorKind::Measure(m) => Some(m),
            IndicatorKind::Formula(_) => None,
        }
    }

    pub fn is_additive(&self) -> bool {
        self.measure().is_some_and(|m| m.aggregation.is_additive())
    }
}

/// One DWS table: a source aggregated at one grain over one set of dimensions.
#[derive(Debug, Clone)]
pub struct Rollup {
    pub table: String,
    pub source: String,
    pub grain: Grain,
    pub dimensions: Vec<String>,
    pub indicators: Vec<String>,
    /// For a to-date rollup (DAY grain): the period within which a distinct count counts
    /// an identifier on the day of its first row (see `RollupDef::first_in`).
    pub first_in: Option<Grain>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub dimensions: BTreeMap<String, DimensionDef>,
    pub sources: BTreeMap<String, SourceDef>,
    indicators: BTreeMap<String, Indicator>,
    /// Indicator codes in model order, for listings.
    order: Vec<String>,
    pub rollups: Vec<Rollup>,
    /// Reserved codes not computed yet: code → 中文名.
    pub planned: BTreeMap<String, String>,
    /// Boards (看板) by code, in the order of their files.
    pub boards: BTreeMap<String, BoardDef>,
    /// Guards and cell keys of the measures of sources about persons.
    companions: Companions,
}

impl Catalog {
    /// The model compiled into the binary.
    pub fn builtin() -> Result<Catalog, SemanticError> {
        Catalog::from_files(BUILTIN_MODEL.iter().map(|(f, t)| (f.to_string(), t.to_string())))
    }

    pub fn from_files(files: impl IntoIterator<Item = (String, String)>) -> Result<Catalog, SemanticError> {
        let mut catalog = Catalog {
            dimensions: BTreeMap::new(),
            sources: BTreeMap::new(),
            indicators: BTreeMap::new(),
            order: Vec::new(),
            rollups: Vec::new(),
            planned: BTreeMap::new(),
            boards: BTreeMap::new(),
            companions: Companions::default(),
        };
        let mut pending_rollups = Vec::new();
        for (file, text) in files {
            let model = parse_model_file(&file, &text)?;
            let invalid = |message: String| SemanticError::Model {
                file: file.clone(),
                message,
            };
            if let Some(board) = model.board {
                if catalog.boards.contains_key(&board.code) {
                    return Err(invalid(format!("board `{}` is defined twice", board.code)));
                }
                catalog.boards.insert(board.code.clone(), board);
            }
            for p in model.planned_indicators {
                if catalog.planned.insert(p.code.clone(), p.name).is_some() {
                    return Err(invalid(format!("planned indicator `{}` is listed twice", p.code)));
                }
            }
            for dim in model.dimensions {
                if catalog.dimensions.contains_key(&dim.code) {
                    return Err(invalid(format!("dimension `{}` is defined twice", dim.code)));
                }
                catalog.dimensions.insert(dim.code.clone(), dim);
            }
            if model.source.is_none() && (!model.indicators.is_empty() || !model.rollups.is_empty()) {
                return Err(invalid("indicators and rollups need a `source:` in the same file".into()));
            }
            if let Some(source) = model.source {
                let source_code = source.code.clone();
                if catalog.sources.insert(source_code.clone(), source).is_some() {
                    return Err(invalid(format!("source `{source_code}` is defined twice")));
                }
                for def in model.indicators {
                    if catalog.indicators.contains_key(&def.code) {
                        return Err(invalid(format!("indicator `{}` is defined twice", def.code)));
                    }
                    let kind = match (def.measure, &def.formula) {
                        (Some(m), None) => IndicatorKind::Measure(m),
                        (None, Some(text)) => IndicatorKind::Formula(Formula::parse(text)?),
                        _ => {
                            return Err(invalid(format!(
                                "indicator `{}` needs exactly one of `measure` or `formula`",
                                def.code
                            )));
                        }
                    };
                    catalog.order.push(def.code.clone());
                    catalog.indicators.insert(
                        def.code.clone(),
                        Indicator {
                            code: def.code,
                            name: def.name,
                            definition: def.definition,
                            definition_en: def.definition_en,
                            unit: def.unit,
                            source: source_code.clone(),
                            kind,
                            formula_text: def.formula,
                            target_rule: def.target,
                        },
                    );
                }
                for rollup in model.rollups {
                    pending_rollups.push((file.clone(), source_code.clone(), rollup));
                }
            }
        }
        for (file, source, def) in pending_rollups {
            if let Some(g) = def.first_in
                && (def.grains != [Grain::Day] || matches!(g, Grain::Day | Grain::Week))
            {
                return Err(SemanticError::Model {
                    file,
                    message: format!(
                        "rollup `{}`: first_in {} needs grains [DAY] and a period of MONTH, QUARTER or YEAR",
                        def.name,
                        g.name()
                    ),
                });
            }
            for grain in &def.grains {
                for dims in &def.dimension_sets {
                    let dim_part = if dims.is_empty() {
                        "city".to_string()
                    } else {
                        format!("{}d", dims.len())
                    };
                    let table = format!(
                        "dws_{source}_{}_{}_{}",
                        def.name,
                        grain.name().to_lowercase(),
                        if dims.len() == 1 { dims[0].clone() } else { dim_part }
                    );
                    let _ = &file;
                    catalog.rollups.push(Rollup {
                        table,
                        source: source.clone(),
                        grain: *grain,
                        dimensions: dims.clone(),
                        indicators: def.indicators.clone(),
                        first_in: def.first_in,
                    });
                }
            }
        }
        catalog.validate()?;
        catalog.companions = companions::derive(&catalog.sources, &catalog.indicators);
        // A rollup holding a measure holds its companions too, so a protected answer is
        // served by the same tables as an unprotected one.
        let companions = &catalog.companions;
        for r in &mut catalog.rollups {
            let extra: Vec<String> = r.indicators.iter().flat_map(|m| companions.of(m)).map(str::to_string).collect();
            for c in extra {
                if !r.indicators.contains(&c) {
                    r.indicators.push(c);
                }
            }
        }
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), SemanticError> {
        let err = |message: String| SemanticError::Model {
            file: "model".into(),
            message,
        };
        for dim in self.dimensions.values() {
            if let Some(parent) = &dim.parent
                && !self.dimensions.contains_key(parent)
            {
                return Err(err(format!("dimension `{}` has unknown parent `{parent}`", dim.code)));
            }
        }
        for source in self.sources.values() {
            crate::drill::check_detail_columns(source).map_err(err)?;
            for (dim, column) in &source.dimensions {
                if !self.dimensions.contains_key(dim) {
                    return Err(err(format!("source `{}` maps unknown dimension `{dim}`", source.code)));
                }
                if let Some((alias, _)) = column.split_once('.')
                    && !source.lookups.contains_key(alias)
                {
                    return Err(err(format!(
                        "source `{}` reads `{dim}` from `{column}`, but declares no lookup `{alias}`",
                        source.code
                    )));
                }
            }
        }
        for ind in self.indicators.values() {
            if let IndicatorKind::Formula(f) = &ind.kind {
                for r in f.references() {
                    if !self.indicators.contains_key(r) {
                        return Err(err(format!("formula of `{}` refers to unknown indicator `{r}`", ind.code)));
                    }
                }
                self.base_measures(&ind.code)?;
            }
            if let IndicatorKind::Measure(m) = &ind.kind
                && m.aggregation != Aggregation::Count
                && m.column.is_none()
            {
                return Err(err(format!("indicator `{}` aggregates with no `column`", ind.code)));
            }
            if let IndicatorKind::Measure(m) = &ind.kind
                && m.aggregation == Aggregation::KeySum
            {
                return Err(err(format!(
                    "indicator `{}`: key_sum measures are derived by the catalog, not written in the model",
                    ind.code
                )));
            }
            if ind.code.contains(companions::COMPANION_MARK) {
                return Err(err(format!(
                    "indicator `{}`: `{}` in a code is kept for derived companion measures",
                    ind.code,
                    companions::COMPANION_MARK
                )));
            }
        }
        if let Some(code) = self.planned.keys().find(|c| self.indicators.contains_key(*c)) {
            return Err(err(format!(
                "indicator `{code}` is both defined and listed as planned; remove it from planned.yaml"
            )));
        }
        for board in self.boards.values() {
            let mut panels = BTreeSet::new();
            for panel in &board.panels {
                if !panels.insert(&panel.code) {
                    return Err(err(format!("board `{}`: panel `{}` is listed twice", board.code, panel.code)));
                }
                if let Some(rank) = &panel.rank
                    && (!panel.indicators.contains(&rank.by) || rank.top == 0 || rank.top > crate::board::MAX_RANK)
                {
                    return Err(err(format!(
                        "board `{}`, panel `{}`: rank by `{}` top {} — rank by one of the panel's indicators, top 1 to {}",
                        board.code,
                        panel.code,
                        rank.by,
                        rank.top,
                        crate::board::MAX_RANK
                    )));
                }
                if let Some(problem) = panel.view.problem() {
                    return Err(err(format!("board `{}`, panel `{}`: {problem}", board.code, panel.code)));
                }
                if panel.view.widget == crate::board::Widget::Map && panel.dimensions != ["district"] {
                    return Err(err(format!(
                        "board `{}`, panel `{}`: a map panel is broken down by `district` alone",
                        board.code, panel.code
                    )));
                }
                for code in &panel.indicators {
                    let dims = self
                        .indicator_dimensions(code)
                        .map_err(|e| err(format!("board `{}`, panel `{}`: {e}", board.code, panel.code)))?;
                    for d in panel.dimensions.iter().chain(panel.filters.keys()) {
                        if !dims.contains(d) {
                            return Err(err(format!(
                                "board `{}`, panel `{}`: `{code}` cannot be broken down by `{d}` (its source lacks it)",
                                board.code, panel.code
                            )));
                        }
                    }
                }
            }
        }
        let mut tables = BTreeSet::new();
        for r in &self.rollups {
            if !tables.insert(&r.table) {
                return Err(err(format!("rollup table `{}` is defined twice", r.table)));
            }
            let source = &self.sources[&r.source];
            // Only person-state and feed tables tell the ETL when a stock changed; a
            // registry history does not, so its snapshot would go stale unnoticed.
            if source.interval.is_some() && source.table.ends_with("_history") {
                return Err(err(format!(
                    "rollup `{}`: the stock over `{}` has no change marking; read it from the table",
                    r.table, source.table
                )));
            }
            if source.interval.is_some() && (r.grain != Grain::Day || r.first_in.is_some()) {
                return Err(err(format!(
                    "rollup `{}`: source `{}` is a stock (interval) source; it rolls up only as a daily snapshot (grains [DAY])",
                    r.table, r.source
                )));
            }
            for d in &r.dimensions {
                if source.dimensions.get(d).is_some_and(|c| c.contains('.')) {
                    return Err(err(format!(
                        "rollup `{}`: `{d}` is read through a lookup; a registry change would leave the rollup stale, so it is answered from detail",
                        r.table
                    )));
                }
                if !source.dimensions.contains_key(d) {
                    return Err(err(format!(
                        "rollup `{}` uses dimension `{d}` that source `{}` lacks",
                        r.table, r.source
                    )));
                }
            }
            for i in &r.indicators {
                match self.indicators.get(i) {
                    Some(ind) if ind.measure().is_some() && ind.source == r.source => {}
                    _ => {
                        return Err(err(format!(
                            "rollup `{}` lists `{i}`, which is not a measure indicator of source `{}`",
                            r.table, r.source
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn indicator(&self, code: &str) -> Result<&Indicator, SemanticError> {
        self.indicators.get(code).ok_or_else(|| match self.planned.get(code) {
            Some(name) => SemanticError::NotYetComputed {
                code: code.to_string(),
                name: name.clone(),
            },
            None => SemanticError::UnknownIndicator {
                code: code.to_string(),
                known: self.order.join(", "),
            },
        })
    }

    /// Every indicator code, defined or reserved (planned).
    pub fn all_codes(&self) -> std::collections::BTreeSet<String> {
        self.order.iter().chain(self.planned.keys()).cloned().collect()
    }

    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.order.iter().map(|c| &self.indicators[c])
    }

    pub fn dimension(&self, code: &str) -> Result<&DimensionDef, SemanticError> {
        self.dimensions.get(code).ok_or_else(|| SemanticError::UnknownDimension {
            code: code.to_string(),
            known: self.dimensions.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    pub fn source(&self, code: &str) -> &SourceDef {
        &self.sources[code]
    }

    /// The definition of a measure: a model indicator's, or a companion's (never asked
    /// for by callers, but planned, rolled up and read like any measure).
    pub fn measure_def(&self, code: &str) -> Option<&MeasureDef> {
        match self.indicators.get(code) {
            Some(i) => i.measure(),
            None => self.companions.derived.get(code).map(|(_, def)| def),
        }
    }

    /// The person count guarding a measure (itself for a person count); `None` for a
    /// measure of a source not about persons.
    pub fn guard_of(&self, measure: &str) -> Option<&str> {
        self.companions.guard.get(measure).map(String::as_str)
    }

    /// The cell-key measure of a guard.
    pub fn key_of(&self, guard: &str) -> Option<&str> {
        self.companions.key.get(guard).map(String::as_str)
    }

    /// The companions a measure brings into a protected query: its guard and cell key.
    pub fn companions_of(&self, measure: &str) -> Vec<&str> {
        self.companions.of(measure)
    }

    /// Dimensions an indicator can be broken down by: its source's, or for a formula the
    /// ones every input shares.
    pub fn indicator_dimensions(&self, code: &str) -> Result<Vec<String>, SemanticError> {
        let mut shared: Option<BTreeSet<String>> = None;
        for base in self.base_measures(code)? {
            let dims: BTreeSet<String> = self.sources[&self.indicators[&base].source].dimensions.keys().cloned().collect();
            shared = Some(match shared {
                None => dims,
                Some(s) => s.intersection(&dims).cloned().collect(),
            });
        }
        Ok(shared.unwrap_or_default().into_iter().collect())
    }

    /// The measure indicators a (possibly derived) indicator is computed from.
    pub fn base_measures(&self, code: &str) -> Result<Vec<String>, SemanticError> {
        let mut out = Vec::new();
        self.walk(code, &mut Vec::new(), &mut out)?;
        Ok(out)
    }

    fn walk(&self, code: &str, stack: &mut Vec<String>, out: &mut Vec<String>) -> Result<(), SemanticError> {
        if stack.iter().any(|s| s == code) {
            stack.push(code.to_string());
            return Err(SemanticError::Model {
                file: "model".into(),
                message: format!("formula cycle: {}", stack.join(" → ")),
            });
        }
        let ind = self.indicator(code)?;
        match &ind.kind {
            IndicatorKind::Measure(_) => {
                if !out.iter().any(|o| o == code) {
                    out.push(code.to_string());
                }
            }
            IndicatorKind::Formula(f) => {
                stack.push(code.to_string());
                for r in f.references() {
                    self.walk(r, stack, out)?;
                }
                stack.pop();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_loads() {
        let c = Catalog::builtin().unwrap();
        assert!(c.indicator("hire_persons").is_ok());
        assert_eq!(
            c.base_measures("net_hires").unwrap(),
            vec!["hire_registrations", "separation_registrations"]
        );
        assert!(
            c.rollups
                .iter()
                .any(|r| r.table == "dws_employment_registration_persons_month_district")
        );
        assert!(c.rollups.iter().any(|r| r.table == "dws_employment_registration_persons_year_city"));
    }

    #[test]
    fn a_planned_code_is_a_clear_error_and_a_stock_source_takes_no_rollup() {
        let planned = "planned_indicators: [{ code: future_thing, name: 将来 }]\n";
        let c = Catalog::from_files([("p.yaml".to_string(), planned.to_string())]).unwrap();
        assert!(matches!(c.indicator("future_thing"), Err(SemanticError::NotYetComputed { .. })));
        let stock = "source: { code: s, name: s, table: t, interval: { valid_from: a, valid_to: b }, feeds: [s], refresh: daily, dimensions: {} }\n\
                     indicators: [{ code: x, name: x, definition: x, unit: 人, measure: { aggregation: count } }]\n\
                     rollups: [{ name: r, grains: [MONTH], dimension_sets: [[]], indicators: [x] }]\n";
        let err = Catalog::from_files([("s.yaml".to_string(), stock.to_string())]).unwrap_err();
        assert!(err.to_string().contains("stock"), "{err}");
    }

    #[test]
    fn formula_cycles_are_reported() {
        let file = r#"
source: { code: s, name: s, table: t, feeds: [s], refresh: daily, dimensions: {} }
indicators:
  - { code: a, name: a, definition: a, unit: x, formula: b + 1 }
  - { code: b, name: b, definition: b, unit: x, formula: a - 1 }
"#;
        let err = Catalog::from_files([("f.yaml".to_string(), file.to_string())]).unwrap_err();
        assert!(err.to_string().contains("cycle"), "{err}");
    }

    #[test]
    fn unknown_dimension_in_a_source_is_an_error() {
        let file = "source: { code: s, name: s, table: t, feeds: [s], refresh: daily, dimensions: { nope: col } }\n";
        let err = Catalog::from_files([("f.yaml".to_string(), file.to_string())]).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
