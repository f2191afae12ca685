//! Who wrote a moment ago, so that their next read shows their write.
//!
//! Readers see the figures as of the store's last look at the figures'
//! clock, at most `figures.refresh_ms` ago (100 ms): the same for a write
//! made through this server as for one made through another. Only the
//! writer must not wait: the credential (token or session) that wrote is
//! noted here, and its next read brings the facts up to date before
//! anything else. Under a steady stream of writes, readers then share one
//! version of the figures per `refresh_ms` instead of one per write.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Credentials noted at most: past this the oldest notes are dropped.
const MAX_ENTRIES: usize = 10_000;

/// A note older than this is no longer needed: any read since would have
/// looked at the clock by itself.
const KEEP: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct OwnWrites {
    wrote: Mutex<HashMap<String, Instant>>,
}

impl OwnWrites {
    /// `credential` has just written.
    pub fn wrote(&self, credential: &str) {
        let Ok(mut wrote) = self.wrote.lock() else {
            return;
        };
        if wrote.len() >= MAX_ENTRIES {
            wrote.retain(|_, at| at.elapsed() < KEEP);
            if wrote.len() >= MAX_ENTRIES {
                wrote.clear();
            }
        }
        wrote.insert(credential.to_string(), Instant::now());
    }

    /// Whether `credential` wrote since its last read (and forgets it).
    pub fn take(&self, credential: &str) -> bool {
        self.wrote
            .lock()
            .ok()
            .and_then(|mut wrote| wrote.remove(credential))
            .is_some_and(|at| at.elapsed() < KEEP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_is_noted_until_its_next_read() {
        let own = OwnWrites::default();
        assert!(!own.take("t"));
        own.wrote("t");
        assert!(!own.take("other"));
        assert!(own.take("t"));
        assert!(!own.take("t"), "once");
    }
}
