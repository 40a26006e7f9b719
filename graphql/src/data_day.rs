//! The warehouse's latest data day (`jiuye_semantic::latest_day_statements`), asked at
//! most once a minute: boards date themselves by it when no `asOf` is given. And its data
//! version (the newest finished ETL run), which screens watch to redraw on new data.

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
    /// The data version the cached day was seen under: a new one forgets the day.
    version: Mutex<Option<i64>>,
    /// The live listeners' shared view of the data version (see `watch`).
    live: std::sync::OnceLock<tokio::sync::watch::Receiver<Option<i64>>>,
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

    /// The newest finished ETL run (`data_version_statement`), never cached: a screen asks
    /// it every few seconds to redraw on new data. A new version forgets the cached day.
    pub async fn version(&self, warehouse: &Warehouse) -> Result<Option<i64>, jiuye_warehouse::WarehouseError> {
        let statement = jiuye_semantic::data_version_statement(jiuye_semantic::sql::dialect_for(warehouse.backend()));
        let answer = warehouse.fetch(&statement).await?;
        let version = answer.rows.first().and_then(|r| r[0].as_i64());
        let changed = {
            let mut seen = self.version.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *seen, version) != version
        };
        if changed {
            self.forget();
        }
        Ok(version)
    }

    /// The data version as it changes: one poller per server, started by the first
    /// listener and shared by all (a watch channel holds the latest). It lives as long as
    /// the server: one `MAX(run_id)` every few seconds, however many screens listen.
    fn watch(&self, state: &crate::AppState) -> tokio::sync::watch::Receiver<Option<i64>> {
        self.live
            .get_or_init(|| {
                let (sender, receiver) = tokio::sync::watch::channel(None);
                let state = state.clone();
                tokio::spawn(async move {
                    loop {
                        match state.data_day.version(&state.warehouse).await {
                            Ok(version) => {
                                sender.send_if_modified(|seen| std::mem::replace(seen, version) != version);
                            }
                            Err(e) => tracing::error!(error = %e, "dataVersionChanged: reading the data version failed"),
                        }
                        tokio::time::sleep(VERSION_POLL).await;
                    }
                });
                receiver
            })
            .clone()
    }

    /// Forgets the cached day (after a load, in tests).
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The data version as clients see it: opaque text, null before the first ETL run.
pub(crate) fn version_text(version: Option<i64>) -> Option<String> {
    version.map(|v| format!("run-{v}"))
}

/// How often the data version is read for the live listeners: one `MAX(run_id)` for all.
const VERSION_POLL: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct DataSubscription;

#[async_graphql::Subscription]
impl DataSubscription {
    /// The data version (as `dataVersion`) now, then each time an ETL run finishes: a
    /// screen subscribed here redraws on new data at once, and its one subscription is
    /// audited once rather than a poll every few seconds.
    async fn data_version_changed(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<impl futures::Stream<Item = Option<String>>> {
        // Refused here, so a refused stream ends at once instead of erring at every run.
        if let Some(why) = crate::permissions::refusal(ctx.data_opt::<crate::auth::Access>(), "dataVersionChanged") {
            return Err(crate::input::coded(why, "FORBIDDEN"));
        }
        let state = ctx.data::<crate::AppState>()?;
        let now = state
            .data_day
            .version(&state.warehouse)
            .await
            .map_err(|e| crate::input::internal("dataVersionChanged", e))?;
        let mut receiver = state.data_day.watch(state);
        receiver.mark_unchanged();
        let first = futures::stream::once(async move { version_text(now) });
        let changes = futures::stream::unfold((receiver, now), |(mut receiver, mut last)| async move {
            loop {
                receiver.changed().await.ok()?;
                let version = *receiver.borrow_and_update();
                if version != last {
                    last = version;
                    return Some((version_text(version), (receiver, last)));
                }
            }
        });
        Ok(futures::StreamExt::chain(first, changes))
    }
}
