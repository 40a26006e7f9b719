//! `jiuye user`: people who log in (docs/security.md: password policy, lockout, TOTP).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use jiuye_audit::AuditEvent;
use jiuye_identity::{Identity, NewUser};

use crate::DatabaseArgs;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from the first line of standard input (never
    /// a flag, which would stay in the shell history).
    ///
    /// The password needs 12+ characters mixing three of lower-case, upper-case, digits
    /// and other characters, and not the username. admin and auditor users must log in
    /// with a TOTP code too: their secret is printed once, as an otpauth:// URI for an
    /// authenticator app.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["admin", "analyst", "district", "auditor"])]
        role: String,
        /// The district of a district user (GB/T 2260 code, e.g. 310115).
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Lift a lockout (after five failed logins an account waits 15 minutes).
    Unlock {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: DatabaseArgs,
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
}

pub async fn run(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Create {
            username,
            role,
            district,
            display_name,
            db,
            key_file,
        } => {
            let keys = super::etl::load_keys(key_file)?;
            if role != "auditor" {
                jiuye_graphql::auth::parse_role(&role, district.as_deref())?;
            } else {
                anyhow::ensure!(district.is_none(), "--district is only for the district role");
            }
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            let identity = Identity::new(warehouse.clone(), keys.clone());
            let new = NewUser {
                username: username.clone(),
                display_name,
                role: role.clone(),
                district: district.clone(),
                password,
            };
            let totp = identity.create_user(new, chrono::Utc::now()).await?;
            let mut event = AuditEvent::new(super::audit::cli_actor(), "user.created");
            event.detail = serde_json::json!({ "username": username, "role": role, "district": district });
            super::audit::record(&warehouse, &keys, event).await?;
            eprintln!("created {role} user `{username}`");
            if let Some(totp) = totp {
                eprintln!("enrol this in the user's authenticator app now (shown once); login needs its six-digit code:");
                println!("{}", totp.uri("jiuye", &username));
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Unlock { username, db, key_file } => {
            let keys = super::etl::load_keys(key_file)?;
            let (warehouse, _) = super::open_prepared(&db, None).await?;
            Identity::new(warehouse.clone(), keys.clone()).unlock(&username).await?;
            let mut event = AuditEvent::new(super::audit::cli_actor(), "user.unlocked");
            event.detail = serde_json::json!({ "username": username });
            super::audit::record(&warehouse, &keys, event).await?;
            eprintln!("unlocked `{username}`");
            Ok(ExitCode::SUCCESS)
        }
    }
}
