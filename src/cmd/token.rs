use std::process::ExitCode;

use clap::Subcommand;

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token; the token is printed as the last line (stored hashed only).
    ///
    /// A token holds a business role (city_analyst, district_analyst, viewer,
    /// data_engineer, or one the security administrator added) or `monitor` (a
    /// Prometheus scraper's, for /metrics); administrators log in instead, with a second
    /// factor. The creation is recorded in the audit log, so the secret key is needed
    /// (JIUYE_SECRET_KEY, JIUYE_KEY_FILE or --key-file).
    Create {
        #[arg(long)]
        role: String,
        /// The district of a district-scoped role (GB/T 2260 code, e.g. 310115).
        #[arg(long)]
        district: Option<String>,
        /// Who holds the token (a person or a system), shown in curation history.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
        /// The secret key file (else JIUYE_SECRET_KEY or JIUYE_KEY_FILE).
        #[arg(long)]
        key_file: Option<std::path::PathBuf>,
        /// Days until the token stops working (1–366).
        #[arg(long, default_value_t = jiuye_graphql::auth::DEFAULT_TOKEN_DAYS, value_parser = clap::value_parser!(i64).range(1..=366))]
        expires_in_days: i64,
    },
    /// List every token: id, role, district, holder, created, expires, revoked (never
    /// the token itself). Read-only.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Revoke a token by the id `token list` shows (at least 8 hex digits); requests
    /// with it are refused from then on. Recorded in the audit log.
    Revoke {
        #[arg(long)]
        id: String,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<std::path::PathBuf>,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            role,
            district,
            label,
            db,
            key_file,
            expires_in_days,
        } => {
            let keys = super::etl::load_keys(key_file)?;
            if let Some(code) = &district {
                super::user::check_district(code)?;
            }
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            let new = jiuye_graphql::auth::NewToken {
                label: label.as_deref(),
                days: expires_in_days,
                ..jiuye_graphql::auth::NewToken::new(&role, district.as_deref())
            };
            let token = jiuye_graphql::auth::create(&warehouse, &new).await?;
            let role_name = role.as_str();
            record_created(&warehouse, &keys, role_name, district.as_deref(), label.as_deref()).await?;
            eprintln!("created a {role_name} token valid {expires_in_days} days; send it as `Authorization: Bearer <token>`:");
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { db } => {
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            println!(
                "{:<12}  {:<16}  {:<8}  {:<20}  {:<27}  {:<27}  revoked",
                "id", "role", "district", "holder", "created", "expires"
            );
            for t in jiuye_graphql::auth::list_tokens(&warehouse).await? {
                println!(
                    "{:<12}  {:<16}  {:<8}  {:<20}  {:<27}  {:<27}  {}",
                    t.id,
                    t.role,
                    t.district.as_deref().unwrap_or("-"),
                    t.holder.as_deref().unwrap_or("-"),
                    t.created_at,
                    t.expires_at.as_deref().unwrap_or("never: replace it"),
                    t.revoked_at.as_deref().unwrap_or("-"),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, db, key_file } => {
            let keys = super::etl::load_keys(key_file)?;
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            let Some(revoked) = jiuye_graphql::auth::revoke_token(&warehouse, &id, None).await? else {
                anyhow::bail!("no live token has the id `{id}`; `jiuye token list` shows them");
            };
            let mut event = jiuye_audit::AuditEvent::new(super::audit::cli_actor(), "token.revoked");
            event.detail = serde_json::json!({ "id": revoked.id, "role": revoked.role, "holder": revoked.holder });
            super::audit::record(&warehouse, &keys, event).await?;
            eprintln!(
                "revoked token {} ({} held by {})",
                revoked.id,
                revoked.role,
                revoked.holder.as_deref().unwrap_or("-")
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The audit record of a token's creation (never the token itself).
pub async fn record_created(
    warehouse: &jiuye_warehouse::Warehouse,
    keys: &jiuye_privacy::Keys,
    role: &str,
    district: Option<&str>,
    label: Option<&str>,
) -> anyhow::Result<()> {
    let mut event = jiuye_audit::AuditEvent::new(super::audit::cli_actor(), "token.created");
    event.detail = serde_json::json!({ "role": role, "district": district, "holder": label });
    super::audit::record(warehouse, keys, event).await
}
