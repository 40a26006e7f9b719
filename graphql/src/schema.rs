//! The GraphQL schema: `metrics`, `indicators`, `dimensionMembers`.

use std::collections::BTreeSet;

use async_graphql::{Context, EmptySubscription, Enum, ErrorExtensions, InputObject, Json, MergedObject, Object, Schema, SimpleObject};
use chrono::NaiveDate;
use jiuye_semantic::{Caller, Compare as SemCompare, DimensionFilter, Grain as SemGrain, KnownAt, MetricsQuery, sql::dialect_for};
use jiuye_sql_value::Statement;
use serde_json::{Map, Value};

use crate::AppState;
use crate::metrics::run_metrics;

pub type JiuyeSchema = Schema<Query, crate::kb::KbMutation, EmptySubscription>;

/// Every query field: metrics and the catalog here, the knowledge base in `kb`.
#[derive(MergedObject, Default)]
pub struct Query(
    QueryRoot,
    crate::kb::KbQuery,
    crate::board::BoardQuery,
    crate::board::MapQuery,
    crate::drill::DrillQuery,
);

pub fn build_schema(state: AppState) -> JiuyeSchema {
    Schema::build(Query::default(), crate::kb::KbMutation, EmptySubscription)
        .extension(crate::http::ExecutionMarker)
        .data(state)
        .limit_depth(12)
        .limit_complexity(2000)
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
pub struct DimensionMember {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// Set for a retired code: the code that replaced it.
    pub successor: Option<String>,
}

fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"))
}

fn parse_day(field: &str, text: &str) -> async_graphql::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad_input(format!("timeRange.{field} `{text}` is not a date as YYYY-MM-DD")))
}

#[derive(Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Indicator values by period and dimensions, with optional comparisons.
    #[allow(clippy::too_many_arguments)]
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
        let query = MetricsQuery {
            indicators,
            dimensions,
            grain: match grain {
                Grain::Day => SemGrain::Day,
                Grain::Week => SemGrain::Week,
                Grain::Month => SemGrain::Month,
                Grain::Quarter => SemGrain::Quarter,
                Grain::Year => SemGrain::Year,
            },
            from: parse_day("from", &time_range.from)?,
            to: parse_day("to", &time_range.to)?,
            filters: filters
                .into_iter()
                .map(|f| DimensionFilter {
                    dimension: f.dimension,
                    values: f.values,
                })
                .collect(),
            compare: compare
                .into_iter()
                .map(|c| match c {
                    Compare::Yoy => SemCompare::Yoy,
                    Compare::Mom => SemCompare::Mom,
                    Compare::Target => SemCompare::Target,
                })
                .collect(),
            known_at: as_of
                .map(|t| KnownAt::parse(&t))
                .transpose()
                .map_err(|e| bad_input(e.to_string()))?,
        };
        let answer = run_metrics(&state.warehouse, &state.catalog, &query, caller).await.map_err(|e| {
            let code = e.code();
            async_graphql::Error::new(e.public_message()).extend_with(move |_, ext| ext.set("code", code))
        })?;
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

    /// The indicator catalog, from the semantic model, with the glossary terms of each.
    async fn indicators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::kb::IndicatorView>> {
        let kb = ctx.data::<AppState>()?.kb.get();
        Ok(kb.indicators.iter().map(|e| crate::kb::indicator_view(&kb, e)).collect())
    }

    /// Codes and names of a dimension's members.
    async fn dimension_members(&self, ctx: &Context<'_>, dimension: String) -> async_graphql::Result<Vec<DimensionMember>> {
        let state = ctx.data::<AppState>()?;
        let dim = state.catalog.dimension(&dimension).map_err(|e| bad_input(e.to_string()))?;
        let dialect = dialect_for(state.warehouse.backend());
        let statement = match &dim.members {
            // A registry's current versions (employers, facilities); identifiers come
            // from the model, never from the request.
            Some(m) => Statement {
                sql: format!(
                    "SELECT {code}, {name}, NULL, NULL FROM {table} ORDER BY {code}",
                    code = m.code,
                    name = m.name,
                    table = m.table
                ),
                params: vec![],
            },
            None => Statement {
                sql: format!(
                    "SELECT code, name, parent, successor FROM dim_code WHERE code_table = {} ORDER BY code",
                    dialect.placeholder(1)
                ),
                params: vec![dim.code_table.clone().into()],
            },
        };
        let rows = state
            .warehouse
            .fetch(&statement)
            .await
            .map_err(|e| async_graphql::Error::new(crate::metrics::MetricsError::from(e).public_message()))?;
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
