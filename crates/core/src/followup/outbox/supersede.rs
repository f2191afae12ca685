//! Only the newest digest goes out: a digest still waiting in the outbox
//! (pending, e.g. during a mail outage) when a newer one of the same job for
//! the same recipients — the same department, or the same leader — is made
//! is recorded `superseded` and never sent. Without this, the backlog of an
//! outage across midnight is flushed with yesterday's copy after today's.
//!
//! Rows being sent (`sending`) are left alone: their send may be under way.

use sea_orm::ConnectionTrait;

use crate::{db, error::Result, followup::notifications::state};

/// The jobs whose notifications a newer one replaces (a request for
/// explanation is one of a kind and never superseded).
const DIGEST_KINDS: [&str; 3] = ["department-digest", "escalation", "leader-digest"];

/// Marks superseded every pending `kind` digest for which a newer one (a
/// later `for_date`, same department and leader) exists. Returns how many.
pub async fn supersede_older<C: ConnectionTrait>(db: &C, kind: &str) -> Result<u64> {
    if !DIGEST_KINDS.contains(&kind) {
        return Ok(0);
    }
    let sql = "UPDATE notifications SET state = ?, locked_until = NULL, \
         last_error = 'Đã có bản mới hơn, không gửi / superseded by a newer digest (' || \
           (SELECT MAX(newer.idempotency_key) FROM notifications newer \
            WHERE newer.kind = notifications.kind AND newer.for_date > notifications.for_date \
              AND COALESCE(newer.department_id, -1) = COALESCE(notifications.department_id, -1) \
              AND COALESCE(newer.user_id, -1) = COALESCE(notifications.user_id, -1)) || '), not sent' \
         WHERE state = ? AND kind = ? AND EXISTS (SELECT 1 FROM notifications newer \
            WHERE newer.kind = notifications.kind AND newer.for_date > notifications.for_date \
              AND COALESCE(newer.department_id, -1) = COALESCE(notifications.department_id, -1) \
              AND COALESCE(newer.user_id, -1) = COALESCE(notifications.user_id, -1))";
    let done = db
        .execute_raw(db::statement(
            db,
            sql,
            vec![state::SUPERSEDED.into(), state::PENDING.into(), kind.into()],
        ))
        .await?
        .rows_affected();
    if done > 0 {
        tracing::info!(
            kind,
            superseded = done,
            "older digests still waiting in the outbox were superseded by newer ones and will not be sent"
        );
    }
    Ok(done)
}
