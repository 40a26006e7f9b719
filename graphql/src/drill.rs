//! `drill` and `drillDetail`: from a cell of an answer one level down (the next grain, or
//! a dimension's child), and to the detail rows behind it with their lineage.

use async_graphql::{Context, Json, Object, SimpleObject};
use jiuye_semantic::Caller;
use serde_json::{Map, Value};

use crate::AppState;
use crate::input::{self, cost};
use crate::metrics::run_metrics;
use crate::schema::{Filter, Grain, dimension_filters};

#[derive(SimpleObject)]
pub struct DrillAnswer {
    /// The grain and dimension the answer is broken down by.
    pub grain: String,
    pub by: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Json<Map<String, Value>>>,
}

#[derive(SimpleObject)]
pub struct DetailPage {
    pub columns: Vec<String>,
    /// Detail rows: the columns the caller's role may read (the source's `detail:`
    /// whitelist in the model), then `source_file`, `line_no` and `etl_run`, where each
    /// came from.
    pub rows: Vec<Json<Map<String, Value>>>,
    pub page: u32,
    pub page_size: u32,
}

/// Deepest page of detail rows: paging further is a scan no one reads; narrow the cell.
const MAX_PAGE: u32 = 10_000;

#[derive(Default)]
pub struct DrillQuery;

#[Object]
impl DrillQuery {
    /// One level below a cell: `by` a dimension (e.g. `industry` under an
    /// `industry_section` cell, `district` under the city) within the same period, or
    /// without `by` the next grain inside the period (YEAR → QUARTER → MONTH → DAY).
    #[graphql(complexity = "cost::DRILL + child_complexity")]
    async fn drill(
        &self,
        ctx: &Context<'_>,
        indicator: String,
        grain: Grain,
        period: String,
        #[graphql(default)] cell: Vec<Filter>,
        by: Option<String>,
    ) -> async_graphql::Result<DrillAnswer> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::text("indicator", &indicator, input::MAX_CODE_CHARS)?;
        input::text("period", &period, input::MAX_CODE_CHARS)?;
        if let Some(b) = &by {
            input::text("by", b, input::MAX_CODE_CHARS)?;
        }
        let cell = dimension_filters(cell)?;
        let query = jiuye_semantic::drill_query(&state.catalog, &indicator, grain.into(), &period, &cell, by.as_deref())
            .map_err(input::semantic_error)?;
        let answer = run_metrics(&state.warehouse, &state.catalog, &query, caller)
            .await
            .map_err(input::metrics_error)?;
        Ok(DrillAnswer {
            grain: query.grain.name().into(),
            by: query.dimensions.first().cloned(),
            columns: answer.table.columns,
            rows: answer.table.rows.into_iter().map(Json).collect(),
        })
    }

    /// The detail rows a cell counts, a page of at most 500 at a time (admin and analyst
    /// tokens only).
    #[graphql(complexity = "cost::DETAIL + child_complexity")]
    async fn drill_detail(
        &self,
        ctx: &Context<'_>,
        indicator: String,
        grain: Grain,
        period: String,
        #[graphql(default)] cell: Vec<Filter>,
        #[graphql(default)] page: u32,
        #[graphql(default = 50)] page_size: u32,
        #[graphql(default, desc = "the rows loaded last first (a day's latest records); otherwise oldest file first")] newest_first: bool,
    ) -> async_graphql::Result<DetailPage> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::text("indicator", &indicator, input::MAX_CODE_CHARS)?;
        input::text("period", &period, input::MAX_CODE_CHARS)?;
        if page_size == 0 || page_size > jiuye_semantic::MAX_PAGE_SIZE {
            return Err(input::bad_input(format!(
                "pageSize must be 1 to {}, not {page_size}",
                jiuye_semantic::MAX_PAGE_SIZE
            )));
        }
        if page > MAX_PAGE {
            return Err(input::bad_input(format!(
                "page must be at most {MAX_PAGE}; narrow the cell instead"
            )));
        }
        let cell = dimension_filters(cell)?;
        let detail = jiuye_semantic::detail_statement(
            &state.catalog,
            &indicator,
            grain.into(),
            &period,
            &cell,
            jiuye_semantic::DetailPaging {
                page,
                size: page_size,
                newest_first,
            },
            caller,
            jiuye_semantic::sql::dialect_for(state.warehouse.backend()),
        )
        .map_err(input::semantic_error)?;
        let result = state
            .warehouse
            .fetch(&detail.statement)
            .await
            .map_err(|e| input::metrics_error(e.into()))?;
        let rows = result
            .rows
            .iter()
            .map(|r| Json(detail.columns.iter().zip(r).map(|(c, v)| (c.clone(), v.to_json())).collect()))
            .collect();
        Ok(DetailPage {
            columns: detail.columns,
            rows,
            page,
            page_size,
        })
    }
}
