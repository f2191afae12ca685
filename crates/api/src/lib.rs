//! dondoc-api: the JSON API under `/api/v1`, the web pages, authentication
//! and the OpenAPI document. Handlers call `dondoc-core`; nothing here
//! speaks SQL or SMTP.

pub mod answer_cache;
pub mod auth_cache;
pub mod extract;
pub mod input_text;
pub mod kept_pages;
pub mod lang;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod own_writes;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod state;
pub mod url_guard;
pub mod write_outcome;

use std::{net::TcpListener, sync::Arc};

use actix_web::{
    App, HttpResponse, HttpServer,
    body::{EitherBody, MessageBody},
    dev::{Server, ServerHandle, ServiceRequest, ServiceResponse},
    middleware::{self, DefaultHeaders, Next},
    web,
};
use dondoc_core::{Clock, Settings, db::Db};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;

use crate::{
    lang::{Lang, Negotiate},
    problem::{ApiError, Problem},
    state::AppState,
};

/// A bound, ready-to-run HTTP server (port 0 allowed: tests read `port()`).
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn build(settings: Arc<Settings>, db: Db, clock: Clock) -> anyhow::Result<Self> {
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|err| {
            anyhow::anyhow!("cannot listen on {address} (server.host / server.port): {err}")
        })?;
        let port = listener.local_addr()?.port();
        metrics::init();
        let facts = if settings.figures.in_memory {
            dondoc_core::tasks::fact_store::FactStore::new(std::time::Duration::from_millis(
                settings.figures.refresh_ms,
            ))
        } else {
            dondoc_core::tasks::fact_store::FactStore::disabled()
        };
        let state = AppState {
            db,
            openapi_json: Arc::new(openapi::document_json()),
            settings: settings.clone(),
            clock,
            facts: Arc::new(facts),
            writes: Arc::new(dondoc_core::db::WriteCheck::new()),
            auth_cache: Arc::new(auth_cache::AuthCache::new(
                std::time::Duration::from_millis(settings.server.auth_trust_ms),
            )),
            answers: Arc::new(answer_cache::AnswerCache::new(
                std::time::Duration::from_millis(settings.server.read_cache_ms),
            )),
            own_writes: Arc::new(own_writes::OwnWrites::default()),
        };
        let workers = if settings.server.workers > 0 {
            settings.server.workers
        } else {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        };
        let data = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .into_utoipa_app()
                .configure(api_routes)
                .into_app()
                .configure(pages::routes)
                .app_data(data.clone())
                .app_data(query_config())
                .app_data(path_config())
                .default_service(web::to(not_found))
                .wrap(middleware::from_fn(kept_pages::keep))
                .wrap(middleware::from_fn(write_outcome::remember))
                .wrap(middleware::from_fn(url_guard::refuse_in_url))
                .wrap(middleware::from_fn(pages::error::render_for_request))
                .wrap(middleware::from_fn(writes_refresh_figures))
                .wrap(middleware::from_fn(localize_problems))
                .wrap(middleware::from_fn(metrics::track))
                .wrap(security_headers())
                .wrap(middleware::from_fn(request_id_header))
                .wrap(TracingLogger::<logging::RootSpan>::new())
        })
        .workers(workers)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Figures after writes. A request that may have written: its credential's
/// next read looks at the figures' clock first (a user always sees their
/// own change; everyone else within `figures.refresh_ms`), and no token is
/// trusted without asking again (the write may have revoked it). Kept
/// answers are forgotten too, except after a task's progress update: all
/// it changes moves the facts' version, which kept answers are keyed on,
/// so under a steady stream of updates they last until the figures move
/// instead of one write.
async fn writes_refresh_figures(
    req: actix_web::dev::ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let writes = !matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    );
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let credential = extract::credentials(req.request()).map(|(token, _)| token);
    if !writes
        && let (Some(state), Some(credential)) = (&state, &credential)
        && state.own_writes.take(credential)
    {
        // This reader wrote: bring the facts up to date before anything
        // reads them (a failure is the handler's to report when it reads).
        let _ = state.facts.sync_now(&state.db).await;
    }
    let task_update = writes && is_task_update(req.method(), req.path());
    let response = next.call(req).await;
    if writes && let Some(state) = state {
        match &credential {
            Some(credential) => state.own_writes.wrote(credential),
            // No credential (a login): the next reader looks at once.
            None => state.facts.mark_stale(),
        }
        state.auth_cache.forget_all();
        if !task_update {
            state.answers.forget_all();
        }
    }
    response
}

/// A task's progress or status update, or its confirmation: the frequent
/// writes, whose every effect on what is kept moves the facts' version.
fn is_task_update(method: &actix_web::http::Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["api", "v1", "tasks", id] => *method == actix_web::http::Method::PATCH && numeric(id),
        ["api", "v1", "tasks", id, "confirm"] | ["tasks", id, "update" | "confirm"] => {
            *method == actix_web::http::Method::POST && numeric(id)
        }
        _ => false,
    }
}

/// Every documented route. The OpenAPI document is generated from exactly
/// this registration, so it cannot drift from what the server serves.
pub fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use routes::*;
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics_text)
        .service(openapi::openapi_json)
        .service(calendar::feed)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(auth::login)
                .service(auth::logout)
                .service(auth::me)
                .service(auth::change_password)
                .service(departments::list)
                .service(departments::get)
                .service(departments::create)
                .service(departments::update)
                .service(users::list)
                .service(users::get)
                .service(users::create)
                .service(users::update)
                .service(users::reset_password)
                .service(reference::fields)
                .service(reference::list_programmes)
                .service(tasks::list)
                .service(tasks::export)
                .service(imports::import_programme)
                .service(tasks::create)
                .service(tasks::get)
                .service(tasks::update)
                .service(tasks::confirm)
                .service(tasks::task_history)
                .service(tasks::request_extension)
                .service(extensions::list)
                .service(extensions::get)
                .service(extensions::decide)
                .service(explanations::list)
                .service(explanations::get)
                .service(explanations::for_task)
                .service(explanations::create)
                .service(explanations::answer)
                .service(snapshots::list)
                .service(snapshots::create)
                .service(snapshots::get)
                .service(snapshots::compare)
                .service(documents::list)
                .service(documents::create)
                .service(documents::get)
                .service(attachments::upload_for_task)
                .service(attachments::list_for_task)
                .service(attachments::upload_for_document)
                .service(attachments::list_for_document)
                .service(attachments::get)
                .service(attachments::content)
                .service(overdue::by_department)
                .service(overdue::list)
                .service(stats::get)
                .service(notifications::refused_addresses)
                .service(notifications::list)
                .service(notices::list)
                .service(notices::unread_count)
                .service(notices::mark_read)
                .service(notices::mark_all_read)
                .service(notices::preferences)
                .service(notices::set_preferences)
                .service(letters::departments)
                .service(letters::draft)
                .service(letters::signers)
                .service(letters::draft_docx)
                .service(letters::drafts_zip)
                .service(letters::record)
                .service(register::list)
                .service(register::xlsx)
                .service(review::get)
                .service(review::docx)
                .service(review::xlsx)
                .service(calendar::list)
                .service(calendar::create)
                .service(calendar::revoke)
                .service(recurrence::get)
                .service(recurrence::set)
                .service(recurrence::stop),
        );
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let text = err.to_string();
        ApiError::from(Problem::bad_request(
            "problem-invalid-query-detail",
            vec![("error", text.into())],
        ))
        .into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_err, _req| ApiError::from(Problem::not_found()).into())
}

/// Unknown paths: problem+json for the API, a page for people.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let wants_html = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !req.path().starts_with("/api/") {
        let user = extract::authenticate(&req).await.ok().map(|(p, _)| p);
        return Ok(pages::message_page(
            &req,
            user,
            actix_web::http::StatusCode::NOT_FOUND,
            None,
        ));
    }
    Err(ApiError::from(Problem::not_found()))
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
}

/// Re-renders problem responses in English when the client prefers it.
async fn localize_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let lang = Lang::of(req.request());
    let response = next.call(req).await?;
    // Handlers build problems without the request at hand (`ResponseError`
    // renders Vietnamese); another language is rendered here from the same
    // keys and arguments.
    let problem = if lang != Lang::Vi {
        response.response().extensions().get::<Problem>().cloned()
    } else {
        None
    };
    if let Some(problem) = problem {
        let (request, _) = response.into_parts();
        return Ok(ServiceResponse::new(request, problem.render(lang)).map_into_right_body());
    }
    Ok(response.map_into_left_body())
}

/// Echoes the request id tracing-actix-web assigned, for support calls.
async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut response = next.call(req).await?;
    if let Some(id) = id
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&id)
    {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            value,
        );
    }
    Ok(response)
}

use actix_web::HttpMessage;
