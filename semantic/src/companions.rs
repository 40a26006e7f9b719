//! Companion measures: what disclosure control needs beside every measure of a source
//! about persons (`persons:` in the model), derived from the model so that no model file
//! has to spell them out.
//!
//! - The **guard** of a measure is the number of distinct persons behind its rows (the
//!   same `where`, and the measured column filled): a record count, a sum of wages or an
//!   employer count of a cell follows the cell's person count, so one person's wage
//!   cannot be read from a cell whose persons are suppressed (`small_cells`). A measure
//!   that is such a person count is its own guard; an identical model measure is reused.
//! - The **key** of a guard is the sum of its rows' record keys, the cell key of the
//!   cell-key method (`cell_key`): the same rows always give the same perturbation.
//!
//! Both are ordinary measures to the planner, the rollups (every rollup holding a measure
//! also holds its companions, so routing is unchanged) and the ETL; only the catalog's
//! public list of indicators leaves them out, and a request cannot name them.

use std::collections::BTreeMap;

use crate::catalog::{Indicator, IndicatorKind};
use crate::model::{Aggregation, MeasureDef, SourceDef};

/// Marks companion codes; model codes may not contain it.
pub const COMPANION_MARK: &str = "__";

#[derive(Debug, Clone, Default)]
pub struct Companions {
    /// Measure code → its guard's code (the measure itself for a person count).
    pub guard: BTreeMap<String, String>,
    /// Guard code → its cell key's code.
    pub key: BTreeMap<String, String>,
    /// Derived measures (guards the model lacks, and keys): code → (source, definition).
    pub derived: BTreeMap<String, (String, MeasureDef)>,
}

/// The rows a measure's value depends on, as a comparable key: its `where` (values
/// sorted), its `at_least` bounds and the column that must be filled — a sum's or a
/// filled-value count's column. A distinct count of employers follows all persons of
/// its rows: the cell's persons.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rows {
    where_in: BTreeMap<String, Vec<String>>,
    at_least: BTreeMap<String, i64>,
    filled: Option<String>,
}

impl Rows {
    fn of(def: &MeasureDef) -> Rows {
        let mut where_in = def.where_in.clone();
        where_in.values_mut().for_each(|v| {
            v.sort();
            v.dedup();
        });
        let filled = def.filled.clone().or_else(|| match def.aggregation {
            Aggregation::Sum | Aggregation::Count => def.column.clone(),
            Aggregation::CountDistinct | Aggregation::KeySum => None,
        });
        Rows {
            where_in,
            at_least: def.at_least.clone(),
            filled,
        }
    }

    /// A measure of `aggregation` over `column` counting exactly these rows.
    fn measure(self, aggregation: Aggregation, column: &str) -> MeasureDef {
        MeasureDef {
            aggregation,
            column: Some(column.to_string()),
            integer: aggregation == Aggregation::KeySum,
            where_in: self.where_in,
            at_least: self.at_least,
            filled: self.filled,
        }
    }
}

fn counts_persons(def: &MeasureDef, persons: &str) -> bool {
    def.aggregation == Aggregation::CountDistinct && def.column.as_deref() == Some(persons)
}

/// The companions of every measure of every source with `persons`.
pub fn derive(sources: &BTreeMap<String, SourceDef>, indicators: &BTreeMap<String, Indicator>) -> Companions {
    let mut out = Companions::default();
    for source in sources.values() {
        let Some(persons) = source.persons.as_deref() else { continue };
        let measures: Vec<(&String, &MeasureDef)> = indicators
            .values()
            .filter(|i| i.source == source.code)
            .filter_map(|i| match &i.kind {
                IndicatorKind::Measure(m) => Some((&i.code, m)),
                IndicatorKind::Formula(_) => None,
            })
            .collect();
        // Person counts of the model, by the rows they count.
        let mut by_rows: BTreeMap<_, String> = BTreeMap::new();
        for (code, def) in &measures {
            if counts_persons(def, persons) {
                by_rows.entry(Rows::of(def)).or_insert_with(|| (*code).clone());
            }
        }
        for (code, def) in &measures {
            let rows = Rows::of(def);
            let guard = match by_rows.get(&rows) {
                Some(existing) => existing.clone(),
                None => {
                    let guard = format!("{code}{COMPANION_MARK}persons");
                    let counted = rows.clone().measure(Aggregation::CountDistinct, persons);
                    out.derived.insert(guard.clone(), (source.code.clone(), counted));
                    by_rows.insert(rows, guard.clone());
                    guard
                }
            };
            out.guard.insert((*code).clone(), guard);
        }
        for (rows, guard) in by_rows {
            let key = format!("{guard}{COMPANION_MARK}key");
            let summed = rows.measure(Aggregation::KeySum, persons);
            out.derived.insert(key.clone(), (source.code.clone(), summed));
            out.key.insert(guard, key);
        }
    }
    out
}

impl Companions {
    /// The companions a measure brings along: its guard and the guard's key (none for a
    /// measure of a source not about persons).
    pub fn of(&self, measure: &str) -> Vec<&str> {
        let Some(guard) = self.guard.get(measure) else { return vec![] };
        let mut out = vec![guard.as_str()];
        out.extend(self.key.get(guard).map(String::as_str));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;

    #[test]
    fn every_measure_of_a_person_source_follows_the_persons_behind_its_rows() {
        let c = Catalog::builtin().unwrap();
        // A record count shares the rows of a model person count: that is its guard.
        assert_eq!(c.guard_of("hire_registrations"), Some("hire_persons"));
        assert_eq!(c.guard_of("hiring_employers"), Some("hire_persons"));
        assert_eq!(c.guard_of("hire_persons"), Some("hire_persons"));
        // A wage sum counts only rows with a wage: its own person count, shared with the
        // count of wage records.
        let wage = c.guard_of("hire_wage_total").unwrap();
        assert!(wage.ends_with("__persons"), "{wage}");
        assert_eq!(c.guard_of("hire_wage_records"), Some(wage));
        let def = c.measure_def(wage).unwrap();
        assert_eq!(def.filled.as_deref(), Some("monthly_wage"));
        assert_eq!(def.column.as_deref(), Some("person_key"));
        // Sources about postings or funds reveal no person.
        assert_eq!(c.guard_of("postings"), None);
        // Companions cannot be asked for, and are not listed.
        assert!(c.indicator("hire_wage_total__persons").is_err());
        assert!(c.indicators().all(|i| !i.code.contains("__")));
        // Every rollup holding a measure holds its companions.
        for r in &c.rollups {
            for m in r.indicators.iter().filter(|m| !m.contains("__")) {
                for companion in c.companions_of(m) {
                    assert!(r.indicators.iter().any(|i| i == companion), "{} lacks {companion}", r.table);
                }
            }
        }
    }
}
