//! From the rows of a plan's statements to the answer: merge sources, compute derived
//! indicators after aggregation, then comparisons against their base periods.

use std::collections::{BTreeMap, BTreeSet};

use jiuye_sql_value::{ResultSet, SqlValue};
use serde_json::{Map, Value};

use crate::SemanticError;
use crate::catalog::IndicatorKind;
use crate::cell_key;
use crate::model::Aggregation;
use crate::planner::{PartPurpose, Plan};
use crate::request::Caller;
use crate::small_cells;
use crate::target;
use crate::time::Compare;

/// An answer: column names and rows as JSON objects keyed by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Map<String, Value>>,
}

type RowKey = (i64, Vec<Option<String>>);
type Cells = BTreeMap<RowKey, BTreeMap<String, f64>>;
/// (year, indicator, district) → (目标值, 预警值)
type Targets = BTreeMap<(i64, String, String), (Option<f64>, Option<f64>)>;

impl Plan<'_> {
    /// `period`, the dimensions, then each indicator followed by its comparisons.
    pub fn columns(&self) -> Vec<String> {
        let mut cols = vec!["period".to_string()];
        cols.extend(self.dimensions.iter().cloned());
        for i in &self.indicators {
            cols.push(i.clone());
            for c in &self.compare {
                if *c == Compare::Target {
                    cols.extend(["target", "completion", "progress", "status"].map(|s| format!("{i}_{s}")));
                } else {
                    cols.push(format!("{i}_{}", c.suffix()));
                }
            }
        }
        cols
    }

    /// Combine the results of `self.parts` (same order) into the answer.
    pub fn assemble(&self, results: &[ResultSet]) -> Result<Table, SemanticError> {
        self.assemble_protected(results, None)
    }

    /// `assemble`, for a caller without detail permission protected: small cells
    /// suppressed (`small_cells`), every figure perturbed (`cell_key`).
    pub fn assemble_for(&self, results: &[ResultSet], caller: &Caller, threshold: i64) -> Result<Table, SemanticError> {
        let protect = (!caller.has_detail_permission() && threshold > 1).then_some(threshold);
        self.assemble_protected(results, protect)
    }

    fn assemble_protected(&self, results: &[ResultSet], protect: Option<i64>) -> Result<Table, SemanticError> {
        if results.len() != self.parts.len() {
            return Err(SemanticError::InvalidQuery(format!(
                "expected {} result sets, got {}",
                self.parts.len(),
                results.len()
            )));
        }
        let mut by_purpose: BTreeMap<String, Cells> = BTreeMap::new();
        let mut targets: Targets = BTreeMap::new();
        for (part, result) in self.parts.iter().zip(results) {
            if part.purpose == PartPurpose::Targets {
                for row in &result.rows {
                    let year = row[0].as_i64().unwrap_or(0);
                    targets.insert((year, row[1].to_key(), row[2].to_key()), (row[3].as_f64(), row[4].as_f64()));
                }
                continue;
            }
            let cells = by_purpose.entry(purpose_key(part.purpose)).or_default();
            for row in &result.rows {
                let period = row
                    .first()
                    .and_then(SqlValue::as_i64)
                    .ok_or_else(|| SemanticError::InvalidQuery(format!("table {} returned a row without a period", part.table)))?;
                let dims = row[1..=self.dimensions.len()]
                    .iter()
                    .map(|v| match v {
                        SqlValue::Null => None,
                        other => Some(other.to_key()),
                    })
                    .collect();
                let entry = cells.entry((period, dims)).or_default();
                for (i, m) in part.measures.iter().enumerate() {
                    let v = row.get(1 + self.dimensions.len() + i).and_then(SqlValue::as_f64).unwrap_or(0.0);
                    entry.insert(m.clone(), if self.in_yuan(m) { to_fen(v) } else { v });
                }
            }
        }
        // Suppression follows the true person counts; every figure shown is then
        // perturbed (`cell_key`), before ratios and comparisons are derived from it.
        let mut hidden: BTreeMap<RowKey, Vec<String>> = BTreeMap::new();
        if let (Some(threshold), Some(main)) = (protect, by_purpose.get("main")) {
            for (key, cell) in main {
                let value_of = |m: &str| cell.get(m).copied().unwrap_or(0.0);
                let small = small_cells::small_in_cell(&self.catalog, &self.indicators, &value_of, threshold);
                if !small.is_empty() {
                    hidden.insert(key.clone(), small);
                }
            }
            by_purpose.values_mut().for_each(|cells| self.perturb(cells, threshold));
        }
        let empty = Cells::new();
        let main = by_purpose.get("main").unwrap_or(&empty);
        // A row appears when some requested measure is non-zero in it, whichever table
        // served it (a rollup row may hold zeros for the measures not asked for).
        let keys: BTreeSet<&RowKey> = main
            .iter()
            .filter(|(_, cells)| cells.values().any(|v| *v != 0.0))
            .map(|(k, _)| k)
            .collect();
        let columns = self.columns();
        let mut rows = Vec::with_capacity(keys.len());
        for key in keys {
            let mut row = Map::new();
            row.insert("period".into(), Value::String(self.grain.label(key.0)));
            for (d, v) in self.dimensions.iter().zip(&key.1) {
                row.insert(d.clone(), v.clone().map(Value::String).unwrap_or(Value::Null));
            }
            for code in &self.indicators {
                let x = self.value(code, main.get(key));
                row.insert(code.clone(), self.to_json(code, x));
                for c in &self.compare {
                    if *c == Compare::Target {
                        let ytd = by_purpose.get(&purpose_key(PartPurpose::YearToDate(key.0))).unwrap_or(&empty);
                        self.insert_target(&mut row, code, key, ytd, &targets);
                        continue;
                    }
                    let base_cells = by_purpose.get(&purpose_key(PartPurpose::Base(*c))).unwrap_or(&empty);
                    let ratio = self.grain.base_period(key.0, *c).and_then(|bp| {
                        let base = self.value(code, base_cells.get(&(bp, key.1.clone())))?;
                        let x = x?;
                        (base != 0.0).then(|| (x - base) / base)
                    });
                    row.insert(format!("{code}_{}", c.suffix()), float(ratio));
                }
            }
            if let Some(small) = hidden.get(key) {
                small_cells::suppress(&mut row, small);
            }
            rows.push(row);
        }
        if protect.is_some() {
            small_cells::complement(&mut rows, &self.indicators);
        }
        Ok(Table { columns, rows })
    }

    /// Perturbs every model measure of every cell by the cell-key method, from the
    /// cell's guard (persons) and key, which stay as they are.
    fn perturb(&self, cells: &mut Cells, threshold: i64) {
        for values in cells.values_mut() {
            let raw = values.clone();
            for (m, v) in values.iter_mut() {
                let (Some(guard), Ok(indicator)) = (self.catalog.guard_of(m), self.catalog.indicator(m)) else {
                    continue;
                };
                let persons = raw.get(guard).copied().unwrap_or(0.0);
                if persons <= 0.0 {
                    continue;
                }
                let key = self.catalog.key_of(guard).and_then(|k| raw.get(k)).copied().unwrap_or(0.0);
                *v = match indicator.measure().map(|d| (d.aggregation, d.integer)) {
                    Some((Aggregation::Sum, integer)) => {
                        let s = cell_key::perturb_sum(*v, key, persons);
                        if integer { s.round() } else { to_fen(s) }
                    }
                    _ => cell_key::perturb_count(*v, key, if m == guard { threshold } else { 1 }),
                };
            }
        }
    }

    /// `x_target`, `x_completion`, `x_progress`, `x_status` of one row.
    fn insert_target(&self, row: &mut Map<String, Value>, code: &str, key: &RowKey, ytd: &Cells, targets: &Targets) {
        let last_day = target::period_last_day(self.grain, key.0, self.to);
        let district = target::target_district(&self.dimensions, &key.1, self.pinned_district.as_deref());
        let (goal, warning) = match (last_day, &district) {
            (Some(day), Some(d)) => targets
                .get(&(target::year_key(day), code.to_string(), d.clone()))
                .copied()
                .unwrap_or((None, None)),
            _ => (None, None),
        };
        let value = last_day.and_then(|day| self.value(code, ytd.get(&(target::year_key(day), key.1.clone()))));
        let progress = last_day.map(target::progress);
        let completion = match (value, goal) {
            (Some(v), Some(g)) if g != 0.0 => Some(v / g),
            _ => None,
        };
        let rule = self.catalog.indicator(code).map(|i| i.target_rule).unwrap_or_default();
        let status = match (value, goal, progress) {
            (Some(v), Some(g), Some(p)) if g != 0.0 => Value::String(target::status(rule, v, g, warning, p).into()),
            _ => Value::Null,
        };
        row.insert(format!("{code}_target"), target::json(goal));
        row.insert(format!("{code}_completion"), target::json(completion));
        row.insert(format!("{code}_progress"), target::json(progress));
        row.insert(format!("{code}_status"), status);
    }

    /// A sum of amounts in 元 (`dec`: at most two decimals, the ETL refuses more), so
    /// exact to the 分 — whatever a database's floating-point addition left beyond it.
    fn in_yuan(&self, code: &str) -> bool {
        self.catalog
            .indicator(code)
            .ok()
            .is_some_and(|i| i.unit == "元" && i.measure().is_some_and(|m| m.aggregation == Aggregation::Sum && !m.integer))
    }

    /// An indicator's value in one cell; absent events count as zero.
    fn value(&self, code: &str, cell: Option<&BTreeMap<String, f64>>) -> Option<f64> {
        let indicator = self.catalog.indicator(code).ok()?;
        match &indicator.kind {
            IndicatorKind::Measure(_) => Some(cell.and_then(|c| c.get(code)).copied().unwrap_or(0.0)),
            IndicatorKind::Formula(f) => f.eval(&|r| self.value(r, cell)),
        }
    }

    fn to_json(&self, code: &str, value: Option<f64>) -> Value {
        let integral = match self.catalog.indicator(code).map(|i| &i.kind) {
            Ok(IndicatorKind::Measure(m)) => m.aggregation != Aggregation::Sum || m.integer,
            Ok(IndicatorKind::Formula(f)) => {
                !f.divides()
                    && self.catalog.base_measures(code).is_ok_and(|bases| {
                        bases.iter().all(|b| {
                            self.catalog
                                .indicator(b)
                                .ok()
                                .and_then(|i| i.measure())
                                .is_some_and(|m| m.aggregation != Aggregation::Sum || m.integer)
                        })
                    })
            }
            Err(_) => false,
        };
        match value {
            Some(v) if integral => Value::from(v.round() as i64),
            other => float(other),
        }
    }
}

fn purpose_key(p: PartPurpose) -> String {
    match p {
        PartPurpose::Main => "main".into(),
        PartPurpose::Base(c) => c.suffix().into(),
        PartPurpose::YearToDate(period) => format!("ytd:{period}"),
        PartPurpose::Targets => "targets".into(),
    }
}

/// Rounds to the 分 (0.01 yuan). Division is correctly rounded, so the result is the
/// double nearest the decimal amount, as the database would return for an exact sum.
fn to_fen(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn float(v: Option<f64>) -> Value {
    v.and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
}
