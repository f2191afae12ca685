//! Attached files: upload (multipart/form-data), list, describe, download.
//!
//! Uploads are read part by part and refused with 413 as soon as the file
//! passes `attachments.max_bytes`; the core then checks the bytes (not the
//! name) and writes nothing unless the file is accepted. Downloads are
//! served as attachments with `nosniff` and a CSP that allows nothing to
//! run; PDFs and images may be asked for inline.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, http::StatusCode, post, web};
use dondoc_core::{
    Msg,
    attachments::{self, AttachmentView, Context, NewAttachment, Target},
    config::AttachmentSettings,
};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, Problem, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// The multipart form of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document
pub struct AttachmentUpload {
    /// The file: PDF, PNG, JPEG, WebP, GIF, .docx, .xlsx or .odt (checked
    /// from its content), at most `attachments.max_bytes`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the file backs: `report`, `note`, `extension` or `explanation`
    /// (tasks only; default `note`).
    pub context: Option<String>,
    /// The id of the attachment this file replaces (a new version).
    pub supersedes: Option<i64>,
}

/// A multipart form as read: its file (name, bytes) and its text fields.
pub struct Upload {
    pub file: Option<(String, Vec<u8>)>,
    pub fields: Vec<(String, String)>,
    /// The file passed the size limit (its bytes were read and dropped).
    pub too_large: bool,
}

impl Upload {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Text fields longer than this are cut (they are a word or a number).
const FIELD_LIMIT: usize = 4096;
/// Parts in one form.
const MAX_PARTS: usize = 16;

/// Reads a multipart form. A file over `max_bytes` is read to its end and
/// dropped (so the client gets the answer, not a broken connection) unless
/// it runs past four times the limit; `Err` for a broken or abusive form.
pub async fn read_upload(mut payload: Multipart, max_bytes: u64) -> Result<Upload, String> {
    let mut upload = Upload {
        file: None,
        fields: Vec::new(),
        too_large: false,
    };
    let hard_stop = max_bytes.saturating_mul(4).max(1024 * 1024);
    let mut parts = 0;
    while let Some(item) = payload.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        let mut field = item.map_err(|e| e.to_string())?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        let is_file = name == "file";
        let limit = if is_file {
            max_bytes
        } else {
            FIELD_LIMIT as u64
        };
        let mut bytes = Vec::new();
        let mut seen: u64 = 0;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            seen += chunk.len() as u64;
            if seen > hard_stop {
                return Err("the upload is far larger than allowed".into());
            }
            if seen > limit {
                if is_file {
                    upload.too_large = true;
                }
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            if !upload.too_large {
                upload.file = Some((file_name.unwrap_or_default(), bytes));
            }
        } else {
            upload
                .fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(upload)
}

fn too_large(settings: &AttachmentSettings) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "attachment_too_large",
        "problem-payload-too-large",
    )
    .detail_msg(&Msg::AttachmentTooLarge {
        max_mb: settings.max_bytes.div_ceil(1024 * 1024),
    })
}

/// The upload as the core's command, or the problem (413, 400, 422).
fn new_attachment(
    upload: Upload,
    settings: &AttachmentSettings,
    default_context: Context,
) -> ApiResult<NewAttachment> {
    if upload.too_large {
        return Err(too_large(settings).into());
    }
    let context = match upload.get("context").map(str::trim) {
        Some(value) if !value.is_empty() => Context::parse("context", value)?,
        _ => default_context,
    };
    let supersedes = match upload.get("supersedes").map(str::trim) {
        Some(value) if !value.is_empty() => Some(value.parse::<i64>().map_err(|_| {
            dondoc_core::Error::field("supersedes", "not_a_number", Msg::NotANumber)
        })?),
        _ => None,
    };
    let Some((file_name, bytes)) = upload.file else {
        return Err(dondoc_core::Error::field("file", "required", Msg::AttachmentMissing).into());
    };
    Ok(NewAttachment {
        file_name,
        bytes,
        context,
        supersedes,
    })
}

async fn upload_to(
    state: &AppState,
    user: &CurrentUser,
    target: Target,
    payload: Multipart,
    default_context: Context,
) -> ApiResult<HttpResponse> {
    let settings = &state.settings.attachments;
    let upload = read_upload(payload, settings.max_bytes)
        .await
        .map_err(|why| {
            Problem::bad_request("problem-unreadable-body", vec![("error", why.into())])
        })?;
    let new = new_attachment(upload, settings, default_context)?;
    let view = attachments::attach(&state.db, &state.clock, settings, user, target, new).await?;
    Ok(created(format!("/api/v1/attachments/{}", view.id), &view))
}

/// Attach a file to a task (the right of the purpose: reporting progress,
/// adding a note, asking for more time, answering an explanation).
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = AttachmentView),
        (status = 400, body = ProblemBody),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody),
        (status = 413, description = "Larger than attachments.max_bytes", body = ProblemBody),
        (status = 422, description = "Refused file (type from content, package checks) or bad field", body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/tasks/{id}/attachments")]
pub async fn upload_for_task(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let target = Target::Task(path.into_inner());
    upload_to(&state, &user, target, payload, Context::Note).await
}

/// A task's attachments, oldest first, superseded ones included.
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Task id")),
    responses(
        (status = 200, body = Vec<AttachmentView>),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/tasks/{id}/attachments")]
pub async fn list_for_task(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&attachments::for_task(
        &state.db,
        &user,
        path.into_inner(),
    )
    .await?))
}

/// Attach the signed scan of a recorded document (leaders and admins).
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Document id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = AttachmentView),
        (status = 400, body = ProblemBody),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody),
        (status = 413, description = "Larger than attachments.max_bytes", body = ProblemBody),
        (status = 422, description = "Refused file or bad field", body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/documents/{id}/attachments")]
pub async fn upload_for_document(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let target = Target::Document(path.into_inner());
    upload_to(&state, &user, target, payload, Context::Document).await
}

/// A document's attachments, oldest first.
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, body = Vec<AttachmentView>),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/documents/{id}/attachments")]
pub async fn list_for_document(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&attachments::for_document(
        &state.db,
        &user,
        path.into_inner(),
    )
    .await?))
}

/// One attachment's description.
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Attachment id")),
    responses(
        (status = 200, body = AttachmentView),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/attachments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        &attachments::get(&state.db, &user, path.into_inner()).await?
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContentQuery {
    /// Ask to show a PDF or an image in the browser instead of saving it
    /// (other files are always served as attachments).
    #[serde(default)]
    pub inline: bool,
}

/// The file's bytes, as an attachment (`nosniff`, nothing may run).
#[utoipa::path(
    tag = "attachments",
    params(("id" = i64, Path, description = "Attachment id"), ContentQuery),
    responses(
        (status = 200, description = "The file, with the media type found in its content (one of the kinds an attachment may be)", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/gif"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.oasis.opendocument.text")
        )),
        (status = 401, body = ProblemBody),
        (status = 403, body = ProblemBody),
        (status = 404, body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/attachments/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<ContentQuery>,
) -> ApiResult<HttpResponse> {
    let (view, bytes) = attachments::open(
        &state.db,
        &state.settings.attachments,
        &user,
        path.into_inner(),
    )
    .await?;
    Ok(file_response(&view, bytes, query.inline))
}

/// The response carrying a file. Inline only for PDFs and images; always
/// `nosniff`, never cached by shared caches, and a CSP under which nothing
/// in the file can run (images also sandboxed; Chromium's PDF viewer does
/// not open in a sandbox, so PDFs get no `sandbox` but no scripts either).
pub fn file_response(view: &AttachmentView, bytes: Vec<u8>, inline: bool) -> HttpResponse {
    let kind = view.kind();
    let inline = inline && kind.is_some_and(|k| k.viewable_inline());
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        ascii_name(&view.file_name),
        percent_encode(&view.file_name)
    );
    let csp = if inline && kind == Some(attachments::FileKind::Pdf) {
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"
    } else {
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    };
    HttpResponse::Ok()
        .content_type(view.content_type.as_str())
        .insert_header(("Content-Disposition", disposition))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", csp))
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .insert_header(("Cross-Origin-Resource-Policy", "same-origin"))
        .insert_header(("Cache-Control", "private, no-cache"))
        .insert_header(("ETag", format!("\"{}\"", view.sha256)))
        .body(bytes)
}

/// The name for old clients: ASCII only (accents dropped), no quotes.
fn ascii_name(name: &str) -> String {
    deunicode::deunicode(name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 8187 `filename*` value.
fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_in_the_header() {
        assert_eq!(ascii_name("Báo cáo \"số 1\".pdf"), "Bao cao _so 1_.pdf");
        assert_eq!(ascii_name("Đề xuất.docx"), "De xuat.docx");
        assert_eq!(percent_encode("Đ a.pdf"), "%C4%90%20a.pdf");
    }
}
