use jiuye_sql_value::Backend;

use super::ast::SqlType;

/// What differs between the SQL of the supported databases. Everything else is rendered
/// once, in `render`.
pub trait Dialect: Send + Sync {
    fn backend(&self) -> Backend;
    /// The placeholder of the `index`-th (1-based) bound parameter.
    fn placeholder(&self, index: usize) -> String;
    fn type_name(&self, ty: SqlType) -> &'static str;
    /// The text before and after an expression that turns a pseudonym (lowercase hex)
    /// into its record key, the number its first four hex digits make.
    fn record_key(&self) -> (&'static str, &'static str);
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDialect;

impl Dialect for SqliteDialect {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
    /// Plain `?`: parameters bind in order. Numbered `?NNN` would make SQLite resolve
    /// each one through a linear list, quadratic in a bulk insert's thousands of values.
    fn placeholder(&self, _index: usize) -> String {
        "?".to_string()
    }
    fn type_name(&self, ty: SqlType) -> &'static str {
        match ty {
            SqlType::BigInt => "INTEGER",
            SqlType::Double => "REAL",
            SqlType::Text => "TEXT",
        }
    }
    /// A function the warehouse registers on every SQLite connection
    /// (`jiuye_warehouse` functions.rs): the SQL spelling cost half a demo load.
    fn record_key(&self) -> (&'static str, &'static str) {
        ("jiuye_record_key(", ")")
    }
}

/// PostgreSQL and its family (KingbaseES, openGauss, Citus).
impl Dialect for PostgresDialect {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
    fn placeholder(&self, index: usize) -> String {
        format!("${index}")
    }
    fn type_name(&self, ty: SqlType) -> &'static str {
        match ty {
            SqlType::BigInt => "BIGINT",
            SqlType::Double => "DOUBLE PRECISION",
            SqlType::Text => "TEXT",
        }
    }
    fn record_key(&self) -> (&'static str, &'static str) {
        ("('x' || SUBSTR(", ", 1, 4))::BIT(16)::INTEGER")
    }
}

pub fn dialect_for(backend: Backend) -> &'static dyn Dialect {
    match backend {
        Backend::Sqlite => &SqliteDialect,
        Backend::Postgres => &PostgresDialect,
    }
}
