//! Writing the outbox: enqueueing notifications, recording cron occurrences,
//! and the delivery protocol (claim with a lease, fenced finish). Reading it
//! for people lives in `notifications`. No SMTP here: the scheduler sends.
//!
//! The protocol (`docs/reliability.md`, The outbox protocol):
//! - **enqueue** is an insert-or-ignore on `idempotency_key`: a job run twice,
//!   on two instances or after a crash inserts nothing new;
//! - a **cron occurrence** is a `schedule_fires` row whose primary key
//!   `(schedule_key, fire_at)` is the race arbiter; it is inserted in the
//!   *same transaction* as the notifications the occurrence enqueues, so an
//!   instance that loses the insert enqueues nothing, and a crash leaves
//!   neither;
//! - **claim** takes due rows in one statement (PostgreSQL `FOR UPDATE SKIP
//!   LOCKED`; SQLite inside `BEGIN IMMEDIATE`), records who holds them and
//!   until when, counts the attempt, and flags a row re-claimed after an
//!   expired lease as possibly duplicated;
//! - the caller sends with **no transaction open**;
//! - **finish** only changes the row while the caller still holds the lease
//!   (`locked_by` and `attempts` unchanged, state still `sending`); otherwise
//!   it changes nothing and reports the lost lease.
//!
//! Every timestamp written here comes from the caller (an injected clock) and
//! is truncated to milliseconds, so SQLite's text timestamps compare correctly.
//!
//! Files: `enqueue` (inserting notifications), `occurrences` (recording cron
//! occurrences and job runs), `claim` (claiming under a lease, expiry,
//! backoff, requeue) and `finish` (the fenced finish and the attempt log).

mod claim;
mod enqueue;
mod finish;
mod occurrences;
#[cfg(test)]
mod tests;

pub use claim::{ClaimedNotification, backoff, claim, fail_expired, requeue};
pub use enqueue::{NewNotification, enqueue, enqueue_many, enqueue_to_render, message_id};
pub use finish::{AttemptView, Fenced, Finish, attempts, finish, store_rendered};
pub use occurrences::{
    JobRunView, Occurrence, OccurrenceOutcome, job_runs, last_fire_at, record_skipped,
    run_occurrence,
};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::Value;

/// Statuses of a `schedule_fires` row.
pub mod fire_status {
    /// The occurrence ran; `enqueued` says how many notifications it added.
    pub const ENQUEUED: &str = "enqueued";
    /// Missed during downtime and covered by a later run (one catch-up).
    pub const COALESCED: &str = "coalesced";
    /// Missed longer ago than `max_catchup`: not run, logged loudly.
    pub const SKIPPED: &str = "skipped";
    /// Run by hand (`dondoc jobs run`); not part of the cron sequence.
    pub const MANUAL: &str = "manual";
    pub const ALL: [&str; 4] = [ENQUEUED, COALESCED, SKIPPED, MANUAL];
}

/// Outcomes in `delivery_attempts.outcome`.
pub mod attempt_outcome {
    /// Claimed; the send may be under way (a row left like this = a crash).
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    /// Transient failure; retried later.
    pub const RETRY: &str = "retry";
    /// Permanent failure, or undelivered after `max_age`.
    pub const FAILED: &str = "failed";
    /// Given back without spending the attempt (configuration failure, pause).
    pub const RELEASED: &str = "released";
    /// The worker lost its lease before finishing; the row was not touched.
    pub const LOST_LEASE: &str = "lost_lease";
}

/// To the millisecond: every stored timestamp then has the same text width,
/// which SQLite compares as text.
fn ms(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

fn now_value(at: DateTime<Utc>) -> Value {
    Value::from(ms(at))
}
