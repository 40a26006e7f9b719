//! Opening a warehouse from a URL.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Pool, Result, Warehouse, WarehouseError};

/// How to open a warehouse.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `postgres://…`, `sqlite://path`, or a plain file path (SQLite).
    pub url: String,
    /// PostgreSQL schema holding the warehouse tables (created if missing); `None` uses
    /// the server's search_path (normally `public`).
    pub schema: Option<String>,
    /// Longest a statement may run before the database stops it (`WarehouseError::Timeout`):
    /// PostgreSQL's `statement_timeout`; on SQLite an interrupt from the progress handler.
    /// `None` for the ETL, whose statements are as long as the data.
    pub statement_timeout: Option<Duration>,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> ConnectOptions {
        ConnectOptions {
            url: url.into(),
            schema: None,
            statement_timeout: None,
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

impl Warehouse {
    pub async fn connect(options: &ConnectOptions) -> Result<Warehouse> {
        let url = options.url.trim();
        let display = redact(url);
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut pg = PgConnectOptions::from_str(url).map_err(|source| WarehouseError::Connect {
                url: display.clone(),
                hint: "check the URL form postgres://user[:password]@host:port/database".into(),
                source,
            })?;
            if let Some(schema) = &options.schema {
                if !valid_schema(schema) {
                    return Err(WarehouseError::Migrate(format!(
                        "schema name `{schema}` must be lower-case letters, digits and _"
                    )));
                }
                // Create the schema through a plain connection first, then pin every
                // pooled connection's search_path to it.
                let setup = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(pg.clone())
                    .await
                    .map_err(|source| WarehouseError::Connect {
                        url: display.clone(),
                        hint: "is PostgreSQL running and the database created?".into(),
                        source,
                    })?;
                // Only when missing: PostgreSQL checks the privilege to create before it
                // looks, and a serving role may only read.
                let exists = sqlx::query("SELECT 1 FROM pg_namespace WHERE nspname = $1")
                    .bind(schema.as_str())
                    .fetch_optional(&setup)
                    .await
                    .map_err(|source| WarehouseError::Sql {
                        sql: "SELECT 1 FROM pg_namespace".into(),
                        source,
                    })?
                    .is_some();
                if !exists {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                        .execute(&setup)
                        .await
                        .map_err(|source| WarehouseError::Sql {
                            sql: format!("CREATE SCHEMA {schema}"),
                            source,
                        })?;
                }
                setup.close().await;
                pg = pg.options([("search_path", schema.as_str())]);
            }
            // Plan every execution with its parameters and the tables' current size. A
            // cached generic plan made while a table was empty (first load) would keep
            // seq-scanning it after it has grown.
            pg = pg.options([("plan_cache_mode", "force_custom_plan")]);
            if let Some(limit) = options.statement_timeout {
                pg = pg.options([("statement_timeout", limit.as_millis().max(1).to_string())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(pg)
                .await
                .map_err(|source| WarehouseError::Connect {
                    url: display.clone(),
                    hint: "is PostgreSQL running, the database created and the user allowed to connect?".into(),
                    source,
                })?;
            return Ok(Warehouse {
                pool: Pool::Postgres(pool),
                display,
                statement_timeout: options.statement_timeout,
            });
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.contains("://") {
            return Err(WarehouseError::UnsupportedUrl(display));
        }
        create_owner_only(path)?;
        let sqlite = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    let mut handle = conn.lock_handle().await?;
                    crate::functions::register(handle.as_raw_handle().as_ptr()).map_err(|e| sqlx::Error::Configuration(e.into()))
                })
            })
            .connect_with(sqlite)
            .await
            .map_err(|source| WarehouseError::Connect {
                url: display.clone(),
                hint: "check that the directory exists and is writable".into(),
                source,
            })?;
        Ok(Warehouse {
            pool: Pool::Sqlite(pool),
            display,
            statement_timeout: options.statement_timeout,
        })
    }

    /// Drops a PostgreSQL schema and everything in it (test clean-up).
    pub async fn drop_postgres_schema(url: &str, schema: &str) -> Result<()> {
        if !valid_schema(schema) {
            return Err(WarehouseError::Migrate(format!("bad schema name `{schema}`")));
        }
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|source| WarehouseError::Connect {
                url: redact(url),
                hint: "is PostgreSQL running?".into(),
                source,
            })?;
        let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&pool)
            .await
            .map_err(|source| WarehouseError::Sql { sql, source })?;
        pool.close().await;
        Ok(())
    }
}

/// A new SQLite warehouse file is created readable by its owner only (0600), before
/// SQLite opens it: it holds ODS ciphertexts and pseudonyms, and SQLite gives its
/// journal files the main file's permissions. An existing file is left as it is.
fn create_owner_only(path: &str) -> Result<()> {
    if path == ":memory:" || path.starts_with("file:") || std::path::Path::new(path).exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(WarehouseError::Migrate(format!(
            "cannot create the warehouse file {path}: {e}; check that the directory exists and is writable"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
        assert_eq!(redact("warehouse.db"), "warehouse.db");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_warehouse_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        create_owner_only(path.to_str().unwrap()).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        create_owner_only(path.to_str().unwrap()).unwrap();
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(valid_schema("jy_test_01"));
        assert!(!valid_schema("x; drop table y"));
        assert!(!valid_schema("1abc"));
    }
}
