//! Person states behind the stock indicators, as validity intervals rebuilt for the
//! persons a load touched (`meta_dirty_person`), so a stock on any day is one indexed
//! read instead of a replay of every record:
//! - `dws_status_unemployed`: registered unemployed from a 登记 until the next record;
//! - `dws_status_employed`: employed while the latest 招工/退工 record is a 招工, or else
//!   the latest flexible record is a 登记 (indicators.md, employed_persons);
//! - `dws_employment_transition`: entries into employment and 退休 separations (new_jobs).
//!
//! "Latest record on or before the day" orders a person's records by date, then
//! 更新时间, then business key; a state is judged at the end of each day.

use std::collections::BTreeMap;

use jiuye_sql_value::{SqlValue, Statement};
use jiuye_warehouse::{ColumnType, Transaction};

use crate::EtlError;
use crate::load::placeholders;

/// An interval still open.
pub const OPEN: i64 = 99_991_231;

/// DWD tables whose records decide a state, and the state each feeds.
pub(crate) const TRACKED: &[(&str, &str)] = &[
    ("dwd_employment_registration", "employment"),
    ("dwd_flexible_employment", "employment"),
    ("dwd_unemployment_registration", "unemployment"),
];

pub(crate) fn status_of(table: &str) -> Option<&'static str> {
    TRACKED.iter().find(|(t, _)| *t == table).map(|(_, s)| *s)
}

/// Marks persons whose states need a rebuild.
pub(crate) async fn mark_dirty(tx: &mut Transaction, status: &str, persons: Vec<String>) -> Result<(), EtlError> {
    let rows: Vec<Vec<SqlValue>> = persons.into_iter().map(|p| vec![status.into(), p.into()]).collect();
    tx.insert_rows_with(
        "meta_dirty_person",
        &[("status", ColumnType::Text), ("person_key", ColumnType::Text)],
        &rows,
        "ON CONFLICT (status, person_key) DO NOTHING",
    )
    .await?;
    Ok(())
}

/// One record of a person, as the state rules read it.
#[derive(Debug, Clone)]
struct Record {
    date: i64,
    updated_at: String,
    key: String,
    /// Opens the state (登记, 招工) or closes it.
    opens: bool,
    retirement: bool,
    /// district, hukou_type, education, gender, age_band, industry, industry_section
    attributes: Vec<SqlValue>,
}

const ATTRIBUTES: &str = "district, hukou_type, education, gender, age_band";
const ATTRIBUTE_COLUMNS: [&str; 7] = [
    "district",
    "hukou_type",
    "education",
    "gender",
    "age_band",
    "industry",
    "industry_section",
];

async fn records(
    tx: &mut Transaction,
    table: &str,
    industry: &str,
    retirement: &str,
    persons: &[String],
) -> Result<BTreeMap<String, Vec<Record>>, EtlError> {
    let marks = vec!["?"; persons.len()].join(", ");
    let sql = format!(
        "SELECT person_key, date_key, updated_at, business_key, business_type, {retirement}, {ATTRIBUTES}, {industry} \
         FROM {table} WHERE person_key IN ({marks})"
    );
    let rows = tx
        .fetch(&Statement {
            sql: placeholders(tx, &sql),
            params: persons.iter().map(|p| SqlValue::Text(p.clone())).collect(),
        })
        .await?;
    let mut out: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for r in rows.rows {
        out.entry(r[0].to_key()).or_default().push(Record {
            date: r[1].as_i64().unwrap_or(0),
            updated_at: r[2].to_key(),
            key: r[3].to_key(),
            opens: r[4].to_key() == "1",
            retirement: r[5].to_key() == "5",
            attributes: r[6..].to_vec(),
        });
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| (a.date, &a.updated_at, &a.key).cmp(&(b.date, &b.updated_at, &b.key)));
    }
    Ok(out)
}

/// A state interval: [from, to) held by `record` (its feed and attributes).
#[derive(Debug, Clone, PartialEq)]
struct Interval {
    from: i64,
    to: i64,
    feed: &'static str,
    record: String,
    attributes: Vec<SqlValue>,
}

/// Walks several feeds' records of one person day by day. The person is in the state at
/// the end of a day when the first feed (in priority order) whose latest record opens it
/// does; that record holds the state.
fn intervals(feeds: &[(&'static str, &[Record])], mut transition: impl FnMut(i64, bool, &'static str, &Record)) -> Vec<Interval> {
    let mut days: Vec<i64> = feeds.iter().flat_map(|(_, rs)| rs.iter().map(|r| r.date)).collect();
    days.sort();
    days.dedup();
    let mut latest: Vec<Option<&Record>> = vec![None; feeds.len()];
    let mut cursor = vec![0usize; feeds.len()];
    let mut out: Vec<Interval> = Vec::new();
    let holder = |latest: &[Option<&Record>]| -> Option<usize> { latest.iter().position(|r| r.is_some_and(|r| r.opens)) };
    for day in days {
        let before = holder(&latest).is_some();
        for (i, (_, records)) in feeds.iter().enumerate() {
            while cursor[i] < records.len() && records[cursor[i]].date == day {
                let r = &records[cursor[i]];
                transition(day, before, feeds[i].0, r);
                latest[i] = Some(r);
                cursor[i] += 1;
            }
        }
        let now = holder(&latest).map(|i| (feeds[i].0, latest[i].expect("holder")));
        let current = out.last_mut().filter(|iv| iv.to == OPEN);
        match (current, now) {
            (Some(iv), Some((feed, r))) if iv.record == r.key && iv.feed == feed => {}
            (current, now) => {
                if let Some(iv) = current {
                    iv.to = day;
                }
                if let Some((feed, r)) = now {
                    out.push(Interval {
                        from: day,
                        to: OPEN,
                        feed,
                        record: r.key.clone(),
                        attributes: r.attributes.clone(),
                    });
                }
            }
        }
    }
    out.retain(|iv| iv.from < iv.to);
    out
}

const STATUS_COLUMNS: &[(&str, ColumnType)] = &[
    ("person_key", ColumnType::Text),
    ("valid_from", ColumnType::Int),
    ("valid_to", ColumnType::Int),
    ("record_key", ColumnType::Text),
    ("district", ColumnType::Text),
    ("hukou_type", ColumnType::Text),
    ("education", ColumnType::Text),
    ("gender", ColumnType::Text),
    ("age_band", ColumnType::Text),
    ("industry", ColumnType::Text),
    ("industry_section", ColumnType::Text),
];

fn status_row(person: &str, iv: &Interval, with_feed: bool) -> Vec<SqlValue> {
    let mut row = vec![person.into(), iv.from.into(), iv.to.into()];
    if with_feed {
        row.push(iv.feed.into());
    }
    row.push(iv.record.clone().into());
    row.extend(iv.attributes.iter().cloned());
    row
}

/// What a rebuild writes with: whether the state tables hold rows already (a first load
/// has none to replace), the transaction's knowledge stamp, and the dated (rollup-able)
/// semantic sources reading each state table, whose changed dates are marked dirty.
struct Rebuild<'a> {
    existing: bool,
    stamp: &'a str,
    dated: &'a BTreeMap<String, Vec<(String, String)>>,
}

/// Writes the new states of `persons` in place of their old ones (moved to the
/// superseded table), marking the dates of both, old and new, dirty for the sources
/// that roll the table up.
async fn replace(
    tx: &mut Transaction,
    table: &str,
    columns: &[(&str, ColumnType)],
    mut rows: Vec<Vec<SqlValue>>,
    persons: &[String],
    ctx: &Rebuild<'_>,
) -> Result<(), EtlError> {
    let marks = vec!["?"; persons.len()].join(", ");
    let condition = format!("person_key IN ({marks})");
    let params: Vec<SqlValue> = persons.iter().map(|p| SqlValue::Text(p.clone())).collect();
    let mark_dates = |tx: &Transaction| {
        let statements: Vec<Statement> = ctx
            .dated
            .get(table)
            .into_iter()
            .flatten()
            .map(|(source, column)| {
                let mut bound = vec![SqlValue::Text(source.clone())];
                bound.extend(params.iter().cloned());
                Statement {
                    sql: placeholders(
                        tx,
                        &format!(
                            "INSERT INTO meta_dirty_date (source, date_key) SELECT DISTINCT ?, {column} FROM {table} \
                             WHERE {condition} ON CONFLICT (source, date_key) DO NOTHING"
                        ),
                    ),
                    params: bound,
                }
            })
            .collect();
        statements
    };
    let (existing, stamp) = (ctx.existing, ctx.stamp);
    if existing {
        for statement in mark_dates(tx) {
            tx.execute(&statement).await?;
        }
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        crate::known::supersede(tx, table, &names, &condition, params.clone(), stamp).await?;
        tx.execute(&Statement {
            sql: placeholders(tx, &format!("DELETE FROM {table} WHERE {condition}")),
            params: params.clone(),
        })
        .await?;
    }
    crate::known::stamp_rows(&mut rows, stamp);
    tx.insert_rows(table, &crate::known::with_known_at(columns), &rows).await?;
    for statement in mark_dates(tx) {
        tx.execute(&statement).await?;
    }
    Ok(())
}

/// Rebuilds the states of the dirty persons of `status`; returns how many persons.
async fn rebuild(tx: &mut Transaction, status: &str, dated: &BTreeMap<String, Vec<(String, String)>>) -> Result<u64, EtlError> {
    let dirty = tx
        .fetch(&Statement {
            sql: placeholders(tx, "SELECT person_key FROM meta_dirty_person WHERE status = ?"),
            params: vec![status.into()],
        })
        .await?;
    let persons: Vec<String> = dirty.rows.iter().map(|r| r[0].to_key()).collect();
    // A first load fills empty state tables: there is nothing to delete, and deleting
    // per chunk from a table growing under stale statistics turned into repeated full
    // scans on PostgreSQL (10 M-row bench).
    let tables: &[&str] = if status == "unemployment" {
        &["dws_status_unemployed"]
    } else {
        &["dws_status_employed", "dws_employment_transition"]
    };
    let mut empty = true;
    for table in tables {
        let rows = tx
            .fetch(&Statement {
                sql: format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1) t"),
                params: vec![],
            })
            .await?;
        empty &= rows.rows.first().and_then(|r| r[0].as_i64()) == Some(0);
    }
    let stamp = crate::known::stamp_now();
    let ctx = Rebuild {
        existing: !empty,
        stamp: &stamp,
        dated,
    };
    for chunk in persons.chunks(400) {
        match status {
            "unemployment" => rebuild_unemployment(tx, chunk, &ctx).await?,
            _ => rebuild_employment(tx, chunk, &ctx).await?,
        }
    }
    tx.execute(&Statement {
        sql: placeholders(tx, "DELETE FROM meta_dirty_person WHERE status = ?"),
        params: vec![status.into()],
    })
    .await?;
    if !persons.is_empty() {
        crate::known::record_commit(tx, &stamp).await?;
    }
    Ok(persons.len() as u64)
}

async fn rebuild_unemployment(tx: &mut Transaction, persons: &[String], ctx: &Rebuild<'_>) -> Result<(), EtlError> {
    let records = records(tx, "dwd_unemployment_registration", "industry, industry_section", "NULL", persons).await?;
    let mut rows = Vec::new();
    for (person, list) in &records {
        for iv in intervals(&[("unemployment_registration", list)], |_, _, _, _| {}) {
            rows.push(status_row(person, &iv, false));
        }
    }
    replace(tx, "dws_status_unemployed", STATUS_COLUMNS, rows, persons, ctx).await
}

async fn rebuild_employment(tx: &mut Transaction, persons: &[String], ctx: &Rebuild<'_>) -> Result<(), EtlError> {
    let hires = records(
        tx,
        "dwd_employment_registration",
        "industry, industry_section",
        "separation_reason",
        persons,
    )
    .await?;
    let flexible = records(tx, "dwd_flexible_employment", "NULL, NULL", "NULL", persons).await?;
    let empty = Vec::new();
    let (mut status_rows, mut transitions) = (Vec::new(), Vec::new());
    for person in persons {
        let (h, f) = (hires.get(person).unwrap_or(&empty), flexible.get(person).unwrap_or(&empty));
        if h.is_empty() && f.is_empty() {
            continue;
        }
        let spans = intervals(
            &[("employment_registration", h), ("flexible_employment", f)],
            |day, employed_before, feed, r| {
                let kind = if r.opens && !employed_before {
                    "entry"
                } else if r.retirement && !r.opens {
                    "retirement"
                } else {
                    return;
                };
                let mut row = vec![person.clone().into(), day.into(), kind.into(), feed.into(), r.key.clone().into()];
                row.extend(r.attributes.iter().cloned());
                transitions.push(row);
            },
        );
        for iv in spans {
            status_rows.push(status_row(person, &iv, true));
        }
    }
    let mut columns = STATUS_COLUMNS.to_vec();
    columns.insert(3, ("record_feed", ColumnType::Text));
    replace(tx, "dws_status_employed", &columns, status_rows, persons, ctx).await?;
    let transition_columns: Vec<(&str, ColumnType)> = [
        ("person_key", ColumnType::Text),
        ("date_key", ColumnType::Int),
        ("kind", ColumnType::Text),
        ("record_feed", ColumnType::Text),
        ("record_key", ColumnType::Text),
    ]
    .into_iter()
    .chain(ATTRIBUTE_COLUMNS.iter().map(|c| (*c, ColumnType::Text)))
    .collect();
    replace(tx, "dws_employment_transition", &transition_columns, transitions, persons, ctx).await
}

/// Rebuilds every state with dirty persons, each in one transaction.
pub(crate) async fn rebuild_dirty(warehouse: &jiuye_warehouse::Warehouse, catalog: &jiuye_semantic::Catalog) -> Result<u64, EtlError> {
    // Sources over a state table with rollups to keep: new_jobs' transitions (dated)
    // and the stocks' daily snapshots (marked by the days their intervals open).
    let mut dated: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for source in catalog.sources.values().filter(|s| s.table.starts_with("dws_")) {
        if !catalog.rollups.iter().any(|r| r.source == source.code) {
            continue;
        }
        let column = match &source.interval {
            Some(interval) => interval.valid_from.clone(),
            None => source.date_column.clone(),
        };
        dated.entry(source.table.clone()).or_default().push((source.code.clone(), column));
    }
    let mut persons = 0;
    for status in ["employment", "unemployment"] {
        let mut tx = warehouse.begin().await?;
        crate::load::lock_loads(&mut tx).await?;
        persons += rebuild(&mut tx, status, &dated).await?;
        tx.commit().await?;
    }
    Ok(persons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(date: i64, opens: bool, key: &str) -> Record {
        Record {
            date,
            updated_at: "2024-01-01 00:00:00".into(),
            key: key.into(),
            opens,
            retirement: false,
            attributes: vec![],
        }
    }

    fn spans(feeds: &[(&'static str, &[Record])]) -> Vec<(i64, i64, String)> {
        intervals(feeds, |_, _, _, _| {})
            .into_iter()
            .map(|iv| (iv.from, iv.to, iv.record))
            .collect()
    }

    #[test]
    fn a_state_holds_from_the_opening_day_until_the_closing_day() {
        let list = [r(20240105, true, "A"), r(20240110, false, "B"), r(20240201, true, "C")];
        assert_eq!(
            spans(&[("u", &list)]),
            vec![(20240105, 20240110, "A".into()), (20240201, OPEN, "C".into())]
        );
    }

    #[test]
    fn a_later_opening_record_takes_over_the_attributes_and_same_day_close_wins() {
        let list = [
            r(20240105, true, "A"),
            r(20240107, true, "B"),
            r(20240109, true, "C"),
            r(20240109, false, "D"),
        ];
        assert_eq!(
            spans(&[("u", &list)]),
            vec![(20240105, 20240107, "A".into()), (20240107, 20240109, "B".into())],
            "opened and closed on the 9th: not in the state at the end of that day"
        );
    }

    #[test]
    fn the_first_feed_holds_the_state_when_both_do_and_the_second_fills_gaps() {
        let hires = [r(20240110, true, "H1"), r(20240120, false, "S1")];
        let flexible = [r(20240101, true, "F1"), r(20240125, false, "F2")];
        let mut entries = Vec::new();
        let got: Vec<(i64, i64, String)> = intervals(&[("er", &hires), ("fe", &flexible)], |day, before, _, rec| {
            if rec.opens && !before {
                entries.push((day, rec.key.clone()));
            }
        })
        .into_iter()
        .map(|iv| (iv.from, iv.to, iv.record))
        .collect();
        assert_eq!(
            got,
            vec![
                (20240101, 20240110, "F1".into()),
                (20240110, 20240120, "H1".into()),
                (20240120, 20240125, "F1".into()),
            ]
        );
        assert_eq!(
            entries,
            vec![(20240101, "F1".to_string())],
            "a hire while flexibly employed is no entry"
        );
    }
}
