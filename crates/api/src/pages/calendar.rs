//! The "Lịch hạn" settings page: each calendar feed the user may manage
//! (staff: their department's; leaders: their own; admins: any), made,
//! regenerated or revoked here. A new address is shown once, on the page
//! answering the form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{accounts::policy::FeedTarget, feeds::manage};

use super::{
    Ctx, FormPage, PageError, PageUser, PostedForm, ctx, describe_error, format, redirect_with,
    render,
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

/// A live feed that no longer answers because its maker lost the right to
/// what it shows; only revoking is left to do.
pub struct StoppedLine {
    pub feed_id: i64,
    pub label: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    slots: Vec<SlotLine>,
    stopped: Vec<StoppedLine>,
    new_url: Option<String>,
    new_label: String,
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    user: dondoc_core::accounts::principal::Principal,
    new_url: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let slots = manage::slots(&state.db, &user).await?;
    let tz = state.clock.timezone();
    let stopped = manage::list(&state.db, &user)
        .await?
        .into_iter()
        .filter(|f| f.stopped)
        .map(|f| StoppedLine {
            feed_id: f.id,
            label: f
                .department
                .map(|d| d.name)
                .or(f.leader.map(|l| l.full_name))
                .unwrap_or_default(),
            since: format::datetime(f.created_at, tz),
        })
        .collect();
    let page_ctx = ctx(req, Some(user), "calendar");
    let t = page_ctx.t;
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
        stopped,
        new_url,
        new_label,
    };
    Ok(render(StatusCode::OK, &view, had_flash))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    page(&req, &state, user, None).await
}

/// The forms of the calendar page.
pub struct CalendarForm;

impl FormPage for CalendarForm {
    const PAGE: &'static str = "/account/calendar";
}

/// Makes (or regenerates) a feed and shows its address once.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<CalendarForm>,
) -> Result<HttpResponse, PageError> {
    let scope = posted.form.text("scope");
    let key = posted.form.text("key");
    let (department, leader) = if scope == manage::SCOPE_LEADER {
        (None, Some(key.as_str()))
    } else {
        (Some(key.as_str()), None)
    };
    // Every refusal of the target, a missing right included, is said on the page.
    let target = manage::resolve_target(&state.db, &posted.user, &scope, department, leader)
        .await
        .map_err(|err| PageError::back(&posted.back, describe_error(posted.t, &err)))?;
    let created = manage::create(
        &state.db,
        &state.clock,
        state.settings.public_url(),
        &posted.user,
        target,
    )
    .await
    .map_err(|err| posted.refused(err))?;
    let label = created
        .feed
        .department
        .as_ref()
        .map(|d| d.name.clone())
        .or_else(|| created.feed.leader.as_ref().map(|l| l.full_name.clone()))
        .unwrap_or_default();
    page(&req, &state, posted.user, Some((created.url, label))).await
}

pub async fn revoke(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<CalendarForm>,
) -> Result<HttpResponse, PageError> {
    manage::revoke(&state.db, &state.clock, &posted.user, path.into_inner())
        .await
        .map_err(|err| posted.refused_or_missing(err))?;
    Ok(redirect_with(
        &posted.back,
        true,
        posted.t.get("calendar_revoked"),
    ))
}
