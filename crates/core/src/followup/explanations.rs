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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, sea_query::Query,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    Clock, Settings,
    accounts::policy::{self, Action, TaskScope},
    accounts::principal::Principal,
    accounts::users::UserRef,
    db::{self, Db},
    domain::{Role, parse_date, parse_note, text::one_line},
    entity::{department, explanation_request, task, task_coordinator, user},
    error::{Error, FieldError, Result},
    followup::outbox::{self, NewNotification},
    followup::recipients::{self, DepartmentContact},
    messages::Msg,
    org::departments::DepartmentRef,
    tasks::access::load_for,
    tasks::history::{self, Change},
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
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawExplanationQuery {
    /// `open` (default: open and overdue), `overdue`, `answered` or `all`.
    pub state: Option<String>,
}

/// What the notice to the lead department says, frozen when the request is
/// made. It is stored with the notification as JSON; the scheduler renders
/// the text and HTML bodies from it with its mail templates (askama, the one
/// HTML escaper), before the first send. The subject is written here, at
/// once, so the outbox lists the notice as soon as it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplanationNotice {
    /// `organization.name`.
    pub organization: String,
    /// The lead department's name.
    pub department: String,
    /// Full name of who asked.
    pub asker: String,
    pub task_code: String,
    pub task_title: String,
    pub task_due_date: NaiveDate,
    /// Days past the due date on the day of the request.
    pub days_overdue: i64,
    pub question: String,
    pub answer_by: NaiveDate,
    /// The task's page.
    pub link: String,
}

impl ExplanationNotice {
    /// The mail subject (Vietnamese, one line).
    pub fn subject(&self) -> String {
        format!(
            "[Yêu cầu giải trình] {}: nhiệm vụ {} quá hạn — trả lời trước ngày {}",
            one_line(&self.department),
            one_line(&self.task_code),
            self.answer_by.format("%d/%m/%Y")
        )
    }
}

/// The domain of `mail.from` (for Message-IDs), as the scheduler derives it.
pub fn mail_domain(from: &str) -> String {
    from.rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('>').trim().to_string())
        .unwrap_or_default()
}

/// A plausible email address (the SMTP server has the last word).
fn plausible(address: &str) -> bool {
    let a = address.trim();
    a.split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace))
}

/// Asks the lead department of an overdue task for an explanation. Returns
/// the request's id. One transaction: the request, the task history entry
/// and the department's notice in the outbox.
pub async fn request(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    user: &Principal,
    task_id: i64,
    input: &NewExplanation,
) -> Result<i64> {
    policy::require(user, Action::RequestExplanation, None)?;
    let today = clock.today();
    let txn = db::begin_write(db).await?;
    let (current, _) = load_for(&txn, user, task_id, Action::ReadTask).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    match parse_note("question", &input.question, MAX_TEXT) {
        Ok(q) if q.is_empty() => errors.push(FieldError::new(
            "question",
            "required",
            Msg::QuestionRequired,
        )),
        Ok(_) => {}
        Err(Error::Validation(mut e)) => errors.append(&mut e),
        Err(other) => return Err(other),
    }
    let question = input.question.trim().to_string();
    let answer_by = match parse_date("answer_by", &input.answer_by) {
        Ok(d) if d <= today => {
            errors.push(FieldError::new(
                "answer_by",
                "not_after_today",
                Msg::AnswerByNotAfterToday { today },
            ));
            None
        }
        Ok(d) => Some(d),
        Err(Error::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let Some(answer_by) = answer_by.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    if !(current.status.is_open() && current.due_date < today) {
        return Err(Error::Conflict(Msg::ExplanationNotOverdue));
    }
    let waiting = explanation_request::Entity::find()
        .filter(explanation_request::Column::TaskId.eq(task_id))
        .filter(explanation_request::Column::AnsweredAt.is_null())
        .one(&txn)
        .await?;
    if waiting.is_some() {
        return Err(Error::Conflict(Msg::ExplanationOpen));
    }
    let Some(department) = department::Entity::find_by_id(current.lead_department_id)
        .one(&txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundDepartment {
            code: current.lead_department_id.to_string(),
        }));
    };
    let now = clock.now();
    let row = explanation_request::ActiveModel {
        task_id: Set(task_id),
        department_id: Set(department.id),
        question: Set(question.clone()),
        answer_by: Set(answer_by),
        task_due_date: Set(current.due_date),
        requested_by: Set(user.user_id),
        requested_at: Set(now),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    history::record(
        &txn,
        now,
        Change::new(task_id, Some(user.user_id), HISTORY_REQUESTED)
            .field("answer_by", "", answer_by.format("%Y-%m-%d").to_string())
            .note(question.clone()),
    )
    .await?;

    // The department's notification address and its active staff, as the digests resolve them.
    let staff: Vec<String> = user::Entity::find()
        .filter(user::Column::DepartmentId.eq(department.id))
        .filter(user::Column::Active.eq(true))
        .all(&txn)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Staff)
        .filter_map(|u| u.email)
        .filter(|e| !e.trim().is_empty())
        .collect();
    let contact = DepartmentContact {
        id: department.id,
        code: department.code.clone(),
        name: department.name.clone(),
        active: department.active,
        email: department.email.clone().filter(|e| !e.trim().is_empty()),
        staff_emails: staff,
    };
    let (recipients, rejected): (Vec<String>, Vec<String>) =
        recipients::department_addresses(&contact)
            .into_iter()
            .partition(|a| plausible(a));
    let undeliverable = if !department.active {
        Some(format!(
            "Đơn vị {} đã ngừng hoạt động / department {} is inactive",
            department.code, department.code
        ))
    } else if recipients.is_empty() {
        Some(format!(
            "Đơn vị {} không có địa chỉ email hợp lệ nhận thông báo / department {} has no valid email address{}",
            department.code,
            department.code,
            if rejected.is_empty() {
                String::new()
            } else {
                format!(" (invalid: {})", rejected.join(", "))
            }
        ))
    } else {
        None
    };
    let notice = ExplanationNotice {
        organization: settings.organization.name.clone(),
        department: department.name.clone(),
        asker: user.full_name.clone(),
        task_code: current.code.clone(),
        task_title: current.title.clone(),
        task_due_date: current.due_date,
        days_overdue: (today - current.due_date).num_days(),
        question: question.clone(),
        answer_by,
        link: format!("{}/tasks/{}", settings.public_url(), current.id),
    };
    let payload = serde_json::to_value(&notice)
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("explanation notice: {e}")))?;
    outbox::enqueue_to_render(
        &txn,
        now,
        &NewNotification {
            idempotency_key: idempotency_key(row.id),
            kind: NOTIFICATION_KIND.to_string(),
            for_date: today,
            department_id: Some(department.id),
            user_id: None,
            recipients: if undeliverable.is_some() {
                Vec::new()
            } else {
                recipients
            },
            subject: notice.subject(),
            body_text: String::new(),
            body_html: String::new(),
            task_ids: vec![task_id],
            undeliverable,
        },
        &payload,
        &mail_domain(&settings.mail.from),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// The lead department answers a request.
pub async fn answer(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    request_id: i64,
    input: &ExplanationAnswer,
) -> Result<i64> {
    let txn = db::begin_write(db).await?;
    let Some(row) = explanation_request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundExplanation { id: request_id }));
    };
    // Who cannot read the task does not learn the request exists.
    let (_, scope) = load_for(&txn, user, row.task_id, Action::ReadTask).await?;
    policy::require(user, Action::AnswerExplanation, Some(&scope))?;
    let text = parse_note("answer", &input.answer, MAX_TEXT)?;
    if text.is_empty() {
        return Err(Error::field("answer", "required", Msg::AnswerRequired));
    }
    if row.answered_at.is_some() {
        return Err(Error::Conflict(Msg::ExplanationAnswered));
    }
    let now = clock.now();
    let task_id = row.task_id;
    let mut active: explanation_request::ActiveModel = row.into();
    active.answer = Set(Some(text.clone()));
    active.answered_by = Set(Some(user.user_id));
    active.answered_at = Set(Some(now));
    active.update(&txn).await?;
    history::record(
        &txn,
        now,
        Change::new(task_id, Some(user.user_id), HISTORY_ANSWERED).note(text),
    )
    .await?;
    txn.commit().await?;
    Ok(request_id)
}

async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<explanation_request::Model>,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: BTreeSet<i64> = rows.iter().map(|r| r.task_id).collect();
    let tasks: HashMap<i64, task::Model> = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let departments: HashMap<i64, department::Model> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let user_ids: BTreeSet<i64> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.requested_by).chain(r.answered_by))
        .collect();
    let users: HashMap<i64, UserRef> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .iter()
        .map(|u| (u.id, UserRef::from(u)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = ExplanationState::of(&r, today);
            let (task_code, task_title) = tasks
                .get(&r.task_id)
                .map(|t| (t.code.clone(), t.title.clone()))
                .unwrap_or_default();
            let department = departments
                .get(&r.department_id)
                .map(|d| DepartmentRef {
                    code: d.code.clone(),
                    name: d.name.clone(),
                })
                .unwrap_or(DepartmentRef {
                    code: String::new(),
                    name: String::new(),
                });
            ExplanationView {
                id: r.id,
                task_id: r.task_id,
                task_code,
                task_title,
                department,
                question: r.question,
                answer_by: r.answer_by,
                task_due_date: r.task_due_date,
                requested_by: users.get(&r.requested_by).cloned(),
                requested_at: r.requested_at,
                answer: r.answer,
                answered_by: r.answered_by.and_then(|id| users.get(&id).cloned()),
                answered_at: r.answered_at,
                days_overdue: (state == ExplanationState::Overdue)
                    .then(|| (today - r.answer_by).num_days()),
                state,
            }
        })
        .collect())
}

/// A task's requests, newest first (the caller has checked `ReadTask`).
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    let rows = explanation_request::Entity::find()
        .filter(explanation_request::Column::TaskId.eq(task_id))
        .order_by_desc(explanation_request::Column::Id)
        .all(db)
        .await?;
    views(db, rows, today).await
}

/// A task's requests as `user` may see them (404/403 like the task).
pub async fn for_task_as<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    load_for(db, user, task_id, Action::ReadTask).await?;
    for_task(db, task_id, today).await
}

/// One request, if `user` may read its task.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<ExplanationView> {
    let Some(row) = explanation_request::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound(Msg::NotFoundExplanation { id }));
    };
    load_for(db, user, row.task_id, Action::ReadTask).await?;
    let mut out = views(db, vec![row], today).await?;
    out.pop()
        .ok_or_else(|| Error::NotFound(Msg::NotFoundExplanation { id }))
}

/// The requests `user` may see in a state: open (with overdue, the default),
/// overdue, answered or all. Overdue first, then by answer-by date.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawExplanationQuery,
    today: NaiveDate,
) -> Result<Vec<ExplanationView>> {
    policy::require(user, Action::ReadExplanations, None)?;
    let wanted = raw
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("open");
    let mut cond = Condition::all();
    match wanted {
        "open" => cond = cond.add(explanation_request::Column::AnsweredAt.is_null()),
        "overdue" => {
            cond = cond
                .add(explanation_request::Column::AnsweredAt.is_null())
                .add(explanation_request::Column::AnswerBy.lt(today))
        }
        "answered" => cond = cond.add(explanation_request::Column::AnsweredAt.is_not_null()),
        "all" => {}
        other => {
            return Err(Error::field(
                "state",
                "invalid_choice",
                Msg::InvalidExplanationState {
                    value: other.to_string(),
                },
            ));
        }
    }
    let mut query = explanation_request::Entity::find().filter(cond);
    // Staff: requests about tasks their department leads or coordinates.
    let scopes: Option<BTreeMap<i64, TaskScope>> = match policy::visible_department(user) {
        None => None,
        Some(dept) => {
            let coordinated: Vec<i64> = task_coordinator::Entity::find()
                .filter(task_coordinator::Column::DepartmentId.eq(dept))
                .all(db)
                .await?
                .into_iter()
                .map(|c| c.task_id)
                .collect();
            // Tasks it leads now (the lead may have changed since the request) or coordinates.
            query = query.filter(
                Condition::any()
                    .add(
                        explanation_request::Column::TaskId.in_subquery(
                            Query::select()
                                .column(task::Column::Id)
                                .from(task::Entity)
                                .and_where(task::Column::LeadDepartmentId.eq(dept))
                                .to_owned(),
                        ),
                    )
                    .add(explanation_request::Column::TaskId.is_in(coordinated)),
            );
            Some(BTreeMap::new())
        }
    };
    let rows = query
        .order_by_asc(explanation_request::Column::AnswerBy)
        .order_by_asc(explanation_request::Column::Id)
        .all(db)
        .await?;
    // The policy has the last word on each task (the lead may have changed).
    let rows = match scopes {
        None => rows,
        Some(mut cache) => {
            let mut kept = Vec::new();
            for r in rows {
                if !cache.contains_key(&r.task_id)
                    && let Some(t) = task::Entity::find_by_id(r.task_id).one(db).await?
                {
                    cache.insert(r.task_id, crate::tasks::access::scope(db, &t).await?);
                }
                if cache
                    .get(&r.task_id)
                    .is_some_and(|s| policy::can(user, Action::ReadTask, Some(s)))
                {
                    kept.push(r);
                }
            }
            kept
        }
    };
    let mut out = views(db, rows, today).await?;
    out.sort_by_key(|v| (v.state != ExplanationState::Overdue, v.answer_by, v.id));
    Ok(out)
}

/// Unanswered requests past their answer-by date, oldest answer-by first,
/// for the leaders' digest.
pub async fn escalated<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> Result<Vec<EscalatedExplanation>> {
    let rows = explanation_request::Entity::find()
        .filter(explanation_request::Column::AnsweredAt.is_null())
        .filter(explanation_request::Column::AnswerBy.lt(today))
        .order_by_asc(explanation_request::Column::AnswerBy)
        .order_by_asc(explanation_request::Column::Id)
        .all(db)
        .await?;
    Ok(views(db, rows, today)
        .await?
        .into_iter()
        .map(|v| EscalatedExplanation {
            request_id: v.id,
            task_id: v.task_id,
            code: v.task_code,
            title: v.task_title,
            lead_department_code: v.department.code,
            lead_department_name: v.department.name,
            question: v.question,
            answer_by: v.answer_by,
            days_overdue: v.days_overdue.unwrap_or(0),
            requested_by: v.requested_by.map(|u| u.full_name).unwrap_or_default(),
        })
        .collect())
}

impl crate::messages::Label for ExplanationState {
    const PREFIX: &'static str = "explanation-state";
    const ALL: &'static [Self] = &[Self::Open, Self::Overdue, Self::Answered];

    fn code(self) -> &'static str {
        self.as_str()
    }
}
