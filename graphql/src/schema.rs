//! The GraphQL schema: `metrics`, `indicators`, `dimensionMembers`.

use std::collections::BTreeSet;

use async_graphql::{Context, Enum, InputObject, Json, MergedObject, MergedSubscription, Object, Schema, SimpleObject};
use jiuye_semantic::{Caller, Compare as SemCompare, DimensionFilter, Grain as SemGrain, KnownAt, MetricsQuery, sql::dialect_for};
use serde_json::{Map, Value};

use crate::AppState;
use crate::input::{self, cost};
use crate::metrics::run_metrics;

pub type JiuyeSchema = Schema<Query, Mutation, Subscription>;

/// Every query field: metrics and the catalog here, the knowledge base in `kb`.
#[derive(MergedObject, Default)]
pub struct Query(
    QueryRoot,
    crate::kb::KbQuery,
    crate::board::BoardQuery,
    crate::board::MapQuery,
    crate::drill::DrillQuery,
    crate::audit::AuditQuery,
    crate::account::AccountQuery,
    crate::personal::PersonalQuery,
    crate::admin::AdminQuery,
    crate::messages::MessageQuery,
    crate::crypto::CryptoQuery,
);

/// Every mutation: glossary curation, the caller's account, administration.
#[derive(MergedObject, Default)]
pub struct Mutation(
    crate::kb::KbMutation,
    crate::account::AccountMutation,
    crate::personal::PersonalMutation,
    crate::admin::AdminMutation,
    crate::messages::MessageMutation,
);

/// Every subscription (over graphql-ws at `/graphql/ws`): new messages, new data.
#[derive(MergedSubscription, Default)]
pub struct Subscription(crate::messages::MessageSubscription, crate::data_day::DataSubscription);

/// Nesting no answer of this schema needs; the standard introspection query (about 13
/// levels through `ofType`) fits, and its cost is counted by `limit_complexity`.
const MAX_DEPTH: usize = 24;

pub fn build_schema(state: AppState) -> JiuyeSchema {
    let max_cost = state.limits.max_cost;
    Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .extension(crate::http::ExecutionMarker)
        .extension(crate::audit::Audit)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(max_cost)
        .finish()
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl From<Grain> for SemGrain {
    fn from(g: Grain) -> SemGrain {
        match g {
            Grain::Day => SemGrain::Day,
            Grain::Week => SemGrain::Week,
            Grain::Month => SemGrain::Month,
            Grain::Quarter => SemGrain::Quarter,
            Grain::Year => SemGrain::Year,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Compare {
    /// Year on year: (x − x one year earlier) / x one year earlier.
    Yoy,
    /// Period on period: against the immediately preceding period of the same grain.
    Mom,
    /// Against the annual target (feed indicator_target): x_target, x_completion
    /// (year to date / target), x_progress (elapsed share of the year), x_status.
    Target,
}

#[derive(InputObject)]
pub struct TimeRange {
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: String,
}

#[derive(InputObject)]
pub struct Filter {
    pub dimension: String,
    pub values: Vec<String>,
}

/// An answer: `rows` are JSON objects keyed by `columns`.
#[derive(SimpleObject)]
pub struct MetricsResult {
    pub columns: Vec<String>,
    pub rows: Vec<Json<Map<String, Value>>>,
    /// The generated SQL; null for roles not allowed to see it.
    pub sql: Option<String>,
    /// Which table served each part of the answer and why every other rollup did not;
    /// null for roles not allowed to see it.
    pub explain: Option<Vec<ExplainPart>>,
}

#[derive(SimpleObject)]
pub struct ExplainPart {
    /// `Main`, `Base(Yoy)`, `YearToDate(…)` …
    pub purpose: String,
    pub source: String,
    /// The rollup (`dws_…`) or detail (`dwd_…`/state) table that served it.
    pub chosen: String,
    pub rejected: Vec<RejectedTable>,
}

#[derive(SimpleObject)]
pub struct RejectedTable {
    pub table: String,
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct DimensionView {
    pub code: String,
    pub name: String,
    pub description: String,
    /// The dimension one level up (`industry` → `industry_section`), for drilling.
    pub parent: Option<String>,
}

#[derive(SimpleObject)]
pub struct DimensionMember {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// Set for a retired code: the code that replaced it.
    pub successor: Option<String>,
}

#[derive(Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Indicator values by period and dimensions, with optional comparisons.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "cost::metrics(indicators.len(), compare.len()) + child_complexity")]
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        indicators: Vec<String>,
        #[graphql(default)] dimensions: Vec<String>,
        grain: Grain,
        time_range: TimeRange,
        #[graphql(default)] filters: Vec<Filter>,
        #[graphql(default)] compare: Vec<Compare>,
        #[graphql(
            desc = "Answer as the warehouse knew it at this instant (`2025-10-31T18:00:00+08:00`, or a Shanghai \
                          time `2025-10-31 18:00:00`): versions loaded later, corrections included, do not count."
        )]
        as_of: Option<String>,
    ) -> async_graphql::Result<MetricsResult> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::codes("indicators", &indicators, input::MAX_ITEMS)?;
        input::codes("dimensions", &dimensions, input::MAX_ITEMS)?;
        let filters = dimension_filters(filters)?;
        if let Some(t) = &as_of {
            input::text("asOf", t, input::MAX_CODE_CHARS)?;
        }
        let query = MetricsQuery {
            indicators,
            dimensions,
            grain: grain.into(),
            from: input::day("timeRange.from", &time_range.from)?,
            to: input::day("timeRange.to", &time_range.to)?,
            filters,
            compare: compare
                .into_iter()
                .map(|c| match c {
                    Compare::Yoy => SemCompare::Yoy,
                    Compare::Mom => SemCompare::Mom,
                    Compare::Target => SemCompare::Target,
                })
                .collect(),
            known_at: as_of.map(|t| KnownAt::parse(&t)).transpose().map_err(input::semantic_error)?,
        };
        let answer = run_metrics(&state.warehouse, &state.catalog, &query, caller)
            .await
            .map_err(input::metrics_error)?;
        Ok(MetricsResult {
            columns: answer.table.columns,
            rows: answer.table.rows.into_iter().map(Json).collect(),
            sql: answer.sql.map(|s| s.join("\n\n")),
            explain: answer.routing.map(|notes| {
                notes
                    .into_iter()
                    .map(|n| ExplainPart {
                        purpose: format!("{:?}", n.purpose),
                        source: n.source,
                        chosen: n.chosen,
                        rejected: n
                            .rejected
                            .into_iter()
                            .map(|(table, reason)| RejectedTable { table, reason })
                            .collect(),
                    })
                    .collect()
            }),
        })
    }

    /// The dimensions of the model: code, Chinese name, and the dimension one level up.
    async fn dimensions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DimensionView>> {
        let state = ctx.data::<AppState>()?;
        Ok(state
            .catalog
            .dimensions
            .values()
            .map(|d| DimensionView {
                code: d.code.clone(),
                name: d.name.clone(),
                description: d.description.clone(),
                parent: d.parent.clone(),
            })
            .collect())
    }

    /// The indicators the caller may ask for, from the semantic model, with the glossary
    /// terms of each.
    async fn indicators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::kb::IndicatorView>> {
        let kb = ctx.data::<AppState>()?.kb.get();
        let caller = ctx.data::<Caller>()?;
        Ok(kb
            .indicators
            .iter()
            .filter(|e| caller.indicators.allows(&e.code))
            .map(|e| crate::kb::indicator_view(&kb, e))
            .collect())
    }

    /// Codes and names of a dimension's members, in code order: a page of `first` (at
    /// most 5,000) after the code `after`, or with `codes` only those members (the
    /// employers a ranking shows). A district token lists only the registry members
    /// (employers, parks, bases) of its district.
    #[graphql(complexity = "cost::MEMBERS + child_complexity")]
    async fn dimension_members(
        &self,
        ctx: &Context<'_>,
        dimension: String,
        after: Option<String>,
        #[graphql(default = 1000)] first: i32,
        #[graphql(default)] codes: Vec<String>,
    ) -> async_graphql::Result<Vec<DimensionMember>> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        input::text("dimension", &dimension, input::MAX_CODE_CHARS)?;
        for c in &codes {
            input::text("codes", c, input::MAX_CODE_CHARS)?;
        }
        if let Some(a) = &after {
            input::text("after", a, input::MAX_CODE_CHARS)?;
        }
        let first = u32::try_from(first)
            .map_err(|_| input::bad_input(format!("first must be 1 to {}, not {first}", jiuye_semantic::MAX_MEMBERS)))?;
        let statement = jiuye_semantic::members_statement(
            &state.catalog,
            &dimension,
            caller,
            after.as_deref(),
            first,
            &codes,
            dialect_for(state.warehouse.backend()),
        )
        .map_err(input::semantic_error)?;
        let rows = state
            .warehouse
            .fetch(&statement)
            .await
            .map_err(|e| input::metrics_error(e.into()))?;
        let opt = |v: &jiuye_sql_value::SqlValue| Some(v.to_key()).filter(|s| !s.is_empty());
        // A row that is another row's parent in the same table is the table's root
        // (上海市 above the districts), not a member.
        let parents: BTreeSet<String> = rows.rows.iter().filter_map(|r| opt(&r[2])).collect();
        Ok(rows
            .rows
            .iter()
            .filter(|r| !parents.contains(&r[0].to_key()))
            .map(|r| DimensionMember {
                code: r[0].to_key(),
                name: r[1].to_key(),
                parent: opt(&r[2]),
                successor: opt(&r[3]),
            })
            .collect())
    }
}

/// The filters of a request, bounded.
pub(crate) fn dimension_filters(filters: Vec<Filter>) -> async_graphql::Result<Vec<DimensionFilter>> {
    if filters.len() > input::MAX_ITEMS {
        return Err(input::bad_input(format!("at most {} filters are allowed", input::MAX_ITEMS)));
    }
    filters
        .into_iter()
        .map(|f| {
            input::text("filters.dimension", &f.dimension, input::MAX_CODE_CHARS)?;
            input::codes("filters.values", &f.values, input::MAX_FILTER_VALUES)?;
            Ok(DimensionFilter {
                dimension: f.dimension,
                values: f.values,
            })
        })
        .collect()
}
