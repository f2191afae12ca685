//! Statistics for a programme year.

use actix_web::{HttpRequest, HttpResponse, get, web};
use dondoc_core::reports::stats::{self, RawStatsQuery, Stats};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::ok_kept,
    state::AppState,
};

/// Overall, per-department and per-field figures (staff: their department's).
#[utoipa::path(
    tag = "stats",
    params(RawStatsQuery),
    responses((status = 200, body = Stats), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/stats")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawStatsQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    ok_kept(&state, &req, user.user_id, || {
        stats::compute(
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
