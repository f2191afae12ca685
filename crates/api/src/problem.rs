//! Errors on the wire: `application/problem+json` (RFC 9457) with a stable
//! `type`, a title and detail in Vietnamese (English when the client asks
//! for it with `Accept-Language`), and `errors` naming each bad field.
//! Every error of the API goes through here.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use dondoc_core::{Error, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::lang::Lang;

/// A problem, in both languages; rendered in one of them.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable snake_case identifier (`validation`, `forbidden`, …).
    pub kind: &'static str,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    pub detail_vi: String,
    pub detail_en: String,
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
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title_vi: &'static str,
        title_en: &'static str,
    ) -> Self {
        Self {
            status,
            kind,
            title_vi,
            title_en,
            detail_vi: String::new(),
            detail_en: String::new(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn detail(mut self, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail_vi = vi.into();
        self.detail_en = en.into();
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy",
            "Not found",
        )
        .detail(
            "Không có tài nguyên được yêu cầu.",
            "The requested resource does not exist.",
        )
    }

    pub fn bad_request(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Yêu cầu không hợp lệ",
            "Bad request",
        )
        .detail(vi, en)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Dữ liệu không hợp lệ",
            "Invalid input",
        )
        .detail(
            format!("Có {} trường cần sửa.", errors.len().max(1)),
            format!("{} field(s) need correcting.", errors.len().max(1)),
        );
        p.errors = errors;
        p
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Chưa đăng nhập",
            "Not authenticated",
        )
        .detail(
            "Cần đăng nhập (Authorization: Bearer <token> hoặc cookie phiên).",
            "Log in first (Authorization: Bearer <token> or the session cookie).",
        )
    }

    pub fn render(&self, lang: Lang) -> HttpResponse {
        let english = lang == Lang::En;
        let body = ProblemBody {
            problem_type: format!("/problems/{}", self.kind),
            title: if english {
                self.title_en
            } else {
                self.title_vi
            }
            .to_string(),
            status: self.status.as_u16(),
            detail: if english {
                &self.detail_en
            } else {
                &self.detail_vi
            }
            .clone(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: if english {
                        english_message(e)
                    } else {
                        e.message.clone()
                    },
                })
                .collect(),
        };
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        response.insert_header(("Content-Language", if english { "en" } else { "vi" }));
        if let Some(secs) = self.retry_after {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        let mut response = response.json(body);
        response.extensions_mut().insert(self.clone());
        response
    }
}

/// English for a field error, from its stable code.
fn english_message(e: &FieldError) -> String {
    match e.code.as_str() {
        "required" => "is required".into(),
        "too_long" => "is too long".into(),
        "invalid_date" => "is not a valid date (YYYY-MM-DD or dd/mm/yyyy)".into(),
        "invalid_choice" => "is not one of the accepted values".into(),
        "invalid_code" => "is not a valid code (letters without accents, digits and '-')".into(),
        "invalid_username" => {
            "must be 2–64 letters without accents, digits, '.', '_' or '-'".into()
        }
        "invalid_email" => "is not a valid email address".into(),
        "invalid_characters" => "contains control characters".into(),
        "out_of_range" => "is out of range".into(),
        "invalid_number" => "is not a valid number".into(),
        "invalid_year" => "is not a valid year".into(),
        "unknown" => "refers to something that does not exist".into(),
        "duplicate" => "is already taken".into(),
        "weak_password" => {
            "is too weak (at least 10 characters, not containing the username)".into()
        }
        "in_future" => "cannot be in the future".into(),
        "not_later" => "must be after the current due date".into(),
        "not_done" => "can only be set on a task reported done".into(),
        "already_done" => "cannot change: the task is already reported done".into(),
        "unknown_field" => "is not an accepted field".into(),
        "invalid_type" => "has the wrong type".into(),
        "missing_field" => "is required".into(),
        "empty_update" => "nothing to update".into(),
        "too_many" => "has too many items".into(),
        "not_a_leader" => "is not an active leader".into(),
        "self_lockout" => "cannot be changed on your own account".into(),
        "wrong_password" => "is not your current password".into(),
        "unchanged" => "must differ from the current password".into(),
        _ => "is invalid".into(),
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
            self.0.detail_en
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

/// The one mapping from core errors to HTTP problems (by reference: the web
/// pages keep the error to render it after learning its status).
pub fn problem_of(err: &Error) -> Problem {
    match err {
        Error::Validation(fields) => Problem::validation(fields.clone()),
        Error::NotFound(what) => Problem::not_found().detail(format!("Không tìm thấy: {what}."), format!("Not found: {what}.")),
        Error::Forbidden(why) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Không có quyền", "Forbidden")
            .detail(why.clone(), "You do not have the right to do this."),
        Error::Unauthenticated => Problem::unauthenticated(),
        Error::Conflict(why) => Problem::new(StatusCode::CONFLICT, "conflict", "Xung đột dữ liệu", "Conflict")
            .detail(why.clone(), english_conflict(why)),
        Error::StaleVersion { current, sent } => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            "Dữ liệu đã thay đổi",
            "Stale version",
        )
        .detail(
            format!("Nhiệm vụ đã được người khác cập nhật (phiên bản {current}, yêu cầu dựa trên {sent}). Tải lại rồi thử lại."),
            format!("The task was changed meanwhile (version {current}, request based on {sent}). Reload and retry."),
        ),
        Error::TooManyAttempts { retry_after_secs } => {
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Thử quá nhiều lần",
                "Too many attempts",
            )
            .detail(
                format!("Đăng nhập sai quá nhiều lần. Thử lại sau {retry_after_secs} giây."),
                format!("Too many failed logins. Retry in {retry_after_secs} s."),
            );
            p.retry_after = Some(*retry_after_secs);
            p
        }
        Error::Unavailable(why) => {
            tracing::error!(error = %why, "database unavailable");
            let mut p = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Tạm thời gián đoạn",
                "Temporarily unavailable",
            )
            .detail(
                "Cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau ít phút.",
                "The database is temporarily unreachable. Please retry in a moment.",
            );
            p.retry_after = Some(5);
            p
        }
        Error::Config { key, message } => {
            tracing::error!(%key, %message, "configuration error at runtime");
            internal()
        }
        Error::Unexpected(err) => {
            let text = format!("{err:#}");
            if let Some(problem) = storage_problem(&text) {
                tracing::error!(error = %text, "storage refuses writes");
                return problem;
            }
            if is_transient_db_error(&text) {
                tracing::error!(error = %text, "database busy or unreachable");
                return problem_of(&Error::Unavailable(text));
            }
            tracing::error!(error = %text, "unexpected error");
            internal()
        }
    }
}

/// A disk that is full or a database opened read-only: the operator must act,
/// and the person should know their change was not saved.
fn storage_problem(text: &str) -> Option<Problem> {
    let t = text.to_ascii_lowercase();
    let (kind, vi, en) = if t.contains("disk is full")
        || t.contains("no space left")
        || t.contains("could not extend file")
    {
        (
            "storage_full",
            "Máy chủ đã hết dung lượng lưu trữ; thay đổi chưa được lưu. Vui lòng báo quản trị hệ thống.",
            "The server's storage is full; the change was not saved. Please tell the administrator.",
        )
    } else if t.contains("readonly database") || t.contains("read-only") || t.contains("read only")
    {
        (
            "read_only",
            "Cơ sở dữ liệu đang ở chế độ chỉ đọc; thay đổi chưa được lưu. Vui lòng báo quản trị hệ thống.",
            "The database is read-only; the change was not saved. Please tell the administrator.",
        )
    } else {
        return None;
    };
    let mut p = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        kind,
        "Không lưu được dữ liệu",
        "Cannot store data",
    )
    .detail(vi, en);
    p.retry_after = Some(60);
    Some(p)
}

fn is_transient_db_error(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("database is locked")
        || t.contains("pool timed out")
        || t.contains("connection refused")
        || t.contains("connection reset")
        || t.contains("terminating connection")
        || t.contains("broken pipe")
}

fn english_conflict(vi: &str) -> String {
    if vi.starts_with("duplicate value") || vi.starts_with("referenced record") {
        vi.to_string()
    } else {
        format!("The request conflicts with the current state: {vi}")
    }
}

pub fn internal() -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Lỗi hệ thống",
        "Internal error",
    )
    .detail(
        "Đã có lỗi không mong muốn; sự cố đã được ghi nhật ký.",
        "An unexpected error occurred; it has been logged.",
    )
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_explained_not_internal() {
        for (text, kind) in [
            (
                "error returned from database: (code: 13) database or disk is full",
                "storage_full",
            ),
            (
                "could not extend file \"base/16384/2619\": No space left on device",
                "storage_full",
            ),
            (
                "error returned from database: (code: 8) attempt to write a readonly database",
                "read_only",
            ),
        ] {
            let p = problem_of(&Error::Unexpected(anyhow::anyhow!(text.to_string())));
            assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
            assert_eq!(p.kind, kind);
        }
        let p = problem_of(&Error::Unexpected(anyhow::anyhow!("database is locked")));
        assert_eq!(p.kind, "unavailable");
        let p = problem_of(&Error::Unexpected(anyhow::anyhow!("something else")));
        assert_eq!(p.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
