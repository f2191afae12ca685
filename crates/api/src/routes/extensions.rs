//! Extension requests (xin gia hạn): the pending list and a leader's decision.

use actix_web::{HttpResponse, get, post, web};
use dondoc_core::{
    domain::ExtensionState,
    tasks::{
        access, commands,
        detail::{self, ExtensionView},
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::ok,
    state::AppState,
};

pub async fn find(state: &AppState, id: i64) -> ApiResult<ExtensionView> {
    Ok(detail::extension_by_id(&state.db, id).await?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// `pending` (default), `approved` or `rejected`.
    pub state: Option<String>,
}

/// Extension requests in a state, oldest first (staff: their department's).
#[utoipa::path(
    tag = "extensions",
    params(ExtensionQuery),
    responses((status = 200, body = Vec<ExtensionView>), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/extensions")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ExtensionQuery>,
) -> ApiResult<HttpResponse> {
    let wanted = match query
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => s.parse::<ExtensionState>()?,
        None => ExtensionState::Pending,
    };
    Ok(ok(
        &detail::extensions_in_state(&state.db, &user, wanted).await?
    ))
}

/// One extension request (staff: of their department's tasks).
#[utoipa::path(
    tag = "extensions",
    params(("id" = i64, Path, description = "Extension request id")),
    responses((status = 200, body = ExtensionView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/extensions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let view = find(&state, path.into_inner()).await?;
    access::load_for(
        &state.db,
        &user,
        view.task_id,
        dondoc_core::accounts::policy::Action::ReadTask,
    )
    .await?;
    Ok(ok(&view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub approve: bool,
    /// Required when rejecting.
    #[serde(default)]
    pub note: String,
}

/// Approve (moves the due date, keeps the original) or reject an extension request (leader, admin).
#[utoipa::path(
    tag = "extensions",
    params(("id" = i64, Path, description = "Extension request id")),
    request_body = Decision,
    responses((status = 200, body = ExtensionView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 409, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/extensions/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Json<Decision>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    commands::decide_extension(
        &state.db,
        &state.clock,
        &user,
        id,
        body.0.approve,
        &body.0.note,
    )
    .await?;
    Ok(ok(&find(&state, id).await?))
}
