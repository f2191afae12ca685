//! A property test of the outbox protocol against a simple model: random
//! interleavings of ticks (enqueue through a cron occurrence), claims by two
//! workers, sends that succeed, fail with 4xx or 5xx, or drop the connection
//! after the server took the message, crashes (before or after the server
//! took the message) and clock jumps past leases — on the real database and
//! the real worker code, with a scripted server.
//!
//! Properties, after a final recovery (crashed workers restarted, clock
//! moved on, delivery drained):
//! - every enqueued key ends `sent` or visibly `failed`, none in between;
//! - nothing is received that was not enqueued (no phantom);
//! - a key is received more than once only after as many crashes, dropped
//!   connections or lost leases, and then it is flagged;
//! - an occurrence (cron minute) is run once: a second tick in the same
//!   minute enqueues nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, DurationRound, NaiveDate, TimeZone, Utc};
use dondoc_core::{
    Clock,
    config::DeliverySettings,
    db::Db,
    entity::notification,
    followup::notifications::state,
    followup::outbox::{
        self, ClaimedNotification, NewNotification, Occurrence, OccurrenceOutcome, fire_status,
    },
    testing,
};
use dondoc_scheduler::{
    Delivery, Worker,
    mailer::{Mailer, Outgoing, Receipt, SendError},
};
use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use sea_orm::{ConnectionTrait, EntityTrait};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Ok,
    Transient,
    Permanent,
    /// The server takes the message, the connection drops before the reply.
    Drop,
}

#[derive(Debug, Clone)]
enum Op {
    /// A cron tick enqueueing the keys in the mask (bit i = key i).
    Tick(u8),
    Claim(usize),
    Send(usize, Script),
    /// The server takes the message, then the worker dies before finishing.
    SendThenCrash(usize),
    /// The worker dies holding its claim (before sending).
    Crash(usize),
    /// Seconds; the lease is 60 s.
    Jump(u32),
}

const KEYS: usize = 6;
const WORKERS: usize = 2;

fn op() -> impl Strategy<Value = Op> {
    let script = prop_oneof![
        4 => Just(Script::Ok),
        2 => Just(Script::Transient),
        1 => Just(Script::Permanent),
        1 => Just(Script::Drop),
    ];
    prop_oneof![
        2 => (1u8..64).prop_map(Op::Tick),
        4 => (0..WORKERS).prop_map(Op::Claim),
        4 => ((0..WORKERS), script).prop_map(|(w, s)| Op::Send(w, s)),
        1 => (0..WORKERS).prop_map(Op::SendThenCrash),
        1 => (0..WORKERS).prop_map(Op::Crash),
        2 => (1u32..200).prop_map(Op::Jump),
    ]
}

/// The scripted server: what the next send gets, and what was received.
#[derive(Clone, Default)]
struct Server(Arc<Mutex<ServerState>>);

#[derive(Default)]
struct ServerState {
    next: Option<Script>,
    received: BTreeMap<String, u32>,
    refusals: u32,
}

impl Server {
    fn receive(&self, key: &str) {
        *self
            .0
            .lock()
            .unwrap()
            .received
            .entry(key.to_string())
            .or_default() += 1;
    }
}

impl Mailer for Server {
    async fn send(&self, mail: &Outgoing) -> Result<Receipt, SendError> {
        let mut s = self.0.lock().unwrap();
        match s.next.take().unwrap_or(Script::Ok) {
            Script::Ok => {
                *s.received.entry(mail.idempotency_key.clone()).or_default() += 1;
                Ok(Receipt {
                    code: Some(250),
                    reply: "250 ok".into(),
                })
            }
            Script::Transient => Err(SendError::Transient {
                code: Some(451),
                message: "451 try again later".into(),
                ambiguous: false,
            }),
            Script::Permanent => {
                // Distinct replies, so the "everything refused" breaker stays out of it.
                s.refusals += 1;
                Err(SendError::Permanent {
                    code: Some(550),
                    message: format!("550 no such mailbox ({})", s.refusals),
                })
            }
            Script::Drop => {
                *s.received.entry(mail.idempotency_key.clone()).or_default() += 1;
                Err(SendError::Transient {
                    code: None,
                    message: "connection dropped after DATA".into(),
                    ambiguous: true,
                })
            }
        }
    }

    fn describe(&self) -> String {
        "scripted".into()
    }
}

fn delivery() -> DeliverySettings {
    DeliverySettings {
        batch_size: 1,
        lease_seconds: 60,
        max_age_hours: 120,
        base_backoff_secs: 60,
        max_backoff_secs: 7200,
        pause_on_config_error_secs: 300,
        // Every scripted refusal is of one kind (550, no enhanced status):
        // keep the "server refuses everything" breaker out of the model.
        refusals_before_pause: u32::MAX,
        concurrency: 1,
    }
}

fn key(i: usize) -> String {
    format!("model:{i}")
}

fn note(i: usize) -> NewNotification {
    NewNotification {
        idempotency_key: key(i),
        kind: "department-digest".into(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec![format!("dv{i}@dondoc.test")],
        subject: format!("Nhắc việc {i}"),
        body_text: "Kính gửi".into(),
        body_html: "<p>Kính gửi</p>".into(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

struct Slot {
    worker: Worker<Server>,
    held: Option<ClaimedNotification>,
    generation: u32,
}

fn worker(db: &Db, clock: &Clock, server: &Server, index: usize, generation: u32) -> Slot {
    Slot {
        worker: Worker::new(db.clone(), clock.clone(), delivery(), server.clone())
            .with_id(format!("w{index}-{generation}")),
        held: None,
        generation,
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($fmt)+)));
        }
    };
}

async fn check(db: &Db, ops: Vec<Op>) -> Result<(), TestCaseError> {
    for table in [
        "notification_recipients",
        "refused_addresses",
        "delivery_attempts",
        "notification_tasks",
        "notifications",
        "schedule_fires",
    ] {
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
    }
    let t0 = Utc.with_ymd_and_hms(2026, 5, 18, 0, 0, 0).unwrap();
    let (clock, hand) = Clock::manual(chrono_tz::Asia::Ho_Chi_Minh, t0);
    let server = Server::default();
    let mut slots: Vec<Slot> = (0..WORKERS)
        .map(|i| worker(db, &clock, &server, i, 0))
        .collect();
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut fired_minutes: BTreeSet<DateTime<Utc>> = BTreeSet::new();
    let mut risky: BTreeMap<String, u32> = BTreeMap::new();
    let lease = chrono::Duration::seconds(60);

    for op in ops {
        match op {
            Op::Tick(mask) => {
                let minute = clock
                    .now()
                    .duration_trunc(chrono::Duration::minutes(1))
                    .unwrap();
                let keys: Vec<usize> = (0..KEYS).filter(|i| mask & (1 << i) != 0).collect();
                let notes: Vec<_> = keys.iter().map(|i| note(*i)).collect();
                let occurrence = Occurrence {
                    schedule_key: "model",
                    fire_at: minute,
                    status: fire_status::ENQUEUED,
                    created_by: "tick",
                    coalesced: &[],
                    skipped: &[],
                    detail: None,
                };
                let outcome =
                    outbox::run_occurrence(db, clock.now(), &occurrence, &notes, "dondoc.test")
                        .await
                        .unwrap();
                match outcome {
                    OccurrenceOutcome::Ran { enqueued, .. } => {
                        ensure!(fired_minutes.insert(minute), "minute {minute} ran twice");
                        let new = keys.iter().filter(|i| created.insert(key(**i))).count() as u32;
                        ensure!(new == enqueued, "enqueued {enqueued}, model says {new}");
                    }
                    OccurrenceOutcome::AlreadyRecorded => {
                        ensure!(
                            fired_minutes.contains(&minute),
                            "a tick lost a race nobody ran"
                        );
                    }
                }
            }
            Op::Claim(w) => {
                let slot = &mut slots[w];
                if slot.held.is_none() {
                    let mut got = outbox::claim(db, slot.worker.id(), clock.now(), lease, 1)
                        .await
                        .unwrap();
                    slot.held = got.pop();
                }
            }
            Op::Send(w, script) => {
                let slot = &mut slots[w];
                if let Some(claimed) = slot.held.take() {
                    server.0.lock().unwrap().next = Some(script);
                    let result = slot.worker.deliver_claimed(&claimed).await.unwrap();
                    // The script is for this send only. A worker that finds
                    // every address already served (recorded by a stale
                    // worker that did send) sends nothing and leaves it.
                    server.0.lock().unwrap().next = None;
                    if matches!(result, Delivery::LostLease { .. })
                        && matches!(script, Script::Ok | Script::Drop)
                    {
                        *risky.entry(claimed.idempotency_key.clone()).or_default() += 1;
                    }
                    if script == Script::Drop {
                        *risky.entry(claimed.idempotency_key.clone()).or_default() += 1;
                    }
                }
            }
            Op::SendThenCrash(w) => {
                if let Some(claimed) = slots[w].held.take() {
                    server.receive(&claimed.idempotency_key);
                    *risky.entry(claimed.idempotency_key.clone()).or_default() += 1;
                    let generation = slots[w].generation + 1;
                    slots[w] = worker(db, &clock, &server, w, generation);
                }
            }
            Op::Crash(w) => {
                let generation = slots[w].generation + 1;
                slots[w] = worker(db, &clock, &server, w, generation);
            }
            Op::Jump(secs) => hand.advance(chrono::Duration::seconds(i64::from(secs))),
        }
    }

    // Recovery: restart everyone, let leases and backoffs run out, drain.
    let mut healer = worker(db, &clock, &server, 9, 0);
    for _ in 0..10 {
        hand.advance(chrono::Duration::hours(3));
        healer.worker.drain().await.unwrap();
    }

    let rows = notification::Entity::find().all(db).await.unwrap();
    let received = server.0.lock().unwrap().received.clone();
    ensure!(
        rows.len() == created.len(),
        "{} rows for {} keys",
        rows.len(),
        created.len()
    );
    for row in &rows {
        let k = &row.idempotency_key;
        ensure!(created.contains(k), "row {k} was never enqueued");
        ensure!(
            row.state == state::SENT || row.state == state::FAILED,
            "{k} ended {}",
            row.state
        );
        let got = received.get(k).copied().unwrap_or(0);
        let allowed = 1 + risky.get(k).copied().unwrap_or(0);
        if row.state == state::SENT {
            ensure!(got >= 1, "{k} marked sent but never received");
            ensure!(row.sent_at.is_some(), "{k} sent without sent_at");
        } else {
            ensure!(
                row.last_error.as_deref().is_some_and(|e| !e.is_empty()),
                "{k} failed without a reason"
            );
        }
        ensure!(
            got <= allowed,
            "{k} received {got} times with only {} crashes/drops/lost leases",
            allowed - 1
        );
        if got >= 2 {
            ensure!(row.ambiguous, "{k} received {got} times but not flagged");
        }
    }
    for k in received.keys() {
        ensure!(
            created.contains(k),
            "phantom: {k} received but never enqueued"
        );
    }
    Ok(())
}

#[test]
fn random_interleavings_never_lose_or_silently_duplicate_a_notification() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let databases = runtime.block_on(testing::databases());
    for t in &databases {
        let cases = match t.backend {
            testing::Backend::Sqlite => 200,
            testing::Backend::Postgres => 64,
        };
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&prop::collection::vec(op(), 1..60), |ops| {
            runtime.block_on(check(&t.db, ops))
        });
        if let Err(err) = result {
            panic!("{:?}: {err}", t.backend);
        }
    }
    runtime.block_on(async move { drop(databases) });
}
