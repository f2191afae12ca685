//! Writing the outbox: enqueueing notifications, recording cron occurrences,
//! and the delivery protocol (claim with a lease, fenced finish). Reading it
//! for people lives in `notifications`. No SMTP here: the scheduler sends.
//!
//! The protocol (RELIABILITY.md):
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

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Value,
};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

use crate::{
    db::{self, Db},
    entity::{notification, schedule_fire},
    error::{Error, Result},
    followup::notifications::{split_recipients, state},
    messages::Msg,
};

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

fn ms(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

fn now_value(at: DateTime<Utc>) -> Value {
    Value::from(ms(at))
}

// ───────────────────────────── enqueue ─────────────────────────────

/// A notification to put in the outbox, already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub idempotency_key: String,
    /// `department-digest`, `escalation`, `leader-digest`.
    pub kind: String,
    /// The local date the notification is about.
    pub for_date: NaiveDate,
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Tasks it mentions (linked through `notification_tasks`).
    pub task_ids: Vec<i64>,
    /// Nobody can receive it: recorded as `failed` with this reason, never
    /// skipped silently.
    pub undeliverable: Option<String>,
}

/// The `Message-ID` of a notification, derived from its idempotency key only,
/// so every copy of one notice carries the same one and mail clients can fold
/// a duplicate.
pub fn message_id(idempotency_key: &str, domain: &str) -> String {
    let digest = Sha256::digest(idempotency_key.as_bytes());
    let domain = domain.trim().trim_matches(['<', '>']);
    let domain = if domain.is_empty() {
        "dondoc.invalid"
    } else {
        domain
    };
    format!("<{}.dondoc@{}>", hex::encode(&digest[..16]), domain)
}

/// Inserts one notification unless its key already exists. Returns the new
/// row's id, or `None` when the key was already there (nothing changed).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    n: &NewNotification,
    message_domain: &str,
) -> Result<Option<i64>> {
    let new = enqueue_many(db, now, std::slice::from_ref(n), message_domain).await?;
    Ok(new.first().copied())
}

/// Inserts one notification whose bodies the scheduler renders from
/// `payload` (structured content, as JSON) before its first send; `n`'s
/// bodies are ignored and its subject is final. For notifications made
/// where the mail templates are not (the API), in the transaction of the
/// change they announce. Returns the new row's id, or `None` when the key
/// was already there.
pub async fn enqueue_to_render<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    n: &NewNotification,
    payload: &serde_json::Value,
    message_domain: &str,
) -> Result<Option<i64>> {
    let unrendered = NewNotification {
        body_text: String::new(),
        body_html: String::new(),
        ..n.clone()
    };
    let new = insert(
        db,
        now,
        &[(&unrendered, Some(payload.to_string()))],
        message_domain,
    )
    .await?;
    Ok(new.first().copied())
}

/// Notifications per multi-row `INSERT` in [`enqueue_many`].
const ENQUEUE_BATCH: usize = 100;

/// Inserts many notifications, each unless its key already exists, in a
/// few multi-row statements (100 notifications, then 8,000 task links per
/// statement); returns the ids of the new ones, in the order given. At
/// national scale (a thousand digests of a hundred kilobytes) this saves a
/// round trip — and, on PostgreSQL over TCP, a Nagle/delayed-ACK stall of
/// ~40 ms — per notification.
pub async fn enqueue_many<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    notifications: &[NewNotification],
    message_domain: &str,
) -> Result<Vec<i64>> {
    let rows: Vec<(&NewNotification, Option<String>)> =
        notifications.iter().map(|n| (n, None)).collect();
    insert(db, now, &rows, message_domain).await
}

/// The insert behind every enqueue: each notification with the payload the
/// scheduler will render it from (`None`: it is rendered already).
async fn insert<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    notifications: &[(&NewNotification, Option<String>)],
    message_domain: &str,
) -> Result<Vec<i64>> {
    let mut new_ids = Vec::new();
    for batch in notifications.chunks(ENQUEUE_BATCH) {
        let mut values: Vec<Value> = Vec::with_capacity(batch.len() * 16);
        for (n, payload) in batch {
            let (state, last_error) = match &n.undeliverable {
                Some(reason) => (state::FAILED, Some(reason.clone())),
                None if n.recipients.is_empty() => (
                    state::FAILED,
                    Some("Không có người nhận / no recipient".to_string()),
                ),
                None => (state::PENDING, None),
            };
            values.extend([
                n.idempotency_key.clone().into(),
                message_id(&n.idempotency_key, message_domain).into(),
                n.kind.clone().into(),
                n.for_date.into(),
                n.department_id.into(),
                n.user_id.into(),
                n.recipients.join(", ").into(),
                n.subject.clone().into(),
                n.body_text.clone().into(),
                n.body_html.clone().into(),
                payload.clone().into(),
                state.into(),
                now_value(now),
                false.into(),
                last_error.into(),
                now_value(now),
            ]);
        }
        let rows =
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"; batch.len()].join(", ");
        let sql = format!(
            "INSERT INTO notifications (idempotency_key, message_id, kind, for_date, department_id, user_id, \
             recipients, subject, body_text, body_html, payload, state, attempts, next_attempt_at, ambiguous, \
             last_error, created_at) VALUES {rows} \
             ON CONFLICT DO NOTHING RETURNING id, idempotency_key"
        );
        let inserted = db.query_all_raw(db::statement(db, &sql, values)).await?;
        let mut new_in_batch: Vec<(usize, i64)> = Vec::with_capacity(inserted.len());
        let mut links: Vec<(i64, i64)> = Vec::new();
        for row in inserted {
            let id: i64 = row.try_get("", "id")?;
            let key: String = row.try_get("", "idempotency_key")?;
            if let Some(position) = batch.iter().position(|(n, _)| n.idempotency_key == key) {
                new_in_batch.push((position, id));
                let mut ids = batch[position].0.task_ids.clone();
                ids.sort_unstable();
                ids.dedup();
                links.extend(ids.into_iter().map(|task_id| (id, task_id)));
            }
        }
        // RETURNING promises no order; the caller gets the order it gave.
        new_in_batch.sort_unstable();
        new_ids.extend(new_in_batch.into_iter().map(|(_, id)| id));
        // 16,000 parameters: under SQLite's 32,766 and PostgreSQL's 65,535.
        for chunk in links.chunks(8_000) {
            let placeholders = vec!["(?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO notification_tasks (notification_id, task_id) VALUES {placeholders} ON CONFLICT DO NOTHING"
            );
            let values = chunk
                .iter()
                .flat_map(|(id, task_id)| [Value::from(*id), Value::from(*task_id)])
                .collect();
            db.execute_raw(db::statement(db, &sql, values)).await?;
        }
    }
    Ok(new_ids)
}

// ───────────────────────────── cron occurrences ─────────────────────────────

/// One run of a cron occurrence (or of a job started by hand).
#[derive(Debug, Clone)]
pub struct Occurrence<'a> {
    pub schedule_key: &'a str,
    /// The scheduled time (UTC). For a manual run, the time it was started.
    pub fire_at: DateTime<Utc>,
    /// `enqueued` for a cron occurrence, `manual` for a run by hand.
    pub status: &'a str,
    /// The instance that runs it.
    pub created_by: &'a str,
    /// Earlier occurrences this run covers (recorded `coalesced`).
    pub coalesced: &'a [DateTime<Utc>],
    /// Occurrences too old to catch up (recorded `skipped`).
    pub skipped: &'a [DateTime<Utc>],
    /// A note stored with the run (e.g. "not a working day").
    pub detail: Option<String>,
}

/// What happened to an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceOutcome {
    /// This instance won the occurrence and committed its notifications.
    Ran {
        /// Notifications inserted.
        enqueued: u32,
        /// Notifications whose key was already in the outbox.
        already_present: u32,
    },
    /// Another instance had already recorded it: nothing was written.
    AlreadyRecorded,
}

/// Records an occurrence and enqueues its notifications in one transaction.
/// The `schedule_fires` insert comes first and is the arbiter: when another
/// instance has the row already, everything is rolled back.
pub async fn run_occurrence(
    db: &Db,
    now: DateTime<Utc>,
    occurrence: &Occurrence<'_>,
    notifications: &[NewNotification],
    message_domain: &str,
) -> Result<OccurrenceOutcome> {
    let txn = db::begin_write(db).await?;
    let won = insert_fire(
        &txn,
        occurrence.schedule_key,
        occurrence.fire_at,
        occurrence.status,
        occurrence.created_by,
        now,
        None,
    )
    .await?;
    if !won {
        txn.rollback().await?;
        return Ok(OccurrenceOutcome::AlreadyRecorded);
    }
    for at in occurrence.coalesced {
        insert_fire(
            &txn,
            occurrence.schedule_key,
            *at,
            fire_status::COALESCED,
            occurrence.created_by,
            now,
            Some(format!(
                "covered by the run of {}",
                occurrence.fire_at.format("%Y-%m-%dT%H:%M:%SZ")
            )),
        )
        .await?;
    }
    for at in occurrence.skipped {
        insert_fire(
            &txn,
            occurrence.schedule_key,
            *at,
            fire_status::SKIPPED,
            occurrence.created_by,
            now,
            Some("missed longer ago than scheduler.max_catchup_hours".to_string()),
        )
        .await?;
    }
    let enqueued = enqueue_many(&txn, now, notifications, message_domain)
        .await?
        .len() as u32;
    let already_present = notifications.len() as u32 - enqueued;
    let detail = match (&occurrence.detail, already_present) {
        (Some(d), 0) => Some(d.clone()),
        (Some(d), n) => Some(format!("{d}; {n} already in the outbox")),
        (None, 0) => None,
        (None, n) => Some(format!("{n} already in the outbox")),
    };
    txn.execute_raw(db::statement(
        &txn,
        "UPDATE schedule_fires SET finished_at = ?, enqueued = ?, detail = ? \
         WHERE schedule_key = ? AND fire_at = ?",
        vec![
            now_value(now),
            Value::from(enqueued as i32),
            detail.into(),
            occurrence.schedule_key.into(),
            now_value(occurrence.fire_at),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(OccurrenceOutcome::Ran {
        enqueued,
        already_present,
    })
}

/// Records occurrences that are not run (all too old); insert-or-ignore.
/// Returns how many rows were new.
pub async fn record_skipped(
    db: &Db,
    now: DateTime<Utc>,
    schedule_key: &str,
    times: &[DateTime<Utc>],
    created_by: &str,
) -> Result<u32> {
    let txn = db::begin_write(db).await?;
    let mut new = 0;
    for at in times {
        if insert_fire(
            &txn,
            schedule_key,
            *at,
            fire_status::SKIPPED,
            created_by,
            now,
            Some("missed longer ago than scheduler.max_catchup_hours".to_string()),
        )
        .await?
        {
            new += 1;
        }
    }
    txn.commit().await?;
    Ok(new)
}

async fn insert_fire<C: ConnectionTrait>(
    db: &C,
    schedule_key: &str,
    fire_at: DateTime<Utc>,
    status: &str,
    created_by: &str,
    now: DateTime<Utc>,
    detail: Option<String>,
) -> Result<bool> {
    let finished: Option<DateTime<Utc>> =
        (status != fire_status::ENQUEUED && status != fire_status::MANUAL).then(|| ms(now));
    let result = db
        .execute_raw(db::statement(
            db,
            "INSERT INTO schedule_fires (schedule_key, fire_at, status, created_by, created_at, finished_at, enqueued, detail) \
             VALUES (?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
            vec![
                schedule_key.into(),
                now_value(fire_at),
                status.into(),
                created_by.into(),
                now_value(now),
                finished.into(),
                detail.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The latest occurrence recorded for a schedule (manual runs aside): the
/// point after which the tick looks for due occurrences.
pub async fn last_fire_at<C: ConnectionTrait>(
    db: &C,
    schedule_key: &str,
) -> Result<Option<DateTime<Utc>>> {
    Ok(schedule_fire::Entity::find()
        .filter(schedule_fire::Column::ScheduleKey.eq(schedule_key))
        .filter(schedule_fire::Column::Status.ne(fire_status::MANUAL))
        .order_by_desc(schedule_fire::Column::FireAt)
        .one(db)
        .await?
        .map(|f| f.fire_at))
}

/// A recorded job run, for pages and `dondoc jobs list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct JobRunView {
    /// The job: department-digest, escalation, leader-digest.
    pub job: String,
    /// The scheduled time (the start time for manual runs).
    pub scheduled_at: DateTime<Utc>,
    /// enqueued | coalesced | skipped | manual
    pub status: String,
    /// The instance that recorded it.
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Notifications the run added to the outbox.
    pub enqueued: Option<i32>,
    pub detail: Option<String>,
}

/// Recent job runs, newest first; `job` narrows to one job.
pub async fn job_runs<C: ConnectionTrait>(
    db: &C,
    job: Option<&str>,
    limit: u64,
) -> Result<Vec<JobRunView>> {
    let mut query = schedule_fire::Entity::find();
    if let Some(job) = job {
        query = query.filter(schedule_fire::Column::ScheduleKey.eq(job));
    }
    Ok(query
        .order_by_desc(schedule_fire::Column::FireAt)
        .limit(limit.clamp(1, 1000))
        .all(db)
        .await?
        .into_iter()
        .map(|f| JobRunView {
            job: f.schedule_key,
            scheduled_at: f.fire_at,
            status: f.status,
            instance: f.created_by,
            started_at: f.created_at,
            finished_at: f.finished_at,
            enqueued: f.enqueued,
            detail: f.detail,
        })
        .collect())
}

// ───────────────────────────── delivery ─────────────────────────────

/// A notification claimed for delivery, with what it takes to send it and
/// to finish it under the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedNotification {
    pub id: i64,
    pub idempotency_key: String,
    pub message_id: String,
    pub kind: String,
    pub recipients: Vec<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Content still to render (see [`enqueue_to_render`]): the bodies are
    /// empty until the scheduler renders them and [`store_rendered`] keeps them.
    pub payload: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Attempts including this one; part of the fence.
    pub attempts: i32,
    /// Re-claimed after an expired lease (or after a dropped connection):
    /// it may already have been delivered.
    pub ambiguous: bool,
    pub locked_until: DateTime<Utc>,
    /// The `delivery_attempts` row of this attempt.
    pub attempt_id: i64,
}

/// Claims up to `limit` due notifications for `worker` until `now + lease`:
/// pending ones whose `next_attempt_at` has come, and `sending` ones whose
/// lease has expired (those are flagged `ambiguous`). Each claim spends an
/// attempt and opens a `delivery_attempts` row, in the same transaction.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: u64,
) -> Result<Vec<ClaimedNotification>> {
    let now = ms(now);
    let until = ms(now + lease);
    let txn = db::begin_write(db).await?;
    let lock = if db::is_postgres(&txn) {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE notifications SET state = 'sending', locked_by = ?, locked_until = ?, \
         attempts = attempts + 1, ambiguous = (ambiguous OR state = 'sending') \
         WHERE id IN (SELECT id FROM notifications \
           WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND locked_until < ?) \
           ORDER BY next_attempt_at, id LIMIT ?{lock}) \
         RETURNING *"
    );
    let values = vec![
        worker.into(),
        Value::from(until),
        Value::from(now),
        Value::from(now),
        Value::from(limit.clamp(1, 10_000) as i64),
    ];
    let mut rows = notification::Entity::find()
        .from_raw_sql(db::statement(&txn, &sql, values))
        .all(&txn)
        .await?;
    rows.sort_by(|a, b| {
        a.next_attempt_at
            .cmp(&b.next_attempt_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let attempt = txn
            .query_one_raw(db::statement(
                &txn,
                "INSERT INTO delivery_attempts (notification_id, attempt, worker, started_at, outcome) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                vec![
                    row.id.into(),
                    row.attempts.into(),
                    worker.into(),
                    Value::from(now),
                    attempt_outcome::SENDING.into(),
                ],
            ))
            .await?
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("delivery attempt not recorded")))?;
        let attempt_id: i64 = attempt.try_get("", "id")?;
        claimed.push(ClaimedNotification {
            recipients: split_recipients(&row.recipients),
            id: row.id,
            idempotency_key: row.idempotency_key,
            message_id: row.message_id,
            kind: row.kind,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
            payload: row.payload,
            created_at: row.created_at,
            attempts: row.attempts,
            ambiguous: row.ambiguous,
            locked_until: row.locked_until.unwrap_or(until),
            attempt_id,
        });
    }
    txn.commit().await?;
    Ok(claimed)
}

/// Keeps the bodies the scheduler rendered from a claimed notification's
/// payload, and clears the payload: rendered once, before the first send,
/// so every later attempt sends these same bytes. Like [`finish`], only
/// while `worker` still holds the lease.
pub async fn store_rendered(
    db: &Db,
    claimed: &ClaimedNotification,
    worker: &str,
    body_text: &str,
    body_html: &str,
) -> Result<Fenced> {
    let stored = db
        .execute_raw(db::statement(
            db,
            "UPDATE notifications SET body_text = ?, body_html = ?, payload = NULL \
             WHERE id = ? AND locked_by = ? AND attempts = ? AND state = 'sending' \
             AND payload IS NOT NULL",
            vec![
                body_text.into(),
                body_html.into(),
                Value::from(claimed.id),
                worker.into(),
                Value::from(claimed.attempts),
            ],
        ))
        .await?
        .rows_affected()
        == 1;
    Ok(if stored {
        Fenced::Applied
    } else {
        Fenced::LostLease
    })
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// Accepted by the server (or written by the file / log transport).
    Sent { code: Option<u16>, reply: String },
    /// Transient failure: try again at `next_attempt_at`. `ambiguous` when
    /// the connection broke after the message may have been taken.
    Retry {
        code: Option<u16>,
        error: String,
        next_attempt_at: DateTime<Utc>,
        ambiguous: bool,
    },
    /// Permanent failure (or too old to keep trying): never retried.
    Failed { code: Option<u16>, error: String },
    /// Given back without spending the attempt (configuration failure,
    /// delivery paused): try again at `next_attempt_at`.
    Release {
        code: Option<u16>,
        error: String,
        next_attempt_at: DateTime<Utc>,
    },
}

impl Finish {
    fn outcome(&self) -> &'static str {
        match self {
            Finish::Sent { .. } => attempt_outcome::SENT,
            Finish::Retry { .. } => attempt_outcome::RETRY,
            Finish::Failed { .. } => attempt_outcome::FAILED,
            Finish::Release { .. } => attempt_outcome::RELEASED,
        }
    }

    fn code(&self) -> Option<u16> {
        match self {
            Finish::Sent { code, .. }
            | Finish::Retry { code, .. }
            | Finish::Failed { code, .. }
            | Finish::Release { code, .. } => *code,
        }
    }

    fn detail(&self) -> &str {
        match self {
            Finish::Sent { reply, .. } => reply,
            Finish::Retry { error, .. }
            | Finish::Failed { error, .. }
            | Finish::Release { error, .. } => error,
        }
    }
}

/// Whether a finish took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fenced {
    Applied,
    /// The lease had been lost (another worker re-claimed the row, or it was
    /// failed as too old): nothing about the notification was changed.
    LostLease,
}

/// Records the end of an attempt — only while `worker` still holds the lease.
pub async fn finish(
    db: &Db,
    claimed: &ClaimedNotification,
    worker: &str,
    outcome: &Finish,
    now: DateTime<Utc>,
) -> Result<Fenced> {
    let now = ms(now);
    let code = outcome.code().map(i32::from);
    let (set, mut values): (&str, Vec<Value>) = match outcome {
        Finish::Sent { .. } => (
            "state = 'sent', sent_at = ?, last_smtp_code = ?, locked_until = NULL",
            vec![Value::from(now), code.into()],
        ),
        Finish::Retry {
            error,
            next_attempt_at,
            ambiguous,
            ..
        } => (
            "state = 'pending', next_attempt_at = ?, last_smtp_code = ?, last_error = ?, \
             locked_until = NULL, ambiguous = (ambiguous OR ?)",
            vec![
                Value::from(ms(*next_attempt_at)),
                code.into(),
                error.clone().into(),
                (*ambiguous).into(),
            ],
        ),
        Finish::Failed { error, .. } => (
            "state = 'failed', last_smtp_code = ?, last_error = ?, locked_until = NULL",
            vec![code.into(), error.clone().into()],
        ),
        Finish::Release {
            error,
            next_attempt_at,
            ..
        } => (
            "state = 'pending', attempts = attempts - 1, next_attempt_at = ?, last_smtp_code = ?, \
             last_error = ?, locked_until = NULL",
            vec![
                Value::from(ms(*next_attempt_at)),
                code.into(),
                error.clone().into(),
            ],
        ),
    };
    let sql = format!(
        "UPDATE notifications SET {set} \
         WHERE id = ? AND locked_by = ? AND attempts = ? AND state = 'sending'"
    );
    values.extend([
        Value::from(claimed.id),
        worker.into(),
        Value::from(claimed.attempts),
    ]);
    let txn = db::begin_write(db).await?;
    let applied = txn
        .execute_raw(db::statement(&txn, &sql, values))
        .await?
        .rows_affected()
        == 1;
    let (attempt_outcome, detail) = if applied {
        (outcome.outcome(), outcome.detail().to_string())
    } else {
        (
            attempt_outcome::LOST_LEASE,
            format!(
                "lease lost before finishing; would have been {}: {}",
                outcome.outcome(),
                outcome.detail()
            ),
        )
    };
    txn.execute_raw(db::statement(
        &txn,
        "UPDATE delivery_attempts SET ended_at = ?, outcome = ?, smtp_code = ?, detail = ? WHERE id = ?",
        vec![
            Value::from(now),
            attempt_outcome.into(),
            code.into(),
            truncate(&detail, 2000).into(),
            Value::from(claimed.attempt_id),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(if applied {
        Fenced::Applied
    } else {
        Fenced::LostLease
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max_chars).collect();
        out.push('…');
        out
    }
}

/// Marks failed, visibly, every notification still undelivered that was
/// created before `now - max_age` (pending ones, and `sending` ones whose
/// lease has expired). Returns their ids.
pub async fn fail_expired(
    db: &Db,
    now: DateTime<Utc>,
    max_age: chrono::Duration,
) -> Result<Vec<i64>> {
    let now = ms(now);
    let cutoff = ms(now - max_age);
    let hours = max_age.num_hours();
    let txn = db::begin_write(db).await?;
    let rows = txn
        .query_all_raw(db::statement(
            &txn,
            "UPDATE notifications SET state = 'failed', locked_until = NULL, \
             last_error = ? || COALESCE(last_error, 'không rõ / unknown') \
             WHERE created_at < ? AND (state = 'pending' OR (state = 'sending' AND locked_until < ?)) \
             RETURNING id",
            vec![
                format!(
                    "Không gửi được sau {hours} giờ / undelivered after {hours} h (mail.delivery.max_age_hours); last error: "
                )
                .into(),
                Value::from(cutoff),
                Value::from(now),
            ],
        ))
        .await?;
    txn.commit().await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(row.try_get::<i64>("", "id")?);
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Capped exponential backoff: `base · 2^(attempts−1)`, at most `max`, then
/// spread by `jitter` ∈ [−1, 1] times 20 %.
pub fn backoff(attempts: i32, base_secs: u64, max_secs: u64, jitter: f64) -> chrono::Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let raw = base_secs
        .saturating_mul(1u64 << exponent)
        .min(max_secs.max(1));
    let spread = 1.0 + 0.2 * jitter.clamp(-1.0, 1.0);
    let millis = (raw as f64 * 1000.0 * spread).round().max(1000.0);
    chrono::Duration::milliseconds(millis as i64)
}

/// Puts a failed notification back in the queue (an operator's decision,
/// e.g. after fixing the mail server). Its content and recipients are those
/// it was built with.
pub async fn requeue(db: &Db, id: i64, now: DateTime<Utc>) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let done = txn
        .execute_raw(db::statement(
            &txn,
            "UPDATE notifications SET state = 'pending', next_attempt_at = ?, created_at = ? \
             WHERE id = ? AND state = 'failed' AND recipients <> ''",
            vec![Value::from(ms(now)), Value::from(ms(now)), Value::from(id)],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    if done == 1 {
        return Ok(());
    }
    match notification::Entity::find_by_id(id).one(db).await? {
        None => Err(Error::NotFound(Msg::NotFoundNotification { id })),
        Some(n) if n.recipients.trim().is_empty() => {
            Err(Error::Conflict(Msg::NotificationNoRecipient { id }))
        }
        Some(n) => Err(Error::Conflict(Msg::NotificationNotFailed {
            id,
            state: n.state.to_string(),
        })),
    }
}

/// One row of `delivery_attempts`, for pages and tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, FromQueryResult)]
pub struct AttemptView {
    pub notification_id: i64,
    pub attempt: i32,
    pub worker: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// sending | sent | retry | failed | released | lost_lease
    pub outcome: String,
    pub smtp_code: Option<i32>,
    pub detail: Option<String>,
}

/// The delivery attempts of one notification, in order.
pub async fn attempts<C: ConnectionTrait>(
    db: &C,
    notification_id: i64,
) -> Result<Vec<AttemptView>> {
    use crate::entity::delivery_attempt;
    Ok(delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::NotificationId.eq(notification_id))
        .order_by_asc(delivery_attempt::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AttemptView {
            notification_id: a.notification_id,
            attempt: a.attempt,
            worker: a.worker,
            started_at: a.started_at,
            ended_at: a.ended_at,
            outcome: a.outcome,
            smtp_code: a.smtp_code,
            detail: a.detail,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 18, 0, 0, 0).unwrap()
    }

    fn new(key: &str) -> NewNotification {
        NewNotification {
            idempotency_key: key.to_string(),
            kind: "department-digest".to_string(),
            for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
            department_id: None,
            user_id: None,
            recipients: vec!["a@x.vn".to_string(), "b@x.vn".to_string()],
            subject: "Nhắc việc — đơn vị".to_string(),
            body_text: "Kính gửi".to_string(),
            body_html: "<p>Kính gửi</p>".to_string(),
            task_ids: Vec::new(),
            undeliverable: None,
        }
    }

    #[test]
    fn message_ids_are_stable_and_distinct() {
        let a = message_id("department-digest:VP:2026-05-18", "x.vn");
        assert_eq!(a, message_id("department-digest:VP:2026-05-18", "x.vn"));
        assert_ne!(a, message_id("department-digest:VP:2026-05-19", "x.vn"));
        assert!(a.starts_with('<') && a.ends_with("@x.vn>"), "{a}");
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered_within_twenty_percent() {
        assert_eq!(backoff(1, 60, 7200, 0.0).num_seconds(), 60);
        assert_eq!(backoff(2, 60, 7200, 0.0).num_seconds(), 120);
        assert_eq!(backoff(4, 60, 7200, 0.0).num_seconds(), 480);
        assert_eq!(backoff(30, 60, 7200, 0.0).num_seconds(), 7200);
        assert_eq!(backoff(1000, 60, 7200, 0.0).num_seconds(), 7200);
        assert_eq!(backoff(1, 60, 7200, 1.0).num_seconds(), 72);
        assert_eq!(backoff(1, 60, 7200, -1.0).num_seconds(), 48);
        assert_eq!(backoff(0, 60, 7200, 0.0).num_seconds(), 60);
    }

    #[tokio::test]
    async fn enqueue_is_insert_or_ignore_on_the_key() {
        for t in testing::databases().await {
            let db = &t.db;
            let first = enqueue(db, t0(), &new("k1"), "x.vn").await.unwrap();
            assert!(first.is_some(), "{:?}", t.backend);
            let mut changed = new("k1");
            changed.subject = "khác".into();
            assert_eq!(enqueue(db, t0(), &changed, "x.vn").await.unwrap(), None);
            let rows = notification::Entity::find().all(db).await.unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].subject, "Nhắc việc — đơn vị");
            assert_eq!(rows[0].state, state::PENDING);
            assert_eq!(rows[0].recipients, "a@x.vn, b@x.vn");

            let mut nobody = new("k2");
            nobody.recipients.clear();
            nobody.undeliverable = Some("no email for XA".into());
            enqueue(db, t0(), &nobody, "x.vn").await.unwrap();
            let failed = notification::Entity::find()
                .filter(notification::Column::IdempotencyKey.eq("k2"))
                .one(db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(failed.state, state::FAILED);
            assert_eq!(failed.last_error.as_deref(), Some("no email for XA"));
        }
    }

    #[tokio::test]
    async fn claim_lease_and_fenced_finish() {
        for t in testing::databases().await {
            let db = &t.db;
            for k in ["a", "b", "c"] {
                enqueue(db, t0(), &new(k), "x.vn").await.unwrap();
            }
            let lease = chrono::Duration::seconds(60);
            let mine = claim(db, "w1", t0(), lease, 2).await.unwrap();
            assert_eq!(mine.len(), 2, "{:?}", t.backend);
            assert!(mine.iter().all(|c| c.attempts == 1 && !c.ambiguous));
            // The third is still free; the first two are held.
            let other = claim(db, "w2", t0(), lease, 10).await.unwrap();
            assert_eq!(other.len(), 1);
            assert_eq!(other[0].idempotency_key, "c");
            assert!(claim(db, "w3", t0(), lease, 10).await.unwrap().is_empty());

            // Lease expires; w3 re-claims w1's rows, flagged.
            let later = t0() + chrono::Duration::seconds(61);
            let stolen = claim(db, "w3", later, lease, 10).await.unwrap();
            assert_eq!(stolen.len(), 3);
            assert!(stolen.iter().all(|c| c.ambiguous && c.attempts == 2));

            // w1's stale finish changes nothing.
            let before = notification::Entity::find_by_id(mine[0].id)
                .one(db)
                .await
                .unwrap();
            let sent = Finish::Sent {
                code: Some(250),
                reply: "250 ok".into(),
            };
            assert_eq!(
                finish(db, &mine[0], "w1", &sent, later).await.unwrap(),
                Fenced::LostLease
            );
            let after = notification::Entity::find_by_id(mine[0].id)
                .one(db)
                .await
                .unwrap();
            assert_eq!(before, after);

            // w3 finishes: applied.
            let theirs = stolen.iter().find(|c| c.id == mine[0].id).unwrap();
            assert_eq!(
                finish(db, theirs, "w3", &sent, later).await.unwrap(),
                Fenced::Applied
            );
            let row = notification::Entity::find_by_id(theirs.id)
                .one(db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.state, state::SENT);
            assert_eq!(row.sent_at, Some(later));
            assert!(row.ambiguous);
            let trail = attempts(db, theirs.id).await.unwrap();
            assert_eq!(
                trail.iter().map(|a| a.outcome.as_str()).collect::<Vec<_>>(),
                vec!["lost_lease", "sent"]
            );
        }
    }

    #[tokio::test]
    async fn retry_release_and_expiry() {
        for t in testing::databases().await {
            let db = &t.db;
            enqueue(db, t0(), &new("r"), "x.vn").await.unwrap();
            let lease = chrono::Duration::seconds(60);
            let c = claim(db, "w", t0(), lease, 1).await.unwrap().remove(0);
            let next = t0() + chrono::Duration::seconds(60);
            let retry = Finish::Retry {
                code: Some(451),
                error: "451 try later".into(),
                next_attempt_at: next,
                ambiguous: false,
            };
            assert_eq!(
                finish(db, &c, "w", &retry, t0()).await.unwrap(),
                Fenced::Applied
            );
            assert!(
                claim(db, "w", t0(), lease, 1).await.unwrap().is_empty(),
                "not before next_attempt_at"
            );
            let c = claim(db, "w", next, lease, 1).await.unwrap().remove(0);
            assert_eq!(c.attempts, 2);
            let release = Finish::Release {
                code: Some(535),
                error: "535 auth".into(),
                next_attempt_at: next,
            };
            finish(db, &c, "w", &release, next).await.unwrap();
            let row = notification::Entity::find_by_id(c.id)
                .one(db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (row.state.as_str(), row.attempts),
                ("pending", 1),
                "release spends no attempt"
            );

            let expired = fail_expired(
                db,
                t0() + chrono::Duration::hours(121),
                chrono::Duration::hours(120),
            )
            .await
            .unwrap();
            assert_eq!(expired, vec![c.id]);
            let row = notification::Entity::find_by_id(c.id)
                .one(db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.state, state::FAILED);
            assert!(row.last_error.unwrap().contains("535 auth"));
            requeue(db, c.id, next).await.unwrap();
            assert!(requeue(db, c.id, next).await.is_err());
        }
    }

    #[tokio::test]
    async fn an_occurrence_is_won_once_with_its_notifications() {
        for t in testing::databases().await {
            let db = &t.db;
            let fire = t0();
            let coalesced = [fire - chrono::Duration::days(1)];
            let occ = Occurrence {
                schedule_key: "department-digest",
                fire_at: fire,
                status: fire_status::ENQUEUED,
                created_by: "i1",
                coalesced: &coalesced,
                skipped: &[],
                detail: None,
            };
            let out = run_occurrence(db, fire, &occ, &[new("x"), new("y")], "x.vn")
                .await
                .unwrap();
            assert_eq!(
                out,
                OccurrenceOutcome::Ran {
                    enqueued: 2,
                    already_present: 0
                }
            );
            let again = Occurrence {
                created_by: "i2",
                ..occ.clone()
            };
            assert_eq!(
                run_occurrence(db, fire, &again, &[new("z")], "x.vn")
                    .await
                    .unwrap(),
                OccurrenceOutcome::AlreadyRecorded
            );
            assert_eq!(
                notification::Entity::find().all(db).await.unwrap().len(),
                2,
                "z rolled back"
            );
            assert_eq!(
                last_fire_at(db, "department-digest").await.unwrap(),
                Some(fire)
            );
            let runs = job_runs(db, Some("department-digest"), 10).await.unwrap();
            assert_eq!(runs.len(), 2);
            assert_eq!(runs[0].status, "enqueued");
            assert_eq!(runs[0].enqueued, Some(2));
            assert_eq!(runs[0].instance, "i1");
            assert_eq!(runs[1].status, "coalesced");
        }
    }
}
