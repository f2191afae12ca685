//! Tasks: list, read, assign, update, confirm, history, extension requests.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dondoc_core::{
    accounts::policy::{self, Action},
    attachments::{self, evidence::Evidence},
    tasks::history::HistoryEntry,
    tasks::{
        self, Page, RawTaskQuery, TaskView, access,
        commands::{self, TaskPatch},
        creation::NewTask,
        detail::{self, TaskDetail},
    },
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json, if_match},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok_kept},
    state::AppState,
};

/// Tasks visible to the caller, filtered, sorted and paged.
#[utoipa::path(
    tag = "tasks",
    params(RawTaskQuery),
    responses((status = 200, body = Page<TaskView>), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawTaskQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut filter = query.parse_at(&state.clock)?;
    if filter.as_of.is_some_and(|a| !a.is_now()) {
        policy::require(&user, Action::ChooseAsOfDate, None)?;
    }
    filter.visible_to_department = policy::visible_department(&user);
    ok_kept(&state, &req, user.user_id, || {
        tasks::list(
            &state.db,
            &state.facts,
            &filter,
            state.today(),
            state.due_soon_days(),
        )
    })
    .await
}

/// The same list as `GET /tasks`, every page of it, as a workbook: the
/// heading names the list (figure, scope, day) and the rows are the tasks a
/// figure counts, so a person can check the number by hand.
#[utoipa::path(
    tag = "tasks",
    params(RawTaskQuery),
    responses((status = 200, description = "The list as .xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/export.xlsx")]
pub async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawTaskQuery>,
) -> ApiResult<HttpResponse> {
    let mut filter = query.parse_at(&state.clock)?;
    if filter.as_of.is_some_and(|a| !a.is_now()) {
        policy::require(&user, Action::ChooseAsOfDate, None)?;
    }
    filter.visible_to_department = policy::visible_department(&user);
    let tasks = tasks::list_all(
        &state.db,
        &state.facts,
        &filter,
        state.today(),
        state.due_soon_days(),
    )
    .await?;
    let bytes = dondoc_core::reports::export::list_xlsx(&filter.describe_vi(), &tasks)?;
    Ok(crate::routes::letters::attachment(
        crate::routes::letters::XLSX,
        "danh-sach-nhiem-vu.xlsx",
        bytes,
    ))
}

/// Responds with a task's detail and its version as the ETag.
async fn detail_response(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    created_status: bool,
) -> ApiResult<HttpResponse> {
    let detail = detail::get(&state.db, user, id, state.today(), state.due_soon_days()).await?;
    let etag = format!("\"{}\"", detail.task.version);
    if created_status {
        Ok(HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/tasks/{id}")))
            .insert_header(("ETag", etag))
            .json(detail))
    } else {
        Ok(HttpResponse::Ok()
            .insert_header(("ETag", etag))
            .json(detail))
    }
}

/// One task with coordinators, documents, extension requests, notices, timeliness and `days_overdue`.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    detail_response(&state, &user, path.into_inner(), false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    pub year: i64,
    /// Unique within the year's programme, e.g. `GPMB-13`.
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    /// Field code or Vietnamese name.
    pub field: String,
    /// Department code (or exact name).
    pub lead_department: String,
    #[serde(default)]
    pub coordinating_departments: Vec<String>,
    /// Username (or full name) of the leader in charge.
    pub leader_in_charge: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub source_document_id: Option<i64>,
    /// Makes the task recur (nhiệm vụ định kỳ): the next occurrence is made
    /// when this one is confirmed completed or when its period starts.
    pub recurrence: Option<dondoc_core::tasks::recurrence::RecurrenceInput>,
}

/// Assign a new task (leader, admin), optionally recurring.
#[utoipa::path(
    tag = "tasks",
    request_body = CreateTask,
    responses((status = 201, body = TaskDetail), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tasks")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CreateTask>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let id = dondoc_core::tasks::recurrence::create_task(
        &state.db,
        &state.clock,
        &state.settings.organization.name,
        &user,
        NewTask {
            year: b.year,
            code: b.code,
            title: b.title,
            description: b.description,
            field: b.field,
            lead_department: b.lead_department,
            coordinating_departments: b.coordinating_departments,
            leader_in_charge: b.leader_in_charge,
            due_date: b.due_date,
            source_document_id: b.source_document_id,
        },
        b.recurrence.as_ref(),
    )
    .await?;
    detail_response(&state, &user, id, true).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    /// `not_started`, `in_progress`, `reported_done` (with a result and `completed_on`),
    /// or — leaders — `completed`, `cancelled`.
    pub status: Option<String>,
    /// 0–100.
    pub progress: Option<i64>,
    /// A note for the history (required as the result when reporting done, unless `result_note` is given).
    pub note: Option<String>,
    /// The day the work was finished (`YYYY-MM-DD`, default today).
    pub completed_on: Option<String>,
    /// What was delivered.
    pub result_note: Option<String>,
    /// Leaders: a new due date.
    pub due_date: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub field: Option<String>,
    pub lead_department: Option<String>,
    pub coordinating_departments: Option<Vec<String>>,
    /// Username; `""` removes the leader in charge.
    pub leader_in_charge: Option<String>,
    /// The version this change is based on (or send `If-Match`).
    pub version: Option<i32>,
    /// Evidence: attachments you uploaded earlier to this task
    /// (`POST /tasks/{id}/attachments`) and not yet tied to a step, tied to
    /// this report or note in its transaction (at most 5). Anything else is
    /// 422 naming `attachment_ids[N]`.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// Update status, progress, notes (lead department); due date and definition (leaders).
/// A report or note may carry evidence (`attachment_ids`): saved together or not at all.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "The task's version, e.g. \"3\"")),
    request_body = UpdateTask,
    responses(
        (status = 200, body = TaskDetail),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody),
        (status = 409, body = ProblemBody, description = "Status change not allowed by the workflow"),
        (status = 412, body = ProblemBody, description = "The version is stale"),
        (status = 422, body = ProblemBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[patch("/tasks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<UpdateTask>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let b = body.0;
    let expected = if_match(&req)?.or(b.version);
    let evidence = Evidence {
        attachment_ids: b.attachment_ids,
        ..Default::default()
    };
    attachments::evidence::update_task(
        &state.db,
        &state.clock,
        &state.settings.attachments,
        &user,
        id,
        TaskPatch {
            status: b.status,
            progress: b.progress,
            note: b.note,
            completed_on: b.completed_on,
            result_note: b.result_note,
            due_date: b.due_date,
            title: b.title,
            description: b.description,
            field: b.field,
            lead_department: b.lead_department,
            coordinating_departments: b.coordinating_departments,
            leader_in_charge: b.leader_in_charge,
            expected_version: expected,
        },
        evidence,
    )
    .await?;
    detail_response(&state, &user, id, false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTask {
    /// `true` confirms completion; `false` returns the task to the department.
    pub accept: bool,
    /// Required when returning, and when accepting a declared completion day: the reason.
    #[serde(default)]
    pub note: String,
    /// With `accept`: also accept the earlier completion day the department
    /// declared (`declared_completed_on`); it then counts for timeliness.
    #[serde(default)]
    pub accept_completed_on: bool,
    pub version: Option<i32>,
}

/// Confirm a reported-done task, or return it with a reason (leader, admin).
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path)),
    request_body = ConfirmTask,
    responses((status = 200, body = TaskDetail), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 412, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tasks/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<ConfirmTask>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let expected = if_match(&req)?.or(body.0.version);
    commands::confirm(
        &state.db,
        &state.clock,
        &user,
        id,
        commands::Decision {
            accept: body.0.accept,
            accept_completed_on: body.0.accept_completed_on,
            note: body.0.note.clone(),
        },
        expected,
    )
    .await?;
    detail_response(&state, &user, id, false).await
}

/// A task's history, oldest first.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/{id}/history")]
pub async fn task_history(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    access::load_for(&state.db, &user, id, Action::ReadTask).await?;
    Ok(HttpResponse::Ok().json(dondoc_core::tasks::history::for_task(&state.db, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestExtension {
    /// The new due date asked for (`YYYY-MM-DD`), after the current one.
    pub requested_due_date: String,
    pub reason: String,
    /// Evidence: attachments you uploaded earlier to this task and not yet
    /// tied to a step (at most 5); else 422 naming `attachment_ids[N]`.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// Ask for a later due date (staff of the lead department).
#[utoipa::path(
    tag = "extensions",
    params(("id" = i64, Path, description = "Task id")),
    request_body = RequestExtension,
    responses((status = 201, body = detail::ExtensionView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tasks/{id}/extensions")]
pub async fn request_extension(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<RequestExtension>,
) -> ApiResult<HttpResponse> {
    let task_id = path.into_inner();
    let body = body.0;
    let request_id = attachments::evidence::request_extension(
        &state.db,
        &state.clock,
        &state.settings.attachments,
        &user,
        task_id,
        &body.requested_due_date,
        &body.reason,
        Evidence {
            attachment_ids: body.attachment_ids,
            ..Default::default()
        },
    )
    .await?;
    let view = crate::routes::extensions::find(&state, request_id).await?;
    Ok(created(format!("/api/v1/extensions/{request_id}"), &view))
}
