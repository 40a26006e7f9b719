//! `drill` and `drillDetail`: from a cell of an answer one level down (the next grain, or
//! a dimension's child), and to the detail rows behind it with their lineage.

use async_graphql::{Context, ErrorExtensions, Json, Object, SimpleObject};
use jiuye_semantic::{Caller, DimensionFilter, Grain as SemGrain, SemanticError};
use serde_json::{Map, Value};

use crate::AppState;
use crate::metrics::{MetricsError, run_metrics};
use crate::schema::{Filter, Grain};

fn semantic_error(e: SemanticError) -> async_graphql::Error {
    let code = e.code();
    async_graphql::Error::new(e.to_string()).extend_with(move |_, x| x.set("code", code))
}

fn grain(g: Grain) -> SemGrain {
    match g {
        Grain::Day => SemGrain::Day,
        Grain::Week => SemGrain::Week,
        Grain::Month => SemGrain::Month,
        Grain::Quarter => SemGrain::Quarter,
        Grain::Year => SemGrain::Year,
    }
}

fn cell_filters(cell: Vec<Filter>) -> Vec<DimensionFilter> {
    cell.into_iter()
        .map(|f| DimensionFilter {
            dimension: f.dimension,
            values: f.values,
        })
        .collect()
}

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

#[derive(Default)]
pub struct DrillQuery;

#[Object]
impl DrillQuery {
    /// One level below a cell: `by` a dimension (e.g. `industry` under an
    /// `industry_section` cell, `district` under the city) within the same period, or
    /// without `by` the next grain inside the period (YEAR → QUARTER → MONTH → DAY).
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
        let query = jiuye_semantic::drill_query(
            &state.catalog,
            &indicator,
            self::grain(grain),
            &period,
            &cell_filters(cell),
            by.as_deref(),
        )
        .map_err(semantic_error)?;
        let answer = run_metrics(&state.warehouse, &state.catalog, &query, caller).await.map_err(|e| {
            let code = e.code();
            async_graphql::Error::new(e.public_message()).extend_with(move |_, x| x.set("code", code))
        })?;
        Ok(DrillAnswer {
            grain: query.grain.name().into(),
            by: query.dimensions.first().cloned(),
            columns: answer.table.columns,
            rows: answer.table.rows.into_iter().map(Json).collect(),
        })
    }

    /// The detail rows a cell counts, a page at a time (admin and analyst tokens only).
    async fn drill_detail(
        &self,
        ctx: &Context<'_>,
        indicator: String,
        grain: Grain,
        period: String,
        #[graphql(default)] cell: Vec<Filter>,
        #[graphql(default)] page: u32,
        #[graphql(default = 50)] page_size: u32,
    ) -> async_graphql::Result<DetailPage> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let detail = jiuye_semantic::detail_statement(
            &state.catalog,
            &indicator,
            self::grain(grain),
            &period,
            &cell_filters(cell),
            page,
            page_size,
            caller,
            jiuye_semantic::sql::dialect_for(state.warehouse.backend()),
        )
        .map_err(semantic_error)?;
        let result = state
            .warehouse
            .fetch(&detail.statement)
            .await
            .map_err(|e| async_graphql::Error::new(MetricsError::from(e).public_message()))?;
        let rows = result
            .rows
            .iter()
            .map(|r| Json(detail.columns.iter().zip(r).map(|(c, v)| (c.clone(), v.to_json())).collect()))
            .collect();
        Ok(DetailPage {
            columns: detail.columns,
            rows,
            page,
            page_size: page_size.clamp(1, jiuye_semantic::MAX_PAGE_SIZE),
        })
    }
}
