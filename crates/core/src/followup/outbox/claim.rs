//! Claiming due notifications under a lease (each claim opens its
//! `delivery_attempts` row), failing the expired ones, the retry backoff,
//! and an operator's requeue.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Value};

use super::{attempt_outcome, ms};
use crate::{
    db::{self, Db},
    entity::notification,
    error::{Error, Result},
    followup::notifications::split_recipients,
    messages::Msg,
};

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

/// The columns of a claimed row, named: `RETURNING *` is expanded when the
/// statement is prepared, and a statement SQLite re-prepares after a schema
/// change elsewhere can then disagree with the driver about how many columns
/// a row has (seen as a panic inside the driver in a parallel test run).
const NOTIFICATION_COLUMNS: &str = "id, idempotency_key, message_id, kind, for_date, department_id, \
     user_id, recipients, subject, body_text, body_html, payload, state, attempts, next_attempt_at, \
     locked_by, locked_until, ambiguous, last_smtp_code, last_error, created_at, sent_at";

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
         RETURNING {NOTIFICATION_COLUMNS}"
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
    if done == 1 {
        // The operator says the mailboxes work again: try the refused ones.
        super::addressees::forget_refusals(&txn, &[id]).await?;
    }
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

/// Puts back in the queue notifications failed by refusals that turned out
/// to be the whole server's (the same refusal for every message in a row),
/// without counting the attempt, and forgets those refusals: once the server
/// accepts again they are delivered. Only rows still `failed` change.
pub async fn reopen_refused(db: &Db, ids: &[i64], at: DateTime<Utc>, why: &str) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let txn = db::begin_write(db).await?;
    let mut values = vec![Value::from(ms(at)), why.into()];
    values.extend(ids.iter().map(|id| Value::from(*id)));
    let sql = format!(
        "UPDATE notifications SET state = 'pending', next_attempt_at = ?, \
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
         last_error = ? || COALESCE(last_error, '') \
         WHERE state = 'failed' AND id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let reopened = txn
        .execute_raw(db::statement(&txn, &sql, values))
        .await?
        .rows_affected();
    super::addressees::forget_refusals(&txn, ids).await?;
    txn.commit().await?;
    Ok(reopened)
}
