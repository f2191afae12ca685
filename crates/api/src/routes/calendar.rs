//! Private calendar feeds: managing them (signed-in users, their own) and
//! the feed itself (`/calendar/{token}.ics`, the token is the credential).

use actix_web::{HttpResponse, delete, get, http::header, post, web};
use dondoc_core::feeds::{
    ics,
    manage::{self, CreatedFeed, FeedView},
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// The live calendar feeds the caller may manage (never their tokens).
#[utoipa::path(
    tag = "calendar",
    responses((status = 200, body = Vec<FeedView>), (status = 401, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/calendar-feeds")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    Ok(ok(&manage::list(&state.db, &user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFeed {
    /// `department` (tasks it leads) or `leader` (tasks in their charge).
    pub scope: String,
    /// Department code; staff may leave it out (their own).
    pub department: Option<String>,
    /// Leader's username; leaders may leave it out (themselves).
    pub leader: Option<String>,
}

/// Make (or regenerate) a private feed: the old URL of the same department
/// or leader stops working. The URL is in this answer only.
#[utoipa::path(
    tag = "calendar",
    request_body = CreateFeed,
    responses((status = 201, body = CreatedFeed), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/calendar-feeds")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CreateFeed>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let target = manage::resolve_target(
        &state.db,
        &user,
        &b.scope,
        b.department.as_deref(),
        b.leader.as_deref(),
    )
    .await?;
    let made = manage::create(
        &state.db,
        &state.clock,
        state.settings.public_url(),
        &user,
        target,
    )
    .await?;
    Ok(created(
        format!("/api/v1/calendar-feeds/{}", made.feed.id),
        &made,
    ))
}

/// Revoke a feed: its URL answers 404 from now on.
#[utoipa::path(
    tag = "calendar",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/calendar-feeds/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    manage::revoke(&state.db, &state.clock, &user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The feed itself (RFC 5545 iCalendar): each open task's deadline as an
/// all-day event, overdue ones marked. No login: the token is the key.
#[utoipa::path(
    tag = "calendar",
    params(("token" = String, Path, description = "The feed's secret token")),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar"),
        (status = 404, body = ProblemBody, description = "Unknown or revoked token"),
    )
)]
#[get("/calendar/{token}.ics")]
pub async fn feed(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let content = manage::content(
        &state.db,
        &state.clock,
        &path.into_inner(),
        state.due_soon_days(),
    )
    .await?;
    let body = ics::render_ics(
        &content,
        state.settings.public_url(),
        state.clock.timezone().name(),
        state.clock.now(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"dondoc.ics\"",
        ))
        .body(body))
}
