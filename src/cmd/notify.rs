//! Messages the commands post to 消息中心: an ETL run finished or failed, and files whose
//! quarantine rate is above the alert threshold. They go to the data engineers' role.

use chrono::Utc;
use jiuye_etl::RunReport;
use jiuye_messages::{Audience, Inbox, NewMessage, Severity};
use jiuye_warehouse::Warehouse;

/// Who hears about loads.
const ETL_AUDIENCE: &str = "data_engineer";
/// The share of a file's rows quarantined above which its load is reported
/// (`JIUYE_QUARANTINE_ALERT`, a fraction).
const DEFAULT_QUARANTINE_ALERT: f64 = 0.05;

fn threshold() -> f64 {
    std::env::var("JIUYE_QUARANTINE_ALERT")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|t| (0.0..=1.0).contains(t))
        .unwrap_or(DEFAULT_QUARANTINE_ALERT)
}

fn message(kind: &str, severity: Severity, title: String, body: String, key: Option<String>) -> NewMessage {
    NewMessage {
        kind: kind.into(),
        severity,
        title,
        body,
        audience: Audience::Role(ETL_AUDIENCE.into()),
        dedup_key: key,
    }
}

/// The messages a run's outcome gives: finished (with a warning per file quarantined
/// above the threshold) or failed.
pub fn etl_messages(what: &str, result: &Result<RunReport, anyhow::Error>, alert: f64) -> Vec<NewMessage> {
    let report = match result {
        Err(e) => {
            let body = format!("{what}: {e:#}. Nothing of the failed file was kept; `jiuye etl status` shows the runs.");
            return vec![message(
                "etl.failed",
                Severity::Critical,
                format!("ETL 运行失败: {what}"),
                body,
                None,
            )];
        }
        Ok(report) => report,
    };
    let sum = |f: fn(&jiuye_etl::FileReport) -> u64| report.files.iter().map(f).sum::<u64>();
    let rejected = report.files.iter().filter(|f| f.status == "rejected").count();
    let body = format!(
        "{} files: {} rows read, {} loaded, {} unchanged, {} quarantined, {} pending; {} rejected.",
        report.files.len(),
        sum(|f| f.read),
        sum(|f| f.loaded),
        sum(|f| f.unchanged),
        sum(|f| f.quarantined),
        sum(|f| f.pending),
        rejected
    );
    let severity = if rejected > 0 { Severity::Warning } else { Severity::Info };
    let key = Some(format!("etl.finished:{}", report.run_id));
    let mut out = vec![message(
        "etl.finished",
        severity,
        format!("ETL 运行 {} 完成: {what}", report.run_id),
        body,
        key,
    )];
    for f in report.files.iter().filter(|f| f.read > 0) {
        let rate = f.quarantined as f64 / f.read as f64;
        if rate > alert {
            let body = format!(
                "{} ({}): {} of {} rows quarantined ({:.1} %, above {:.1} %). `jiuye etl quarantine` lists them by rule.",
                f.file,
                f.feed,
                f.quarantined,
                f.read,
                rate * 100.0,
                alert * 100.0
            );
            let key = Some(format!("quarantine.rate:{}:{}", report.run_id, f.file));
            out.push(message(
                "quarantine.rate",
                Severity::Warning,
                format!("隔离率偏高: {}", f.file),
                body,
                key,
            ));
        }
    }
    out
}

/// Posts a run's messages; a failure to post is said on stderr, never fails the run.
pub async fn etl_outcome(warehouse: &Warehouse, what: &str, result: &Result<RunReport, anyhow::Error>) {
    let inbox = Inbox::new(warehouse.clone());
    for m in etl_messages(what, result, threshold()) {
        if let Err(e) = inbox.post(&m, Utc::now()).await {
            eprintln!("warning: could not post the message \"{}\": {e}", m.title);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(read: u64, quarantined: u64) -> jiuye_etl::FileReport {
        jiuye_etl::FileReport {
            file: "a.csv".into(),
            feed: "employment_registration".into(),
            read,
            loaded: read - quarantined,
            unchanged: 0,
            quarantined,
            pending: 0,
            status: "loaded".into(),
            error: None,
        }
    }

    #[test]
    fn a_run_reports_its_counts_and_files_quarantined_above_the_threshold() {
        let report = RunReport {
            run_id: 7,
            files: vec![file(100, 5), file(100, 6)],
            skipped: vec![],
        };
        let messages = etl_messages("/data", &Ok(report), 0.05);
        assert_eq!(messages.len(), 2, "5 % is not above 5 %, 6 % is");
        assert!(messages[0].body.contains("200 rows read, 189 loaded"), "{}", messages[0].body);
        assert_eq!(messages[1].kind, "quarantine.rate");
        let failed = etl_messages("/data", &Err(anyhow::anyhow!("disk full")), 0.05);
        assert_eq!((failed[0].kind.as_str(), failed[0].severity), ("etl.failed", Severity::Critical));
    }
}
