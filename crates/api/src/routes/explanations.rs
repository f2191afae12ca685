//! Requests for explanation (yêu cầu giải trình): a leader asks the lead
//! department of an overdue task; the department answers.

use actix_web::{HttpResponse, get, post, web};
use dondoc_core::{
    attachments::{self, evidence::Evidence},
    followup::explanations::{
        self, ExplanationAnswer, ExplanationView, NewExplanation, RawExplanationQuery,
    },
};

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// Requests for explanation (staff: about tasks their department leads or
/// coordinates). Overdue ones (unanswered past their answer-by date) first.
#[utoipa::path(
    tag = "explanations",
    operation_id = "explanations_list",
    params(RawExplanationQuery),
    responses((status = 200, body = Vec<ExplanationView>), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/explanations")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawExplanationQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&explanations::list(
        &state.db,
        &user,
        &query,
        state.today(),
    )
    .await?))
}

/// One request for explanation (who may read its task).
#[utoipa::path(
    tag = "explanations",
    operation_id = "explanations_get",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = ExplanationView), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/explanations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&explanations::get(
        &state.db,
        &user,
        path.into_inner(),
        state.today(),
    )
    .await?))
}

/// A task's requests for explanation, newest first (who may read the task).
#[utoipa::path(
    tag = "explanations",
    operation_id = "explanations_for_task",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = Vec<ExplanationView>), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/{id}/explanations")]
pub async fn for_task(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&explanations::for_task_as(
        &state.db,
        &user,
        path.into_inner(),
        state.today(),
    )
    .await?))
}

/// Asks the lead department of an overdue task for an explanation by a date
/// after today (leader, admin). The department's staff are notified by email
/// (one outbox notification per request).
#[utoipa::path(
    tag = "explanations",
    operation_id = "explanations_create",
    params(("id" = i64, Path, description = "Task id")),
    request_body = NewExplanation,
    responses((status = 201, body = ExplanationView), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tasks/{id}/explanations")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<NewExplanation>,
) -> ApiResult<HttpResponse> {
    let id = explanations::request(
        &state.db,
        &state.clock,
        &state.settings,
        &user,
        path.into_inner(),
        &body.0,
    )
    .await?;
    let view = explanations::get(&state.db, &user, id, state.today()).await?;
    Ok(created(format!("/api/v1/explanations/{id}"), &view))
}

/// The lead department answers (its staff; recorded in the task history),
/// with evidence uploaded earlier to the task (`attachment_ids`) if any.
#[utoipa::path(
    tag = "explanations",
    operation_id = "explanations_answer",
    params(("id" = i64, Path, description = "Request id")),
    request_body = ExplanationAnswer,
    responses((status = 200, body = ExplanationView), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/explanations/{id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<ExplanationAnswer>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let evidence = Evidence {
        attachment_ids: body.0.attachment_ids.clone(),
        ..Default::default()
    };
    attachments::evidence::answer_explanation(
        &state.db,
        &state.clock,
        &state.settings.attachments,
        &user,
        id,
        &body.0,
        evidence,
    )
    .await?;
    Ok(ok(
        &explanations::get(&state.db, &user, id, state.today()).await?
    ))
}
