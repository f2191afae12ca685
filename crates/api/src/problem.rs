//! Errors on the wire: `application/problem+json` (RFC 9457) with a stable
//! `type`, a title and detail in Vietnamese (English when the client asks
//! for it with `Accept-Language`), and `errors` naming each bad field.
//! Every error of the API goes through here. A `Problem` holds Fluent keys
//! and arguments, never text: it is rendered in the request's language.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use dondoc_core::{Error, FieldError, Msg, db::StorageFault};
use dondoc_i18n::{Arg, Lang};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem, in no language yet; rendered in one of them.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable snake_case identifier (`validation`, `forbidden`, …).
    pub kind: &'static str,
    /// The Fluent key of the title.
    pub title: &'static str,
    /// The Fluent key of the detail and its arguments.
    pub detail: &'static str,
    pub detail_args: Vec<(&'static str, Arg)>,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// The JSON body of a problem response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// A URI reference identifying the problem type, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per field at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field as the client sent it (`due_date`, `links[0].task_id`).
    pub field: String,
    /// Stable machine-readable code (`required`, `invalid_date`, …).
    pub code: String,
    pub message: String,
}

impl Problem {
    /// A problem titled by the Fluent key `title`, with no detail yet.
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str) -> Self {
        Self {
            status,
            kind,
            title,
            detail: "problem-no-detail",
            detail_args: Vec::new(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The detail: a Fluent key and its arguments.
    pub fn detail(mut self, key: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        self.detail = key;
        self.detail_args = args;
        self
    }

    /// The detail from a core message.
    pub fn detail_msg(self, msg: &Msg) -> Self {
        self.detail(msg.key(), msg.args())
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "problem-not-found")
            .detail("problem-not-found-detail", Vec::new())
    }

    pub fn bad_request(detail: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "problem-bad-request",
        )
        .detail(detail, args)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let count = errors.len().max(1);
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "problem-validation",
        )
        .detail("problem-validation-detail", vec![("count", count.into())]);
        p.errors = errors;
        p
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "problem-unauthenticated",
        )
        .detail("problem-unauthenticated-detail", Vec::new())
    }

    /// The detail in `lang`.
    pub fn detail_text(&self, lang: Lang) -> String {
        dondoc_i18n::text_with(lang, self.detail, &self.detail_args)
    }

    pub fn render(&self, lang: Lang) -> HttpResponse {
        let body = ProblemBody {
            problem_type: format!("/problems/{}", self.kind),
            title: dondoc_i18n::text(lang, self.title),
            status: self.status.as_u16(),
            detail: self.detail_text(lang),
            errors: self
                .errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: e.message.text(lang),
                })
                .collect(),
        };
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        response.insert_header(("Content-Language", lang.code()));
        if let Some(secs) = self.retry_after {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        let mut response = response.json(body);
        response.extensions_mut().insert(self.clone());
        response
    }
}

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.0.status.as_u16(),
            self.0.kind,
            self.0.detail_text(Lang::En)
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        self.0.render(Lang::Vi)
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(Box::new(p))
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(Box::new(problem_of(&err)))
    }
}

/// The problem type (and field code) of input refused for control
/// characters (`input_text`).
pub const INVALID_CHARACTERS: &str = "invalid_characters";

/// The one mapping from core errors to HTTP problems (by reference: the web
/// pages keep the error to render it after learning its status).
pub fn problem_of(err: &Error) -> Problem {
    match err {
        Error::Validation(fields)
            if !fields.is_empty() && fields.iter().all(|f| f.code == INVALID_CHARACTERS) =>
        {
            Problem::validation(fields.clone()).with_kind(INVALID_CHARACTERS)
        }
        Error::Validation(fields) => Problem::validation(fields.clone()),
        Error::NotFound(what) => Problem::not_found().detail_msg(what),
        Error::Forbidden(why) => {
            Problem::new(StatusCode::FORBIDDEN, "forbidden", "problem-forbidden").detail_msg(why)
        }
        Error::Unauthenticated => Problem::unauthenticated(),
        Error::Conflict(why) => {
            Problem::new(StatusCode::CONFLICT, "conflict", "problem-conflict").detail_msg(why)
        }
        Error::StaleVersion { current, sent } => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            "problem-stale-version",
        )
        .detail(
            "problem-stale-version-detail",
            vec![("current", (*current).into()), ("sent", (*sent).into())],
        ),
        Error::TooManyAttempts { retry_after_secs } => {
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "problem-too-many-attempts",
            )
            .detail(
                "problem-too-many-attempts-detail",
                vec![("seconds", (*retry_after_secs).into())],
            );
            p.retry_after = Some(*retry_after_secs);
            p
        }
        Error::Unavailable(why) => {
            tracing::error!(error = %why, "database unavailable");
            unavailable()
        }
        Error::Storage(fault, why) => storage_problem(*fault, why),
        Error::Config { key, message } => {
            tracing::error!(%key, %message, "configuration error at runtime");
            internal()
        }
        Error::Unexpected(err) => {
            tracing::error!(error = %format!("{err:#}"), "unexpected error");
            internal()
        }
    }
}

/// The database cannot be reached or is busy: retry in a moment.
fn unavailable() -> Problem {
    let mut p = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "problem-unavailable",
    )
    .detail("problem-unavailable-detail", Vec::new());
    p.retry_after = Some(5);
    p
}

/// A storage fault core classified. A busy or unreachable database passes
/// by itself; a full disk or a read-only database needs the operator, and
/// the person should know their change was not saved.
fn storage_problem(fault: StorageFault, why: &str) -> Problem {
    let (kind, detail) = match fault {
        StorageFault::Busy | StorageFault::Unreachable => {
            tracing::error!(error = %why, %fault, "database busy or unreachable");
            return unavailable();
        }
        StorageFault::DiskFull => ("storage_full", "problem-storage-full-detail"),
        StorageFault::ReadOnly => ("read_only", "problem-read-only-detail"),
    };
    tracing::error!(error = %why, %fault, "storage refuses writes");
    let mut p = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        kind,
        "problem-cannot-store",
    )
    .detail(detail, Vec::new());
    p.retry_after = Some(60);
    p
}

pub fn internal() -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "problem-internal",
    )
    .detail("problem-internal-detail", Vec::new())
}

/// Every Fluent key a problem can name, for the translation test.
#[cfg(test)]
pub(crate) const KEYS: &[&str] = &[
    "problem-no-detail",
    "problem-not-found",
    "problem-not-found-detail",
    "problem-bad-request",
    "problem-validation",
    "problem-unauthenticated",
    "problem-unauthenticated-detail",
    "problem-forbidden",
    "problem-conflict",
    "problem-stale-version",
    "problem-too-many-attempts",
    "problem-unavailable",
    "problem-unavailable-detail",
    "problem-cannot-store",
    "problem-storage-full-detail",
    "problem-read-only-detail",
    "problem-internal",
    "problem-internal-detail",
    "problem-password-change-required",
    "problem-password-change-required-detail",
    "problem-csrf",
    "problem-csrf-detail",
    "problem-unsupported-media-type",
    "problem-unsupported-media-type-detail",
    "problem-payload-too-large",
    "problem-payload-too-large-detail",
    "problem-import-too-large",
    "problem-unreadable-body",
    "problem-invalid-query-detail",
    "problem-invalid-json-detail",
    "problem-invalid-credentials",
    "problem-invalid-credentials-detail",
];

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_explained_not_internal() {
        // Core classifies the fault from the driver's code; the text is the
        // driver's message, carried for the log.
        for (fault, text, kind) in [
            (
                StorageFault::DiskFull,
                "error returned from database: (code: 13) database or disk is full",
                "storage_full",
            ),
            (
                StorageFault::DiskFull,
                "could not extend file \"base/16384/2619\": No space left on device",
                "storage_full",
            ),
            (
                StorageFault::ReadOnly,
                "error returned from database: (code: 8) attempt to write a readonly database",
                "read_only",
            ),
        ] {
            let p = problem_of(&Error::Storage(fault, text.to_string()));
            assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
            assert_eq!(p.kind, kind);
        }
        let p = problem_of(&Error::Storage(
            StorageFault::Busy,
            "database is locked".to_string(),
        ));
        assert_eq!(p.kind, "unavailable");
        let p = problem_of(&Error::Unexpected(anyhow::anyhow!("something else")));
        assert_eq!(p.status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_busy_or_unreachable_database_is_retried_in_five_seconds() {
        for fault in [StorageFault::Busy, StorageFault::Unreachable] {
            let p = problem_of(&Error::Storage(fault, String::new()));
            assert_eq!(
                (p.status, p.kind, p.retry_after),
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", Some(5))
            );
        }
        let p = problem_of(&Error::Storage(StorageFault::ReadOnly, String::new()));
        assert_eq!(p.retry_after, Some(60));
    }

    /// Every title and fixed detail exists in both languages, and the ones
    /// with arguments render with the arguments the code passes.
    #[test]
    fn every_problem_is_translated() {
        for key in KEYS {
            for lang in Lang::ALL {
                assert!(dondoc_i18n::has(lang, key), "{key} ({lang:?})");
            }
        }
        for problem in [
            Problem::validation(vec![]),
            problem_of(&Error::StaleVersion {
                current: 3,
                sent: 2,
            }),
            problem_of(&Error::TooManyAttempts {
                retry_after_secs: 30,
            }),
            crate::extract::too_large(2048),
        ] {
            for lang in Lang::ALL {
                assert!(
                    dondoc_i18n::lookup(lang, problem.detail, &problem.detail_args).is_some(),
                    "{} ({lang:?})",
                    problem.detail
                );
            }
        }
    }
}
