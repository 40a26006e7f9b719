//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps,
//! six digits — what authenticator apps implement. A code of the step before or after
//! is accepted too (clock drift), and each step's code works once.

use hmac::{Hmac, KeyInit, Mac};

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// A TOTP secret (20 random bytes, as RFC 4226 recommends).
#[derive(Clone)]
pub struct Totp {
    secret: Vec<u8>,
}

impl Totp {
    pub fn generate() -> Totp {
        use rand::RngCore;
        let mut secret = vec![0u8; 20];
        rand::rng().fill_bytes(&mut secret);
        Totp { secret }
    }

    pub fn from_secret(secret: Vec<u8>) -> Totp {
        Totp { secret }
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The enrolment URI an authenticator app reads (as text or a QR code).
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            base32_encode(&self.secret)
        )
    }

    /// The code of the step holding `unix_seconds`.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.code_of_step(unix_seconds.div_euclid(STEP_SECONDS))
    }

    fn code_of_step(&self, step: i64) -> String {
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[digest.len() - 1] & 0x0f) as usize;
        let binary = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
        format!("{:0width$}", binary % 10u32.pow(DIGITS), width = DIGITS as usize)
    }

    /// The step `code` belongs to, if it is the code of the step at `unix_seconds` or of
    /// the step before or after.
    pub fn matching_step(&self, code: &str, unix_seconds: i64) -> Option<i64> {
        let now = unix_seconds.div_euclid(STEP_SECONDS);
        let code = code.trim();
        [now - 1, now, now + 1]
            .into_iter()
            .find(|s| constant_time_eq(self.code_of_step(*s).as_bytes(), code.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of RFC 4648 base32 text (no padding, any case), as an authenticator app
/// reads a typed secret; `None` for a character outside the alphabet.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').chars() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the eight-digit codes' last six digits.
    #[test]
    fn the_rfc_6238_test_vectors() {
        let t = Totp::from_secret(b"12345678901234567890".to_vec());
        for (time, code8) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(t.code_at(time), code8[2..], "at {time}");
        }
    }

    #[test]
    fn codes_of_the_neighbouring_steps_match_and_others_do_not() {
        let t = Totp::from_secret(b"12345678901234567890".to_vec());
        let now = 1_234_567_890;
        assert_eq!(t.matching_step(&t.code_at(now - 30), now), Some(now / 30 - 1));
        assert_eq!(t.matching_step(&t.code_at(now), now), Some(now / 30));
        assert_eq!(t.matching_step(&t.code_at(now - 90), now), None);
        assert_eq!(t.matching_step("12345", now), None);
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(b""), "");
        for bytes in [&b"foobar"[..], b"f", b"12345678901234567890", b""] {
            assert_eq!(base32_decode(&base32_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base32_decode("mzxw6ytboi").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode("MZ1"), None);
    }
}
