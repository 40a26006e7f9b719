//! argon2id hashes in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$…`), the
//! parameters OWASP recommends; the salt is random per hash.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub(crate) fn hash(password: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes are a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .expect("argon2id with default parameters hashes any password up to 4 GiB")
}

pub(crate) fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_and_verify() {
        let a = hash("correct-horse-42");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, hash("correct-horse-42"), "salted");
        assert!(verify("correct-horse-42", &a));
        assert!(!verify("correct-horse-43", &a));
        assert!(!verify("correct-horse-42", "not a hash"));
    }
}
