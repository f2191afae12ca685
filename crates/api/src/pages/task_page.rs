//! The task page: the task, its update form, history, documents, notices,
//! extension requests, requests for explanation and recurring series.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::Action,
    domain::{ExtensionState, LinkRelation, TaskStatus},
    followup::explanations as core_explanations,
    tasks::history::{self, HistoryEntry},
    tasks::recurrence::{self, SeriesView},
    tasks::{
        access,
        detail::{self, TaskDetail},
    },
};

use super::{
    attachments::{AttachmentLine, StepFiles},
    task_forms::recurrence_choices,
};
use crate::{
    pages::{
        Ctx, PageError, PageUser, Tr, ctx,
        explanations::{self, TaskExplanations},
        format::{self, Choice, TaskRow, choices, task_row},
        render,
    },
    state::AppState,
};

pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub change: String,
    pub note: String,
    /// The files sent with this step.
    pub files: Vec<AttachmentLine>,
}

pub struct DocumentLine {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub title: String,
    pub issued_on: String,
    pub reminds: bool,
}

pub struct NoticeLine {
    pub at: String,
    pub subject: String,
    pub state_key: String,
    pub recipients: String,
    pub error: String,
}

pub struct ExtensionLine {
    pub id: i64,
    pub requested: String,
    pub previous: String,
    pub reason: String,
    pub by: String,
    pub state: String,
    pub pending: bool,
    pub decision: String,
    /// The files sent with the request.
    pub files: Vec<AttachmentLine>,
}

#[derive(Template)]
#[template(path = "task_show.html")]
struct ShowPage {
    ctx: Ctx,
    task: TaskRow,
    detail: TaskDetail,
    description: String,
    result_note: String,
    completed_on: String,
    /// The day the department reported the task done (the server's).
    reported_on: String,
    /// An earlier day the department declared, waiting for a leader.
    declared_on: String,
    declared_line: String,
    accept_label: String,
    completed_on_input: String,
    due_input: String,
    /// Reported done or confirmed: the deadline no longer moves.
    due_locked: bool,
    history: Vec<HistoryLine>,
    documents: Vec<DocumentLine>,
    notices: Vec<NoticeLine>,
    extensions: Vec<ExtensionLine>,
    status_choices: Vec<Choice>,
    has_pending_extension: bool,
    is_open: bool,
    is_reported: bool,
    explain: TaskExplanations,
    series: Option<SeriesBlock>,
    recurrence_choices: Vec<Choice>,
    recurrence_day: String,
    recurrence_month: String,
    attachments: super::attachments::AttachmentsBlock,
    /// The files sent with the report waiting for the leader's decision.
    report_files: Vec<AttachmentLine>,
}

pub struct OccurrenceLine {
    pub task_id: i64,
    pub code: String,
    pub period: String,
    pub due: String,
    pub status: String,
    pub current: bool,
}

/// A task's recurring series, as the task page shows it.
pub struct SeriesBlock {
    pub description: String,
    pub active: bool,
    pub next_due: String,
    pub next_created_on: String,
    pub occurrences: Vec<OccurrenceLine>,
}

/// The history actions a page names; any other shows its code.
const ACTIONS: [&str; 20] = [
    history::action::CREATED,
    history::action::UPDATED,
    history::action::NOTE,
    history::action::REPORTED_DONE,
    history::action::CONFIRMED,
    history::action::RETURNED,
    history::action::REOPENED,
    history::action::CANCELLED,
    core_explanations::HISTORY_REQUESTED,
    core_explanations::HISTORY_ANSWERED,
    history::action::EXTENSION_REQUESTED,
    history::action::EXTENSION_APPROVED,
    history::action::EXTENSION_REJECTED,
    history::action::DOCUMENT_LINKED,
    history::action::IMPORTED,
    history::action::RECURRED,
    history::action::EXTENSION_WITHDRAWN,
    history::action::COMPLETION_DAY_ACCEPTED,
    dondoc_core::attachments::HISTORY_ADDED,
    dondoc_core::attachments::HISTORY_SUPERSEDED,
];

/// A history action in the reader's words (`history-action-<code>`).
fn action_label(t: Tr, action: &str) -> String {
    if ACTIONS.contains(&action) {
        t.get(&format!("history-action-{action}"))
    } else {
        action.to_string()
    }
}

fn value_label(t: Tr, field: &str, value: &str) -> String {
    match field {
        "status" => value
            .parse::<TaskStatus>()
            .map(|s| format::status(t, s).to_string())
            .unwrap_or_else(|_| value.to_string()),
        "due_date" | "completed_on" | "answer_by" | "declared_completed_on" | "reported_on" => {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(format::date)
                .unwrap_or_else(|_| value.to_string())
        }
        _ => value.to_string(),
    }
}

fn history_lines(
    t: Tr,
    entries: Vec<HistoryEntry>,
    tz: chrono_tz::Tz,
    steps: &StepFiles,
) -> Vec<HistoryLine> {
    entries
        .into_iter()
        .rev()
        .map(|e| {
            let change = match (&e.field, &e.old_value, &e.new_value) {
                (Some(field), old, Some(new)) => {
                    let old = old
                        .as_deref()
                        .map(|o| value_label(t, field, o))
                        .unwrap_or_default();
                    let new = value_label(t, field, new);
                    if old.is_empty() {
                        format!("{}: {new}", t.get(field))
                    } else {
                        format!("{}: {old} → {new}", t.get(field))
                    }
                }
                _ => String::new(),
            };
            HistoryLine {
                files: steps.by_history.get(&e.id).cloned().unwrap_or_default(),
                at: format::datetime(e.at, tz),
                who: e.actor.map(|a| a.full_name).unwrap_or_default(),
                what: action_label(t, &e.action),
                change,
                note: e.note.unwrap_or_default(),
            }
        })
        .collect()
}

fn series_block(t: Tr, series: &SeriesView, task_id: i64) -> SeriesBlock {
    SeriesBlock {
        description: dondoc_core::tasks::recurrence::describe(
            series.frequency,
            series.day,
            series.month,
            t.0,
        ),
        active: series.active,
        next_due: format::opt_date(series.next_due_date),
        next_created_on: format::opt_date(series.next_created_on),
        occurrences: series
            .occurrences
            .iter()
            .map(|o| OccurrenceLine {
                task_id: o.task_id,
                code: o.code.clone(),
                period: o.period.clone(),
                due: format::date(o.due_date),
                status: format::status(t, o.status).to_string(),
                current: o.task_id == task_id,
            })
            .collect(),
    }
}

/// The statuses the update form offers: the working ones, completing and
/// cancelling for those who may, and always the current one.
fn status_choices(t: Tr, detail: &TaskDetail) -> Vec<Choice> {
    let mut statuses = vec![
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::ReportedDone,
    ];
    if detail.permissions.confirm && detail.task.status != TaskStatus::ReportedDone {
        statuses.push(TaskStatus::Completed);
    }
    if detail.permissions.reopen_or_cancel {
        statuses.push(TaskStatus::Cancelled);
    }
    if !statuses.contains(&detail.task.status) {
        statuses.insert(0, detail.task.status);
    }
    choices(
        statuses
            .iter()
            .map(|s| (s.as_str().to_string(), format::status(t, *s).to_string()))
            .collect(),
        detail.task.status.as_str(),
    )
}

fn extension_lines(t: Tr, detail: &TaskDetail, steps: &StepFiles) -> Vec<ExtensionLine> {
    detail
        .extension_requests
        .iter()
        .map(|e| ExtensionLine {
            files: steps.by_extension.get(&e.id).cloned().unwrap_or_default(),
            id: e.id,
            requested: format::date(e.requested_due_date),
            previous: format::date(e.previous_due_date),
            reason: e.reason.clone(),
            by: e
                .requested_by
                .as_ref()
                .map(|u| u.full_name.clone())
                .unwrap_or_default(),
            state: e.state.label(t.0).to_string(),
            pending: e.state == ExtensionState::Pending,
            decision: e.decision_note.clone().unwrap_or_default(),
        })
        .collect()
}

fn document_lines(t: Tr, detail: &TaskDetail) -> Vec<DocumentLine> {
    detail
        .documents
        .iter()
        .map(|d| DocumentLine {
            id: d.document.id,
            number: d.document.number.clone(),
            kind: d.document.kind.label(t.0).to_string(),
            title: d.document.title.clone(),
            issued_on: format::date(d.document.issued_on),
            reminds: d.relation == LinkRelation::Reminds,
        })
        .collect()
}

fn notice_lines(detail: &TaskDetail, tz: chrono_tz::Tz) -> Vec<NoticeLine> {
    detail
        .notices
        .iter()
        .map(|n| NoticeLine {
            at: format::datetime(n.sent_at.unwrap_or(n.created_at), tz),
            subject: n.subject.clone(),
            state_key: format!("notice_{}", n.state),
            recipients: n.recipients.join(", "),
            error: n.last_error.clone().unwrap_or_default(),
        })
        .collect()
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let detail = detail::get(&state.db, &user, id, state.today(), state.due_soon_days()).await?;
    let entries = history::for_task(&state.db, id).await?;
    let series = recurrence::for_task(&state.db, &user, id).await?;
    let page_ctx = ctx(&req, Some(user.clone()), "tasks");
    let t = page_ctx.t;
    let (_, scope) = access::load_for(&state.db, &user, id, Action::ReadTask).await?;
    let mut explain = explanations::for_task_page(&state, &user, &detail.task, &scope, t).await?;
    let tz = state.clock.timezone();
    let viewer_dept = user.department_code.clone().unwrap_or_default();
    // The recurrence form shows the active rule, else the task's own due day.
    let (recurrence_selected, recurrence_day, recurrence_month) = match &series {
        Some(s) if s.active => (
            s.frequency.as_str().to_string(),
            s.day.to_string(),
            s.month.to_string(),
        ),
        _ => (
            String::new(),
            chrono::Datelike::day(&detail.task.due_date).to_string(),
            String::new(),
        ),
    };
    let document_ids: Vec<i64> = detail.documents.iter().map(|d| d.document.id).collect();
    let attachments = super::attachments::block_for_task(
        &state,
        &req,
        &page_ctx,
        &user,
        id,
        &scope,
        &document_ids,
    )
    .await?;
    let steps = &attachments.steps;
    let extensions = extension_lines(t, &detail, steps);
    for line in &mut explain.lines {
        line.files = steps
            .by_explanation
            .get(&line.id)
            .cloned()
            .unwrap_or_default();
    }
    // The report the leader decides on is the latest one.
    let report_files = entries
        .iter()
        .rev()
        .find(|e| e.action == history::action::REPORTED_DONE)
        .and_then(|e| steps.by_history.get(&e.id).cloned())
        .unwrap_or_default();
    let history = history_lines(t, entries, tz, steps);
    let view = ShowPage {
        attachments,
        report_files,
        history,
        task: task_row(t, &detail.task, &viewer_dept),
        description: detail.task.description.clone(),
        result_note: detail.task.result_note.clone().unwrap_or_default(),
        completed_on: format::opt_date(detail.task.completed_on),
        reported_on: format::opt_date(detail.task.reported_on),
        declared_on: format::opt_date(detail.task.declared_completed_on),
        declared_line: detail
            .task
            .declared_completed_on
            .map(|d| t.with("declared_pending", &[("day", d.into())]))
            .unwrap_or_default(),
        accept_label: detail
            .task
            .declared_completed_on
            .map(|d| t.with("accept_declared_day", &[("day", d.into())]))
            .unwrap_or_default(),
        // The field is the declared real completion day: empty unless one
        // is declared (emptying it withdraws the declaration).
        // Date pickers (`type=date`) take yyyy-mm-dd and show the
        // browser's own format (dd/mm/yyyy in Vietnamese).
        completed_on_input: detail
            .task
            .declared_completed_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        due_input: detail.task.due_date.to_string(),
        due_locked: detail.task.status.is_done(),
        documents: document_lines(t, &detail),
        notices: notice_lines(&detail, tz),
        has_pending_extension: extensions.iter().any(|e| e.pending),
        extensions,
        status_choices: status_choices(t, &detail),
        is_open: detail.task.status.is_open(),
        is_reported: detail.task.status == TaskStatus::ReportedDone,
        explain,
        series: series.as_ref().map(|s| series_block(t, s, id)),
        recurrence_choices: recurrence_choices(t, &recurrence_selected),
        recurrence_day,
        recurrence_month,
        detail,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// History action labels are keys built at run time: each one exists.
    #[test]
    fn every_history_action_is_translated() {
        for action in ACTIONS {
            for lang in crate::lang::Lang::ALL {
                let key = format!("history-action-{action}");
                assert!(dondoc_i18n::has(lang, &key), "{key} ({lang:?})");
            }
        }
    }
}
