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
//!   while it ran is not kept (a task's progress update does not: all it
//!   changes moves the facts' version);
//! - what neither moves (a notice the outbox sent, a rename through another
//!   instance) shows at most `read_cache_ms` late.
//!
//! Answers are kept per user: nothing built for one reader is served to
//! another.
//!
//! One answer per key is built at a time ([`AnswerCache::get_or_build`]):
//! after a write, the readers that find their answer outdated wait for the
//! first of them to build it instead of all building the same thing at once
//! (under a steady writer that herd was most of a busy server's work).

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use actix_web::web::Bytes;
use std::{future::Future, sync::Arc};

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
    /// Keys being built, each with the gate its other readers queue at.
    building: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl AnswerCache {
    /// Keeps answers for `keep_for`; zero keeps nothing.
    pub fn new(keep_for: Duration) -> Self {
        Self {
            keep_for,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            building: Mutex::new(HashMap::new()),
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

    /// The answer kept for `key` at `versions`, else the one `build` makes
    /// (kept when it is `Some`): one build per key at a time, the other
    /// readers of the key wait for it and take its answer.
    pub async fn get_or_build<E, F, Fut>(
        &self,
        key: String,
        versions: Versions,
        build: F,
    ) -> Result<Option<Bytes>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Bytes>, E>>,
    {
        if let Some(body) = self.get(&key, versions) {
            return Ok(Some(body));
        }
        let _turn = self.turn(&key).await;
        if let Some(body) = self.get(&key, versions) {
            return Ok(Some(body));
        }
        let generation = self.generation();
        let built = build().await?;
        if let Some(body) = &built {
            self.remember(key, versions, generation, body.clone());
        }
        Ok(built)
    }

    /// Waits until no one else builds `key`, and holds the turn to build it
    /// until the returned guard is dropped. Look the answer up again once
    /// the turn is yours: the one before you may have kept it.
    pub async fn turn(&self, key: &str) -> Turn<'_> {
        let gate = self
            .building
            .lock()
            .map(|mut gates| gates.entry(key.to_string()).or_default().clone())
            .unwrap_or_default();
        let guard = gate.clone().lock_owned().await;
        Turn {
            cache: self,
            key: key.to_string(),
            gate,
            _guard: guard,
        }
    }

    /// Forgets every answer: called after each request that may have written.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.clear();
        }
    }
}

/// The turn to build one key's answer (see [`AnswerCache::turn`]).
pub struct Turn<'a> {
    cache: &'a AnswerCache,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        // The gate goes once no one else queues at it; a reader still
        // queued keeps it alive and finds the answer kept.
        if let Ok(mut gates) = self.cache.building.lock()
            && gates
                .get(&self.key)
                .is_some_and(|g| Arc::ptr_eq(g, &self.gate) && Arc::strong_count(g) <= 3)
        {
            gates.remove(&self.key);
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

    #[tokio::test]
    async fn readers_of_one_key_wait_for_one_build() {
        let cache = Arc::new(AnswerCache::new(Duration::from_secs(60)));
        let builds = Arc::new(AtomicU64::new(0));
        let mut readers = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let builds = builds.clone();
            readers.push(tokio::spawn(async move {
                cache
                    .get_or_build("k".into(), (1, 1), || async {
                        builds.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        Ok::<_, ()>(Some(body("a")))
                    })
                    .await
            }));
        }
        for reader in readers {
            assert_eq!(reader.await.unwrap(), Ok(Some(body("a"))));
        }
        assert_eq!(
            builds.load(Ordering::SeqCst),
            1,
            "one build for eight readers"
        );
        // A newer version is built again; an answer not to keep is not kept.
        let built = cache
            .get_or_build("k".into(), (2, 1), || async { Ok::<_, ()>(None) })
            .await;
        assert_eq!(built, Ok(None));
        assert_eq!(cache.get("k", (2, 1)), None);
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
