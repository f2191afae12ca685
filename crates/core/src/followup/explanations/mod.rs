//! Requests for explanation (yêu cầu giải trình). A leader (or an admin)
//! flags an overdue task with a question and an answer-by date; the lead
//! department is notified through the outbox (one notification per request,
//! enqueued in the same transaction as the request, under the idempotency
//! key `explanation-request:{id}`); the lead department's staff answer on
//! the task page or through the API, and the answer goes into the task's
//! history. A request still unanswered after its answer-by date is overdue:
//! it is marked so in the lists and escalates into the leaders' digest
//! (`reminders`), which keeps its own once-per-leader-per-day key.
//!
//! The notice is rendered by the scheduler, like every other mail: its
//! templates are where mail HTML is escaped, and core has no templates. The
//! request, its history entry and the notification are still written in one
//! transaction: the notification is enqueued with its subject and the
//! structured content ([`ExplanationNotice`], as JSON), and the delivery
//! worker renders the bodies from it after claiming the notification and
//! stores them before the first send (`outbox::store_rendered`), so every
//! retry sends identical bytes. A scheduler job that rendered the notice
//! after the request's commit would need a second transaction, and a crash
//! between the two would lose the notice.
//!
//! Files: `ask` (asking and answering), `notice` (the department's notice:
//! its content, recipients and enqueueing) and `read` (the lists).

mod ask;
mod notice;
mod read;

pub use ask::{answer, answer_in, request};
pub use notice::{ExplanationNotice, mail_domain};
pub use read::{escalated, for_task, for_task_as, get, list};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::users::UserRef, entity::explanation_request, org::departments::DepartmentRef,
};

const MAX_TEXT: usize = 10_000;

/// A request for explanation (yêu cầu giải trình) still unanswered after
/// its answer-by date: it escalates into the leaders' digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalatedExplanation {
    pub request_id: i64,
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub lead_department_code: String,
    pub lead_department_name: String,
    pub question: String,
    pub answer_by: NaiveDate,
    /// Days since the answer-by date.
    pub days_overdue: i64,
    /// Full name of who asked.
    pub requested_by: String,
}

/// The outbox kind of the notice sent to the lead department.
pub const NOTIFICATION_KIND: &str = "explanation-request";

/// History actions.
pub const HISTORY_REQUESTED: &str = "explanation_requested";

pub const HISTORY_ANSWERED: &str = "explanation_answered";

/// The outbox key of a request's notice: one per request, ever.
pub fn idempotency_key(request_id: i64) -> String {
    format!("{NOTIFICATION_KIND}:{request_id}")
}

/// Where a request stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationState {
    /// Waiting for an answer, answer-by date not passed.
    Open,
    /// Unanswered after its answer-by date: escalated to the leaders.
    Overdue,
    Answered,
}

impl ExplanationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Overdue => "overdue",
            Self::Answered => "answered",
        }
    }

    fn of(row: &explanation_request::Model, today: NaiveDate) -> Self {
        if row.answered_at.is_some() {
            Self::Answered
        } else if row.answer_by < today {
            Self::Overdue
        } else {
            Self::Open
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExplanationView {
    pub id: i64,
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    /// The lead department asked to answer.
    pub department: DepartmentRef,
    pub question: String,
    #[schema(value_type = String, format = Date)]
    pub answer_by: NaiveDate,
    /// The task's due date when the request was made.
    #[schema(value_type = String, format = Date)]
    pub task_due_date: NaiveDate,
    pub requested_by: Option<UserRef>,
    pub requested_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_by: Option<UserRef>,
    pub answered_at: Option<DateTime<Utc>>,
    /// open | overdue | answered, as of today.
    pub state: ExplanationState,
    /// Days since the answer-by date, for overdue requests.
    pub days_overdue: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExplanation {
    pub question: String,
    /// `YYYY-MM-DD` or `dd/mm/yyyy`; after today.
    pub answer_by: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplanationAnswer {
    pub answer: String,
    /// Files the same person uploaded earlier to the task
    /// (`POST /tasks/{id}/attachments`), tied to this answer.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawExplanationQuery {
    /// `open` (default: open and overdue), `overdue`, `answered` or `all`.
    pub state: Option<String>,
}

impl crate::messages::Label for ExplanationState {
    const PREFIX: &'static str = "explanation-state";
    const ALL: &'static [Self] = &[Self::Open, Self::Overdue, Self::Answered];

    fn code(self) -> &'static str {
        self.as_str()
    }
}
