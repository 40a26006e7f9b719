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

/// Writes a new key file readable by its owner only (0600 from its creation, never
/// wider), whole or not at all: the key goes to a temporary file beside it that is
/// then linked into place, which fails rather than overwrite an existing key.
pub fn write_new_key(path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let refuse = || {
        anyhow::anyhow!(
            "{} exists; refusing to overwrite a key (data loaded under it would become unreadable)",
            path.display()
        )
    };
    if path.exists() {
        return Err(refuse());
    }
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&temp)
        .and_then(|mut f| {
            f.write_all(format!("{}\n", jiuye_privacy::Keys::generate_hex()).as_bytes())?;
            f.sync_all()
        })
        .with_context(|| format!("cannot write {}", temp.display()));
    let linked = written.and_then(|()| {
        std::fs::hard_link(&temp, path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refuse(),
            _ => anyhow::Error::new(e).context(format!("cannot create {}", path.display())),
        })
    });
    let _ = std::fs::remove_file(&temp);
    linked
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_file_is_owner_only_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        super::write_new_key(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(super::write_new_key(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the first key stays");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
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
