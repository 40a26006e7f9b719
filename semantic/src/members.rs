//! The members of a dimension (`dimensionMembers`): codes and names from its code table
//! (`dim_code`) or, for a registry-backed dimension (employers, parks, bases), from the
//! registry — a district caller's registry members limited to its district, as its map
//! layers are. Pages of at most `MAX_MEMBERS`, in code order, after a given code.

use jiuye_sql_value::{SqlValue, Statement};

use crate::SemanticError;
use crate::catalog::Catalog;
use crate::request::Caller;
use crate::sql::{Dialect, Expr, Select, render_select};

/// Most members one page holds.
pub const MAX_MEMBERS: u32 = 5_000;

/// Columns: code, name, parent, successor. With `codes`, only those members (the names
/// of the employers a ranking shows, say), at most `MAX_MEMBERS` of them.
pub fn members_statement(
    catalog: &Catalog,
    dimension: &str,
    caller: &Caller,
    after: Option<&str>,
    first: u32,
    codes: &[String],
    dialect: &dyn Dialect,
) -> Result<Statement, SemanticError> {
    if codes.len() > MAX_MEMBERS as usize {
        return Err(SemanticError::InvalidQuery(format!(
            "at most {MAX_MEMBERS} codes, not {}",
            codes.len()
        )));
    }
    if first == 0 || first > MAX_MEMBERS {
        return Err(SemanticError::InvalidQuery(format!(
            "first must be 1 to {MAX_MEMBERS}, not {first}"
        )));
    }
    let dim = catalog.dimension(dimension)?;
    let mut select = match &dim.members {
        Some(m) => {
            let mut s = Select::from(&m.table, "m");
            s.columns.push((Expr::col("m", &m.code), "code".into()));
            s.columns.push((Expr::col("m", &m.name), "name".into()));
            s.columns.push((Expr::Param(SqlValue::Null), "parent".into()));
            s.columns.push((Expr::Param(SqlValue::Null), "successor".into()));
            if let Some(own) = &caller.district {
                s.filter
                    .push(Expr::eq(Expr::col("m", &m.district), Expr::Param(SqlValue::Text(own.clone()))));
            }
            s
        }
        None => {
            let mut s = Select::from("dim_code", "m");
            for c in ["code", "name", "parent", "successor"] {
                s.columns.push((Expr::col("m", c), c.into()));
            }
            s.filter.push(Expr::eq(
                Expr::col("m", "code_table"),
                Expr::Param(SqlValue::Text(dim.code_table.clone())),
            ));
            s
        }
    };
    let code = select.columns[0].0.clone();
    if !codes.is_empty() {
        select.filter.push(Expr::in_list(
            code.clone(),
            codes.iter().map(|c| SqlValue::Text(c.clone())).collect(),
        ));
    }
    if let Some(after) = after {
        select.filter.push(Expr::Below(
            Box::new(Expr::Param(SqlValue::Text(after.to_string()))),
            Box::new(code.clone()),
        ));
    }
    select.order_by.push(code);
    let mut statement = render_select(&select, dialect);
    statement
        .sql
        .push_str(&format!("\nLIMIT {}", dialect.placeholder(statement.params.len() + 1)));
    statement.params.push(SqlValue::Int(i64::from(first)));
    Ok(statement)
}
