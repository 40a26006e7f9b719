use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Write a new random secret key (64 hex characters) to a file readable only by you.
    ///
    /// Point JIUYE_KEY_FILE at it. Losing it means new loads cannot join old pseudonyms
    /// and ODS can no longer be decrypted: keep a copy in your secret store.
    Generate {
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn write_new_key(path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        anyhow::bail!(
            "{} exists; refusing to overwrite a key (data loaded under it would become unreadable)",
            path.display()
        );
    }
    std::fs::write(path, format!("{}\n", jiuye_privacy::Keys::generate_hex()))
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

pub fn run(command: KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::Generate { out } => {
            write_new_key(&out)?;
            eprintln!("wrote a new key to {}; set JIUYE_KEY_FILE={}", out.display(), out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
