//! Whether the database can still store writes, for `/readyz`.
//!
//! A ping only proves that the database answers. A full disk or a read-only
//! file still answers reads, so readiness also makes one real, committed
//! write — the `write_probe` row — at most once a second. The probe alone is
//! not enough: its tiny update can succeed where real writes fail
//! (PostgreSQL finds room in an existing page of a full tablespace; SQLite
//! reuses its write-ahead log). So the service also reports the writes it
//! saw refused for a full disk or a read-only database, for
//! [`REMEMBER`], unless a real write has succeeded since.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::ConnectionTrait;

use crate::{
    db::{self, Db, StorageFault},
    error::{Error, Result},
};

/// How long a refused write keeps the service "not ready" (unless a
/// later write succeeds).
pub const REMEMBER: Duration = Duration::from_secs(30);
/// The probe writes at most this often; checks in between reuse its result.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);

/// What one application instance knows about its writes.
#[derive(Debug, Default)]
pub struct WriteCheck {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The last probe: when, and the fault it met (`None`: it was stored).
    probed: Option<(Instant, Option<StorageFault>)>,
    /// The last real write refused for want of space or write access.
    refused: Option<(Instant, StorageFault)>,
}

impl WriteCheck {
    pub fn new() -> Self {
        Self::default()
    }

    /// A real write was refused. Only a full disk and a read-only database
    /// are remembered: a busy or unreachable database is seen by the ping.
    pub fn refused(&self, fault: StorageFault) {
        if matches!(fault, StorageFault::DiskFull | StorageFault::ReadOnly) {
            self.with_state(|s| s.refused = Some((Instant::now(), fault)));
        }
    }

    /// A real write was stored: earlier refusals, the probe's included, no
    /// longer say anything (the next check probes again).
    pub fn stored(&self) {
        self.with_state(|s| {
            s.refused = None;
            if s.probed.is_some_and(|(_, fault)| fault.is_some()) {
                s.probed = None;
            }
        });
    }

    /// Ready to store writes: the database answers, the probe is stored,
    /// and no real write was refused lately. Otherwise the error says why
    /// (`Error::Storage` with the fault, or the ping's error).
    pub async fn check(&self, db: &Db) -> Result<()> {
        db::ping(db).await?;
        let recent = self.with_state(|s| {
            s.probed
                .filter(|(at, _)| at.elapsed() < PROBE_EVERY)
                .map(|(_, fault)| fault)
        });
        let probe_fault = match recent {
            Some(fault) => fault,
            None => {
                let fault = probe(db).await?;
                self.with_state(|s| s.probed = Some((Instant::now(), fault)));
                fault
            }
        };
        if let Some(fault) = probe_fault {
            return Err(Error::Storage(fault, "the write probe was refused".into()));
        }
        let refused = self.with_state(|s| s.refused.filter(|(at, _)| at.elapsed() < REMEMBER));
        if let Some((at, fault)) = refused {
            return Err(Error::Storage(
                fault,
                format!(
                    "a write was refused {} s ago and none has been stored since",
                    at.elapsed().as_secs()
                ),
            ));
        }
        Ok(())
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        // A panic while holding the lock cannot leave `State` half-changed
        // (each change is one assignment), so a poisoned lock is still good.
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// One committed write of the probe row: `None` when stored, the fault
/// when the database refused it for space or write access; any other
/// error is returned.
async fn probe(db: &Db) -> Result<Option<StorageFault>> {
    let attempt = async {
        let txn = db::begin_write(db).await?;
        txn.execute_unprepared("UPDATE write_probe SET writes = writes + 1 WHERE id = 1")
            .await?;
        txn.commit().await?;
        Ok::<(), Error>(())
    };
    match attempt.await {
        Ok(()) => Ok(None),
        Err(Error::Storage(fault @ (StorageFault::DiskFull | StorageFault::ReadOnly), why)) => {
            tracing::warn!(%fault, error = %why, "the write probe was refused");
            Ok(Some(fault))
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_write_is_reported_until_a_write_is_stored() {
        let database = crate::testing::sqlite().await;
        let check = WriteCheck::new();
        check.check(&database.db).await.unwrap();
        check.refused(StorageFault::DiskFull);
        let err = check.check(&database.db).await.unwrap_err();
        assert!(
            matches!(err, Error::Storage(StorageFault::DiskFull, _)),
            "{err:?}"
        );
        // A busy database is not remembered; a stored write clears the memory.
        check.stored();
        check.refused(StorageFault::Busy);
        check.check(&database.db).await.unwrap();
        check.refused(StorageFault::ReadOnly);
        let err = check.check(&database.db).await.unwrap_err();
        assert!(matches!(err, Error::Storage(StorageFault::ReadOnly, _)));
        check.stored();
        check.check(&database.db).await.unwrap();
    }
}
