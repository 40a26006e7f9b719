//! The warehouse's latest data day (`jiuye_semantic::latest_day_statements`), asked at
//! most once a minute: boards date themselves by it when no `asOf` is given.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jiuye_semantic::{Catalog, date_from_key};
use jiuye_warehouse::Warehouse;

use crate::metrics::shanghai_today;

const FRESH_FOR: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct DataDay {
    cached: Mutex<Option<(Instant, Option<NaiveDate>)>>,
}

impl DataDay {
    /// The newest event date in the warehouse (not after today), if it holds any.
    pub async fn latest(&self, warehouse: &Warehouse, catalog: &Catalog) -> Result<Option<NaiveDate>, jiuye_warehouse::WarehouseError> {
        if let Some((at, day)) = *self.cached.lock().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < FRESH_FOR
        {
            return Ok(day);
        }
        let dialect = jiuye_semantic::sql::dialect_for(warehouse.backend());
        let statements = jiuye_semantic::latest_day_statements(catalog, shanghai_today(), dialect);
        let answers = futures::future::try_join_all(statements.iter().map(|s| warehouse.fetch(s))).await?;
        let day = answers
            .iter()
            .filter_map(|a| a.rows.first().and_then(|r| r[0].as_i64()))
            .max()
            .and_then(date_from_key);
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), day));
        Ok(day)
    }

    /// Forgets the cached day (after a load, in tests).
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
