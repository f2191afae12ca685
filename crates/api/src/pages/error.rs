//! When a page cannot go on: `PageError`. Page handlers return
//! `Result<_, PageError>` and use `?`; the error knows what a person should
//! get instead — the login page (which comes back afterwards), the form's
//! page with a message, or the error page with the status of the core error.

use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::Next,
};
use askama::Template;
use dondoc_core::{Error, accounts::principal::Principal, db::StorageFault};

use super::{Ctx, Flash, Tr, ctx, redirect, redirect_with, render};
use crate::{
    extract::known_principal,
    lang::{Lang, Negotiate},
    problem::problem_of,
};

#[derive(Debug)]
pub enum PageError {
    /// Nobody is signed in: the login page, which returns to `next` (the
    /// address that was asked for).
    Login { next: String },
    /// Another page first (an account that must change its password).
    Redirect { to: String },
    /// A form that is not accepted: back to its page (`to`), with `msg` shown once.
    Back { to: String, msg: String },
    /// As `Back`, keeping what was typed (`drafts`) for `user_id`: the page
    /// shows it again with each field's message. Stored when the response
    /// is made (`render_for_request`); without a request it is a `Back`.
    Kept {
        to: String,
        msg: String,
        user_id: i64,
        draft: Box<super::drafts::Draft>,
    },
    /// A form posted after the session expired: the login page, which
    /// returns to the form's page (`next`), where the draft that `token`
    /// finds is shown again, ready to be sent.
    LoginKept { next: String, token: String },
    /// A core error with the HTTP status it maps to (made by `From`): the
    /// error page (403 with the reason, 404, 5xx…), or the login page when
    /// the session is gone.
    Core { error: Error, status: StatusCode },
}

impl From<Error> for PageError {
    /// Maps (and, for failures, logs) the error once, as the API does.
    fn from(error: Error) -> Self {
        let status = problem_of(&error).status;
        PageError::Core { error, status }
    }
}

impl PageError {
    pub fn back(to: impl Into<String>, msg: impl Into<String>) -> Self {
        PageError::Back {
            to: to.into(),
            msg: msg.into(),
        }
    }

    /// A form the core refused: back to its page saying what was wrong —
    /// except a right the person lacks, or a write the database could not
    /// store (disk full, read-only), which the error page explains.
    pub fn refused(t: Tr, to: &str, err: Error) -> Self {
        match err {
            Error::Forbidden(_) => err.into(),
            Error::Storage(StorageFault::DiskFull | StorageFault::ReadOnly, _) => err.into(),
            other => Self::back(to, describe_error(t, &other)),
        }
    }

    /// As `refused`, and a thing that does not exist (any more) shows the
    /// 404 page as well.
    pub fn refused_or_missing(t: Tr, to: &str, err: Error) -> Self {
        match err {
            Error::NotFound(_) => err.into(),
            other => Self::refused(t, to, other),
        }
    }

    /// The response. With the request, the error page speaks the page's
    /// language, shows the signed-in user's menu and clears the flash it
    /// showed; without it, the page is Vietnamese and has no menu.
    pub fn respond(&self, req: Option<&HttpRequest>) -> HttpResponse {
        match self {
            PageError::Login { next } => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                redirect(&format!("/login?next={next}"))
            }
            PageError::Redirect { to } => redirect(to),
            PageError::Back { to, msg } | PageError::Kept { to, msg, .. } => {
                redirect_with(to, false, msg)
            }
            PageError::LoginKept { next, token } => {
                let lang = req.map(Lang::for_page).unwrap_or_default();
                let mut response = PageError::Login { next: next.clone() }.respond(req);
                let _ = response.add_cookie(&super::drafts::draft_cookie(token.clone()));
                let _ = response.add_cookie(&super::flash_cookie(
                    false,
                    &Tr(lang).get("session_expired_kept"),
                ));
                response
            }
            PageError::Core {
                error: Error::Unauthenticated,
                ..
            } => redirect("/login"),
            PageError::Core { error, status } => {
                let lang = req.map(Lang::for_page).unwrap_or_default();
                let detail = match error {
                    Error::Forbidden(why) => Some(why.text(lang)),
                    // Refused input (e.g. a control character in the URL): which field.
                    Error::Validation(_) => Some(describe_error(Tr(lang), error)),
                    // "Not saved": the person must know their input is lost.
                    Error::Storage(StorageFault::DiskFull | StorageFault::ReadOnly, _) => {
                        Some(describe_error(Tr(lang), error))
                    }
                    _ => None,
                };
                let page_ctx = match req {
                    Some(req) => ctx(req, known_principal(req), ""),
                    None => Ctx::without_request(),
                };
                message_view(page_ctx, *status, detail)
            }
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::Login { next } => write!(f, "sign-in needed for {next}"),
            PageError::Redirect { to } => write!(f, "redirected to {to}"),
            PageError::Back { to, msg } | PageError::Kept { to, msg, .. } => {
                write!(f, "form refused, back to {to}: {msg}")
            }
            PageError::LoginKept { next, .. } => {
                write!(f, "sign-in needed for {next} (the form is kept)")
            }
            PageError::Core { error, .. } => write!(f, "{error}"),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Core {
                error: Error::Unauthenticated,
                ..
            }
            | PageError::Login { .. }
            | PageError::LoginKept { .. }
            | PageError::Redirect { .. }
            | PageError::Back { .. }
            | PageError::Kept { .. } => StatusCode::SEE_OTHER,
            PageError::Core { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.respond(None)
    }
}

/// `ResponseError` gets no request, so this renders every page error again
/// for its request (see `PageError::respond`). The new response carries no
/// error, so a redirect to the login page is not logged as a failure — the
/// core failures were logged when they became page errors.
pub async fn render_for_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let response = next.call(req).await?;
    let page = match response
        .response()
        .error()
        .and_then(|err| err.as_error::<PageError>())
    {
        Some(PageError::Kept {
            to,
            msg,
            user_id,
            draft,
        }) => {
            // What was typed is stored now; if it cannot be, the form
            // still goes back with its message.
            let mut back = redirect_with(to, false, msg);
            if let Some(token) = super::drafts::store(response.request(), *user_id, draft).await {
                let _ = back.add_cookie(&super::drafts::draft_cookie(token));
            }
            Some(back)
        }
        Some(err) => Some(err.respond(Some(response.request()))),
        None => None,
    };
    Ok(match page {
        Some(page) => {
            let (request, _) = response.into_parts();
            ServiceResponse::new(request, page).map_into_right_body()
        }
        None => response.map_into_left_body(),
    })
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub ctx: Ctx,
    pub heading: String,
    pub body: String,
    pub show_home: bool,
}

/// A page that explains a refusal, a missing page or a failure.
pub fn message_page(
    req: &HttpRequest,
    user: Option<Principal>,
    status: StatusCode,
    detail: Option<String>,
) -> HttpResponse {
    message_view(ctx(req, user, ""), status, detail)
}

fn message_view(ctx: Ctx, status: StatusCode, detail: Option<String>) -> HttpResponse {
    let (heading, help) = match status {
        StatusCode::FORBIDDEN => ("forbidden_title", "forbidden_help"),
        StatusCode::NOT_FOUND => ("not_found_title", "not_found_help"),
        _ => ("error_title", "error_help"),
    };
    let mut body = ctx.t.get(help).to_string();
    if let Some(detail) = detail {
        body = format!("{detail} {body}");
    }
    let had_flash = ctx.flash.is_some();
    let page = MessagePage {
        heading: ctx.t.get(heading).to_string(),
        body,
        show_home: true,
        ctx,
    };
    render(status, &page, had_flash)
}

/// One line per field error, for a flash message.
pub fn describe_error(t: Tr, err: &Error) -> String {
    match err {
        Error::Validation(fields) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", t.get(&f.field), f.message.text(t.0)))
                .collect();
            format!("{} {}", t.get("form_errors"), lines.join("; "))
        }
        Error::StaleVersion { .. } => t.get("stale_version").to_string(),
        Error::Conflict(why) | Error::Forbidden(why) => why.text(t.0),
        Error::TooManyAttempts { .. } => t.get("login_throttled").to_string(),
        Error::Storage(StorageFault::DiskFull, _) => t.get("not_saved_disk_full").to_string(),
        Error::Storage(StorageFault::ReadOnly, _) => t.get("not_saved_read_only").to_string(),
        _ => t.get("error_help").to_string(),
    }
}

impl Ctx {
    /// A read of what the person asked for: input it refuses is said in the
    /// page's flash, and the page shows `empty()` instead; any other failure
    /// is an error page.
    pub fn flash_invalid<T>(
        &mut self,
        result: dondoc_core::Result<T>,
        empty: impl FnOnce() -> T,
    ) -> Result<T, PageError> {
        match result {
            Ok(value) => Ok(value),
            Err(err @ Error::Validation(_)) => {
                self.flash = Some(Flash {
                    ok: false,
                    text: describe_error(self.t, &err),
                });
                Ok(empty())
            }
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{body::to_bytes, http::header, test::TestRequest};

    use super::*;
    use dondoc_core::Msg;

    async fn body_of(response: HttpResponse) -> String {
        let bytes = to_bytes(response.into_body()).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn location(response: &HttpResponse) -> &str {
        response
            .headers()
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
    }

    #[test]
    fn the_login_redirect_keeps_where_the_person_was_going() {
        let err = PageError::Login {
            next: "/tasks?department=TNMT&page=2".into(),
        };
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            "/login?next=%2Ftasks%3Fdepartment%3DTNMT%26page%3D2"
        );
        assert_eq!(err.status_code(), StatusCode::SEE_OTHER);
    }

    #[test]
    fn a_refused_form_goes_back_with_its_reason() {
        let t = Tr(Lang::Vi);
        let err = PageError::refused(t, "/tasks/7", Error::Conflict(Msg::ExtensionTaskDone));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/tasks/7");
        let cookie = response.cookies().next().unwrap();
        assert!(cookie.value().starts_with("err|"), "{cookie}");
        // A missing right is not a form problem: the error page explains it.
        let err = PageError::refused(t, "/tasks/7", Error::Forbidden(Msg::ForbiddenReadTask));
        assert_eq!(err.status_code(), StatusCode::FORBIDDEN);
        let err = PageError::refused(t, "/tasks/7", Error::NotFound(Msg::NotFoundTask { id: 7 }));
        assert_eq!(err.status_code(), StatusCode::SEE_OTHER);
        let err = PageError::refused_or_missing(
            t,
            "/tasks/7",
            Error::NotFound(Msg::NotFoundTask { id: 7 }),
        );
        assert_eq!(err.status_code(), StatusCode::NOT_FOUND);
    }

    #[actix_web::test]
    async fn a_core_not_found_is_the_404_page() {
        let err = PageError::from(Error::NotFound(Msg::NotFoundTask { id: 9 }));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let html = body_of(response).await;
        assert!(
            html.contains(&Tr(Lang::Vi).get("not_found_title")),
            "{html}"
        );
    }

    #[actix_web::test]
    async fn core_errors_keep_their_status_and_the_refusal_its_reason() {
        let reason = Msg::ForbiddenReadReview;
        let vietnamese = reason.text(Lang::Vi);
        assert!(vietnamese.starts_with("Chỉ lãnh đạo"), "{vietnamese}");
        let err = PageError::from(Error::Forbidden(reason.clone()));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(body_of(response).await.contains(&vietnamese));
        // Read in English, the page gives the reason in English.
        let req = TestRequest::default()
            .cookie(actix_web::cookie::Cookie::new("lang", "en"))
            .to_http_request();
        let response = err.respond(Some(&req));
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let html = body_of(response).await;
        assert!(!html.contains(&vietnamese), "{html}");
        assert!(html.contains(&reason.text(Lang::En)), "{html}");
        assert!(
            html.contains(&Tr(Lang::En).get("forbidden_title")),
            "{html}"
        );
        // A failed read is the error page, never an empty list.
        let err = PageError::from(Error::Unexpected(anyhow::anyhow!("no such table: fields")));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            body_of(response)
                .await
                .contains(&Tr(Lang::Vi).get("error_title"))
        );
        let err = PageError::from(Error::Unavailable("pool timed out".into()));
        assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        // A lost session is the login page.
        let response = PageError::from(Error::Unauthenticated).error_response();
        assert_eq!(location(&response), "/login");
    }

    #[test]
    fn only_refused_input_becomes_a_flash() {
        let mut page = Ctx::without_request();
        let shown = page.flash_invalid(
            Err(Error::field(
                "year",
                "invalid_year",
                Msg::InvalidYear {
                    value: "năm?".into(),
                },
            )),
            Vec::<i32>::new,
        );
        assert_eq!(shown.unwrap(), Vec::<i32>::new());
        assert!(page.flash.as_ref().is_some_and(|f| !f.ok));
        let mut page = Ctx::without_request();
        let failed = page.flash_invalid(
            Err(Error::Unexpected(anyhow::anyhow!("disk I/O error"))),
            Vec::<i32>::new,
        );
        assert!(matches!(failed, Err(PageError::Core { .. })));
        assert!(page.flash.is_none());
    }
}
