//! Reading the outbox: what the system decided to send, and what happened
//! to each message. (Enqueueing and delivery live in `outbox`.)

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    entity::{department, notification, notification_task},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::departments::{self, collect},
    tasks::{Page, query::parse_paging},
};

/// Delivery states of a notification.
pub mod state {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
    /// A digest not yet sent when a newer one for the same recipients and
    /// job was made: never sent (the newer one says it all, up to date).
    pub const SUPERSEDED: &str = "superseded";
    pub const ALL: [&str; 6] = [PENDING, SENDING, SENT, FAILED, CANCELLED, SUPERSEDED];
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub idempotency_key: String,
    pub message_id: String,
    #[schema(value_type = String, format = Date)]
    pub for_date: NaiveDate,
    pub department: Option<String>,
    pub recipients: Vec<String>,
    pub subject: String,
    /// pending | sending | sent | failed | cancelled | superseded
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_smtp_code: Option<i32>,
    pub last_error: Option<String>,
    /// Re-claimed after a lost lease: may have been delivered twice.
    pub possibly_duplicated: bool,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawNotificationQuery {
    /// pending, sending, sent, failed, cancelled or superseded.
    pub state: Option<String>,
    /// department-digest, escalation, leader-digest.
    pub kind: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Only notifications that mention this task.
    pub task_id: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

pub fn split_recipients(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn view(n: notification::Model, departments: &[department::Model]) -> NotificationView {
    NotificationView {
        department: n
            .department_id
            .and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| d.code.clone()),
        recipients: split_recipients(&n.recipients),
        id: n.id,
        kind: n.kind,
        idempotency_key: n.idempotency_key,
        message_id: n.message_id,
        for_date: n.for_date,
        subject: n.subject,
        state: n.state,
        attempts: n.attempts,
        next_attempt_at: n.next_attempt_at,
        last_smtp_code: n.last_smtp_code,
        last_error: n.last_error,
        possibly_duplicated: n.ambiguous,
        created_at: n.created_at,
        sent_at: n.sent_at,
    }
}

/// The addresses the mail server refused for good (admin, leader): left out
/// of every notification until they are changed.
pub async fn refused_addresses(
    db: &crate::db::Db,
    user: &Principal,
) -> Result<Vec<super::outbox::RefusedAddress>> {
    policy::require(user, Action::ReadNotifications, None)?;
    super::outbox::refused_addresses(db).await
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawNotificationQuery,
) -> Result<Page<NotificationView>> {
    policy::require(user, Action::ReadNotifications, None)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let (page, per_page) =
        collect(&mut errors, parse_paging(&raw.page, &raw.per_page)).unwrap_or((1, 50));
    let mut cond = Condition::all();
    if let Some(s) = raw
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if state::ALL.contains(&s) {
            cond = cond.add(notification::Column::State.eq(s));
        } else {
            errors.push(FieldError::new(
                "state",
                "invalid_choice",
                Msg::InvalidNotificationState {
                    value: s.to_string(),
                    choices: state::ALL.join(", "),
                },
            ));
        }
    }
    if let Some(k) = raw.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        cond = cond.add(notification::Column::Kind.eq(k));
    }
    if let Some(code) = raw
        .department
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match departments::find_by_code(db, code).await? {
            Some(d) => cond = cond.add(notification::Column::DepartmentId.eq(d.id)),
            None => errors.push(FieldError::new(
                "department",
                "unknown",
                Msg::UnknownDepartmentCode {
                    code: code.to_string(),
                },
            )),
        }
    }
    if let Some(text) = raw
        .task_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match text.parse::<i64>() {
            Ok(id) => {
                cond = cond.add(
                    notification::Column::Id.in_subquery(
                        Query::select()
                            .column(notification_task::Column::NotificationId)
                            .from(notification_task::Entity)
                            .and_where(notification_task::Column::TaskId.eq(id))
                            .to_owned(),
                    ),
                )
            }
            Err(_) => errors.push(FieldError::new(
                "task_id",
                "invalid_number",
                Msg::TaskIdNotNumber,
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let base = notification::Entity::find().filter(cond);
    let total = base.clone().count(db).await?;
    let rows = base
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let departments = department::Entity::find().all(db).await?;
    Ok(Page {
        items: rows.into_iter().map(|n| view(n, &departments)).collect(),
        total,
        page,
        per_page,
    })
}

/// Notices that mention a task, newest first (for the task page), as
/// `user` may see them: staff see only those sent to their own department
/// (and to themselves), never the leaders' escalations and digests nor the
/// leaders' addresses; leaders and admins see all.
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    limit: u64,
) -> Result<Vec<NotificationView>> {
    let mut query = notification::Entity::find();
    if !policy::can(user, Action::ReadNotifications, None) {
        let Some(department) = user.department_id else {
            return Ok(Vec::new());
        };
        query = query.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(notification::Column::DepartmentId.eq(department))
                        .add(notification::Column::UserId.is_null()),
                )
                .add(notification::Column::UserId.eq(user.user_id)),
        );
    }
    let rows = query
        .filter(
            notification::Column::Id.in_subquery(
                Query::select()
                    .column(notification_task::Column::NotificationId)
                    .from(notification_task::Entity)
                    .and_where(notification_task::Column::TaskId.eq(task_id))
                    .to_owned(),
            ),
        )
        .order_by_desc(notification::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let departments = department::Entity::find().all(db).await?;
    Ok(rows.into_iter().map(|n| view(n, &departments)).collect())
}

/// Outbox depth for monitoring: notifications not yet sent or failed, and
/// how old the oldest of them is.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OutboxSummary {
    pub pending: u64,
    pub failed: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

pub async fn outbox_summary<C: ConnectionTrait>(db: &C) -> Result<OutboxSummary> {
    let waiting = Condition::any()
        .add(notification::Column::State.eq(state::PENDING))
        .add(notification::Column::State.eq(state::SENDING));
    let pending = notification::Entity::find()
        .filter(waiting.clone())
        .count(db)
        .await?;
    let failed = notification::Entity::find()
        .filter(notification::Column::State.eq(state::FAILED))
        .count(db)
        .await?;
    let oldest_pending_at = notification::Entity::find()
        .filter(waiting)
        .order_by_asc(notification::Column::CreatedAt)
        .one(db)
        .await?
        .map(|n| n.created_at);
    Ok(OutboxSummary {
        pending,
        failed,
        oldest_pending_at,
    })
}
