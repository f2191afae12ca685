//! Recurring tasks: a task's series, making a task recur, stopping it.

use actix_web::{HttpResponse, delete, get, put, web};
use dondoc_core::tasks::recurrence::{self, RecurrenceInput, SeriesView};

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::ok,
    state::AppState,
};

/// The task's recurring series (rule and occurrences), or `null`.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = Option<SeriesView>), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/{id}/recurrence")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&recurrence::for_task(
        &state.db,
        &user,
        path.into_inner(),
    )
    .await?))
}

/// Make the task recur, or change its rule (leader, admin). The next
/// occurrence is made when this one is confirmed completed, or when its
/// period starts.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    request_body = RecurrenceInput,
    responses((status = 200, body = SeriesView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[put("/tasks/{id}/recurrence")]
pub async fn set(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<RecurrenceInput>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&recurrence::set(
        &state.db,
        &state.clock,
        &user,
        path.into_inner(),
        &body.0,
    )
    .await?))
}

/// Stop the series: no more occurrences; existing ones stay (leader, admin).
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 204, description = "Stopped"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/tasks/{id}/recurrence")]
pub async fn stop(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    recurrence::stop(&state.db, &state.clock, &user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
