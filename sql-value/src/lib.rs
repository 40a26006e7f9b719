//! The values that cross the line between SQL text and the database: bound parameters
//! going in, cells coming out, and the backend kind that decides the dialect.
//!
//! One job, shared by `jiuye-semantic` (which renders SQL but holds no driver) and
//! `jiuye-warehouse` (which executes it). It must not depend on any database driver or
//! on any other jiuye crate.

use serde::Serialize;

/// The database family a warehouse runs on. PostgreSQL also stands for its dialect
/// family (KingbaseES, openGauss, Citus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A bound parameter or a result cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SqlValue {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl SqlValue {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Int(v) => Some(*v),
            SqlValue::Float(v) if v.fract() == 0.0 => Some(*v as i64),
            SqlValue::Text(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SqlValue::Int(v) => Some(*v as f64),
            SqlValue::Float(v) => Some(*v),
            SqlValue::Text(s) => s.parse().ok(),
            SqlValue::Null => None,
        }
    }

    /// The cell as text, for dimension codes and keys.
    pub fn to_key(&self) -> String {
        match self {
            SqlValue::Null => String::new(),
            SqlValue::Int(v) => v.to_string(),
            SqlValue::Float(v) => v.to_string(),
            SqlValue::Text(s) => s.clone(),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SqlValue::Null => serde_json::Value::Null,
            SqlValue::Int(v) => (*v).into(),
            SqlValue::Float(v) => serde_json::Number::from_f64(*v)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            SqlValue::Text(s) => s.clone().into(),
        }
    }

    /// The inverse of [`SqlValue::to_json`] (whole JSON numbers are `Int`).
    pub fn from_json(value: &serde_json::Value) -> SqlValue {
        match value {
            serde_json::Value::Null => SqlValue::Null,
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => SqlValue::Int(i),
                None => n.as_f64().map(SqlValue::Float).unwrap_or(SqlValue::Null),
            },
            serde_json::Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        }
    }
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_string())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(SqlValue::Null)
    }
}

/// A statement with `?`-free placeholders already rendered for its dialect, and the
/// values to bind to them, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// Rows returned by a query: column names and cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

impl ResultSet {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}
