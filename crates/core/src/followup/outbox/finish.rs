//! Finishing an attempt only while the lease is held (fenced), storing
//! bodies rendered after the claim under the same fence, and the attempt
//! log read back.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Value,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{attempt_outcome, claim::ClaimedNotification, ms};
use crate::{
    db::{self, Db},
    error::Result,
};

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
