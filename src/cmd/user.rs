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
    /// and other characters, and not the username. The console gives any role, the
    /// administrators' included (system_admin, security_admin, audit_admin: 三员分立);
    /// online, the security administrator gives business roles only. Administrators
    /// must log in with a TOTP code too: their secret is printed once, as an
    /// otpauth:// URI for an authenticator app.
    Create {
        #[arg(long)]
        username: String,
        /// A role: system_admin, security_admin, audit_admin, city_analyst,
        /// district_analyst, viewer, data_engineer, or one the security administrator
        /// added.
        #[arg(long)]
        role: String,
        /// The district of a district-scoped role (GB/T 2260 code, e.g. 310115).
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

/// `code` is a district of GB/T 2260 (a code with a parent in the seed tables).
pub fn check_district(code: &str) -> anyhow::Result<()> {
    let codes = jiuye_etl::CodeTables::load()?;
    if codes.get("district", code).is_none_or(|r| r.parent.is_none()) {
        anyhow::bail!("`{code}` is not a district code of GB/T 2260 (e.g. 310115 浦东新区)");
    }
    Ok(())
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
            if let Some(code) = &district {
                check_district(code)?;
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
