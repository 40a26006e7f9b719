//! The typed query structure every generated statement goes through, and its rendering
//! per dialect with bound parameters. Nothing here reads a user value into SQL text:
//! identifiers come from the validated model, values become parameters.

mod ast;
mod dialect;
mod render;

pub use ast::{AggFunc, AsKnown, Expr, Join, Select, SqlType, TableRef, WriteStatement};
pub use dialect::{Dialect, PostgresDialect, SqliteDialect, dialect_for};
pub use render::{render_select, render_write};
