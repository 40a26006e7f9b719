//! Personal-data protection, one job: load the secret key, derive keyed pseudonyms
//! (HMAC-SM3) for joins, encrypt the personal fields kept in ODS (SM4-GCM) and mask values
//! for display.
//!
//! Secrets come from the environment (`JIUYE_SECRET_KEY`) or a key file
//! (`JIUYE_KEY_FILE`), never from the repository. This crate must not depend on any other
//! jiuye crate, a database driver or the network.

mod algorithms;
mod keyfile;
mod keys;
mod mask;

pub use algorithms::{ALGORITHMS, Algorithm};
pub use keyfile::KeyFile;
pub use keys::{KeyError, KeySource, Keys, Place, Sealing};
pub use mask::{ID_VISIBLE_TAIL, mask_birth_date, mask_id_number, mask_name};

/// SM3 digest as hex: how bearer tokens are stored (never the token itself).
pub fn sm3_hex(text: &str) -> String {
    use sm3::Digest;
    hex::encode(sm3::Sm3::digest(text.as_bytes()))
}
