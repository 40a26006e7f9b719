use std::process::ExitCode;

use clap::Subcommand;

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token; the token is printed as the last line (stored hashed only).
    ///
    /// admin and analyst see every district and the generated SQL; a district token sees
    /// only its own district.
    Create {
        #[arg(long, value_parser = ["admin", "analyst", "district"])]
        role: String,
        /// The district of a district token (GB/T 2260 code, e.g. 310115).
        #[arg(long)]
        district: Option<String>,
        /// Who holds the token (a person or a system), shown in curation history.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create { role, district, label, db } => {
            let role = jiuye_graphql::auth::parse_role(&role, district.as_deref())?;
            if let jiuye_semantic::Role::District(code) = &role {
                let codes = jiuye_etl::CodeTables::load()?;
                if codes.get("district", code).is_none_or(|r| r.parent.is_none()) {
                    anyhow::bail!("`{code}` is not a district code of GB/T 2260 (e.g. 310115 浦东新区)");
                }
            }
            let (warehouse, _) = super::open_warehouse(&db).await?;
            let token = jiuye_graphql::auth::create_token(&warehouse, &role, label.as_deref()).await?;
            eprintln!("created a {} token; send it as `Authorization: Bearer <token>`:", role.name());
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
