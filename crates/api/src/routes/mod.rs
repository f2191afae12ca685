//! HTTP routes, one module per resource. Handlers are thin: extract, call
//! one core function, map the result.

pub mod attachments;
pub mod auth;
pub mod calendar;
pub mod departments;
pub mod documents;
pub mod explanations;
pub mod extensions;
pub mod health;
pub mod imports;
pub mod letters;
pub mod notices;
pub mod notifications;
pub mod overdue;
pub mod recurrence;
pub mod reference;
pub mod register;
pub mod review;
pub mod snapshots;
pub mod stats;
pub mod tasks;
pub mod users;

use actix_web::{HttpRequest, HttpResponse, web::Bytes};
use serde::Serialize;

use crate::{problem::ApiResult, state::AppState};

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// 200 with a JSON body that depends only on the facts, the documents, the
/// user and the request's path and query: served from the answer cache
/// while those hold (see `answer_cache`), built by `compute` otherwise.
pub async fn ok_kept<T, F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    user_id: i64,
    compute: F,
) -> ApiResult<HttpResponse>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = dondoc_core::error::Result<T>>,
{
    if !state.answers.is_enabled() || !state.facts.is_enabled() {
        return Ok(ok(&compute().await?));
    }
    // Bring the facts up to date first: the versions name what the answer shows.
    state.facts.sync(&state.db).await?;
    let versions = (state.facts.version(), state.facts.documents_version());
    let key = format!("{user_id} {} {}", req.path(), req.query_string());
    let body = state
        .answers
        .get_or_build(key, versions, || async {
            let body = serde_json::to_vec(&compute().await?)
                .map_err(|err| dondoc_core::error::Error::Unexpected(err.into()))?;
            Ok::<_, crate::problem::ApiError>(Some(Bytes::from(body)))
        })
        .await?
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// 201 with a JSON body and a Location.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", location))
        .json(body)
}
