//! Cron occurrences: a `schedule_fires` row per occurrence, inserted in the
//! transaction of the notifications it enqueues, and the job runs read back.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{NewNotification, enqueue::enqueue_many, fire_status, ms, now_value};
use crate::{
    db::{self, Db},
    entity::schedule_fire,
    error::Result,
};

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
    let mut kinds: Vec<&str> = notifications.iter().map(|n| n.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        super::supersede::supersede_older(&txn, kind).await?;
    }
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
    record_passed(
        db,
        now,
        schedule_key,
        times,
        fire_status::SKIPPED,
        "missed longer ago than scheduler.max_catchup_hours",
        created_by,
    )
    .await
}

/// Records occurrences that are not run, each with `status` and `detail`;
/// insert-or-ignore. Returns how many rows were new.
pub async fn record_passed(
    db: &Db,
    now: DateTime<Utc>,
    schedule_key: &str,
    times: &[DateTime<Utc>],
    status: &str,
    detail: &str,
    created_by: &str,
) -> Result<u32> {
    let txn = db::begin_write(db).await?;
    let mut new = 0;
    for at in times {
        if insert_fire(
            &txn,
            schedule_key,
            *at,
            status,
            created_by,
            now,
            Some(detail.to_string()),
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
