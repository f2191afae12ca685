//! "Yêu cầu giải trình": the list page, the section of the task page, and
//! the two forms (a leader asks; the lead department answers).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use dondoc_core::messages::Label;
use dondoc_core::{
    accounts::policy::{self, Action, TaskScope},
    accounts::principal::Principal,
    followup::explanations::{
        self, ExplanationAnswer, ExplanationState, ExplanationView, NewExplanation,
        RawExplanationQuery,
    },
    tasks::TaskView,
};

use super::{
    Ctx, Form, FormPage, PageError, PageUser, PostedForm, TaskPageForm, Tr, ctx,
    format::{self, Choice},
    redirect_with, render,
};
use crate::state::AppState;

pub struct ExplanationLine {
    pub id: i64,
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub department: String,
    pub question: String,
    pub answer_by: String,
    pub state: &'static str,
    pub state_label: String,
    pub badge: &'static str,
    pub requested: String,
    pub answer: String,
    pub answered: String,
    pub can_answer: bool,
    /// The answer form's name, for its draft (`answer-{id}`).
    pub form_id: String,
    /// The files sent with the answer (the task page fills them in).
    pub files: Vec<super::attachments::AttachmentLine>,
    /// The id of the answer form's file input.
    pub files_input_id: String,
}

fn line(t: Tr, v: &ExplanationView, tz: chrono_tz::Tz, can_answer: bool) -> ExplanationLine {
    let mut state_label = v.state.label(t.0).to_string();
    if let Some(days) = v.days_overdue {
        state_label = format!("{state_label} {days} {}", t.get("days"));
    }
    ExplanationLine {
        id: v.id,
        task_id: v.task_id,
        task_code: v.task_code.clone(),
        task_title: v.task_title.clone(),
        department: v.department.name.clone(),
        question: v.question.clone(),
        answer_by: format::date(v.answer_by),
        state: v.state.as_str(),
        badge: match v.state {
            ExplanationState::Overdue => "b-overdue",
            ExplanationState::Open => "b-soon",
            ExplanationState::Answered => "b-done",
        },
        state_label,
        requested: format!(
            "{} · {}",
            v.requested_by
                .as_ref()
                .map(|u| u.full_name.as_str())
                .unwrap_or(""),
            format::datetime(v.requested_at, tz)
        ),
        answer: v.answer.clone().unwrap_or_default(),
        answered: match (&v.answered_by, v.answered_at) {
            (Some(u), Some(at)) => format!("{} · {}", u.full_name, format::datetime(at, tz)),
            _ => String::new(),
        },
        can_answer: can_answer && v.state != ExplanationState::Answered,
        form_id: format!("answer-{}", v.id),
        files: Vec::new(),
        files_input_id: format!("answer-{}-files", v.id),
    }
}

/// The task page's section: the task's requests, and whether the viewer may ask.
pub struct TaskExplanations {
    pub lines: Vec<ExplanationLine>,
    /// A leader may ask: the task is overdue and has no unanswered request.
    pub can_request: bool,
    /// The earliest answer-by date accepted (tomorrow), `dd/mm/yyyy`.
    pub earliest: String,
}

/// Builds the task page's section (the caller has checked `ReadTask`).
pub async fn for_task_page(
    state: &AppState,
    user: &Principal,
    task: &TaskView,
    scope: &TaskScope,
    t: Tr,
) -> dondoc_core::Result<TaskExplanations> {
    let today = state.today();
    let list = explanations::for_task(&state.db, task.id, today).await?;
    let tz = state.clock.timezone();
    let can_answer = policy::can(user, Action::AnswerExplanation, Some(scope));
    let waiting = list.iter().any(|e| e.state != ExplanationState::Answered);
    Ok(TaskExplanations {
        can_request: policy::can(user, Action::RequestExplanation, Some(scope))
            && task.status.is_open()
            && task.due_date < today
            && !waiting,
        earliest: format::date(today.succ_opt().unwrap_or(today)),
        lines: list.iter().map(|e| line(t, e, tz, can_answer)).collect(),
    })
}

#[derive(Template)]
#[template(path = "explanations.html")]
struct ListPage {
    ctx: Ctx,
    lines: Vec<ExplanationLine>,
    states: Vec<Choice>,
    overdue_count: usize,
}

#[derive(serde::Deserialize)]
pub struct Query {
    state: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let today: NaiveDate = state.today();
    let wanted = query.state.clone().unwrap_or_else(|| "open".into());
    let raw = RawExplanationQuery {
        state: Some(wanted.clone()),
    };
    let mut page_ctx = ctx(&req, Some(user.clone()), "explanations");
    let t = page_ctx.t;
    let list = page_ctx.flash_invalid(
        explanations::list(&state.db, &user, &raw, today).await,
        Vec::new,
    )?;
    let tz = state.clock.timezone();
    // The list page shows answers; answering happens on the task page.
    let lines: Vec<ExplanationLine> = list.iter().map(|e| line(t, e, tz, false)).collect();
    let states = [
        ("open", "explanations_open"),
        ("overdue", "explanations_overdue"),
        ("answered", "explanations_answered"),
        ("all", "explanations_all"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        selected: value == wanted,
        value: value.to_string(),
        label: t.get(key).to_string(),
    })
    .collect();
    let view = ListPage {
        overdue_count: lines.iter().filter(|l| l.state == "overdue").count(),
        lines,
        states,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// A leader asks (form on the task page).
pub async fn request(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<TaskPageForm>,
) -> Result<HttpResponse, PageError> {
    let input = NewExplanation {
        question: posted.form.text("question"),
        answer_by: posted.form.text("answer_by"),
    };
    explanations::request(
        &state.db,
        &state.clock,
        &state.settings,
        &posted.user,
        path.into_inner(),
        &input,
    )
    .await
    .map_err(|err| posted.refused_or_missing(err))?;
    Ok(redirect_with(
        &posted.back,
        true,
        posted.t.get("explanation_requested"),
    ))
}

/// The answer form, on the task page: it names the page to return to.
pub struct AnswerForm;

impl FormPage for AnswerForm {
    const PAGE: &'static str = "/explanations";

    fn back(_: &HttpRequest, form: &Form) -> String {
        form.back_or(Self::PAGE)
    }
}

/// The lead department answers (form on the task page), with its
/// evidence files: the answer and its files are saved together or not at all.
pub async fn answer(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    mut posted: PostedForm<AnswerForm>,
) -> Result<HttpResponse, PageError> {
    let settings = &state.settings.attachments;
    let evidence = posted.take_evidence(settings.max_bytes)?;
    let input = ExplanationAnswer {
        answer: posted.form.text("answer"),
        attachment_ids: Vec::new(),
    };
    dondoc_core::attachments::evidence::answer_explanation(
        &state.db,
        &state.clock,
        settings,
        &posted.user,
        path.into_inner(),
        &input,
        evidence,
    )
    .await
    .map_err(|err| posted.refused_or_missing(err))?;
    Ok(redirect_with(
        &posted.back,
        true,
        posted.t.get("explanation_answered"),
    ))
}
