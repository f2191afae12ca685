//! Figures carried through writes: a [`Fold`] is computed once from every
//! task, then brought to each new version through the changes the store
//! remembers (see the parent module).

use std::sync::{Arc, atomic::Ordering};

use super::{FactRef, FactStore, Memo};
use crate::error::{Error, Result};

/// Figures that are a sum over tasks: built by adding every task's facts,
/// kept exact after a write by removing the task as it was and adding it
/// as it is. `add` and `remove` decide themselves whether a task is in the
/// fold's scope, and must undo each other exactly.
pub trait Fold {
    type Value: Clone + Send + Sync + 'static;
    fn empty(&self) -> Self::Value;
    fn add(&self, value: &mut Self::Value, fact: &FactRef<'_>);
    fn remove(&self, value: &mut Self::Value, fact: &FactRef<'_>);

    /// Adds a task while building from every task (default: `add`); a
    /// fold whose `add` keeps an order can collect first and order once in
    /// [`Fold::finish`].
    fn collect(&self, value: &mut Self::Value, fact: &FactRef<'_>) {
        self.add(value, fact);
    }

    /// Ends a build from every task.
    fn finish(&self, _value: &mut Self::Value) {}
}

impl FactStore {
    /// How many folds were computed from every task, and how many were
    /// carried through changes instead.
    pub fn fold_counts(&self) -> (u64, u64) {
        (
            self.folds_computed.load(Ordering::Relaxed),
            self.folds_carried.load(Ordering::Relaxed),
        )
    }

    /// The fold of every task's current facts, named by `key` (which must
    /// name everything `fold` depends on): computed once, then carried
    /// forward through the changes of each later version. Call after a
    /// [`FactStore::sync`]; an enabled store only.
    pub async fn fold<F: Fold>(&self, key: String, fold: &F) -> Result<Arc<F::Value>> {
        if !self.enabled {
            return Err(Error::Unexpected(anyhow::anyhow!(
                "a fold needs the facts in memory"
            )));
        }
        let key = format!("fold:{key}");
        let used = self.uses.fetch_add(1, Ordering::Relaxed);
        let gate = self
            .computing
            .lock()
            .map(|mut gates| gates.entry(key.clone()).or_default().clone())
            .unwrap_or_default();
        let _turn = gate.lock().await;
        let inner = self.read()?;
        let now = inner.version;
        let prior = self
            .memos
            .lock()
            .ok()
            .and_then(|mut memos| memos.remove(&key))
            .and_then(|memo| Some((memo.version?, memo.value.downcast::<F::Value>().ok()?)));
        let value = match prior {
            Some((at, value)) if at == now => value,
            Some((at, mut value)) if at >= inner.log_from && at < now => {
                self.folds_carried.fetch_add(1, Ordering::Relaxed);
                let carried = Arc::make_mut(&mut value);
                let first = inner.log.partition_point(|l| l.version <= at);
                for change in inner.log.range(first..) {
                    if let Some(before) = &change.before {
                        fold.remove(
                            carried,
                            &FactRef {
                                inner: &inner,
                                fact: before,
                            },
                        );
                    }
                    fold.add(
                        carried,
                        &FactRef {
                            inner: &inner,
                            fact: &change.after,
                        },
                    );
                }
                value
            }
            _ => {
                self.folds_computed.fetch_add(1, Ordering::Relaxed);
                let mut value = fold.empty();
                for f in &inner.facts {
                    fold.collect(
                        &mut value,
                        &FactRef {
                            inner: &inner,
                            fact: f,
                        },
                    );
                }
                fold.finish(&mut value);
                Arc::new(value)
            }
        };
        drop(inner);
        self.keep(
            key.clone(),
            Memo {
                version: Some(now),
                used,
                value: value.clone(),
            },
        );
        if let Ok(mut gates) = self.computing.lock() {
            gates.remove(&key);
        }
        Ok(value)
    }
}
