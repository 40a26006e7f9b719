//! The password and session policy, published in docs/security.md.

/// Shortest password.
pub const MIN_LENGTH: usize = 12;
/// Character classes (lower, upper, digit, other) a password uses at least.
pub const MIN_CLASSES: usize = 3;
/// Days a password is valid; after that, login succeeds only to change it.
pub const MAX_AGE_DAYS: i64 = 90;
/// Recent passwords that may not be chosen again.
pub const HISTORY: usize = 5;
/// Consecutive failed logins that lock an account …
pub const LOCKOUT_AFTER: i64 = 5;
/// … for this long.
pub const LOCKOUT_MINUTES: i64 = 15;
/// A session unused this long ends.
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// A session ends this long after login, used or not.
pub const SESSION_ABSOLUTE_HOURS: i64 = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("a password needs at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("a password needs at most 128 characters")]
    TooLong,
    #[error("a password mixes at least {MIN_CLASSES} of: lower-case, upper-case, digits, other characters")]
    TooFewClasses,
    #[error("a password may not contain the username")]
    ContainsUsername,
    #[error("that password was used recently; choose one not among the last {HISTORY}")]
    Reused,
    #[error("that code does not match the new secret; check the device's clock and enter the next code")]
    WrongCode,
}

/// Whether `password` may be chosen by `username` (reuse is checked against the
/// stored history by the caller).
pub fn check_password(username: &str, password: &str) -> Result<(), PolicyError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(PolicyError::TooShort);
    }
    if n > 128 {
        return Err(PolicyError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < MIN_CLASSES {
        return Err(PolicyError::TooFewClasses);
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PolicyError::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_simple_and_personal_passwords() {
        assert_eq!(check_password("wang", "Short1!"), Err(PolicyError::TooShort));
        assert_eq!(check_password("wang", "alllowercaseletters"), Err(PolicyError::TooFewClasses));
        assert_eq!(check_password("wang", "lowerUPPERonly"), Err(PolicyError::TooFewClasses));
        assert_eq!(check_password("wang", "Wang-2026-password"), Err(PolicyError::ContainsUsername));
        assert_eq!(check_password("wang", "就业Platform2026"), Ok(()));
        assert_eq!(check_password("wang", "correct-horse-42"), Ok(()));
        assert_eq!(check_password("wang", &"Aa1".repeat(50)), Err(PolicyError::TooLong));
    }
}
