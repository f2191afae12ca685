//! Passwords: argon2id hashes, constant-cost verification and the
//! password policy.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};
use crate::messages::Msg;

/// Shortest password accepted for a new account or a reset.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| Error::Unexpected(anyhow::anyhow!("password hashing failed: {err}")))
}

/// Checks a password against a stored PHC hash. A malformed hash is a mismatch.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

/// A hash of a random secret: verifying against it costs the same as a real
/// account, so a login for an unknown username takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&crate::accounts::secrets::random_token())
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$invalid$invalid".to_string())
    })
}

/// A temporary password an administrator hands over (three groups of four
/// letters and digits that are hard to confuse, about 59 bits): it passes
/// the policy for `username` and is meant to be changed at first login.
pub fn temporary_password(username: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    loop {
        let groups: Vec<String> = (0..3)
            .map(|_| {
                (0..4)
                    .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                    .collect()
            })
            .collect();
        let password = groups.join("-");
        if check_password_policy("password", &password, username).is_ok() {
            return password;
        }
    }
}

pub fn check_password_policy(field: &str, password: &str, username: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::field(
            field,
            "weak_password",
            Msg::PasswordTooShort {
                min: MIN_PASSWORD_CHARS,
            },
        ));
    }
    if password.chars().count() > 256 {
        return Err(Error::field(field, "too_long", Msg::PasswordTooLong));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Error::field(
            field,
            "weak_password",
            Msg::PasswordHasUsername,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_pass_the_policy_and_differ() {
        let a = temporary_password("an");
        let b = temporary_password("an");
        assert_ne!(a, b);
        assert_eq!(a.len(), 14, "{a}");
        assert!(check_password_policy("password", &a, "an").is_ok());
        assert!(!a.contains("an"), "{a}");
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()));
    }
}
