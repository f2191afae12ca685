//! The notices pages: the list behind the bell (`/notices`), marking read
//! (one — which opens its task — or all), and the choice of how each kind
//! of notice is mailed (`/notices/preferences`), with the account's
//! language (which the pages open in and the mails to the person are
//! written in). Everyone sees only their own notices (staff: of their
//! department).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::principal::Principal,
    domain::Language,
    notices::{
        inbox::{self, RawNoticeQuery},
        kind, mail_mode,
    },
};
use serde::Deserialize;

use super::{
    Ctx, FormPage, PageError, PageUser, PostedForm, ctx, format, redirect, redirect_with, render,
};
use crate::state::AppState;

/// The bell's number, counted when the page's user is recognised.
#[derive(Debug, Clone, Copy)]
pub struct UnreadNotices(pub u64);

pub struct NoticeLine {
    pub id: i64,
    pub label: String,
    pub sentence: String,
    pub task_id: i64,
    pub task: String,
    pub note: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    ctx: Ctx,
    lines: Vec<NoticeLine>,
    unread_only: bool,
    total: u64,
    page: u64,
    pages: u64,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub unread: Option<String>,
    pub page: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let unread_only = query.unread.as_deref() == Some("1");
    let raw = RawNoticeQuery {
        unread: unread_only.then(|| "true".to_string()),
        page: query.page.clone(),
        per_page: Some("50".to_string()),
    };
    let found = inbox::list(&state.db, &user, &raw).await?;
    let page_ctx = ctx(&req, Some(user), "notices");
    let lang = page_ctx.t.lang();
    let tz = state.clock.timezone();
    let lines = found
        .items
        .iter()
        .map(|n| NoticeLine {
            id: n.id,
            label: n.label(lang),
            sentence: n.sentence(lang),
            task_id: n.task_id,
            task: format!("{} — {}", n.task_code, n.task_title),
            note: n.note.clone().unwrap_or_default(),
            at: format::datetime(n.created_at, tz),
            unread: n.read_at.is_none(),
        })
        .collect();
    let had_flash = page_ctx.flash.is_some();
    let view = NoticesPage {
        ctx: page_ctx,
        lines,
        unread_only,
        total: found.total,
        page: found.page,
        pages: found.total.div_ceil(found.per_page.max(1)).max(1),
    };
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// The forms of the notices pages.
pub struct NoticesForm;

impl FormPage for NoticesForm {
    const PAGE: &'static str = "/notices";
}

/// Marks a notice read and opens its task.
pub async fn mark_read(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<NoticesForm>,
) -> Result<HttpResponse, PageError> {
    let task_id = inbox::mark_read(
        &state.db,
        state.clock.now(),
        &posted.user,
        path.into_inner(),
    )
    .await
    .map_err(|err| posted.refused_or_missing(err))?;
    Ok(redirect(&format!("/tasks/{task_id}")))
}

pub async fn mark_all_read(
    state: web::Data<AppState>,
    posted: PostedForm<NoticesForm>,
) -> Result<HttpResponse, PageError> {
    let marked = inbox::mark_all_read(&state.db, state.clock.now(), &posted.user)
        .await
        .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(
        "/notices",
        true,
        posted
            .t
            .with("notices_marked_all", &[("count", marked.into())]),
    ))
}

pub struct PreferenceLine {
    pub kind: String,
    pub label: String,
    pub mailable: bool,
    /// `(mode, label, chosen)`.
    pub modes: Vec<(String, String, bool)>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "notice_preferences.html")]
struct PreferencesPage {
    ctx: Ctx,
    lines: Vec<PreferenceLine>,
    /// (code, label, chosen) of each language the account may have.
    languages: Vec<(String, String, bool)>,
    language_error: String,
}

/// The choices page; `sent` re-shows what was posted, with `errors`
/// (field, message) beside the kinds at fault.
async fn preferences_page(
    req: &HttpRequest,
    state: &AppState,
    user: Principal,
    sent: Option<&[(String, String)]>,
    sent_language: Option<&str>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let saved = inbox::preferences(&state.db, &user).await?;
    let language = sent_language.unwrap_or(user.language.as_str()).to_string();
    let page_ctx = ctx(req, Some(user), "notices");
    let t = page_ctx.t;
    let lines = saved
        .into_iter()
        .map(|p| {
            let chosen = sent
                .and_then(|s| s.iter().find(|(k, _)| *k == p.kind))
                .map(|(_, m)| m.clone())
                .unwrap_or(p.mail);
            PreferenceLine {
                label: t.get(&format!("notice-kind-{}", p.kind)),
                mailable: p.mailable,
                modes: mail_mode::ALL
                    .iter()
                    .map(|m| {
                        (
                            m.to_string(),
                            t.get(&format!("notice-mail-{m}")),
                            *m == chosen,
                        )
                    })
                    .collect(),
                error: errors
                    .iter()
                    .find(|(f, _)| *f == p.kind)
                    .map(|(_, e)| e.clone())
                    .unwrap_or_default(),
                kind: p.kind,
            }
        })
        .collect();
    let languages = Language::ALL
        .iter()
        .map(|l| {
            (
                l.as_str().to_string(),
                l.label(t.lang()),
                l.as_str() == language,
            )
        })
        .collect();
    let language_error = errors
        .iter()
        .find(|(f, _)| f == "language")
        .map(|(_, e)| e.clone())
        .unwrap_or_default();
    let had_flash = page_ctx.flash.is_some();
    let view = PreferencesPage {
        ctx: page_ctx,
        lines,
        languages,
        language_error,
    };
    Ok(render(status, &view, had_flash))
}

pub async fn preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    preferences_page(&req, &state, user, None, None, &[], StatusCode::OK).await
}

/// The preferences form, which returns to itself.
pub struct PreferencesForm;

impl FormPage for PreferencesForm {
    const PAGE: &'static str = "/notices/preferences";
}

pub async fn save_preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<PreferencesForm>,
) -> Result<HttpResponse, PageError> {
    let choices: Vec<(String, String)> = kind::ALL
        .iter()
        .filter(|k| kind::mailable(k))
        .filter_map(|k| posted.form.get(k).map(|m| (k.to_string(), m.to_string())))
        .collect();
    let language = posted.form.get("language").map(str::trim);
    match inbox::set_choices(
        &state.db,
        state.clock.now(),
        &posted.user,
        &choices,
        language,
    )
    .await
    {
        Ok(_) => {
            // Said in the language the next page is in.
            let t = language
                .and_then(|code| code.parse::<Language>().ok())
                .map_or(posted.t, |l| super::Tr(l.lang()));
            let mut done = redirect_with(
                "/notices/preferences",
                true,
                t.get("notices_preferences_saved"),
            );
            // The pages follow the account's language at once.
            if let Some(code) = language {
                let _ = done.add_cookie(&super::auth::lang_cookie(code));
            }
            Ok(done)
        }
        Err(dondoc_core::Error::Validation(errors)) => {
            let lang = posted.t.lang();
            let errors: Vec<(String, String)> = errors
                .iter()
                .map(|e| (e.field.clone(), e.message.text(lang)))
                .collect();
            preferences_page(
                &req,
                &state,
                posted.user,
                Some(&choices),
                language,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => Err(posted.refused(err)),
    }
}
