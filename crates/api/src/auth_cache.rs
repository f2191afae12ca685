//! Who a token belongs to, remembered for a moment.
//!
//! A leader's page or an API client sends a burst of reads; asking the
//! database who is behind the same token for each of them costs more than
//! the read itself once the figures come from memory. So a token that was
//! authenticated is trusted again for a moment (`server.auth_trust_ms`)
//! without asking.
//!
//! Revocation stays immediate on this instance: every request that may
//! write (logout, password change, a user deactivated or moved) forgets
//! every remembered token when it finishes, and a lookup that started
//! before such a write is not remembered. A token revoked through *another*
//! instance stops working here within that moment.

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use dondoc_core::accounts::principal::Principal;

/// Tokens remembered at most: past this the memory is simply emptied.
const MAX_ENTRIES: usize = 10_000;

pub struct AuthCache {
    trust_for: Duration,
    entries: Mutex<HashMap<String, (Principal, Instant)>>,
    /// Moves on every forget, so a lookup that raced a write is dropped.
    generation: AtomicU64,
}

impl AuthCache {
    /// Trusts a token for `trust_for`; zero remembers nothing.
    pub fn new(trust_for: Duration) -> Self {
        Self {
            trust_for,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// The generation to hand back to [`AuthCache::remember`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, token: &str) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let (principal, at) = entries.get(token)?;
        (at.elapsed() < self.trust_for).then(|| principal.clone())
    }

    /// Remembers a lookup made at `generation`, unless a write has since
    /// made every remembered token suspect.
    pub fn remember(&self, token: &str, principal: &Principal, generation: u64) {
        if self.trust_for.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            let trust_for = self.trust_for;
            entries.retain(|_, (_, at)| at.elapsed() < trust_for);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(token.to_string(), (principal.clone(), Instant::now()));
    }

    /// Forgets every token: called after each request that may have written.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dondoc_core::{accounts::principal::TokenKind, domain::Role};

    fn someone() -> Principal {
        Principal {
            user_id: 7,
            username: "cb.tnmt".into(),
            full_name: "Cán bộ".into(),
            role: Role::Staff,
            department_id: Some(3),
            department_code: Some("TNMT".into()),
            department_name: None,
            language: Default::default(),
            token_id: 11,
            token_kind: TokenKind::Session,
            csrf_token: None,
            must_change_password: false,
        }
    }

    #[test]
    fn a_remembered_token_is_trusted_until_a_write() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let generation = cache.generation();
        cache.remember("t", &someone(), generation);
        assert_eq!(cache.get("t").map(|p| p.user_id), Some(7));
        cache.forget_all();
        assert!(cache.get("t").is_none());
    }

    #[test]
    fn zero_trust_remembers_nothing() {
        let cache = AuthCache::new(Duration::ZERO);
        let generation = cache.generation();
        cache.remember("t", &someone(), generation);
        assert!(cache.get("t").is_none());
    }

    #[test]
    fn a_lookup_that_raced_a_write_is_not_remembered() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.forget_all();
        cache.remember("t", &someone(), before);
        assert!(cache.get("t").is_none());
    }
}
