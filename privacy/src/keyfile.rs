//! The key file: the master secret, then the data keys that replaced the derived one.
//!
//! ```text
//! # jiuye key file — keep it 0600 and a copy in the secret store
//! 5f0c…(64 hex: the master secret; pseudonyms, the audit chain and data key 1 derive from it)
//! data-key 2 9a41…(64 hex, random)
//! retired 1
//! ```
//!
//! A file holding only the first line (as `jiuye key generate` writes) is valid. Data
//! keys are random, not derived from the master secret, so rotating one replaces key
//! material instead of re-deriving it; the newest key not retired seals, every key not
//! retired opens. Retiring a key (once nothing is sealed under it) makes it open nothing.

use std::collections::BTreeSet;
use std::path::Path;

use rand::RngCore;

use crate::KeyError;

/// The parsed contents of a key file (or of `JIUYE_SECRET_KEY`, which holds only a master).
#[derive(Clone, PartialEq, Eq)]
pub struct KeyFile {
    pub(crate) master: [u8; 32],
    /// Data keys 2, 3, … in order; key 1 is derived from the master secret.
    pub(crate) data_keys: Vec<(u32, [u8; 32])>,
    pub(crate) retired: BTreeSet<u32>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFile {{ versions: {:?}, retired: {:?} }}", self.versions(), self.retired)
    }
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

fn write_error(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn random32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

impl KeyFile {
    pub fn parse(text: &str, origin: &str) -> Result<KeyFile, KeyError> {
        let malformed = |why: String| KeyError::Malformed {
            origin: origin.to_string(),
            why,
        };
        let mut lines = text
            .lines()
            .map(str::trim)
            .enumerate()
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        let master = match lines.next() {
            Some((_, first)) => hex32(first).ok_or_else(|| malformed("the first line is not 64 hex characters (32 bytes)".into()))?,
            None => return Err(malformed("it is empty".into())),
        };
        let mut file = KeyFile {
            master,
            data_keys: Vec::new(),
            retired: BTreeSet::new(),
        };
        for (index, line) in lines {
            let at = |why: &str| malformed(format!("line {}: {why}", index + 1));
            let words: Vec<&str> = line.split_whitespace().collect();
            let version = |word: &str| word.parse::<u32>().map_err(|_| at("a key version is a whole number"));
            match words.as_slice() {
                ["data-key", v, key] => {
                    let v = version(v)?;
                    if v != file.newest() + 1 {
                        return Err(at(&format!("data keys are numbered in order; expected {}", file.newest() + 1)));
                    }
                    file.data_keys
                        .push((v, hex32(key).ok_or_else(|| at("a data key is 64 hex characters"))?));
                }
                ["retired", v] => {
                    file.retired.insert(version(v)?);
                }
                _ => return Err(at("expected `data-key <version> <64 hex>` or `retired <version>`")),
            }
        }
        if let Some(unknown) = file.retired.iter().find(|v| !file.versions().contains(v)) {
            return Err(malformed(format!("retires data key {unknown}, which it does not hold")));
        }
        if file.retired.contains(&file.newest()) {
            return Err(malformed("its newest data key is retired: nothing could be sealed".into()));
        }
        Ok(file)
    }

    pub fn read(path: &Path) -> Result<KeyFile, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        KeyFile::parse(&text, &path.display().to_string())
    }

    /// A new file: a random master secret and nothing else.
    pub fn generate() -> KeyFile {
        KeyFile::of_master(random32())
    }

    pub(crate) fn of_master(master: [u8; 32]) -> KeyFile {
        KeyFile {
            master,
            data_keys: Vec::new(),
            retired: BTreeSet::new(),
        }
    }

    /// The file's text, ready to write.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n", hex::encode(self.master));
        for (version, key) in &self.data_keys {
            out.push_str(&format!("data-key {version} {}\n", hex::encode(key)));
        }
        for version in &self.retired {
            out.push_str(&format!("retired {version}\n"));
        }
        out
    }

    /// Every data key version the file names, 1 first.
    pub fn versions(&self) -> Vec<u32> {
        std::iter::once(1).chain(self.data_keys.iter().map(|(v, _)| *v)).collect()
    }

    /// The version that seals: the newest (never retired).
    pub fn newest(&self) -> u32 {
        self.data_keys.last().map_or(1, |(v, _)| *v)
    }

    pub fn is_retired(&self, version: u32) -> bool {
        self.retired.contains(&version)
    }

    /// Adds a new random data key, which seals from now on; returns its version.
    pub fn rotate(&mut self) -> u32 {
        let version = self.newest() + 1;
        self.data_keys.push((version, random32()));
        version
    }

    /// Marks `version` as retired: it opens nothing any more. The newest cannot be.
    pub fn retire(&mut self, version: u32) -> Result<(), KeyError> {
        if !self.versions().contains(&version) {
            return Err(KeyError::UnknownVersion(version));
        }
        if version == self.newest() {
            return Err(KeyError::RetireNewest(version));
        }
        self.retired.insert(version);
        Ok(())
    }

    /// Writes the file where none is: readable by its owner only (0600 from its
    /// creation, never wider), whole or not at all — written beside it, then linked into
    /// place, which fails rather than overwrite a key.
    pub fn save_new(&self, path: &Path) -> Result<(), KeyError> {
        let temp = self.write_beside(path)?;
        let linked = std::fs::hard_link(&temp, path).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists(path.to_path_buf()),
            _ => write_error(path, source),
        });
        let _ = std::fs::remove_file(&temp);
        linked
    }

    /// Replaces an existing key file atomically (written beside it, then renamed over
    /// it): a reader sees the old file or the new one, never half of one.
    pub fn replace(&self, path: &Path) -> Result<(), KeyError> {
        let temp = self.write_beside(path)?;
        std::fs::rename(&temp, path).map_err(|source| {
            let _ = std::fs::remove_file(&temp);
            write_error(path, source)
        })
    }

    fn write_beside(&self, path: &Path) -> Result<std::path::PathBuf, KeyError> {
        use std::io::Write;
        let temp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options.open(&temp).and_then(|mut f| {
            f.write_all(self.render().as_bytes())?;
            f.sync_all()
        });
        match written {
            Ok(()) => Ok(temp),
            Err(source) => {
                let _ = std::fs::remove_file(&temp);
                Err(write_error(&temp, source))
            }
        }
    }

    /// The key material of data key `version` (1 is derived by the caller).
    pub(crate) fn data_key(&self, version: u32) -> Option<&[u8; 32]> {
        self.data_keys.iter().find(|(v, _)| *v == version).map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "0707070707070707070707070707070707070707070707070707070707070707";

    #[test]
    fn a_one_line_file_is_a_master_secret_alone() {
        let file = KeyFile::parse(&format!("{MASTER}\n"), "f").unwrap();
        assert_eq!(file.versions(), vec![1]);
        assert_eq!(file.newest(), 1);
    }

    #[test]
    fn rotation_and_retirement_survive_a_round_trip_through_text() {
        let mut file = KeyFile::parse(MASTER, "f").unwrap();
        assert_eq!(file.rotate(), 2);
        assert_eq!(file.rotate(), 3);
        file.retire(1).unwrap();
        assert!(matches!(file.retire(3), Err(KeyError::RetireNewest(3))));
        assert!(matches!(file.retire(9), Err(KeyError::UnknownVersion(9))));
        let text = format!("# a comment\n{}", file.render());
        let again = KeyFile::parse(&text, "f").unwrap();
        assert_eq!(again, file);
        assert_eq!(again.versions(), vec![1, 2, 3]);
        assert!(again.is_retired(1) && !again.is_retired(2));
        assert_ne!(again.data_key(2), again.data_key(3));
    }

    #[test]
    fn a_key_file_is_owner_only_and_never_overwritten_by_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = KeyFile::generate();
        first.save_new(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(matches!(KeyFile::generate().save_new(&path), Err(KeyError::Exists(_))));
        assert_eq!(KeyFile::read(&path).unwrap(), first, "the first key stays");
        let mut rotated = first.clone();
        rotated.rotate();
        rotated.replace(&path).unwrap();
        assert_eq!(KeyFile::read(&path).unwrap(), rotated);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn malformed_files_say_which_line_and_why() {
        let cases = [
            ("", "empty"),
            ("abcd", "first line"),
            (&format!("{MASTER}\ndata-key 3 {MASTER}") as &str, "expected 2"),
            (&format!("{MASTER}\ndata-key 2 abcd"), "64 hex"),
            (&format!("{MASTER}\nretired 2"), "does not hold"),
            (&format!("{MASTER}\nretired 1"), "newest"),
            (&format!("{MASTER}\nfrobnicate"), "line 2"),
        ];
        for (text, expected) in cases {
            let error = KeyFile::parse(text, "f").unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(!error.contains(MASTER), "no key material in messages: {error}");
        }
    }
}
