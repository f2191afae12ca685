//! The task forms: the task page's update, extension request, confirmation
//! and recurrence, and the new task page with its form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Error,
    accounts::{
        policy::{self, Action},
        users,
    },
    attachments::evidence,
    domain::{Role, TaskStatus, parse_date},
    org::departments,
    tasks::recurrence::{self, RecurrenceInput},
    tasks::{
        self, TaskView,
        commands::{self, TaskPatch},
        creation::NewTask,
    },
};

use crate::{
    pages::{
        Ctx, Form, FormPage, PageError, PageUser, PostedForm, TaskPageForm, Tr, ctx,
        format::{self, Choice, choices},
        redirect_with, render,
    },
    state::AppState,
};

/// The new task form.
pub struct NewTaskForm;

impl FormPage for NewTaskForm {
    const PAGE: &'static str = "/tasks/new";
}

pub(super) fn recurrence_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(
        [
            ("", "recurrence_none"),
            ("monthly", "recurrence_monthly"),
            ("quarterly", "recurrence_quarterly"),
            ("yearly", "recurrence_yearly"),
        ]
        .into_iter()
        .map(|(v, k)| (v.to_string(), t.get(k).to_string()))
        .collect(),
        selected,
    )
}

fn opt_text(form: &Form, key: &str) -> Option<String> {
    form.get(key).map(str::to_string)
}

/// The update form as a patch, or the message for a progress that is not a
/// number.
fn patch_of(form: &Form, t: Tr) -> Result<TaskPatch, String> {
    let progress = match form
        .get("progress")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => match p.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return Err(format!("{}: {}", t.get("progress"), "0–100")),
        },
        None => None,
    };
    Ok(TaskPatch {
        status: opt_text(form, "status").filter(|s| !s.is_empty()),
        progress,
        note: opt_text(form, "note").filter(|s| !s.trim().is_empty()),
        result_note: opt_text(form, "result_note"),
        completed_on: opt_text(form, "completed_on").filter(|s| !s.is_empty()),
        due_date: opt_text(form, "due_date").filter(|s| !s.is_empty()),
        expected_version: form.get("version").and_then(|v| v.parse().ok()),
        ..Default::default()
    })
}

/// Keeps only what the person changed: the form shows every field, and a
/// coordinating department may send a note only.
fn keep_changes(patch: &mut TaskPatch, current: &TaskView) {
    if patch.status.as_deref() == Some(current.status.as_str()) {
        patch.status = None;
    }
    if patch.progress == Some(i64::from(current.progress)) {
        patch.progress = None;
    }
    if patch.result_note.as_deref().map(str::trim)
        == Some(current.result_note.as_deref().unwrap_or("").trim())
    {
        patch.result_note = None;
    }
    let as_date = |text: &Option<String>| text.as_deref().and_then(|d| parse_date("", d).ok());
    if as_date(&patch.due_date) == Some(current.due_date) {
        patch.due_date = None;
    }
    // The completion date field is the real completion day the department
    // declares (the report day itself is the server's). It means something
    // when reporting done, or while the report waits for a leader: then an
    // emptied field withdraws the declaration (the report day counts).
    let reporting = patch
        .status
        .as_deref()
        .is_some_and(|s| s == "reported_done" || s == "completed");
    let typed = as_date(&patch.completed_on);
    let unreadable = patch.completed_on.is_some() && typed.is_none();
    if reporting || unreadable {
        // Kept as typed: a report's declared day, or a date the core refuses by name.
    } else if current.status == TaskStatus::ReportedDone {
        if typed == current.declared_completed_on {
            patch.completed_on = None;
        } else if typed.is_none() {
            patch.completed_on = current.reported_on.map(|d| d.to_string());
        }
    } else {
        patch.completed_on = None;
    }
}

/// The update (or note) form, with the evidence files it carries: the step
/// and its files are saved together or not at all.
pub async fn update(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    mut posted: PostedForm<TaskPageForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let t = posted.t;
    let mut patch =
        patch_of(&posted.form, t).map_err(|msg| posted.refused_field("progress", msg))?;
    let current = tasks::query::get(&state.db, id, state.today(), state.due_soon_days()).await?;
    keep_changes(&mut patch, &current);
    if patch.status.is_none()
        && patch.progress.is_none()
        && patch.note.is_none()
        && patch.result_note.is_none()
        && patch.due_date.is_none()
        && patch.completed_on.is_none()
        && !posted.has_files()
    {
        return Ok(redirect_with(&posted.back, true, t.get("nothing_changed")));
    }
    let settings = &state.settings.attachments;
    let files = posted.take_evidence(settings.max_bytes)?;
    evidence::update_task(
        &state.db,
        &state.clock,
        settings,
        &posted.user,
        id,
        patch,
        files,
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(&posted.back, true, t.get("saved")))
}

/// The extension request form, with its evidence files.
pub async fn request_extension(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    mut posted: PostedForm<TaskPageForm>,
) -> Result<HttpResponse, PageError> {
    let settings = &state.settings.attachments;
    let files = posted.take_evidence(settings.max_bytes)?;
    let form = &posted.form;
    evidence::request_extension(
        &state.db,
        &state.clock,
        settings,
        &posted.user,
        path.into_inner(),
        &form.text("requested_due_date"),
        &form.text("reason"),
        files,
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(
        &posted.back,
        true,
        posted.t.get("extension_sent"),
    ))
}

pub async fn confirm(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<TaskPageForm>,
) -> Result<HttpResponse, PageError> {
    let form = &posted.form;
    let accept = form.get("decision") == Some("accept");
    commands::confirm(
        &state.db,
        &state.clock,
        &posted.user,
        path.into_inner(),
        commands::Decision {
            accept,
            accept_completed_on: form.get("accept_completed_on") == Some("on"),
            note: form.text("note"),
        },
        form.get("version").and_then(|v| v.parse().ok()),
    )
    .await
    .map_err(|err| posted.refused(as_decision_note(err)))?;
    let done = if accept {
        "confirmed_done"
    } else {
        "returned_task"
    };
    Ok(redirect_with(&posted.back, true, posted.t.get(done)))
}

/// The decision forms label their `note` "Ý kiến" (`decision_note`): a
/// refusal names the field as the form shows it.
pub(super) fn as_decision_note(err: Error) -> Error {
    match err {
        Error::Validation(mut fields) => {
            for f in &mut fields {
                if f.field == "note" {
                    f.field = "decision_note".into();
                }
            }
            Error::Validation(fields)
        }
        other => other,
    }
}

/// The recurrence form of the task page: a frequency sets or changes the
/// rule, "does not recur" stops the series.
pub async fn set_recurrence(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<TaskPageForm>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (user, t) = (&posted.user, posted.t);
    let result = match recurrence_input(&posted.form) {
        Some(input) => recurrence::set(&state.db, &state.clock, user, id, &input)
            .await
            .map(|_| ()),
        None => match recurrence::stop(&state.db, &state.clock, user, id).await {
            // Nothing recurring to stop: nothing changed.
            Err(Error::NotFound(_)) => {
                return Ok(redirect_with(&posted.back, true, t.get("nothing_changed")));
            }
            other => other,
        },
    };
    result.map_err(|err| posted.refused_or_missing(err))?;
    Ok(redirect_with(&posted.back, true, t.get("saved")))
}

/// `recurrence_frequency`, `recurrence_day`, `recurrence_month` of a form;
/// `None` when the frequency is empty (does not recur). A number that does
/// not parse becomes 0, which the rule refuses naming the field.
fn recurrence_input(form: &Form) -> Option<RecurrenceInput> {
    let frequency = form.text("recurrence_frequency");
    if frequency.trim().is_empty() {
        return None;
    }
    let number = |key: &str| {
        form.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<i64>().unwrap_or(0))
    };
    Some(RecurrenceInput {
        frequency,
        day: number("recurrence_day"),
        month: number("recurrence_month"),
    })
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct NewPage {
    ctx: Ctx,
    recurrence_choices: Vec<Choice>,
    year: i32,
    departments: Vec<Choice>,
    fields: Vec<Choice>,
    leaders: Vec<Choice>,
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::CreateTask, None)?;
    let page_ctx = ctx(&req, Some(user), "tasks");
    let t = page_ctx.t;
    let departments = departments::list(&state.db, false).await?;
    let fields = tasks::query::list_fields(&state.db).await?;
    let people = users::list(&state.db).await?;
    let view = NewPage {
        recurrence_choices: recurrence_choices(t, ""),
        year: chrono::Datelike::year(&state.today()),
        departments: choices(
            departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
            "",
        ),
        fields: choices(
            fields
                .iter()
                .map(|f| (f.code.clone(), format::field_name(t, f)))
                .collect(),
            "",
        ),
        leaders: choices(
            std::iter::once((String::new(), "—".to_string()))
                .chain(
                    people
                        .iter()
                        .filter(|u| u.active && u.role == Role::Leader)
                        .map(|u| (u.username.clone(), u.full_name.clone())),
                )
                .collect(),
            "",
        ),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

pub async fn create(
    state: web::Data<AppState>,
    posted: PostedForm<NewTaskForm>,
) -> Result<HttpResponse, PageError> {
    let form = &posted.form;
    let input = NewTask {
        year: form.get("year").and_then(|y| y.parse().ok()).unwrap_or(0),
        code: form.text("code"),
        title: form.text("title"),
        description: opt_text(form, "description"),
        field: form.text("field"),
        lead_department: form.text("lead_department"),
        coordinating_departments: form
            .all("coordinating_departments")
            .into_iter()
            .map(str::to_string)
            .collect(),
        leader_in_charge: opt_text(form, "leader_in_charge"),
        due_date: form.text("due_date"),
        source_document_id: None,
    };
    let id = recurrence::create_task(
        &state.db,
        &state.clock,
        &state.settings.organization.name,
        &posted.user,
        input,
        recurrence_input(form).as_ref(),
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(
        &format!("/tasks/{id}"),
        true,
        posted.t.get("saved"),
    ))
}
