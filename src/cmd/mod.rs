//! One module per command group.

pub mod bench;
pub mod bench_query;
pub mod demo;
pub mod etl;
pub mod kb;
pub mod key;
pub mod model;
pub mod query;
pub mod seeds;
pub mod token;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jiuye_semantic::Catalog;
use jiuye_warehouse::{ConnectOptions, Warehouse};

use crate::DatabaseArgs;

/// Opens the warehouse and brings its schema and reference data up to date.
pub async fn open_warehouse(db: &DatabaseArgs) -> anyhow::Result<(Warehouse, Arc<Catalog>)> {
    let catalog = Arc::new(Catalog::builtin().context("the built-in semantic model is invalid")?);
    let options = ConnectOptions {
        url: db.database_url.clone(),
        schema: db.schema.clone(),
    };
    let warehouse = Warehouse::connect(&options).await?;
    let codes = jiuye_etl::CodeTables::load()?;
    jiuye_etl::prepare_warehouse(&warehouse, &catalog, &codes).await?;
    Ok((warehouse, catalog))
}

pub async fn serve(db: &DatabaseArgs, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    let (warehouse, catalog) = open_warehouse(db).await?;
    eprintln!("serving GraphQL at http://{addr}/graphql and GraphiQL at http://{addr}/graphiql (Ctrl-C stops)");
    let state = jiuye_graphql::AppState::new(warehouse, catalog).await?;
    jiuye_graphql::serve(state, addr)
        .await
        .with_context(|| format!("cannot serve on {addr}; is the port in use? pass --addr"))?;
    Ok(ExitCode::SUCCESS)
}
