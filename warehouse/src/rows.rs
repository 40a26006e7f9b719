//! Binding `SqlValue`s and decoding rows, per backend.

use jiuye_sql_value::{Backend, ResultSet, SqlValue, Statement};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Column, Executor, Postgres, Row, Sqlite, TypeInfo, ValueRef};

use crate::{Result, WarehouseError};

/// Column types of bulk inserts, so nulls bind with the column's type (PostgreSQL
/// refuses a text null in a BIGINT column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Float,
    Text,
}

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments>;
type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

pub(crate) fn bind_sqlite<'q>(q: SqliteQuery<'q>, v: &SqlValue) -> SqliteQuery<'q> {
    match v {
        SqlValue::Null => q.bind(None::<String>),
        SqlValue::Int(i) => q.bind(*i),
        SqlValue::Float(f) => q.bind(*f),
        SqlValue::Text(s) => q.bind(s.clone()),
    }
}

pub(crate) fn bind_postgres<'q>(q: PgQuery<'q>, v: &SqlValue) -> PgQuery<'q> {
    match v {
        SqlValue::Null => q.bind(None::<String>),
        SqlValue::Int(i) => q.bind(*i),
        SqlValue::Float(f) => q.bind(*f),
        SqlValue::Text(s) => q.bind(s.clone()),
    }
}

pub(crate) fn bind_sqlite_typed<'q>(q: SqliteQuery<'q>, v: &SqlValue, ty: ColumnType) -> SqliteQuery<'q> {
    bind_sqlite(q, v).tap_type(ty)
}

pub(crate) fn bind_postgres_typed<'q>(q: PgQuery<'q>, v: &SqlValue, ty: ColumnType) -> PgQuery<'q> {
    match (v, ty) {
        (SqlValue::Null, ColumnType::Int) => q.bind(None::<i64>),
        (SqlValue::Null, ColumnType::Float) => q.bind(None::<f64>),
        (SqlValue::Int(i), ColumnType::Float) => q.bind(*i as f64),
        _ => bind_postgres(q, v),
    }
}

trait TapType {
    fn tap_type(self, ty: ColumnType) -> Self;
}
impl TapType for SqliteQuery<'_> {
    // SQLite stores any value in any column; the type only matters to PostgreSQL.
    fn tap_type(self, _ty: ColumnType) -> Self {
        self
    }
}

pub(crate) fn insert_statement(
    backend: Backend,
    table: &str,
    columns: &[(&str, ColumnType)],
    rows: &[Vec<SqlValue>],
    trailer: &str,
) -> String {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    let mut n = 0;
    for (r, _) in rows.iter().enumerate() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    if !trailer.is_empty() {
        sql.push(' ');
        sql.push_str(trailer);
    }
    sql
}

/// A value in PostgreSQL's COPY text format: `\N` for null, backslash escapes for the
/// separators.
pub(crate) fn copy_text(buf: &mut String, value: &SqlValue) {
    match value {
        SqlValue::Null => buf.push_str("\\N"),
        SqlValue::Int(i) => buf.push_str(&i.to_string()),
        SqlValue::Float(f) => buf.push_str(&f.to_string()),
        SqlValue::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    other => buf.push(other),
                }
            }
        }
    }
}

fn decode_error(column: &str, type_name: &str, e: impl std::fmt::Display) -> WarehouseError {
    WarehouseError::Decode {
        column: column.to_string(),
        type_name: type_name.to_string(),
        message: e.to_string(),
    }
}

/// Rows to a `ResultSet`: column names, nulls and the type name of each cell are read
/// the same way for every backend; `decode` turns a non-null cell of a given type name
/// into a value.
fn result_set<R>(rows: &[R], decode: impl Fn(&R, usize, &str, &str) -> Result<SqlValue>) -> Result<ResultSet>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
{
    let mut out = ResultSet::default();
    if let Some(first) = rows.first() {
        out.columns = first.columns().iter().map(|c| c.name().to_string()).collect();
    }
    for row in rows {
        let mut cells = Vec::with_capacity(out.columns.len());
        for (i, name) in out.columns.iter().enumerate() {
            let raw = row.try_get_raw(i).map_err(|e| decode_error(name, "?", e))?;
            cells.push(if raw.is_null() {
                SqlValue::Null
            } else {
                let type_name = raw.type_info().name().to_string();
                drop(raw);
                decode(row, i, name, &type_name)?
            });
        }
        out.rows.push(cells);
    }
    Ok(out)
}

pub(crate) async fn sqlite_fetch<'e, E: Executor<'e, Database = Sqlite>>(executor: E, statement: &Statement) -> Result<ResultSet> {
    let q = statement
        .params
        .iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())), bind_sqlite);
    let rows = q.fetch_all(executor).await.map_err(|source| WarehouseError::Sql {
        sql: String::new(),
        source,
    })?;
    result_set(&rows, |row, i, name, type_name| {
        let err = |e| decode_error(name, type_name, e);
        Ok(match type_name {
            "INTEGER" | "BOOLEAN" => SqlValue::Int(row.try_get::<i64, _>(i).map_err(err)?),
            "REAL" | "NUMERIC" => SqlValue::Float(row.try_get::<f64, _>(i).map_err(err)?),
            _ => SqlValue::Text(row.try_get::<String, _>(i).map_err(err)?),
        })
    })
}

pub(crate) async fn postgres_fetch<'e, E: Executor<'e, Database = Postgres>>(executor: E, statement: &Statement) -> Result<ResultSet> {
    let q = statement
        .params
        .iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())), bind_postgres);
    let rows = q.fetch_all(executor).await.map_err(|source| WarehouseError::Sql {
        sql: String::new(),
        source,
    })?;
    result_set(&rows, |row, i, name, type_name| {
        let err = |e| decode_error(name, type_name, e);
        Ok(match type_name {
            "INT8" => SqlValue::Int(row.try_get::<i64, _>(i).map_err(err)?),
            "INT4" => SqlValue::Int(row.try_get::<i32, _>(i).map_err(err)? as i64),
            "INT2" => SqlValue::Int(row.try_get::<i16, _>(i).map_err(err)? as i64),
            "FLOAT8" => SqlValue::Float(row.try_get::<f64, _>(i).map_err(err)?),
            "FLOAT4" => SqlValue::Float(row.try_get::<f32, _>(i).map_err(err)? as f64),
            "NUMERIC" => {
                let d = row.try_get::<rust_decimal::Decimal, _>(i).map_err(err)?;
                SqlValue::Float(rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(f64::NAN))
            }
            "BOOL" => SqlValue::Int(row.try_get::<bool, _>(i).map_err(err)? as i64),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => SqlValue::Text(row.try_get::<String, _>(i).map_err(err)?),
            other => {
                return Err(decode_error(
                    name,
                    other,
                    "unsupported result type; cast it to BIGINT, DOUBLE PRECISION or TEXT in the query",
                ));
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators_and_nulls() {
        let mut buf = String::new();
        for v in [
            SqlValue::Null,
            SqlValue::Text("a\tb\nc\\d\re".into()),
            SqlValue::Int(-3),
            SqlValue::Float(1.5),
        ] {
            copy_text(&mut buf, &v);
            buf.push('|');
        }
        assert_eq!(buf, "\\N|a\\tb\\nc\\\\d\\re|-3|1.5|");
    }
}
