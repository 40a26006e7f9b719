//! `/metrics` in the Prometheus text format: requests and their latency by root field
//! and outcome (counted by the audit extension as each field finishes), statements by
//! the table that served them (rollup, detail or state table: counted as the query
//! runner sends them), and, read from
//! the warehouse when scraped, the ETL's files and rows, quarantined rows and rollup
//! staleness (dates waiting for a rebuild). Aggregates only: no person, no argument.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use jiuye_semantic::sql::{AggFunc, Expr, Select, dialect_for, render_select};
use jiuye_warehouse::Warehouse;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Series {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request counts and latencies, by (field, outcome).
#[derive(Default)]
pub struct RequestMetrics {
    series: Mutex<BTreeMap<(String, String), Series>>,
}

impl RequestMetrics {
    pub(crate) fn observe(&self, field: &str, outcome: &str, took: Duration) {
        let Ok(mut series) = self.series.lock() else { return };
        let s = series.entry((field.to_string(), outcome.to_string())).or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                s.buckets[i] += 1;
            }
        }
        s.count += 1;
        s.sum += secs;
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP jiuye_request_seconds Time to resolve a root field, by field and outcome."
        );
        let _ = writeln!(out, "# TYPE jiuye_request_seconds histogram");
        let Ok(series) = self.series.lock() else { return };
        for ((field, outcome), s) in series.iter() {
            let labels = format!("field=\"{field}\",outcome=\"{outcome}\"");
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(out, "jiuye_request_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "jiuye_request_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "jiuye_request_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "jiuye_request_seconds_count{{{labels}}} {}", s.count);
        }
    }
}

/// Statements sent, by the table that served them — process-wide, as every surface that
/// answers (GraphQL, boards, the CLI's query) goes through `run_metrics`.
static STATEMENTS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Counts one statement served by `table`.
pub(crate) fn count_statement(table: &str) {
    if let Ok(mut counts) = STATEMENTS.lock() {
        *counts.entry(table.to_string()).or_default() += 1;
    }
}

fn render_statements(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP jiuye_statements_total Statements sent to the warehouse, by the table that served them."
    );
    let _ = writeln!(out, "# TYPE jiuye_statements_total counter");
    let Ok(counts) = STATEMENTS.lock() else { return };
    for (table, n) in counts.iter() {
        let _ = writeln!(out, "jiuye_statements_total{{table=\"{table}\"}} {n}");
    }
}

/// Gauges read from the warehouse's own ledger tables: a count of a table's rows, or
/// the sum of one column.
const WAREHOUSE_GAUGES: [(&str, &str, &str, Option<&str>); 4] = [
    ("jiuye_etl_files_loaded", "Files the ETL has accounted for.", "meta_load_file", None),
    (
        "jiuye_etl_rows_loaded",
        "Rows the ETL loaded, over all files.",
        "meta_load_file",
        Some("rows_loaded"),
    ),
    ("jiuye_quarantine_rows", "Rows held in quarantine.", "meta_quarantine", None),
    (
        "jiuye_rollup_stale_dates",
        "Dates whose rollups wait for a rebuild (answered from detail meanwhile).",
        "meta_dirty_date",
        None,
    ),
];

/// The whole exposition.
pub(crate) async fn render(requests: &RequestMetrics, warehouse: &Warehouse) -> String {
    let mut out = String::new();
    requests.render(&mut out);
    render_statements(&mut out);
    let dialect = dialect_for(warehouse.backend());
    for (name, help, table, column) in WAREHOUSE_GAUGES {
        let mut select = Select::from(table, "t");
        let value = match column {
            Some(c) => Expr::aggregate(AggFunc::Sum, Some(Expr::col("t", c))),
            None => Expr::aggregate(AggFunc::Count, None),
        };
        select.columns.push((value, "value".into()));
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        match warehouse.fetch(&render_select(&select, dialect)).await {
            // A sum over no rows is null: zero.
            Ok(rows) => {
                let v = rows.rows.first().and_then(|r| r[0].as_f64()).unwrap_or(0.0);
                let _ = writeln!(out, "{name} {v}");
            }
            Err(e) => tracing::error!(metric = name, error = %e, "a metric could not be read"),
        }
    }
    out
}
