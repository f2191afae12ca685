//! The overdue list.

use actix_web::{HttpRequest, HttpResponse, get, web};
use dondoc_core::reports::overdue::{self, OverdueByDepartment, OverduePage, RawOverdueQuery};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::ok_kept,
    state::AppState,
};

/// Overdue tasks, oldest first, with days overdue, reminder documents and the last notice sent
/// (leaders and admins: all; staff: their department's).
#[utoipa::path(
    tag = "overdue",
    params(RawOverdueQuery),
    responses((status = 200, body = OverduePage), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/overdue")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawOverdueQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    ok_kept(&state, &req, user.user_id, || {
        overdue::list(
            &state.db,
            &state.facts,
            &state.clock,
            &user,
            &query,
            state.due_soon_days(),
        )
    })
    .await
}

/// The overdue list grouped by lead department, the department with the oldest overdue task
/// first; `page`/`per_page` count departments (default 20), each with its count and its
/// oldest overdue tasks (at most `tasks_per_department`).
#[utoipa::path(
    tag = "overdue",
    params(RawOverdueQuery),
    responses((status = 200, body = OverdueByDepartment), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/overdue/by-department")]
pub async fn by_department(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawOverdueQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    ok_kept(&state, &req, user.user_id, || {
        overdue::by_department(
            &state.db,
            &state.facts,
            &state.clock,
            &user,
            &query,
            state.due_soon_days(),
        )
    })
    .await
}
