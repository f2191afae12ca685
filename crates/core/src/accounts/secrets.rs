//! Random secrets and their stored form.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, hex-encoded: session ids, API tokens, CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored for a token: its SHA-256. A token is high-entropy, so a
/// fast hash is enough (unlike passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
