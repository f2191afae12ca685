//! The overdue list.

use actix_web::{HttpResponse, get, web};
use dondoc_core::overdue::{self, OverduePage, RawOverdueQuery};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::ok,
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
) -> ApiResult<HttpResponse> {
    Ok(ok(&overdue::list(
        &state.db,
        &user,
        &query,
        state.today(),
        state.due_soon_days(),
    )
    .await?))
}
