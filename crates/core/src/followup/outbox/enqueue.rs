//! Enqueueing: an insert-or-ignore on the idempotency key, many
//! notifications per statement.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Value};
use sha2::{Digest as _, Sha256};

use super::now_value;
use crate::{db, error::Result, followup::notifications::state};

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
