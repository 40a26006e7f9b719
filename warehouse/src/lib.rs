//! The warehouse handle, one job: connect to SQLite (the embedded default) or PostgreSQL
//! (production, and its KingbaseES / openGauss / Citus family), run migrations, execute
//! statements with bound parameters and bulk-insert rows.
//!
//! It knows tables only as SQL text handed to it; it must not depend on the semantic
//! layer, the ETL or any surface. One driver (sqlx) serves queries, loads and migrations.

mod connect;
mod functions;
mod migrate;
mod rows;

use jiuye_sql_value::{Backend, ResultSet, SqlValue, Statement};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub use connect::ConnectOptions;
pub use rows::ColumnType;

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("cannot open the warehouse at {url}: {source}\n  hint: {hint}")]
    Connect { url: String, hint: String, source: sqlx::Error },
    #[error("unsupported database URL `{0}`: use a SQLite file path (warehouse.db, sqlite://path) or postgres://user@host:port/db")]
    UnsupportedUrl(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("SQL failed: {source}\n  statement: {sql}")]
    Sql { sql: String, source: sqlx::Error },
    #[error("the statement ran longer than the {limit:?} it may\n  statement: {sql}")]
    Timeout { sql: String, limit: std::time::Duration },
    #[error("cannot read column `{column}` of type {type_name}: {message}")]
    Decode {
        column: String,
        type_name: String,
        message: String,
    },
}

pub type Result<T> = std::result::Result<T, WarehouseError>;

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection pool to one warehouse.
#[derive(Clone, Debug)]
pub struct Warehouse {
    pool: Pool,
    /// The URL without credentials, for messages.
    display: String,
    /// See `ConnectOptions::statement_timeout`.
    statement_timeout: Option<std::time::Duration>,
}

/// An open transaction; dropped without `commit` it rolls back.
pub enum Transaction {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

fn sql_error(sql: &str) -> impl FnOnce(sqlx::Error) -> WarehouseError + '_ {
    move |source| WarehouseError::Sql {
        sql: sql.chars().take(2000).collect(),
        source,
    }
}

impl Warehouse {
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn display_url(&self) -> &str {
        &self.display
    }

    pub async fn begin(&self) -> Result<Transaction> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Transaction::Sqlite(p.begin().await.map_err(sql_error("BEGIN"))?),
            Pool::Postgres(p) => Transaction::Postgres(p.begin().await.map_err(sql_error("BEGIN"))?),
        })
    }

    pub async fn fetch(&self, statement: &Statement) -> Result<ResultSet> {
        let sql = statement.sql.clone();
        match (&self.pool, self.statement_timeout) {
            (Pool::Sqlite(p), None) => rows::sqlite_fetch(p, statement).await,
            (Pool::Sqlite(p), Some(limit)) => sqlite_fetch_within(p, statement, limit).await,
            (Pool::Postgres(p), _) => rows::postgres_fetch(p, statement).await,
        }
        .map_err(|e| e.with_sql(&sql).timed_out(self.statement_timeout))
    }

    /// The longest a statement of this handle may run, if bounded.
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        self.statement_timeout
    }

    pub async fn execute(&self, statement: &Statement) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(statement).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Runs a script of several statements with no parameters (DDL).
    pub async fn execute_script(&self, sql: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute_script(sql).await?;
        tx.commit().await
    }

    /// PostgreSQL `COPY … FROM STDIN` fed from a file, for measuring the raw bulk-load
    /// ceiling. `copy_sql` is trusted text written by the caller.
    pub async fn postgres_copy_from_file(&self, copy_sql: &str, path: &std::path::Path) -> Result<u64> {
        let Pool::Postgres(pool) = &self.pool else {
            return Err(WarehouseError::Migrate("COPY is a PostgreSQL statement".into()));
        };
        let mut conn = pool.acquire().await.map_err(sql_error(copy_sql))?;
        let mut copy = conn.copy_in_raw(copy_sql).await.map_err(sql_error(copy_sql))?;
        let mut file = std::fs::File::open(path).map_err(|e| WarehouseError::Migrate(format!("cannot read {}: {e}", path.display())))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf).map_err(|e| WarehouseError::Migrate(e.to_string()))?;
            if n == 0 {
                break;
            }
            copy.send(&buf[..n]).await.map_err(sql_error(copy_sql))?;
        }
        copy.finish().await.map_err(sql_error(copy_sql))
    }

    /// Refreshes planner statistics of the tables a load changed.
    pub async fn analyze(&self, tables: &[&str]) -> Result<()> {
        let sql = match self.backend() {
            Backend::Sqlite => "PRAGMA optimize".to_string(),
            Backend::Postgres if tables.is_empty() => return Ok(()),
            Backend::Postgres => format!("ANALYZE {}", tables.join(", ")),
        };
        match &self.pool {
            Pool::Sqlite(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
            Pool::Postgres(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()),
        }
        .map_err(sql_error(&sql))
    }

    /// Whether `close` was called: nothing more can run.
    pub fn is_closed(&self) -> bool {
        match &self.pool {
            Pool::Sqlite(p) => p.is_closed(),
            Pool::Postgres(p) => p.is_closed(),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Transaction {
    pub fn backend(&self) -> Backend {
        match self {
            Transaction::Sqlite(_) => Backend::Sqlite,
            Transaction::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        let sql = sqlx::AssertSqlSafe(statement.sql.clone());
        let done = match self {
            Transaction::Sqlite(tx) => {
                let q = statement.params.iter().fold(sqlx::query(sql), rows::bind_sqlite);
                q.execute(&mut **tx).await.map(|r| r.rows_affected())
            }
            Transaction::Postgres(tx) => {
                let q = statement.params.iter().fold(sqlx::query(sql), rows::bind_postgres);
                q.execute(&mut **tx).await.map(|r| r.rows_affected())
            }
        };
        done.map_err(sql_error(&statement.sql))
    }

    pub async fn fetch(&mut self, statement: &Statement) -> Result<ResultSet> {
        match self {
            Transaction::Sqlite(tx) => rows::sqlite_fetch(&mut **tx, statement).await,
            Transaction::Postgres(tx) => rows::postgres_fetch(&mut **tx, statement).await,
        }
        .map_err(|e| e.with_sql(&statement.sql))
    }

    pub async fn execute_script(&mut self, sql: &str) -> Result<()> {
        let raw = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()));
        match self {
            Transaction::Sqlite(tx) => raw.execute(&mut **tx).await.map(|_| ()),
            Transaction::Postgres(tx) => raw.execute(&mut **tx).await.map(|_| ()),
        }
        .map_err(sql_error(sql))
    }

    /// Multi-row `INSERT` in chunks that stay under each backend's parameter limit.
    /// `columns` gives each column's type so that a null binds with the right type.
    pub async fn insert_rows(&mut self, table: &str, columns: &[(&str, ColumnType)], rows: &[Vec<SqlValue>]) -> Result<u64> {
        self.insert_rows_with(table, columns, rows, "").await
    }

    /// As `insert_rows`, with a trailing clause such as `ON CONFLICT (…) DO UPDATE …`.
    pub async fn insert_rows_with(
        &mut self,
        table: &str,
        columns: &[(&str, ColumnType)],
        rows: &[Vec<SqlValue>],
        trailer: &str,
    ) -> Result<u64> {
        let mut total = 0;
        let per_chunk = (30_000 / columns.len().max(1)).max(1);
        for chunk in rows.chunks(per_chunk) {
            let statement = rows::insert_statement(self.backend(), table, columns, chunk, trailer);
            let sql = sqlx::AssertSqlSafe(statement.clone());
            let done = match self {
                Transaction::Sqlite(tx) => {
                    let mut q = sqlx::query(sql);
                    for row in chunk {
                        for (value, (_, ty)) in row.iter().zip(columns) {
                            q = rows::bind_sqlite_typed(q, value, *ty);
                        }
                    }
                    q.execute(&mut **tx).await.map(|r| r.rows_affected())
                }
                Transaction::Postgres(tx) => {
                    let mut q = sqlx::query(sql);
                    for row in chunk {
                        for (value, (_, ty)) in row.iter().zip(columns) {
                            q = rows::bind_postgres_typed(q, value, *ty);
                        }
                    }
                    q.execute(&mut **tx).await.map(|r| r.rows_affected())
                }
            };
            total += done.map_err(sql_error(&statement))?;
        }
        Ok(total)
    }

    /// Appends rows the fastest way the backend has: `COPY … FROM STDIN` on PostgreSQL,
    /// multi-row INSERTs on SQLite. For plain appends (no conflict handling).
    pub async fn copy_rows(&mut self, table: &str, columns: &[(&str, ColumnType)], rows: &[Vec<SqlValue>]) -> Result<u64> {
        let Transaction::Postgres(tx) = self else {
            return self.insert_rows(table, columns, rows).await;
        };
        if rows.is_empty() {
            return Ok(0);
        }
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let sql = format!("COPY {table} ({}) FROM STDIN", names.join(", "));
        let mut copy = tx.copy_in_raw(&sql).await.map_err(sql_error(&sql))?;
        let mut buf = String::with_capacity(1 << 20);
        for row in rows {
            for (i, value) in row.iter().enumerate() {
                if i > 0 {
                    buf.push('\t');
                }
                rows::copy_text(&mut buf, value);
            }
            buf.push('\n');
            if buf.len() >= 1 << 20 {
                copy.send(buf.as_bytes()).await.map_err(sql_error(&sql))?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_bytes()).await.map_err(sql_error(&sql))?;
        }
        copy.finish().await.map_err(sql_error(&sql))
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Transaction::Sqlite(tx) => tx.commit().await,
            Transaction::Postgres(tx) => tx.commit().await,
        }
        .map_err(sql_error("COMMIT"))
    }
}

/// A SQLite read interrupted at `limit`: its connection's progress handler stops the
/// statement once the deadline has passed (checked every thousand virtual-machine steps).
async fn sqlite_fetch_within(pool: &SqlitePool, statement: &Statement, limit: std::time::Duration) -> Result<ResultSet> {
    let mut conn = pool.acquire().await.map_err(sql_error(&statement.sql))?;
    let deadline = std::time::Instant::now() + limit;
    conn.lock_handle()
        .await
        .map_err(sql_error(&statement.sql))?
        .set_progress_handler(1_000, move || std::time::Instant::now() < deadline);
    let result = rows::sqlite_fetch(&mut *conn, statement).await;
    // The connection returns to the pool: no handler may outlive this statement.
    let cleared = match conn.lock_handle().await {
        Ok(mut handle) => {
            handle.remove_progress_handler();
            true
        }
        Err(_) => false,
    };
    if !cleared {
        let _ = sqlx::Connection::close_hard(conn.detach()).await;
    }
    result
}

impl WarehouseError {
    /// A statement the database stopped at the handle's limit (SQLite `SQLITE_INTERRUPT`,
    /// PostgreSQL `query_canceled`) is a `Timeout`.
    fn timed_out(self, limit: Option<std::time::Duration>) -> WarehouseError {
        let Some(limit) = limit else { return self };
        match self {
            WarehouseError::Sql {
                sql,
                source: sqlx::Error::Database(db),
            } if matches!(db.code().as_deref(), Some("9" | "57014")) => WarehouseError::Timeout { sql, limit },
            other => other,
        }
    }

    fn with_sql(self, sql: &str) -> WarehouseError {
        match self {
            WarehouseError::Sql { source, .. } => WarehouseError::Sql {
                sql: sql.chars().take(2000).collect(),
                source,
            },
            other => other,
        }
    }
}
