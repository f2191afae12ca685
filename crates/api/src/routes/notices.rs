//! The signed-in user's workflow notices (the bell): list, unread count,
//! mark read, and how each kind is mailed. Everyone reads only their own;
//! staff only those of their department.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, put, web};
use dondoc_core::{
    notices::inbox::{self, NoticeView, Preference, RawNoticeQuery},
    tasks::Page,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::ok,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// The caller's notices, newest first.
#[utoipa::path(
    tag = "notices",
    params(RawNoticeQuery),
    responses((status = 200, body = Page<NoticeView>), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/notices")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawNoticeQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&inbox::list(&state.db, &user, &query).await?))
}

/// How many of the caller's notices are unread (the bell's number).
#[utoipa::path(
    tag = "notices",
    responses((status = 200, body = UnreadCount), (status = 401, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/notices/unread-count")]
pub async fn unread_count(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> ApiResult<HttpResponse> {
    let unread = inbox::unread_count(&state.db, &user).await?;
    Ok(ok(&UnreadCount { unread }))
}

/// Marks one of the caller's notices read (another person's: 404).
#[utoipa::path(
    tag = "notices",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Read"), (status = 401, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/notices/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    inbox::mark_read(&state.db, state.clock.now(), &user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks every unread notice of the caller read.
#[utoipa::path(
    tag = "notices",
    responses((status = 200, body = MarkedRead), (status = 401, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/notices/read-all")]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> ApiResult<HttpResponse> {
    let marked = inbox::mark_all_read(&state.db, state.clock.now(), &user).await?;
    Ok(ok(&MarkedRead { marked }))
}

/// How each kind of notice is mailed to the caller.
#[utoipa::path(
    tag = "notices",
    responses((status = 200, body = Vec<Preference>), (status = 401, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/notices/preferences")]
pub async fn preferences(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    Ok(ok(&inbox::preferences(&state.db, &user).await?))
}

/// Sets how kinds of notice are mailed: `{"confirmed": "digest", …}` with
/// `immediate`, `digest` or `none`; kinds not named keep their choice.
#[utoipa::path(
    tag = "notices",
    request_body = BTreeMap<String, String>,
    responses((status = 200, body = Vec<Preference>), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[put("/notices/preferences")]
pub async fn set_preferences(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<BTreeMap<String, String>>,
) -> ApiResult<HttpResponse> {
    let choices: Vec<(String, String)> = body.0.into_iter().collect();
    Ok(ok(
        &inbox::set_preferences(&state.db, &user, &choices).await?
    ))
}
