//! `board(code:, asOf:)`: every panel of a board (看板) in one request, run concurrently
//! through the same runner as `metrics`. A panel that fails (a district token asking a
//! city-wide panel it may not read, say) carries its error; the others still answer.

use async_graphql::{Context, Json, Object, SimpleObject};
use chrono::NaiveDate;
use jiuye_semantic::{BoardDef, Caller, Catalog, KnownAt};
use jiuye_warehouse::Warehouse;
use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::Access;
use crate::input::{self, cost};
use crate::metrics::{run_metrics, shanghai_today};

#[derive(SimpleObject)]
pub struct BoardAnswer {
    pub code: String,
    pub name: String,
    pub description: String,
    /// The board's date, YYYY-MM-DD: every panel's range ends on it.
    pub as_of: String,
    /// For an as-of answer, the instant whose knowledge it reproduces (Shanghai time).
    pub known_at: Option<String>,
    pub panels: Vec<PanelAnswer>,
}

#[derive(SimpleObject)]
pub struct PanelAnswer {
    pub code: String,
    pub title: String,
    pub indicators: Vec<String>,
    /// The panel's grain (DAY, WEEK, MONTH, QUARTER, YEAR): what `drill` takes.
    pub grain: String,
    /// The panel's time range, YYYY-MM-DD.
    pub from: String,
    pub to: String,
    pub columns: Vec<String>,
    pub rows: Vec<Json<Map<String, Value>>>,
    /// Why this panel has no rows, when it failed; the other panels are unaffected.
    pub error: Option<String>,
    pub view: PanelView,
}

/// Where a screen puts the panel and how it draws it (from the board's definition).
#[derive(SimpleObject)]
pub struct PanelView {
    /// 1 to 6, left to right on a 1920×1080 screen.
    pub column: i32,
    /// Columns wide.
    pub span: i32,
    /// numbers, completion, bars, line, pie, map, table or ticker.
    pub widget: String,
    /// Point layers a map draws over its districts (`facilities`, `postings`): ask
    /// `mapLayer` for them.
    pub layers: Vec<String>,
}

#[derive(SimpleObject)]
pub struct BoardSummary {
    pub code: String,
    pub name: String,
    pub description: String,
    pub panels: Vec<String>,
}

/// Answers every panel of `board` dated `as_of`, concurrently; with `known_at`, as the
/// warehouse knew it at that instant.
pub async fn answer_board(
    warehouse: &Warehouse,
    catalog: &Catalog,
    board: &BoardDef,
    as_of: NaiveDate,
    known_at: Option<KnownAt>,
    caller: &Caller,
) -> BoardAnswer {
    let runs = board.panels.iter().map(|panel| {
        let mut query = panel.query(as_of);
        query.known_at = known_at;
        async move {
            let outcome = run_metrics(warehouse, catalog, &query, caller).await;
            let (columns, rows, error) = match outcome {
                Ok(answer) => {
                    let mut rows = answer.table.rows;
                    if let Some(rank) = &panel.rank {
                        rank.apply(&mut rows);
                    }
                    (answer.table.columns, rows.into_iter().map(Json).collect(), None)
                }
                Err(e) => (vec![], vec![], Some(e.public_message())),
            };
            PanelAnswer {
                code: panel.code.clone(),
                title: panel.title.clone(),
                indicators: panel.indicators.clone(),
                grain: panel.grain.name().into(),
                from: query.from.to_string(),
                to: query.to.to_string(),
                columns,
                rows,
                error,
                view: PanelView {
                    column: panel.view.column.into(),
                    span: panel.view.span.into(),
                    widget: panel.view.widget.name().into(),
                    layers: panel.view.layers.iter().map(|l| l.name().to_string()).collect(),
                },
            }
        }
    });
    BoardAnswer {
        code: board.code.clone(),
        name: board.name.clone(),
        description: board.description.clone(),
        as_of: as_of.to_string(),
        known_at: known_at.map(|k| k.city_time()),
        panels: futures::future::join_all(runs).await,
    }
}

#[derive(Default)]
pub struct BoardQuery;

#[Object]
impl BoardQuery {
    /// A board (看板) with all its panels, in one round trip. `asOf` is the board's date
    /// (YYYY-MM-DD, default today in Shanghai): "today", "this month" … end on it. A
    /// timestamp instead (`2025-10-31T18:00:00+08:00`, or Shanghai time `2025-10-31
    /// 18:00:00`) answers as the warehouse knew it at that instant, dated that day: a
    /// board published then is reproduced exactly, whatever was corrected since.
    #[graphql(complexity = "cost::BOARD + child_complexity")]
    async fn board(&self, ctx: &Context<'_>, code: String, as_of: Option<String>) -> async_graphql::Result<BoardAnswer> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::text("code", &code, input::MAX_CODE_CHARS)?;
        let access = ctx.data::<Access>()?;
        if state.catalog.boards.contains_key(&code) && !reads_board(access, &code) {
            return Err(input::coded(
                format!("the {} role may not open the board `{code}`", access.role_name()),
                "FORBIDDEN",
            ));
        }
        let board = state.catalog.boards.get(&code).ok_or_else(|| {
            let known: Vec<&str> = state.catalog.boards.keys().map(String::as_str).collect();
            input::bad_input(format!("unknown board `{code}`; boards: {}", known.join(", ")))
        })?;
        let (as_of, known_at) = match as_of {
            None => (default_day(state).await?, None),
            Some(text) => {
                input::text("asOf", &text, input::MAX_CODE_CHARS)?;
                match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    Ok(day) => {
                        jiuye_semantic::check_date("asOf", day).map_err(input::semantic_error)?;
                        (day, None)
                    }
                    Err(_) => {
                        // Not a date: a timestamp, or an error saying how to write one.
                        let known = KnownAt::parse(&text).map_err(input::semantic_error)?;
                        (known.city_date(), Some(known))
                    }
                }
            }
        };
        Ok(answer_board(&state.warehouse, &state.catalog, board, as_of, known_at, caller).await)
    }

    /// The warehouse's latest data day (YYYY-MM-DD): the newest event date it holds, not
    /// after today; null for an empty warehouse. Boards asked without `asOf` are dated by
    /// it, so screens open on the last day of data.
    async fn latest_data_day(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = ctx.data::<AppState>()?;
        let day = state
            .data_day
            .latest(&state.warehouse, &state.catalog)
            .await
            .map_err(|e| input::internal("latestDataDay", e))?;
        Ok(day.map(|d| d.to_string()))
    }

    /// The warehouse's data version: an opaque text that changes whenever an ETL run
    /// finishes (null before the first). Screens ask it every few seconds and redraw
    /// when it changes, so new data shows without waiting for their timer.
    async fn data_version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = ctx.data::<AppState>()?;
        let version = state
            .data_day
            .version(&state.warehouse)
            .await
            .map_err(|e| input::internal("dataVersion", e))?;
        Ok(crate::data_day::version_text(version))
    }

    /// The boards of the model the caller may open, with their panel codes.
    async fn boards(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BoardSummary>> {
        let state = ctx.data::<AppState>()?;
        let access = ctx.data::<Access>()?;
        Ok(state
            .catalog
            .boards
            .values()
            .filter(|b| reads_board(access, &b.code))
            .map(|b| BoardSummary {
                code: b.code.clone(),
                name: b.name.clone(),
                description: b.description.clone(),
                panels: b.panels.iter().map(|p| p.code.clone()).collect(),
            })
            .collect())
    }
}

/// A board's date when none is asked: the latest data day, or today for an empty warehouse.
async fn default_day(state: &AppState) -> async_graphql::Result<NaiveDate> {
    let day = state
        .data_day
        .latest(&state.warehouse, &state.catalog)
        .await
        .map_err(|e| input::internal("board", e))?;
    Ok(day.unwrap_or_else(shanghai_today))
}

fn reads_board(access: &Access, code: &str) -> bool {
    access.role().is_some_and(|r| r.reads_board(code))
}

/// A point of a map layer.
#[derive(SimpleObject)]
pub struct MapPoint {
    pub code: String,
    pub name: String,
    /// 机构类型 (facility_type) or 单位性质 (employer_type) code.
    #[graphql(name = "type")]
    pub kind: String,
    pub district: String,
    pub longitude: f64,
    pub latitude: f64,
}

#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
pub enum Layer {
    /// Open service facilities and bases (feed facility_registry).
    Facilities,
    /// Employers of the registry (current version).
    Employers,
    /// Job postings open on `asOf` (type: 职业大类), newest first.
    Postings,
}

#[derive(Default)]
pub struct MapQuery;

#[Object]
impl MapQuery {
    /// Points of a map layer, filterable by type codes and districts (at most 5,000).
    /// `asOf` (YYYY-MM-DD) dates the postings layer; by default the latest data day.
    #[graphql(complexity = "cost::MAP_LAYER + child_complexity")]
    async fn map_layer(
        &self,
        ctx: &Context<'_>,
        layer: Layer,
        #[graphql(default)] types: Vec<String>,
        #[graphql(default)] districts: Vec<String>,
        as_of: Option<String>,
    ) -> async_graphql::Result<Vec<MapPoint>> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::codes("types", &types, input::MAX_ITEMS)?;
        input::codes("districts", &districts, input::MAX_ITEMS)?;
        let day = match (layer, as_of) {
            (_, Some(text)) => input::day("asOf", &text)?,
            (Layer::Postings, None) => default_day(state).await?,
            (_, None) => shanghai_today(),
        };
        let layer = match layer {
            Layer::Facilities => jiuye_semantic::MapLayer::Facilities,
            Layer::Employers => jiuye_semantic::MapLayer::Employers,
            Layer::Postings => {
                // The postings a role may count, it may see as points; no more.
                caller.check_indicators([&"postings".to_string()]).map_err(input::semantic_error)?;
                jiuye_semantic::MapLayer::Postings
            }
        };
        let statement = jiuye_semantic::map_layer_statement(
            layer,
            &types,
            &districts,
            day,
            caller,
            jiuye_semantic::sql::dialect_for(state.warehouse.backend()),
        )
        .map_err(input::semantic_error)?;
        let rows = state
            .warehouse
            .fetch(&statement)
            .await
            .map_err(|e| input::metrics_error(e.into()))?;
        Ok(rows
            .rows
            .iter()
            .map(|r| MapPoint {
                code: r[0].to_key(),
                name: r[1].to_key(),
                kind: r[2].to_key(),
                district: r[3].to_key(),
                longitude: r[4].as_f64().unwrap_or_default(),
                latitude: r[5].as_f64().unwrap_or_default(),
            })
            .collect())
    }
}
