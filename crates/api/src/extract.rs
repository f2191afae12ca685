//! Extractors: the authenticated user, JSON bodies that report the exact
//! field at fault, and `If-Match` versions.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::Method, web};
use dondoc_core::{Error, FieldError, Msg, accounts::principal::Principal, accounts::sessions};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::{
    problem::{ApiError, Problem},
    state::AppState,
};

pub const SESSION_COOKIE: &str = "dondoc_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The authenticated user. Bearer token first, then the session cookie; a
/// cookie-authenticated write must also carry the session's CSRF token
/// (header `X-CSRF-Token`), so another site cannot act with the cookie.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

impl std::ops::Deref for CurrentUser {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// Where the request's credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    Bearer,
    Cookie,
}

pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

pub fn credentials(req: &HttpRequest) -> Option<(String, CredentialSource)> {
    if let Some(token) = bearer_token(req) {
        return Some((token, CredentialSource::Bearer));
    }
    req.cookie(SESSION_COOKIE)
        .map(|c| (c.value().to_string(), CredentialSource::Cookie))
}

/// Resolves the principal once per request (cached in the request's extensions).
pub async fn authenticate(req: &HttpRequest) -> Result<(Principal, CredentialSource), ApiError> {
    if let Some(found) = req.extensions().get::<(Principal, CredentialSource)>() {
        return Ok(found.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::from(crate::problem::internal()))?;
    let Some((token, source)) = credentials(req) else {
        return Err(Problem::unauthenticated().into());
    };
    let principal = match state.auth_cache.get(&token) {
        Some(known) => known,
        None => {
            let generation = state.auth_cache.generation();
            let principal = sessions::authenticate(&state.db, &state.clock, &token).await?;
            state.auth_cache.remember(&token, &principal, generation);
            principal
        }
    };
    req.extensions_mut().insert((principal.clone(), source));
    Ok((principal, source))
}

/// The principal this request has already been authenticated as, if any,
/// without asking the database again (the error pages use it for their menu).
pub fn known_principal(req: &HttpRequest) -> Option<Principal> {
    req.extensions()
        .get::<(Principal, CredentialSource)>()
        .map(|(principal, _)| principal.clone())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (principal, source) = authenticate(&req).await?;
            if principal.must_change_password
                && req.path().starts_with("/api/")
                && !matches!(
                    req.path(),
                    "/api/v1/me" | "/api/v1/me/password" | "/api/v1/auth/logout"
                )
            {
                return Err(Problem::new(
                    actix_web::http::StatusCode::FORBIDDEN,
                    "password_change_required",
                    "problem-password-change-required",
                )
                .detail("problem-password-change-required-detail", Vec::new())
                .into());
            }
            let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            if writes && source == CredentialSource::Cookie && req.path().starts_with("/api/") {
                let sent = req
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let expected = principal.csrf_token.as_deref().unwrap_or("");
                if expected.is_empty() || !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
                    return Err(Problem::new(
                        actix_web::http::StatusCode::FORBIDDEN,
                        "csrf",
                        "problem-csrf",
                    )
                    .detail("problem-csrf-detail", Vec::new())
                    .into());
                }
            }
            Ok(CurrentUser(principal))
        })
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A JSON body. Unlike `web::Json`, a type error names the field at fault
/// (`progress: invalid type…`), unknown fields are refused by the DTOs, and
/// every failure is problem+json.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.server.body_limit_kb * 1024)
            .unwrap_or(256 * 1024);
        let content_type = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut payload = payload.take();
        Box::pin(async move {
            let essence = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(Problem::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "problem-unsupported-media-type",
                )
                .detail(
                    "problem-unsupported-media-type-detail",
                    vec![("content_type", content_type.into())],
                )
                .into());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| Problem::bad_request("problem-unreadable-body", Vec::new()))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit).into());
                }
                body.extend_from_slice(&chunk);
            }
            if let Some(field) = crate::input_text::bad_json_field(&body) {
                return Err(crate::input_text::refusal(field).into());
            }
            let deserializer = &mut serde_json::Deserializer::from_slice(&body);
            match serde_path_to_error::deserialize::<_, T>(deserializer) {
                Ok(value) => Ok(Json(value)),
                Err(err) => Err(json_problem(err).into()),
            }
        })
    }
}

pub fn too_large(limit: usize) -> Problem {
    Problem::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "problem-payload-too-large",
    )
    .detail(
        "problem-payload-too-large-detail",
        vec![("kb", (limit / 1024).into())],
    )
}

fn json_problem(err: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = inner.to_string();
    if inner.is_syntax() || inner.is_eof() {
        return Problem::bad_request(
            "problem-invalid-json-detail",
            vec![("error", message.into())],
        )
        .with_kind("invalid_json");
    }
    // serde_path_to_error's path already ends at an unknown field, but stops
    // at the enclosing object for a missing one.
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_string()
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path.clone()
        } else {
            format!("{path}.{name}")
        }
    };
    let (field, code) = if let Some(rest) = message.strip_prefix("unknown field `") {
        (join(rest.split('`').next().unwrap_or("")), "unknown_field")
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        (join(rest.split('`').next().unwrap_or("")), "missing_field")
    } else {
        (
            if path == "." { String::new() } else { path },
            "invalid_type",
        )
    };
    let msg = match code {
        "unknown_field" => Msg::UnknownJsonField,
        "missing_field" => Msg::MissingJsonField,
        _ => Msg::WrongJsonType {
            detail: message
                .split(" at line")
                .next()
                .unwrap_or(&message)
                .to_string(),
        },
    };
    Problem::validation(vec![FieldError::new(field, code, msg)])
}

impl Problem {
    pub fn with_kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
}

/// The version a write is based on, from `If-Match` (`"3"`, `3` or `W/"3"`).
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    if text == "*" {
        return Ok(None);
    }
    text.parse::<i32>().map(Some).map_err(|_| {
        ApiError::from(Error::field(
            "If-Match",
            "invalid_number",
            Msg::IfMatchInvalid,
        ))
    })
}

/// The peer address, for login throttling (never a header a client can forge).
pub fn peer_addr(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}
