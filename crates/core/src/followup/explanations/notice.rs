//! The notice to the lead department: what it says (frozen when the
//! request is made), who receives it, and its place in the outbox.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::{
    Settings,
    domain::{Role, text::one_line},
    entity::{department, task, user},
    error::{Error, Result},
    followup::outbox::{self, NewNotification},
    followup::recipients::{self, DepartmentContact},
    followup::reminders::{IssuedReminder, LetterReply},
};

use super::{NOTIFICATION_KIND, idempotency_key};

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
    /// Their position ("Phó Chủ tịch UBND huyện"); empty when none.
    #[serde(default)]
    pub asker_position: String,
    /// The reminder documents already issued for the task, oldest first.
    #[serde(default)]
    pub reminder_documents: Vec<IssuedReminder>,
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

/// The reminder documents issued for a task, oldest first.
async fn reminders_of<C: ConnectionTrait>(db: &C, task_id: i64) -> Result<Vec<IssuedReminder>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        number: String,
        issued_on: NaiveDate,
        report_back_on: Option<NaiveDate>,
    }
    use sea_orm::FromQueryResult;
    let rows = Row::find_by_statement(crate::db::statement(
        db,
        "SELECT d.number AS number, d.issued_on AS issued_on, d.report_back_on AS report_back_on FROM document_tasks dt \
         JOIN documents d ON d.id = dt.document_id \
         WHERE dt.relation = 'reminds' AND dt.task_id = ? ORDER BY d.issued_on, d.number",
        vec![task_id.into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| IssuedReminder {
            number: r.number,
            issued_on: r.issued_on,
            report_back_on: r.report_back_on,
            document_id: 0,
            reply: LetterReply::Unknown,
        })
        .collect())
}

/// A request, as its notice needs it.
pub(super) struct Request<'a> {
    pub id: i64,
    pub task: &'a task::Model,
    pub department: &'a department::Model,
    /// Full name of who asked.
    pub asker: &'a str,
    pub asker_id: i64,
    pub question: &'a str,
    pub answer_by: NaiveDate,
    pub today: NaiveDate,
}

/// Enqueues the notice of request `r` in the caller's transaction, to the
/// department's notification address and its active staff (as the digests
/// resolve them), with its content for the scheduler to render. A notice
/// nobody can receive is enqueued as failed, with the reason.
pub(super) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    now: DateTime<Utc>,
    r: Request<'_>,
) -> Result<()> {
    let staff: Vec<String> = user::Entity::find()
        .filter(user::Column::DepartmentId.eq(r.department.id))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Staff)
        .filter_map(|u| u.email)
        .filter(|e| !e.trim().is_empty())
        .collect();
    let contact = DepartmentContact {
        id: r.department.id,
        code: r.department.code.clone(),
        name: r.department.name.clone(),
        active: r.department.active,
        email: r.department.email.clone().filter(|e| !e.trim().is_empty()),
        staff_emails: staff,
    };
    let (recipients, rejected): (Vec<String>, Vec<String>) =
        recipients::department_addresses(&contact)
            .into_iter()
            .partition(|a| plausible(a));
    let undeliverable = if !r.department.active {
        Some(format!(
            "Đơn vị {} đã ngừng hoạt động / department {} is inactive",
            r.department.code, r.department.code
        ))
    } else if recipients.is_empty() {
        Some(format!(
            "Đơn vị {} không có địa chỉ email hợp lệ nhận thông báo / department {} has no valid email address{}",
            r.department.code,
            r.department.code,
            if rejected.is_empty() {
                String::new()
            } else {
                format!(" (invalid: {})", rejected.join(", "))
            }
        ))
    } else {
        None
    };
    let asker_position = user::Entity::find_by_id(r.asker_id)
        .one(db)
        .await?
        .and_then(|u| u.position)
        .map(|p| one_line(&p))
        .unwrap_or_default();
    let notice = ExplanationNotice {
        organization: settings.organization.name.clone(),
        department: r.department.name.clone(),
        asker: r.asker.to_string(),
        asker_position,
        reminder_documents: reminders_of(db, r.task.id).await?,
        task_code: r.task.code.clone(),
        task_title: r.task.title.clone(),
        task_due_date: r.task.due_date,
        days_overdue: (r.today - r.task.due_date).num_days(),
        question: r.question.to_string(),
        answer_by: r.answer_by,
        link: format!("{}/tasks/{}", settings.public_url(), r.task.id),
    };
    let payload = serde_json::to_value(&notice)
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("explanation notice: {e}")))?;
    outbox::enqueue_to_render(
        db,
        now,
        &NewNotification {
            idempotency_key: idempotency_key(r.id),
            kind: NOTIFICATION_KIND.to_string(),
            for_date: r.today,
            department_id: Some(r.department.id),
            user_id: None,
            recipients: if undeliverable.is_some() {
                Vec::new()
            } else {
                recipients
            },
            subject: notice.subject(),
            body_text: String::new(),
            body_html: String::new(),
            task_ids: vec![r.task.id],
            undeliverable,
        },
        &payload,
        &settings.mail.message_id_domain(),
    )
    .await?;
    Ok(())
}
