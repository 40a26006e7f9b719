use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jiuye_privacy::{KeySource, Keys};

use crate::DatabaseArgs;

/// Generate → load → token → serve, all under `dir`.
pub async fn run(dir: &Path, addr: SocketAddr, scale: f64, no_serve: bool, limits: &crate::LimitArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let exports = dir.join("exports");
    let key_file = dir.join("secret.key");
    if !key_file.exists() {
        jiuye_privacy::KeyFile::generate().save_new(&key_file)?;
        eprintln!("created a demo secret key at {} (never commit a key)", key_file.display());
    }
    let keys = Keys::load(&KeySource::File(key_file.clone()))?;

    eprintln!("generating demo exports into {} …", exports.display());
    let summary = jiuye_seeds::generate_demo(
        &exports,
        &jiuye_seeds::DemoConfig {
            scale,
            ..Default::default()
        },
    )?;
    let rows: usize = summary.files.iter().map(|f| f.rows).sum();
    eprintln!(
        "  {} files, {rows} rows (with a few deliberately broken rows and a corrections file)",
        summary.files.len()
    );

    let db = DatabaseArgs {
        database_url: dir.join("warehouse.db").display().to_string(),
        schema: None,
    };
    let (warehouse, catalog) = super::open_warehouse(&db).await?;
    let bars = super::etl::Bars::new(false);
    let report = jiuye_etl::run(&warehouse, &catalog, &keys, &exports, &bars).await?;
    super::etl::print_table(&report);

    let token = jiuye_graphql::auth::create_token(&warehouse, "city_analyst", None, Some("demo analyst")).await?;
    super::token::record_created(&warehouse, &keys, "analyst", None, Some("demo analyst")).await?;
    let query = r#"{"query":"{ metrics(indicators: [\"hire_persons\"], dimensions: [\"district\"], grain: MONTH, timeRange: {from: \"2025-01-01\", to: \"2025-03-31\"}, compare: [YOY]) { columns rows } }"}"#;
    let accounts = [("demo", "city_analyst", None), ("pudong", "district_analyst", Some("310115"))];
    let mut passwords = Vec::new();
    for (username, role, district) in accounts {
        passwords.push(demo_account(&warehouse, &keys, username, role, district).await?);
    }
    println!();
    println!(
        "screens:       http://{addr}/  sign in as `demo` / {} (the whole city)",
        passwords[0]
    );
    println!("               or `pudong` / {} (a district analyst of 浦东新区)", passwords[1]);
    println!("analyst token: {token}");
    println!("GraphiQL:      http://{addr}/graphiql  (paste the token into the Headers tab)");
    println!("try:");
    println!("  curl -s http://{addr}/graphql -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' -d '{query}'");
    println!("or without a server:");
    println!(
        "  cargo run --release -- query --database-url {} --indicator hire_persons --by district --grain MONTH --from 2025-01-01 --to 2025-03-31 --compare yoy",
        db.database_url
    );
    if no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    super::serve(&db, addr, limits, keys, None).await
}

/// A demo account with a fresh password (printed, as the demo's own accounts are
/// throwaway): created on the first run, its password replaced on later ones.
async fn demo_account(
    warehouse: &jiuye_warehouse::Warehouse,
    keys: &Keys,
    username: &str,
    role: &str,
    district: Option<&str>,
) -> anyhow::Result<String> {
    let identity = jiuye_identity::Identity::new(warehouse.clone(), keys.clone());
    let password = format!("Jy-{}", &Keys::generate_hex()[..12]);
    let now = chrono::Utc::now();
    let new = jiuye_identity::NewUser {
        username: username.into(),
        display_name: None,
        role: role.into(),
        district: district.map(str::to_string),
        password: password.clone(),
    };
    match identity.create_user(new, now).await {
        Ok(_) => {}
        Err(jiuye_identity::IdentityError::UserExists(_)) => {
            let temporary = format!("Tmp-{}", &Keys::generate_hex()[..12]);
            identity.reset_password(username, &temporary, "demo", now).await?;
            identity.change_password(username, &temporary, &password, now).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(password)
}
