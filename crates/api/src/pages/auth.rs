//! Login, logout, language switch and password change pages.

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    http::StatusCode,
    web,
};
use askama::Template;
use dondoc_core::{
    Error,
    accounts::{principal::TokenKind, secrets::random_token, sessions, users},
    domain::{Language, Role},
};

use super::{
    Ctx, Form, FormPage, LOGIN_CSRF_COOKIE, PageError, PageUser, PostedForm, ctx, describe_error,
    redirect, redirect_with, render, target,
};
use crate::{
    extract::{constant_time_eq, peer_addr},
    routes::auth::session_cookie,
    state::AppState,
};

/// `/`: the page that fits the role.
pub async fn home(PageUser(user): PageUser) -> HttpResponse {
    if user.role == Role::Staff {
        redirect("/tasks")
    } else {
        redirect("/dashboard")
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    error: Option<String>,
    login_csrf: String,
    next: String,
    username: String,
}

/// Only local paths are followed after login (no open redirect).
/// Where to go after logging in: a same-site path (`target`), never the
/// login page itself.
fn safe_next(next: &str) -> String {
    if target::is_same_site(next) && !next.starts_with("/login") {
        next.to_string()
    } else {
        target::HOME.to_string()
    }
}

fn login_page(
    req: &HttpRequest,
    status: StatusCode,
    error: Option<String>,
    next: &str,
    username: &str,
) -> HttpResponse {
    // Double-submit token: the login form has no session yet.
    let token = random_token();
    let page = LoginPage {
        ctx: ctx(req, None, ""),
        error,
        login_csrf: token.clone(),
        next: safe_next(next),
        username: username.to_string(),
    };
    let had_flash = page.ctx.flash.is_some();
    let mut response = render(status, &page, had_flash);
    let cookie = Cookie::build(LOGIN_CSRF_COOKIE, token)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::hours(2))
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    req: HttpRequest,
    query: web::Query<NextQuery>,
    signed_in: Option<PageUser>,
) -> HttpResponse {
    if signed_in.is_some() {
        return redirect(&safe_next(query.next.as_deref().unwrap_or("/")));
    }
    login_page(
        &req,
        StatusCode::OK,
        None,
        query.next.as_deref().unwrap_or("/"),
        "",
    )
}

pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&body);
    let t = ctx(&req, None, "").t;
    let next = form.text("next");
    let username = form.text("username");
    let cookie_token = req
        .cookie(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let form_token = form.text("login_csrf");
    if cookie_token.is_empty() || !constant_time_eq(cookie_token.as_bytes(), form_token.as_bytes())
    {
        return Ok(login_page(
            &req,
            StatusCode::FORBIDDEN,
            Some(t.get("csrf_failed").to_string()),
            &next,
            &username,
        ));
    }
    if let Some(field) = crate::input_text::bad_form_field(&form.0) {
        let refused = crate::input_text::refusal(field);
        return Ok(login_page(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(describe_error(t, &refused)),
            &next,
            "",
        ));
    }
    let addr = peer_addr(&req);
    Ok(
        match sessions::login(
            &state.db,
            &state.clock,
            &state.settings.auth,
            &username,
            &form.text("password"),
            addr.as_deref(),
            TokenKind::Session,
        )
        .await
        {
            Ok(outcome) => {
                // The browser keeps the cookie a while after the session
                // ends, so a form sent too late is still known to be this
                // person's and kept for them (`drafts`); the server refuses
                // the expired session itself.
                let max_age = (outcome.expires_at - state.clock.now()
                    + dondoc_core::accounts::drafts::KEEP_FOR)
                    .num_seconds();
                let mut gone = Cookie::build(LOGIN_CSRF_COOKIE, "").path("/login").finish();
                gone.make_removal();
                let target = if outcome.user.must_change_password {
                    "/account/password".to_string()
                } else {
                    safe_next(&next)
                };
                // The pages open in the account's language.
                HttpResponse::SeeOther()
                    .insert_header(("Location", target))
                    .cookie(session_cookie(&state, outcome.token, max_age))
                    .cookie(gone)
                    .cookie(lang_cookie(outcome.user.language.as_str()))
                    .finish()
            }
            Err(Error::TooManyAttempts { .. }) => login_page(
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                Some(t.get("login_throttled").to_string()),
                &next,
                &username,
            ),
            Err(Error::Unauthenticated) => login_page(
                &req,
                StatusCode::UNAUTHORIZED,
                Some(t.get("login_failed").to_string()),
                &next,
                &username,
            ),
            Err(other) => return Err(other.into()),
        },
    )
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
    signed_in: Option<PageUser>,
) -> HttpResponse {
    let form = Form::parse(&body);
    // Not (or no longer) signed in: the login page, with nowhere to return to.
    let Some(PageUser(user)) = signed_in else {
        return redirect("/login");
    };
    if !form.csrf_ok(&user) {
        return redirect_with("/", false, ctx(&req, None, "").t.get("csrf_failed"));
    }
    if let Err(err) = sessions::logout(&state.db, &state.clock, user.token_id).await {
        tracing::warn!(error = %err, "logout failed");
    }
    let mut gone = session_cookie(&state, String::new(), 0);
    gone.make_removal();
    HttpResponse::SeeOther()
        .insert_header(("Location", "/login"))
        .cookie(gone)
        .finish()
}

/// The cookie the pages read their language from (`lang::Negotiate`).
pub fn lang_cookie(code: &str) -> Cookie<'static> {
    let code = if code == "en" { "en" } else { "vi" };
    Cookie::build("lang", code)
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(365))
        .finish()
}

/// Remembers the language in a cookie and, for a signed-in person, on the
/// account too (the next login and the notice mails follow it); returns to
/// the page the user was on. Storing it is best effort: a failed write
/// still switches this browser's pages.
pub async fn switch_language(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    signed_in: Option<PageUser>,
) -> HttpResponse {
    let language = if path.as_str() == "en" {
        Language::En
    } else {
        Language::Vi
    };
    // A GET that writes: only this site's own pages may make it write (a
    // link on another site still switches this browser's pages, through
    // the cookie, but never the account).
    if let Some(PageUser(user)) = signed_in
        && user.language != language
        && from_this_site(&req)
    {
        match users::set_own_language(&state.db, state.clock.now(), user.user_id, language).await {
            // The remembered sign-ins carry the language: ask again.
            Ok(()) => state.auth_cache.forget_all(),
            Err(err) => tracing::warn!(error = %err, "the account's language was not stored"),
        }
    }
    let back = req
        .headers()
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let host = req.connection_info().host().to_string();
            r.split_once(&host).map(|(_, rest)| rest.to_string())
        })
        .map(|p| safe_next(&p))
        .unwrap_or_else(|| "/".to_string());
    HttpResponse::SeeOther()
        .insert_header(("Location", back))
        .cookie(lang_cookie(language.as_str()))
        .finish()
}

/// Whether the browser says the request comes from one of this site's
/// pages: `Sec-Fetch-Site` where sent, else the `Referer` (sent within the
/// site under our `Referrer-Policy: same-origin`).
fn from_this_site(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    let host = req.connection_info().host().to_string();
    header("referer").is_some_and(|r| {
        r.split_once("://")
            .map(|(_, rest)| rest.split('/').next() == Some(host.as_str()))
            .unwrap_or(false)
    })
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    must_change: bool,
}

pub async fn password_form(req: HttpRequest, PageUser(user): PageUser) -> HttpResponse {
    let must_change = user.must_change_password;
    let page = PasswordPage {
        ctx: ctx(&req, Some(user), ""),
        must_change,
    };
    let had_flash = page.ctx.flash.is_some();
    render(StatusCode::OK, &page, had_flash)
}

/// The password form.
pub struct PasswordForm;

impl FormPage for PasswordForm {
    const PAGE: &'static str = "/account/password";
}

pub async fn password_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    use dondoc_core::accounts::users::{PasswordChange, change_own_password};
    let (user, form, t) = (&posted.user, &posted.form, posted.t);
    let addr = peer_addr(&req);
    change_own_password(
        &state.db,
        &state.clock,
        &state.settings.auth,
        PasswordChange {
            user_id: user.user_id,
            keep_token_id: user.token_id,
            remote_addr: addr.as_deref(),
            current_password: &form.text("current_password"),
            new_password: &form.text("new_password"),
        },
    )
    .await
    .map_err(|err| PageError::back(&posted.back, describe_error(t, &err)))?;
    Ok(redirect_with("/", true, t.get("password_changed")))
}
