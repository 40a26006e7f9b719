//! Small-cell protection: for callers without detail permission (district tokens), a
//! cell (row) in which the persons behind any requested figure number fewer than a
//! threshold (default 5) is suppressed whole — every indicator of the row null, with its
//! comparisons and targets, and listed in the row's `suppressed` — since any figure of
//! such a cell (a count, one person's wage) may point at a handful of people. The person
//! count is each measure's guard (`companions`), asked for alongside it. Within one
//! answer, a period with exactly one suppressed cell has its smallest other cell
//! suppressed too (complementary suppression); across answers, differencing is defeated
//! by perturbing every figure (`cell_key`).

use serde_json::Value;

use crate::catalog::Catalog;
use crate::request::Caller;

/// The threshold when none is configured (`JIUYE_SMALL_CELL_THRESHOLD`).
pub const DEFAULT_SMALL_CELL_THRESHOLD: i64 = 5;

impl Caller {
    /// Whether the caller may see small counts of persons (and detail rows): a role
    /// with a detail view (`detail.read`), not district or dashboard roles.
    pub fn has_detail_permission(&self) -> bool {
        self.detail_view.is_some()
    }
}

/// The requested indicators, all of them, when a cell would reveal a person count in
/// `1..threshold`: the guard (persons behind the rows, `companions`) of any measure an
/// indicator reads. Every figure of the cell follows it — a record count or a wage sum
/// as much as a person count. A cell whose rows hold no person (a subsidy paid to
/// employers only) reveals none.
pub(crate) fn small_in_cell(catalog: &Catalog, indicators: &[String], value_of: &dyn Fn(&str) -> f64, threshold: i64) -> Vec<String> {
    let small = indicators.iter().any(|code| {
        catalog.base_measures(code).unwrap_or_default().iter().any(|base| {
            catalog.guard_of(base).is_some_and(|guard| {
                let v = value_of(guard);
                v > 0.0 && v < threshold as f64
            })
        })
    });
    if small { indicators.to_vec() } else { vec![] }
}

/// Complementary suppression: in each period with exactly one suppressed row among
/// several, the row with the smallest first indicator is suppressed too.
pub(crate) fn complement(rows: &mut [serde_json::Map<String, Value>], indicators: &[String]) {
    let mut periods: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        periods.entry(row["period"].to_string()).or_default().push(i);
    }
    for members in periods.values() {
        let suppressed = members.iter().filter(|i| rows[**i].contains_key("suppressed")).count();
        if suppressed != 1 || members.len() < 2 {
            continue;
        }
        let first = &indicators[0];
        let smallest = members
            .iter()
            .filter(|i| !rows[**i].contains_key("suppressed"))
            .min_by(|a, b| {
                let v = |i: &usize| rows[*i].get(first).and_then(Value::as_f64).unwrap_or(f64::MAX);
                v(a).total_cmp(&v(b))
            })
            .copied();
        if let Some(i) = smallest {
            suppress(&mut rows[i], indicators);
        }
    }
}

/// Nulls the columns of `hidden` indicators (the indicator and its comparison and target
/// columns) and lists them in the row's `suppressed`.
pub(crate) fn suppress(row: &mut serde_json::Map<String, Value>, hidden: &[String]) {
    let columns: Vec<String> = row
        .keys()
        .filter(|k| {
            hidden
                .iter()
                .any(|h| *k == h || (k.starts_with(h.as_str()) && k[h.len()..].starts_with('_')))
        })
        .cloned()
        .collect();
    for c in columns {
        row.insert(c, Value::Null);
    }
    row.insert(
        "suppressed".into(),
        Value::Array(hidden.iter().cloned().map(Value::String).collect()),
    );
}
