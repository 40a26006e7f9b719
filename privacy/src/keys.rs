//! The one secret, the data keys, and what is derived from them.
//!
//! A 32-byte master secret is configured; the pseudonym key, the audit-chain key and data
//! key 1 are derived from it with HMAC-SM3 under fixed labels, so no two uses share key
//! material. Later data keys (`jiuye key rotate`) are random and listed in the key file
//! (`crate::keyfile`); a sealed value names the version that sealed it, so old values open
//! while new ones are sealed under the newest key, and a process that meets a version it
//! has not loaded re-reads its key file — a rotation needs no restart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit as AeadKeyInit, Payload};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;

use crate::keyfile::KeyFile;

type HmacSm3 = Hmac<Sm3>;
type Sm4Gcm = AesGcm<Sm4, aes_gcm::aead::consts::U12>;

const SECRET_ENV: &str = "JIUYE_SECRET_KEY";
const KEY_FILE_ENV: &str = "JIUYE_KEY_FILE";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no secret key configured: set {SECRET_ENV} to 64 hex characters or {KEY_FILE_ENV} to a file holding them \
         (create one with `jiuye key generate --out FILE`; keep it out of the repository)"
    )]
    Missing,
    #[error("the key from {origin} is malformed: {why}; generate one with `jiuye key generate --out FILE`")]
    Malformed { origin: String, why: String },
    #[error("cannot read key file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write key file {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0} exists; refusing to overwrite a key (data sealed under it would become unreadable)")]
    Exists(PathBuf),
    #[error("cannot decrypt a value: it was encrypted under another key or is corrupted")]
    Decrypt,
    #[error("the value is sealed under data key {0}, which this key file does not hold")]
    UnknownVersion(u32),
    #[error("data key {0} is retired: values sealed under it no longer open (re-add it to the key file if one must)")]
    Retired(u32),
    #[error("data key {0} is the newest, the one that seals; rotate first (`jiuye key rotate`)")]
    RetireNewest(u32),
    #[error("the key file now holds another master secret (fingerprint {now}, was {was}); restart with the right file")]
    MasterChanged { was: String, now: String },
}

/// Where the secret comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `JIUYE_SECRET_KEY`, else the file named by `JIUYE_KEY_FILE`.
    Environment,
    File(PathBuf),
    /// Hex text given directly (tests, or a value from a secret store).
    Hex(String),
}

impl KeySource {
    /// The key file this source reads, if any.
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            KeySource::File(path) => Some(path.clone()),
            KeySource::Environment if std::env::var_os(SECRET_ENV).is_none() => std::env::var_os(KEY_FILE_ENV).map(PathBuf::from),
            _ => None,
        }
    }

    fn read(&self) -> Result<KeyFile, KeyError> {
        match self {
            KeySource::Hex(text) => KeyFile::parse(text, "the given key"),
            KeySource::File(path) => KeyFile::read(path),
            KeySource::Environment => match std::env::var(SECRET_ENV) {
                Ok(text) => KeyFile::parse(&text, SECRET_ENV),
                Err(_) => match std::env::var_os(KEY_FILE_ENV) {
                    Some(path) => KeyFile::read(Path::new(&path)),
                    None => Err(KeyError::Missing),
                },
            },
        }
    }
}

/// The data keys a process holds: which seals, which open.
struct DataKeys {
    ciphers: BTreeMap<u32, Sm4Gcm>,
    newest: u32,
    retired: BTreeSet<u32>,
}

impl DataKeys {
    fn of(file: &KeyFile) -> DataKeys {
        let mut ciphers = BTreeMap::new();
        for version in file.versions() {
            if file.is_retired(version) {
                continue;
            }
            let material = match file.data_key(version) {
                Some(key) => hmac_sm3(key, b"jiuye/sm4-gcm"),
                None => hmac_sm3(&file.master, b"jiuye/ods-sm4-gcm/v1"),
            };
            ciphers.insert(version, sm4_gcm(&material));
        }
        DataKeys {
            ciphers,
            newest: file.newest(),
            retired: file.retired.clone(),
        }
    }
}

fn sm4_gcm(material: &[u8; 32]) -> Sm4Gcm {
    <Sm4Gcm as AeadKeyInit>::new_from_slice(&material[..16]).expect("SM4 takes a 16-byte key")
}

/// How a sealed value was sealed: under which data key, and whether bound to its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sealing {
    pub version: u32,
    /// False for values from before places were bound (no version prefix; key 1).
    pub bound: bool,
}

impl std::fmt::Display for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.bound {
            true => write!(f, "v{}", self.version),
            false => write!(f, "v{} (unbound)", self.version),
        }
    }
}

impl Sealing {
    /// Reads the version prefix (`v2.`) of a sealed value; base64 has no `.`, so a value
    /// without one is from before versions.
    pub fn of(sealed: &str) -> (Sealing, &str) {
        if let Some(rest) = sealed.strip_prefix('v')
            && let Some((digits, body)) = rest.split_once('.')
            && let Ok(version) = digits.parse::<u32>()
        {
            return (Sealing { version, bound: true }, body);
        }
        (Sealing { version: 1, bound: false }, sealed)
    }
}

/// Keys derived from the configured secret, and the data keys of the key file.
#[derive(Clone)]
pub struct Keys {
    pseudonym_key: [u8; 32],
    audit_key: [u8; 32],
    fingerprint: String,
    data: Arc<RwLock<Arc<DataKeys>>>,
    /// Where to re-read the data keys from; `None` for keys built from bytes.
    source: Option<KeySource>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys {{ fingerprint: {} }}", self.fingerprint)
    }
}

fn hmac_sm3(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSm3 as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    let out = mac.finalize().into_bytes();
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&out);
    bytes
}

impl Keys {
    pub fn load(source: &KeySource) -> Result<Keys, KeyError> {
        let mut keys = Keys::from_file_contents(&source.read()?);
        keys.source = Some(source.clone());
        Ok(keys)
    }

    fn from_file_contents(file: &KeyFile) -> Keys {
        let secret = &file.master;
        Keys {
            pseudonym_key: hmac_sm3(secret, b"jiuye/pseudonym/v1"),
            audit_key: hmac_sm3(secret, b"jiuye/audit-chain/v1"),
            fingerprint: hex::encode(&hmac_sm3(secret, b"jiuye/fingerprint/v1")[..8]),
            data: Arc::new(RwLock::new(Arc::new(DataKeys::of(file)))),
            source: None,
        }
    }

    /// Keys of a master secret alone (data key 1 only), with no file to re-read.
    pub fn from_secret(secret: &[u8; 32]) -> Keys {
        Keys::from_file_contents(&KeyFile::of_master(*secret))
    }

    /// A new random secret as hex, for `jiuye key generate`.
    pub fn generate_hex() -> String {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        hex::encode(secret)
    }

    /// Identifies the master secret without revealing it; the warehouse records it so
    /// that a load under a different secret (whose pseudonyms would not join) is refused.
    /// Rotating data keys does not change it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn data_keys(&self) -> Arc<DataKeys> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every data key version this process knows, oldest first, with whether it is
    /// retired (opens nothing).
    pub fn data_key_versions(&self) -> Vec<(u32, bool)> {
        let data = self.data_keys();
        let mut versions: Vec<(u32, bool)> = data
            .ciphers
            .keys()
            .map(|v| (*v, false))
            .chain(data.retired.iter().map(|v| (*v, true)))
            .collect();
        versions.sort();
        versions
    }

    /// The data key version that seals now.
    pub fn sealing_version(&self) -> u32 {
        self.data_keys().newest
    }

    /// Re-reads the data keys from the key file (a rotation elsewhere); the master
    /// secret must be the same. Keys built from bytes have nothing to re-read.
    pub fn refresh(&self) -> Result<(), KeyError> {
        let Some(source) = &self.source else { return Ok(()) };
        let file = source.read()?;
        let now = Keys::from_file_contents(&file).fingerprint;
        if now != self.fingerprint {
            return Err(KeyError::MasterChanged {
                was: self.fingerprint.clone(),
                now,
            });
        }
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(DataKeys::of(&file));
        Ok(())
    }

    /// Keyed pseudonym of a personal identifier: 128 bits of HMAC-SM3, as 32 hex chars.
    pub fn pseudonym(&self, value: &str) -> String {
        hex::encode(&hmac_sm3(&self.pseudonym_key, value.as_bytes())[..16])
    }

    /// The audit chain's link: HMAC-SM3 (hex) under a key of its own, derived from the
    /// secret, over the previous link and a record's canonical bytes. Whoever can write
    /// the audit table but does not hold the secret cannot re-link an edited record.
    pub fn audit_mac(&self, previous: &str, record: &[u8]) -> String {
        let mut data = Vec::with_capacity(previous.len() + 1 + record.len());
        data.extend_from_slice(previous.as_bytes());
        data.push(b'\n');
        data.extend_from_slice(record);
        hex::encode(hmac_sm3(&self.audit_key, &data))
    }

    /// Seals `plaintext` for `place` with SM4-GCM under the newest data key and a random
    /// nonce: `v<version>.` then base64 of nonce ‖ ciphertext ‖ tag. The place (table,
    /// column, row) is associated data: the ciphertext opens only there, so one copied to
    /// another row, column or table is refused.
    pub fn seal(&self, plaintext: &str, place: &Place<'_>) -> String {
        // The ETL seals every personal cell: read under the lock, no Arc clone a call.
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        let cipher = &data.ciphers[&data.newest];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: &place.bytes(),
        };
        let sealed = cipher
            .encrypt(&nonce.into(), payload)
            .expect("SM4-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("v{}.{}", data.newest, base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Opens a value sealed for `place`, under whichever data key sealed it; a version
    /// this process has not loaded makes it re-read the key file once. Values from before
    /// places were bound (no version prefix) open under key 1 without associated data.
    pub fn open(&self, sealed: &str, place: &Place<'_>) -> Result<String, KeyError> {
        let (sealing, text) = Sealing::of(sealed);
        let mut data = self.data_keys();
        if !data.ciphers.contains_key(&sealing.version) && !data.retired.contains(&sealing.version) && self.source.is_some() {
            self.refresh()?;
            data = self.data_keys();
        }
        let Some(cipher) = data.ciphers.get(&sealing.version) else {
            return Err(match data.retired.contains(&sealing.version) {
                true => KeyError::Retired(sealing.version),
                false => KeyError::UnknownVersion(sealing.version),
            });
        };
        let aad = if sealing.bound { place.bytes() } else { Vec::new() };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| KeyError::Decrypt)?;
        if bytes.len() < NONCE_LEN {
            return Err(KeyError::Decrypt);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| KeyError::Decrypt)?;
        let plain = cipher
            .decrypt(&nonce.into(), Payload { msg: body, aad: &aad })
            .map_err(|_| KeyError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| KeyError::Decrypt)
    }
}

/// What a sealed value's ciphertext is bound to.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub table: &'a str,
    pub column: &'a str,
    /// The row's identity in its table (for ODS, `file_id:line_no`; for a user, the
    /// username).
    pub row: &'a str,
}

impl Place<'_> {
    fn bytes(&self) -> Vec<u8> {
        format!("jiuye/{}/{}/{}", self.table, self.column, self.row).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_secret(&[7u8; 32])
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let a = keys().pseudonym("310101199001011234");
        assert_eq!(a, keys().pseudonym("310101199001011234"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, Keys::from_secret(&[8u8; 32]).pseudonym("310101199001011234"));
        assert_ne!(a, keys().pseudonym("310101199001011235"));
    }

    const HERE: Place<'static> = Place {
        table: "ods_employment_registration",
        column: "name_enc",
        row: "3:17",
    };

    #[test]
    fn encryption_round_trips_and_hides_the_text() {
        let k = keys();
        let sealed = k.seal("张三", &HERE);
        assert!(sealed.starts_with("v1.") && !sealed.contains("张三"));
        assert_ne!(sealed, k.seal("张三", &HERE), "nonces must differ");
        assert_eq!(k.open(&sealed, &HERE).unwrap(), "张三");
        assert!(Keys::from_secret(&[9u8; 32]).open(&sealed, &HERE).is_err());
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place() {
        let k = keys();
        let sealed = k.seal("310101199001011234", &HERE);
        for elsewhere in [
            Place { row: "3:18", ..HERE },
            Place {
                column: "id_number_enc",
                ..HERE
            },
            Place {
                table: "ods_unemployment_registration",
                ..HERE
            },
        ] {
            assert!(k.open(&sealed, &elsewhere).is_err(), "{elsewhere:?}");
        }
        // Stripping the version to pass it off as an old value does not open it either.
        assert!(k.open(sealed.trim_start_matches("v1."), &HERE).is_err());
    }

    #[test]
    fn values_sealed_before_places_were_bound_still_open() {
        let k = keys();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = &k.data_keys().ciphers[&1];
        let body = cipher.encrypt(&nonce.into(), "李四".as_bytes()).unwrap();
        let legacy = base64::engine::general_purpose::STANDARD.encode([nonce.to_vec(), body].concat());
        assert_eq!(Sealing::of(&legacy).0, Sealing { version: 1, bound: false });
        assert_eq!(k.open(&legacy, &HERE).unwrap(), "李四");
    }

    /// A process started before a rotation opens what the new key sealed (it re-reads
    /// its key file), seals under the new key after a refresh, and a retired key opens
    /// nothing.
    #[test]
    fn a_rotation_reaches_running_processes_through_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jiuye.key");
        let mut file = KeyFile::generate();
        file.save_new(&path).unwrap();
        let running = Keys::load(&KeySource::File(path.clone())).unwrap();
        let old = running.seal("张三", &HERE);
        assert_eq!(Sealing::of(&old).0, Sealing { version: 1, bound: true });

        assert_eq!(file.rotate(), 2);
        file.replace(&path).unwrap();
        let fresh = Keys::load(&KeySource::File(path.clone())).unwrap();
        assert_eq!(fresh.fingerprint(), running.fingerprint(), "the master secret is unchanged");
        let new = fresh.seal("张三", &HERE);
        assert!(new.starts_with("v2."), "{new}");
        assert_eq!(fresh.open(&old, &HERE).unwrap(), "张三");
        assert_eq!(running.sealing_version(), 1);
        assert_eq!(running.open(&new, &HERE).unwrap(), "张三", "reloaded on an unknown version");
        assert_eq!(running.sealing_version(), 2);
        assert!(running.seal("x", &HERE).starts_with("v2."));

        file.retire(1).unwrap();
        file.replace(&path).unwrap();
        running.refresh().unwrap();
        assert!(matches!(running.open(&old, &HERE), Err(KeyError::Retired(1))));
        assert_eq!(running.open(&new, &HERE).unwrap(), "张三");
        let forged = format!("v7.{}", new.trim_start_matches("v2."));
        assert!(matches!(running.open(&forged, &HERE), Err(KeyError::UnknownVersion(7))));

        // Another master secret in the file is refused; the process keeps its keys.
        KeyFile::generate().replace(&path).unwrap();
        assert!(matches!(running.refresh(), Err(KeyError::MasterChanged { .. })));
        assert_eq!(running.open(&new, &HERE).unwrap(), "张三");
    }

    #[test]
    fn audit_links_depend_on_the_key_the_previous_link_and_the_record() {
        let a = keys().audit_mac("00", b"record");
        assert_eq!(a, keys().audit_mac("00", b"record"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, keys().audit_mac("01", b"record"));
        assert_ne!(a, keys().audit_mac("00", b"recorD"));
        assert_ne!(a, Keys::from_secret(&[8u8; 32]).audit_mac("00", b"record"));
        assert_ne!(
            a,
            hex::encode(&hmac_sm3(&[7u8; 32], b"00\nrecord")),
            "a key of its own, not the secret"
        );
    }

    #[test]
    fn a_data_key_seals_differently_from_the_master_derived_one() {
        let mut file = KeyFile::of_master([7u8; 32]);
        file.rotate();
        let rotated = Keys::from_file_contents(&file);
        let sealed = rotated.seal("张三", &HERE);
        assert!(matches!(
            keys().open(&sealed.replacen("v2.", "v1.", 1), &HERE),
            Err(KeyError::Decrypt)
        ));
    }

    #[test]
    fn hex_keys_are_checked() {
        assert!(matches!(
            Keys::load(&KeySource::Hex("abcd".into())),
            Err(KeyError::Malformed { .. })
        ));
        let hex_key = Keys::generate_hex();
        let k = Keys::load(&KeySource::Hex(hex_key.clone())).unwrap();
        assert_eq!(k.fingerprint(), Keys::load(&KeySource::Hex(hex_key)).unwrap().fingerprint());
    }
}
