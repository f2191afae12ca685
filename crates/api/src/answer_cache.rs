//! Answers to identical reads, kept for a moment while nothing changed.
//!
//! The overdue lists are what many leaders and dashboards ask for over and
//! over; once their figures come from memory, building and serialising the
//! same page of tasks again is most of what such a request costs. An answer
//! is kept while the facts and the reminder documents are at the version it
//! was built at, and at most `server.read_cache_ms`.
//!
//! What could make a kept answer wrong, and why it cannot for long:
//! - a task or document write anywhere moves the facts' version (this
//!   instance's at once, another instance's within `figures.refresh_ms`);
//! - any other write through this instance (a department renamed, a user
//!   moved) forgets every kept answer when it finishes, and an answer built
//!   while it ran is not kept;
//! - what neither moves (a notice the outbox sent, a rename through another
//!   instance) shows at most `read_cache_ms` late.
//!
//! Answers are kept per user: nothing built for one reader is served to
//! another.

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::web::Bytes;

/// Answers kept at most: past this the memory is emptied.
const MAX_ENTRIES: usize = 1_000;

/// The versions an answer was built at: the facts', the documents'.
pub type Versions = (u64, u64);

struct Answer {
    versions: Versions,
    made: Instant,
    body: Bytes,
}

pub struct AnswerCache {
    keep_for: Duration,
    entries: Mutex<HashMap<String, Answer>>,
    /// Moves on every forget, so an answer built during a write is dropped.
    generation: AtomicU64,
}

impl AnswerCache {
    /// Keeps answers for `keep_for`; zero keeps nothing.
    pub fn new(keep_for: Duration) -> Self {
        Self {
            keep_for,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    pub fn is_enabled(&self) -> bool {
        !self.keep_for.is_zero()
    }

    /// The generation to hand back to [`AnswerCache::remember`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str, versions: Versions) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        let answer = entries.get(key)?;
        (answer.versions == versions && answer.made.elapsed() < self.keep_for)
            .then(|| answer.body.clone())
    }

    /// Keeps an answer built at `versions` and `generation`, unless a write
    /// has finished since.
    pub fn remember(&self, key: String, versions: Versions, generation: u64, body: Bytes) {
        if !self.is_enabled() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            let keep_for = self.keep_for;
            entries.retain(|_, answer| answer.made.elapsed() < keep_for);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Answer {
                versions,
                made: Instant::now(),
                body,
            },
        );
    }

    /// Forgets every answer: called after each request that may have written.
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

    fn body(text: &'static str) -> Bytes {
        Bytes::from_static(text.as_bytes())
    }

    #[test]
    fn an_answer_holds_while_its_versions_do() {
        let cache = AnswerCache::new(Duration::from_secs(60));
        cache.remember("k".into(), (3, 1), cache.generation(), body("a"));
        assert_eq!(cache.get("k", (3, 1)), Some(body("a")));
        assert_eq!(cache.get("k", (4, 1)), None, "a task changed");
        assert_eq!(cache.get("k", (3, 2)), None, "a document changed");
        assert_eq!(cache.get("other", (3, 1)), None);
    }

    #[test]
    fn a_write_forgets_and_an_answer_built_during_it_is_dropped() {
        let cache = AnswerCache::new(Duration::from_secs(60));
        cache.remember("k".into(), (1, 1), cache.generation(), body("a"));
        let during = cache.generation();
        cache.forget_all();
        assert_eq!(cache.get("k", (1, 1)), None);
        cache.remember("k".into(), (1, 1), during, body("b"));
        assert_eq!(cache.get("k", (1, 1)), None);
    }

    #[test]
    fn an_answer_ages_out_and_zero_keeps_nothing() {
        let cache = AnswerCache::new(Duration::from_millis(20));
        cache.remember("k".into(), (1, 1), cache.generation(), body("a"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get("k", (1, 1)), None);
        let never = AnswerCache::new(Duration::ZERO);
        never.remember("k".into(), (1, 1), never.generation(), body("a"));
        assert_eq!(never.get("k", (1, 1)), None);
    }
}
