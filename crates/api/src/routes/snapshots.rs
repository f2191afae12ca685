//! Meeting snapshots (ảnh chụp số liệu giao ban): take, list, show, compare.

use actix_web::{HttpResponse, get, post, web};
use dondoc_core::reports::snapshots::{
    self, Comparison, NewSnapshot, SnapshotSummary, SnapshotView,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// Every meeting snapshot, newest first (leader, admin).
#[utoipa::path(
    tag = "snapshots",
    operation_id = "snapshots_list",
    responses((status = 200, body = Vec<SnapshotSummary>), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/snapshots")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    Ok(ok(&snapshots::list(&state.db, &user).await?))
}

/// Freezes the year's figures and the overdue list now, under a title (leader, admin).
#[utoipa::path(
    tag = "snapshots",
    operation_id = "snapshots_create",
    request_body = NewSnapshot,
    responses((status = 201, body = SnapshotView), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/snapshots")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<NewSnapshot>,
) -> ApiResult<HttpResponse> {
    let id = snapshots::take(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        &body.0,
        state.due_soon_days(),
    )
    .await?;
    let view = snapshots::get(&state.db, &user, id).await?;
    Ok(created(format!("/api/v1/snapshots/{id}"), &view))
}

/// One snapshot: its figures and overdue list exactly as frozen (leader, admin).
#[utoipa::path(
    tag = "snapshots",
    operation_id = "snapshots_get",
    params(("id" = i64, Path, description = "Snapshot id")),
    responses((status = 200, body = SnapshotView), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/snapshots/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        &snapshots::get(&state.db, &user, path.into_inner()).await?
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The later snapshot's id; absent or `now` = the figures as they are now.
    pub to: Option<String>,
}

/// Compares a snapshot with a later one (or with now): total and per-department
/// changes, tasks newly overdue, tasks no longer overdue (leader, admin).
#[utoipa::path(
    tag = "snapshots",
    operation_id = "snapshots_compare",
    params(("id" = i64, Path, description = "The earlier snapshot's id"), CompareQuery),
    responses((status = 200, body = Comparison), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/snapshots/{id}/compare")]
pub async fn compare(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<CompareQuery>,
) -> ApiResult<HttpResponse> {
    let to = parse_to(query.to.as_deref())?;
    Ok(ok(&snapshots::compare(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        path.into_inner(),
        to,
        state.due_soon_days(),
    )
    .await?))
}

/// `to`: a snapshot id, or empty / `now` for now.
pub fn parse_to(raw: Option<&str>) -> dondoc_core::Result<Option<i64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty() && *s != "now") {
        None => Ok(None),
        Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
            dondoc_core::Error::field(
                "to",
                "invalid_number",
                dondoc_core::Msg::SnapshotRefInvalid {
                    value: text.to_string(),
                },
            )
        }),
    }
}
