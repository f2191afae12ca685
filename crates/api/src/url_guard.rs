//! The edge's check of the URL (`input_text`), as middleware: a control
//! character in the path or query is refused before any handler runs.

use actix_web::{
    HttpResponse,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
};

use crate::{
    input_text::{bad_url_field, refusal},
    pages::PageError,
};

/// Refuses a request whose URL path or query holds a control character,
/// before any handler reads it: problem+json for the API and for clients
/// that do not ask for HTML, the error page (422, naming the field) for
/// people.
pub async fn refuse_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(field) = bad_url_field(&req) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    tracing::info!(field = %field, "control character in the URL refused");
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let response = if wants_html && !req.path().starts_with("/api/") {
        HttpResponse::from_error(PageError::from(refusal(field)))
    } else {
        HttpResponse::from_error(crate::problem::ApiError::from(refusal(field)))
    };
    Ok(req.into_response(response).map_into_right_body())
}
