//! As-of plans: read the versions known at an instant (see `crate::known`).

use crate::catalog::Catalog;
use crate::known::{KnownAt, superseded_table};
use crate::sql::{AsKnown, Select, TableRef};

/// Rollups hold only what the warehouse knows now, so an as-of answer passes them over.
pub(super) fn rollups_unknowing(catalog: &Catalog, source: &str, known: KnownAt) -> Vec<(String, String)> {
    catalog
        .rollups
        .iter()
        .filter(|r| r.source == source)
        .map(|r| {
            let why = format!(
                "an answer as known at {} reads the detail versions; rollups hold only the current knowledge",
                known.city_time()
            );
            (r.table.clone(), why)
        })
        .collect()
}

/// Makes `select` read its fact table and its lookups as known at `known` (the columns
/// it uses only). The calendar is reference data, the same at any instant.
pub(crate) fn read_as_known(select: &mut Select, known: KnownAt) {
    let as_known = |select: &Select, table: &TableRef| AsKnown {
        stamp: known.stamp(),
        superseded_table: superseded_table(&table.name),
        columns: select.columns_of(&table.alias),
    };
    select.from.as_known = Some(as_known(select, &select.from));
    for i in 0..select.joins.len() {
        if select.joins[i].table.name != "dim_date" {
            select.joins[i].table.as_known = Some(as_known(select, &select.joins[i].table));
        }
    }
}
