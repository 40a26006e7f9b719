//! Map layers (地图图层): service facilities and employer points with coordinates, by type
//! and district — the statement only; the caller runs it. A district caller sees its
//! district only, as with indicators.

use jiuye_sql_value::{SqlValue, Statement};

use crate::SemanticError;
use crate::request::Caller;
use crate::sql::{Dialect, Expr, Select, render_select};

/// Which points a layer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLayer {
    /// `dwd_facility`, open facilities (状态 1): 就业促进中心, 孵化基地, 见习基地 …
    Facilities,
    /// `dwd_employer`, the registry's current version of each employer.
    Employers,
}

/// Most points one layer answers with.
pub const MAP_POINT_LIMIT: usize = 5_000;

/// Columns of every layer row: code, name, type, district, longitude, latitude.
pub fn map_layer_statement(
    layer: MapLayer,
    types: &[String],
    districts: &[String],
    caller: &Caller,
    dialect: &dyn Dialect,
) -> Result<Statement, SemanticError> {
    let (table, code, name, kind) = match layer {
        MapLayer::Facilities => ("dwd_facility", "business_key", "facility_name", "facility_type"),
        MapLayer::Employers => ("dwd_employer", "employer_uscc", "employer_name", "employer_type"),
    };
    let mut districts = districts.to_vec();
    if let Some(own) = &caller.district {
        if let Some(other) = districts.iter().find(|d| *d != own) {
            return Err(SemanticError::Forbidden(format!(
                "a district token for {own} cannot read district {other}"
            )));
        }
        districts = vec![own.clone()];
    }
    let mut select = Select::from(table, "m");
    for (column, alias) in [
        (code, "code"),
        (name, "name"),
        (kind, "type"),
        ("district", "district"),
        ("longitude", "longitude"),
        ("latitude", "latitude"),
    ] {
        select.columns.push((Expr::col("m", column), alias.into()));
    }
    if layer == MapLayer::Facilities {
        select
            .filter
            .push(Expr::eq(Expr::col("m", "status"), Expr::Param(SqlValue::Text("1".into()))));
    }
    if !types.is_empty() {
        select.filter.push(Expr::in_list(
            Expr::col("m", kind),
            types.iter().map(|t| SqlValue::Text(t.clone())).collect(),
        ));
    }
    if !districts.is_empty() {
        select.filter.push(Expr::in_list(
            Expr::col("m", "district"),
            districts.iter().map(|d| SqlValue::Text(d.clone())).collect(),
        ));
    }
    select.order_by.push(Expr::col("m", code));
    let mut statement = render_select(&select, dialect);
    // Points without coordinates cannot be drawn; the limit keeps a layer a layer.
    statement.sql = format!(
        "SELECT * FROM ({}) layer WHERE longitude IS NOT NULL AND latitude IS NOT NULL LIMIT {MAP_POINT_LIMIT}",
        statement.sql
    );
    Ok(statement)
}
