//! The one secret and what is derived from it.
//!
//! A single 32-byte secret is configured; the pseudonym key and the SM4 key are derived
//! from it with HMAC-SM3 under fixed labels, so the two uses never share key material and
//! an operator has one thing to keep safe.

use std::path::{Path, PathBuf};

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit as AeadKeyInit, Payload};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;

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
    #[error("the secret key from {origin} is not 64 hex characters (32 bytes); generate one with `jiuye key generate --out FILE`")]
    Malformed { origin: String },
    #[error("cannot read key file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot decrypt a value: it was encrypted under another key or is corrupted")]
    Decrypt,
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

/// Keys derived from the configured secret.
#[derive(Clone)]
pub struct Keys {
    pseudonym_key: [u8; 32],
    audit_key: [u8; 32],
    cipher: Sm4Gcm,
    fingerprint: String,
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
        match source {
            KeySource::Hex(hex_text) => Keys::from_hex(hex_text, "the given key"),
            KeySource::File(path) => Keys::from_file(path),
            KeySource::Environment => {
                if let Ok(text) = std::env::var(SECRET_ENV) {
                    return Keys::from_hex(&text, SECRET_ENV);
                }
                match std::env::var_os(KEY_FILE_ENV) {
                    Some(path) => Keys::from_file(Path::new(&path)),
                    None => Err(KeyError::Missing),
                }
            }
        }
    }

    fn from_file(path: &Path) -> Result<Keys, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Keys::from_hex(&text, &path.display().to_string())
    }

    fn from_hex(text: &str, origin: &str) -> Result<Keys, KeyError> {
        let malformed = || KeyError::Malformed {
            origin: origin.to_string(),
        };
        let secret = hex::decode(text.trim()).map_err(|_| malformed())?;
        if secret.len() != 32 {
            return Err(malformed());
        }
        Ok(Keys::from_secret(&secret))
    }

    pub fn from_secret(secret: &[u8]) -> Keys {
        let pseudonym_key = hmac_sm3(secret, b"jiuye/pseudonym/v1");
        let audit_key = hmac_sm3(secret, b"jiuye/audit-chain/v1");
        let sm4_material = hmac_sm3(secret, b"jiuye/ods-sm4-gcm/v1");
        let cipher = <Sm4Gcm as AeadKeyInit>::new_from_slice(&sm4_material[..16]).expect("SM4 takes a 16-byte key");
        let fingerprint = hex::encode(&hmac_sm3(secret, b"jiuye/fingerprint/v1")[..8]);
        Keys {
            pseudonym_key,
            audit_key,
            cipher,
            fingerprint,
        }
    }

    /// A new random secret as hex, for `jiuye key generate`.
    pub fn generate_hex() -> String {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        hex::encode(secret)
    }

    /// Identifies the key without revealing it; the warehouse records it so that a load
    /// under a different key (whose pseudonyms would not join) is refused.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
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

    /// Seals `plaintext` for `place` with SM4-GCM and a random nonce: `v1.` then base64
    /// of nonce ‖ ciphertext ‖ tag. The place (table, column, row) is associated data:
    /// the ciphertext opens only there, so one copied to another row, column or table is
    /// refused. `v1` names the key it was sealed under (the one data key so far).
    pub fn seal(&self, plaintext: &str, place: &Place<'_>) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: &place.bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(&nonce.into(), payload)
            .expect("SM4-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_V1}{}", base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Opens a value sealed for `place`. Values from before places were bound (no `v1.`
    /// prefix) open without associated data.
    pub fn open(&self, sealed: &str, place: &Place<'_>) -> Result<String, KeyError> {
        let (text, aad) = match sealed.strip_prefix(SEALED_V1) {
            Some(rest) => (rest, place.bytes()),
            None => (sealed, Vec::new()),
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| KeyError::Decrypt)?;
        if bytes.len() < NONCE_LEN {
            return Err(KeyError::Decrypt);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| KeyError::Decrypt)?;
        let plain = self
            .cipher
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

/// The prefix of values sealed with a place, under data key version 1.
const SEALED_V1: &str = "v1.";

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
        let body = k.cipher.encrypt(&nonce.into(), "李四".as_bytes()).unwrap();
        let legacy = base64::engine::general_purpose::STANDARD.encode([nonce.to_vec(), body].concat());
        assert_eq!(k.open(&legacy, &HERE).unwrap(), "李四");
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
