//! The "Lịch hạn" settings page: each calendar feed the user may manage
//! (staff: their department's; leaders: their own; admins: any), made,
//! regenerated or revoked here. A new address is shown once, on the page
//! answering the form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{accounts::policy::FeedTarget, feeds::manage};

use super::{
    Ctx, ctx, describe_error, error_page, format, page_user, posted_form, redirect_with, render,
};
use crate::state::AppState;

pub struct SlotLine {
    pub scope: String,
    pub scope_label: String,
    pub key: String,
    pub label: String,
    pub feed_id: Option<i64>,
    pub since: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    slots: Vec<SlotLine>,
    new_url: Option<String>,
    new_label: String,
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    user: dondoc_core::accounts::principal::Principal,
    new_url: Option<(String, String)>,
) -> HttpResponse {
    let slots = match manage::slots(&state.db, &user).await {
        Ok(s) => s,
        Err(err) => return error_page(req, Some(user), err),
    };
    let page_ctx = ctx(req, Some(user), "calendar");
    let t = page_ctx.t;
    let tz = state.clock.timezone();
    let lines = slots
        .into_iter()
        .map(|s| SlotLine {
            scope: s.scope.to_string(),
            scope_label: t
                .get(match s.target {
                    FeedTarget::Department(_) => "calendar_department",
                    FeedTarget::Leader(_) => "calendar_leader",
                })
                .to_string(),
            key: s.key,
            label: s.label,
            feed_id: s.active.as_ref().map(|f| f.id),
            since: s
                .active
                .as_ref()
                .map(|f| format::datetime(f.created_at, tz))
                .unwrap_or_default(),
            last_used: s
                .active
                .as_ref()
                .and_then(|f| f.last_used_at)
                .map(|at| format::datetime(at, tz))
                .unwrap_or_default(),
        })
        .collect();
    let (new_url, new_label) = match new_url {
        Some((url, label)) => (Some(url), label),
        None => (None, String::new()),
    };
    let had_flash = page_ctx.flash.is_some();
    let view = CalendarPage {
        ctx: page_ctx,
        slots: lines,
        new_url,
        new_label,
    };
    render(StatusCode::OK, &view, had_flash)
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    page(&req, &state, user, None).await
}

/// Makes (or regenerates) a feed and shows its address once.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let (user, form, t) = match posted_form(&req, &body, "/account/calendar").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let scope = form.text("scope");
    let key = form.text("key");
    let (department, leader) = if scope == manage::SCOPE_LEADER {
        (None, Some(key.as_str()))
    } else {
        (Some(key.as_str()), None)
    };
    let target = match manage::resolve_target(&state.db, &user, &scope, department, leader).await {
        Ok(target) => target,
        Err(err) => return redirect_with("/account/calendar", false, &describe_error(t, &err)),
    };
    match manage::create(
        &state.db,
        &state.clock,
        state.settings.public_url(),
        &user,
        target,
    )
    .await
    {
        Ok(created) => {
            let label = created
                .feed
                .department
                .as_ref()
                .map(|d| d.name.clone())
                .or_else(|| created.feed.leader.as_ref().map(|l| l.full_name.clone()))
                .unwrap_or_default();
            page(&req, &state, user, Some((created.url, label))).await
        }
        Err(dondoc_core::Error::Forbidden(why)) => {
            error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with("/account/calendar", false, &describe_error(t, &err)),
    }
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let (user, _, t) = match posted_form(&req, &body, "/account/calendar").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match manage::revoke(&state.db, &state.clock, &user, path.into_inner()).await {
        Ok(()) => redirect_with("/account/calendar", true, t.get("calendar_revoked")),
        Err(err @ (dondoc_core::Error::Forbidden(_) | dondoc_core::Error::NotFound(_))) => {
            error_page(&req, Some(user), err)
        }
        Err(err) => redirect_with("/account/calendar", false, &describe_error(t, &err)),
    }
}
