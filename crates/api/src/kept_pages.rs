//! The leaders' figure pages, kept like the API's overdue answers.
//!
//! The dashboard, the overdue list, the review and the task list are what
//! leaders open over and over, and each is a few dozen rows read and a page
//! rendered on top of figures that come from memory. An identical request
//! (same page, same query, same cookies — so the same session, language
//! and view — and the same `Accept-Language`) is answered with the page
//! built at the same versions of the facts and reminder documents, under
//! the rules of `answer_cache`: kept at most `server.read_cache_ms`,
//! forgotten by every write through this server, and built once per key at
//! a time.
//!
//! Only a plain page is kept: a 200 whose headers are the content type and
//! `Cache-Control` alone. A response that sets a cookie (a flash message
//! shown once, a language chosen) or says anything else is passed on as it
//! is, and never kept.

use actix_web::{
    Error, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    middleware::Next,
    web::{self, Bytes},
};

use crate::state::AppState;

/// The pages kept; every other request passes through untouched.
const KEPT: [&str; 4] = ["/dashboard", "/overdue", "/review", "/tasks"];

/// The only headers a kept page may carry: it is rebuilt from its body.
const PLAIN_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::CACHE_CONTROL];

const HTML: &str = "text/html; charset=utf-8";

pub async fn keep(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = keepable(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // The versions name what the page shows: bring the facts up to date
    // first. A failure here is the page's own to report.
    if state.facts.sync(&state.db).await.is_err() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let versions = (state.facts.version(), state.facts.documents_version());
    let header_text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let key = format!(
        "page {} {}\n{}\n{}",
        req.path(),
        req.query_string(),
        header_text(header::COOKIE),
        header_text(header::ACCEPT_LANGUAGE),
    );
    let answers = &state.answers;
    if let Some(body) = answers.get(&key, versions) {
        return Ok(req.into_response(page(body)));
    }
    // One build per key: the others wait, then find it kept.
    let _turn = answers.turn(&key).await;
    if let Some(body) = answers.get(&key, versions) {
        return Ok(req.into_response(page(body)));
    }
    let generation = answers.generation();
    let response = next.call(req).await?.map_into_boxed_body();
    if !is_plain_page(&response) {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("page body"))?;
    answers.remember(key, versions, generation, body.clone());
    Ok(ServiceResponse::new(request, page(body)))
}

/// The app state when `req` asks for a kept page with a session.
fn keepable(req: &ServiceRequest) -> Option<web::Data<AppState>> {
    if req.method() != Method::GET || !KEPT.contains(&req.path()) {
        return None;
    }
    let state = req.app_data::<web::Data<AppState>>()?.clone();
    let enabled = state.answers.is_enabled() && state.facts.is_enabled();
    let signed_in = req.cookie(crate::extract::SESSION_COOKIE).is_some();
    (enabled && signed_in).then_some(state)
}

fn is_plain_page(response: &ServiceResponse<BoxBody>) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes() == HTML.as_bytes())
        && headers.keys().all(|name| PLAIN_HEADERS.contains(name))
}

fn page(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(HTML)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
