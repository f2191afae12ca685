//! The web pages officials use: server-rendered HTML (askama templates
//! compiled into the binary), Vietnamese first with English available, no
//! JavaScript needed. Pages call `dondoc-core` directly, with the same
//! permission policy as the JSON API.

pub mod admin;
pub mod admin_departments;
pub mod admin_kit;
pub mod admin_users;
pub mod aliases;
pub mod attachments;
pub mod auth;
pub mod calendar;
pub mod dashboard;
pub mod documents;
pub mod drafts;
pub mod error;
pub mod evidence;
pub mod explanations;
pub mod extract;
pub mod figures;
pub mod format;
pub mod i18n;
pub mod letters;
pub mod notices;
pub mod overdue;
pub mod report;
pub mod review;
pub mod snapshots;
pub mod svg;
pub mod target;
pub mod task_forms;
pub mod task_page;
pub mod tasks;
pub mod view_switch;

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite},
    http::{StatusCode, header},
    web,
};
use askama::Template;
use dondoc_core::{accounts::principal::Principal, domain::Role};

use crate::{
    lang::{Lang, Negotiate},
    state::AppState,
};
pub use error::{PageError, describe_error, message_page};
pub use extract::{Form, FormPage, PageUser, PostedForm, TaskPageForm};
pub use i18n::Tr;

pub const FLASH_COOKIE: &str = "dondoc_flash";
/// The longest unit name the header shows whole (characters).
const HEADER_UNIT_CHARS: usize = 34;
pub const LOGIN_CSRF_COOKIE: &str = "dondoc_login_csrf";

/// What every page template needs.
pub struct Ctx {
    pub t: Tr,
    pub user: Option<Principal>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub organization: String,
    /// Which navigation entry is current (`tasks`, `overdue`, …).
    pub nav: &'static str,
    pub today: String,
    pub path: String,
    /// What was typed into a form of this page that was not taken
    /// (`drafts`): the form shows it again.
    pub draft: Option<drafts::Draft>,
    /// The bell's number of unread notices (`None`: nobody signed in).
    pub unread: Option<u64>,
}

pub struct Flash {
    pub ok: bool,
    pub text: String,
}

impl Ctx {
    /// For a page rendered without its request (a fallback): Vietnamese,
    /// nobody signed in.
    pub fn without_request() -> Self {
        Ctx {
            t: Tr(Lang::Vi),
            user: None,
            csrf: String::new(),
            flash: None,
            organization: String::new(),
            nav: "",
            today: String::new(),
            path: String::new(),
            draft: None,
            unread: None,
        }
    }

    /// Whether the bell shows (someone is signed in and it was counted).
    pub fn has_bell(&self) -> bool {
        self.user.is_some() && self.unread.is_some()
    }

    pub fn unread_count(&self) -> u64 {
        self.unread.unwrap_or(0)
    }

    /// The bell's accessible name: how many notices are unread.
    pub fn bell_label(&self) -> String {
        self.t
            .with("notices_unread", &[("count", self.unread_count().into())])
    }

    pub fn is_leader_or_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_leader_or_admin())
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin())
    }

    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Staff)
    }

    pub fn user_name(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.full_name.as_str())
            .unwrap_or("")
    }

    pub fn department_code(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| u.department_code.as_deref())
            .unwrap_or("")
    }

    /// The unit's name as the header shows it: whole when it is short,
    /// else cut at a word with an ellipsis (the whole name goes in the
    /// `title`), so the header keeps to a phone's width. The code only
    /// when the unit has no name to show.
    pub fn department_short(&self) -> String {
        let Some(user) = self.user.as_ref() else {
            return String::new();
        };
        match user.department_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format::shorten(name, HEADER_UNIT_CHARS),
            _ => user.department_code.clone().unwrap_or_default(),
        }
    }

    /// The unit's whole name, for the header's `title`.
    pub fn department_full(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| {
                u.department_name
                    .as_deref()
                    .or(u.department_code.as_deref())
            })
            .unwrap_or("")
    }

    pub fn role_label(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.role.label(self.t.0))
            .unwrap_or_default()
    }
}

pub fn state_of(req: &HttpRequest) -> Option<&web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
}

fn read_flash(req: &HttpRequest) -> Option<Flash> {
    let cookie = req.cookie(FLASH_COOKIE)?;
    let raw = cookie.value();
    let (kind, text) = raw.split_once('|')?;
    let text: String = form_urlencoded::parse(format!("m={text}").as_bytes())
        .find(|(k, _)| k == "m")
        .map(|(_, v)| v.into_owned())?;
    Some(Flash {
        ok: kind == "ok",
        text,
    })
}

/// A one-shot message shown on the next page.
pub fn flash_cookie(ok: bool, text: &str) -> Cookie<'static> {
    let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    Cookie::build(
        FLASH_COOKIE,
        format!("{}|{}", if ok { "ok" } else { "err" }, encoded),
    )
    .path("/")
    .http_only(true)
    .same_site(SameSite::Lax)
    .finish()
}

fn clear_flash() -> Cookie<'static> {
    let mut c = Cookie::build(FLASH_COOKIE, "").path("/").finish();
    c.make_removal();
    c
}

pub fn ctx(req: &HttpRequest, user: Option<Principal>, nav: &'static str) -> Ctx {
    let (organization, today) = state_of(req)
        .map(|s| {
            (
                s.settings.organization.name.clone(),
                format::date(s.today()),
            )
        })
        .unwrap_or_default();
    Ctx {
        t: Tr(Lang::for_page(req)),
        csrf: user
            .as_ref()
            .and_then(|u| u.csrf_token.clone())
            .unwrap_or_default(),
        user,
        flash: read_flash(req),
        organization,
        nav,
        today,
        path: req.uri().to_string(),
        draft: drafts::of_request(req),
        unread: {
            use actix_web::HttpMessage;
            req.extensions()
                .get::<notices::UnreadNotices>()
                .map(|u| u.0)
        },
    }
}

/// Renders a template as a page (clearing any flash it showed).
pub fn render<T: Template>(status: StatusCode, template: &T, had_flash: bool) -> HttpResponse {
    match template.render() {
        Ok(html) => {
            let mut response = HttpResponse::build(status);
            response
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"));
            if had_flash {
                response.cookie(clear_flash());
            }
            response.body(html)
        }
        Err(err) => {
            tracing::error!(error = %err, "template rendering failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Lỗi hiển thị trang / page rendering failed")
        }
    }
}

/// A 303 to `to`, which must be a same-site path (`target`); anything
/// else goes home, so no page can be made to send a browser elsewhere.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target::same_site(to)))
        .finish()
}

pub fn redirect_with(to: &str, ok: bool, text: impl AsRef<str>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target::same_site(to)))
        .cookie(flash_cookie(ok, text.as_ref()))
        .finish()
}

/// Static files, compiled in.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/app.css"))
}

pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("../../static/favicon.svg"))
}

/// The administration's units and accounts (`/new` before `/{key}`).
fn admin_routes(cfg: &mut web::ServiceConfig) {
    use admin_departments as d;
    use admin_users as u;
    cfg.route("/admin/departments", web::get().to(d::list))
        .route("/admin/departments", web::post().to(d::create))
        .route("/admin/departments/new", web::get().to(d::new_form))
        .route("/admin/departments/{code}", web::get().to(d::edit_form))
        .route("/admin/departments/{code}", web::post().to(d::update))
        .route("/admin/users", web::get().to(u::list))
        .route("/admin/users", web::post().to(u::create))
        .route("/admin/users/new", web::get().to(u::new_form))
        .route("/admin/users/{username}", web::get().to(u::edit_form))
        .route("/admin/users/{username}", web::post().to(u::update))
        .route(
            "/admin/users/{username}/password-reset",
            web::post().to(u::reset_password),
        );
}

/// Every page route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(auth::home))
        .route("/login", web::get().to(auth::login_form))
        .route("/login", web::post().to(auth::login_submit))
        .route("/logout", web::post().to(auth::logout))
        .route("/lang/{code}", web::get().to(auth::switch_language))
        .route("/account/password", web::get().to(auth::password_form))
        .route("/account/password", web::post().to(auth::password_submit))
        .route("/account/calendar", web::get().to(calendar::show))
        .route("/account/calendar", web::post().to(calendar::create))
        .route(
            "/account/calendar/{id}/revoke",
            web::post().to(calendar::revoke),
        )
        .route("/notices", web::get().to(notices::list))
        .route("/notices/read-all", web::post().to(notices::mark_all_read))
        .route("/notices/preferences", web::get().to(notices::preferences))
        .route(
            "/notices/preferences",
            web::post().to(notices::save_preferences),
        )
        .route("/notices/{id}/read", web::post().to(notices::mark_read))
        .route("/dashboard", web::get().to(dashboard::show))
        .route("/tasks", web::get().to(tasks::list))
        .route("/tasks/new", web::get().to(task_forms::new_form))
        .route("/tasks/new", web::post().to(task_forms::create))
        .route("/tasks/{id}", web::get().to(task_page::show))
        .route("/tasks/{id}/update", web::post().to(task_forms::update))
        .route(
            "/tasks/{id}/extension",
            web::post().to(task_forms::request_extension),
        )
        .route("/tasks/{id}/confirm", web::post().to(task_forms::confirm))
        .route(
            "/tasks/{id}/explanations",
            web::post().to(explanations::request),
        )
        .route("/explanations", web::get().to(explanations::list))
        .route(
            "/explanations/{id}/answer",
            web::post().to(explanations::answer),
        )
        .route("/snapshots", web::get().to(snapshots::list))
        .route("/snapshots", web::post().to(snapshots::take))
        .route("/snapshots/{id}", web::get().to(snapshots::show))
        .route("/snapshots/{id}/compare", web::get().to(snapshots::compare))
        .route(
            "/tasks/{id}/recurrence",
            web::post().to(task_forms::set_recurrence),
        )
        .route("/overdue", web::get().to(overdue::show))
        .route("/extensions/{id}/decision", web::post().to(overdue::decide))
        .route("/documents", web::get().to(documents::list))
        .route("/documents/new", web::get().to(documents::new_form))
        .route("/documents/new", web::post().to(documents::create))
        .route("/documents/{id}", web::get().to(attachments::document_page))
        .route(
            "/documents/{id}/attachments",
            web::post().to(attachments::upload_for_document),
        )
        .route(
            "/tasks/{id}/attachments",
            web::post().to(attachments::upload_for_task),
        )
        .route("/attachments/{id}", web::get().to(attachments::download))
        .route("/attachments/{id}/view", web::get().to(attachments::view))
        .route("/letters", web::get().to(letters::index))
        .route("/letters/{code}", web::get().to(letters::show))
        .route("/letters/{code}/record", web::post().to(letters::record))
        .route("/register", web::get().to(letters::register_page))
        .route("/review", web::get().to(review::show))
        .route("/report", web::get().to(report::show))
        .route("/report/export.{format}", web::get().to(report::export))
        .route("/admin", web::get().to(admin::index))
        .configure(admin_routes)
        .route("/admin/aliases", web::get().to(aliases::show))
        .route("/admin/aliases", web::post().to(aliases::add))
        .route(
            "/admin/aliases/{id}/delete",
            web::post().to(aliases::remove),
        )
        .route("/admin/import", web::get().to(admin::import_form))
        .route("/admin/import", web::post().to(admin::import_submit))
        .route("/admin/import/sample.csv", web::get().to(admin::sample_csv))
        .route("/static/app.css", web::get().to(stylesheet))
        .route("/favicon.svg", web::get().to(favicon))
        .route("/favicon.ico", web::get().to(favicon));
}
