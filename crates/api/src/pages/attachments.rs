//! Attached files on the pages: the block of the task page
//! (`task_attachments.html`), its upload form (multipart, with the CSRF
//! token as a field), the document page, and the download and inline-view
//! addresses a signed-in browser follows.
//!
//! A refused upload returns to the page with the reason shown beside the
//! file input (and at the top, as every refusal): the address carries
//! `?attachment=refused`, the reason travels in the one-shot message.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Msg,
    accounts::policy::{self, TaskScope},
    accounts::principal::Principal,
    attachments::{self, AttachmentView, Context, NewAttachment, Target},
    documents,
};

use crate::{
    pages::{
        Ctx, PageError, PageUser, Tr, ctx,
        extract::Form,
        format::{self, Choice},
        redirect_with, render,
    },
    routes::attachments::{Upload, file_response, read_upload},
    state::AppState,
};

/// One attachment as a page lists it.
#[derive(Clone)]
pub struct AttachmentLine {
    pub id: i64,
    pub name: String,
    pub context: String,
    pub size: String,
    pub by: String,
    pub at: String,
    pub sha256: String,
    pub sha_short: String,
    /// The name of the version this one replaces.
    pub replaces: String,
    pub superseded: bool,
    pub inline: bool,
}

/// A step's files, grouped for the task page.
#[derive(Default)]
pub struct StepFiles {
    /// By the step's history entry.
    pub by_history: std::collections::HashMap<i64, Vec<AttachmentLine>>,
    /// By extension request.
    pub by_extension: std::collections::HashMap<i64, Vec<AttachmentLine>>,
    /// By request for explanation.
    pub by_explanation: std::collections::HashMap<i64, Vec<AttachmentLine>>,
}

impl StepFiles {
    pub fn of(views: &[AttachmentView], lines: &[AttachmentLine]) -> Self {
        let mut files = StepFiles::default();
        for (view, line) in views.iter().zip(lines) {
            let Some(step) = view.step else { continue };
            files
                .by_history
                .entry(step.history_id)
                .or_default()
                .push(line.clone());
            if let Some(id) = step.extension_request_id {
                files.by_extension.entry(id).or_default().push(line.clone());
            }
            if let Some(id) = step.explanation_request_id {
                files
                    .by_explanation
                    .entry(id)
                    .or_default()
                    .push(line.clone());
            }
        }
        files
    }
}

/// The attachments block of the task page.
#[derive(Default)]
pub struct AttachmentsBlock {
    pub items: Vec<AttachmentLine>,
    pub document_items: Vec<AttachmentLine>,
    /// What the viewer may attach files for (empty: no form).
    pub contexts: Vec<Choice>,
    /// Current versions the viewer may replace.
    pub replaceable: Vec<Choice>,
    /// Why the last upload was refused, shown beside the file input.
    pub error: String,
    pub allowed: String,
    /// The files each step came with (history, extension, explanation).
    pub steps: StepFiles,
    /// The step forms' file input help: how many files, which kinds.
    pub evidence_help: String,
}

fn context_label(t: Tr, context: Context) -> String {
    t.get(&format!("attachment_context_{}", context.as_str()))
}

/// `1,5 MB`, `320 KB`, `12 B`.
pub fn human_size(bytes: i64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= MB {
        format!("{:.1} MB", b / MB).replace('.', ",")
    } else if bytes >= 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{bytes} B")
    }
}

fn lines(t: Tr, views: &[AttachmentView], tz: chrono_tz::Tz) -> Vec<AttachmentLine> {
    views
        .iter()
        .map(|a| AttachmentLine {
            id: a.id,
            name: a.file_name.clone(),
            context: context_label(t, a.context),
            size: human_size(a.size),
            by: a
                .uploaded_by
                .as_ref()
                .map(|u| u.full_name.clone())
                .unwrap_or_default(),
            at: format::datetime(a.uploaded_at, tz),
            sha256: a.sha256.clone(),
            sha_short: a.sha256.chars().take(12).collect(),
            replaces: a
                .supersedes_id
                .and_then(|old| views.iter().find(|v| v.id == old))
                .map(|v| v.file_name.clone())
                .unwrap_or_default(),
            superseded: a.superseded_by.is_some(),
            inline: a.viewable_inline,
        })
        .collect()
}

fn allowed_line(state: &AppState, t: Tr) -> String {
    t.with(
        "attachment_allowed",
        &[(
            "max_mb",
            (state.settings.attachments.max_bytes.div_ceil(1024 * 1024) as i64).into(),
        )],
    )
}

/// The task page's block: the task's files, its documents' files, and the
/// form for what the viewer may attach.
pub async fn block_for_task(
    state: &AppState,
    req: &HttpRequest,
    page_ctx: &Ctx,
    user: &Principal,
    task_id: i64,
    scope: &TaskScope,
    document_ids: &[i64],
) -> Result<AttachmentsBlock, PageError> {
    let t = page_ctx.t;
    let tz = state.clock.timezone();
    let own = attachments::for_task(&state.db, user, task_id).await?;
    let of_documents = attachments::for_documents(&state.db, document_ids).await?;
    let contexts: Vec<Choice> = Context::FOR_TASKS
        .into_iter()
        .filter(|c| policy::can(user, c.action(), Some(scope)))
        .map(|c| Choice {
            value: c.as_str().to_string(),
            label: context_label(t, c),
            selected: false,
        })
        .collect();
    let replaceable = own
        .iter()
        .filter(|a| a.superseded_by.is_none())
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!("{} ({})", a.file_name, format::datetime(a.uploaded_at, tz)),
            selected: false,
        })
        .collect();
    let refused = req
        .query_string()
        .split('&')
        .any(|p| p == "attachment=refused");
    let error = match &page_ctx.flash {
        Some(flash) if refused && !flash.ok => flash.text.clone(),
        _ => String::new(),
    };
    let items = lines(t, &own, tz);
    let allowed = allowed_line(state, t);
    Ok(AttachmentsBlock {
        steps: StepFiles::of(&own, &items),
        evidence_help: t.with(
            "evidence_files_help",
            &[
                ("max", (attachments::evidence::MAX_FILES as i64).into()),
                ("allowed", allowed.as_str().into()),
            ],
        ),
        items,
        document_items: lines(t, &of_documents, tz),
        contexts,
        replaceable,
        error,
        allowed,
    })
}

/// The upload as the core's command; `Err` is the reason, in words.
fn command(
    t: Tr,
    state: &AppState,
    upload: Upload,
    default: Context,
) -> Result<NewAttachment, String> {
    if upload.too_large {
        return Err(Msg::AttachmentTooLarge {
            max_mb: state.settings.attachments.max_bytes.div_ceil(1024 * 1024),
        }
        .text(t.0));
    }
    let context = match upload.get("context").map(str::trim) {
        Some(value) if !value.is_empty() => Context::parse("context", value).map_err(|_| {
            Msg::InvalidChoice {
                value: value.to_string(),
                choices: "report, note, extension, explanation".into(),
            }
            .text(t.0)
        })?,
        _ => default,
    };
    let supersedes = match upload.get("supersedes").map(str::trim) {
        Some(value) if !value.is_empty() => Some(
            value
                .parse::<i64>()
                .map_err(|_| Msg::AttachmentSupersedes.text(t.0))?,
        ),
        _ => None,
    };
    let (file_name, bytes) = upload
        .file
        .filter(|(name, bytes)| !(name.is_empty() && bytes.is_empty()))
        .ok_or_else(|| Msg::AttachmentMissing.text(t.0))?;
    Ok(NewAttachment {
        file_name,
        bytes,
        context,
        supersedes,
    })
}

/// Reads the multipart form and checks its CSRF token; `back` on refusal.
async fn read_form(
    state: &AppState,
    user: &Principal,
    payload: Multipart,
    t: Tr,
    back: &str,
) -> Result<Upload, PageError> {
    let upload = read_upload(payload, state.settings.attachments.max_bytes)
        .await
        .map_err(|why| PageError::back(back, why))?;
    let form = Form(upload.fields.clone());
    if !form.csrf_ok(user) {
        return Err(PageError::back(back, t.get("csrf_failed")));
    }
    Ok(upload)
}

async fn attach_from_page(
    req: &HttpRequest,
    state: &AppState,
    user: Principal,
    payload: Multipart,
    target: Target,
    page: &str,
) -> Result<HttpResponse, PageError> {
    let t = ctx(req, None, "").t;
    let refused = format!("{page}?attachment=refused#attachments");
    let upload = read_form(state, &user, payload, t, &refused).await?;
    let default = match target {
        Target::Task(_) => Context::Note,
        Target::Document(_) => Context::Document,
    };
    let new = command(t, state, upload, default).map_err(|why| PageError::back(&refused, why))?;
    match attachments::attach(
        &state.db,
        &state.clock,
        &state.settings.attachments,
        &user,
        target,
        new,
    )
    .await
    {
        Ok(view) => Ok(redirect_with(
            &format!("{page}#attachment-{}", view.id),
            true,
            t.with("attachment_uploaded", &[("name", view.file_name.into())]),
        )),
        Err(err) => Err(PageError::refused_or_missing(t, &refused, err)),
    }
}

/// `POST /tasks/{id}/attachments`.
pub async fn upload_for_task(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    payload: Multipart,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let page = format!("/tasks/{id}");
    attach_from_page(&req, &state, user, payload, Target::Task(id), &page).await
}

/// `POST /documents/{id}/attachments`.
pub async fn upload_for_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    payload: Multipart,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let page = format!("/documents/{id}");
    attach_from_page(&req, &state, user, payload, Target::Document(id), &page).await
}

/// `GET /attachments/{id}`: the file, as a download.
pub async fn download(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let (view, bytes) = attachments::open(
        &state.db,
        &state.settings.attachments,
        &user,
        path.into_inner(),
    )
    .await?;
    Ok(file_response(&view, bytes, false))
}

/// `GET /attachments/{id}/view`: a PDF or an image shown in the browser
/// (other kinds are downloaded).
pub async fn view(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let (view, bytes) = attachments::open(
        &state.db,
        &state.settings.attachments,
        &user,
        path.into_inner(),
    )
    .await?;
    Ok(file_response(&view, bytes, true))
}

/// A document, its linked tasks and its files (the signed scan).
#[derive(Template)]
#[template(path = "document_show.html")]
struct DocumentPage {
    ctx: Ctx,
    id: i64,
    number: String,
    kind: String,
    title: String,
    issued_on: String,
    signer: String,
    tasks: Vec<(i64, String)>,
    attachments: AttachmentsBlock,
    can_attach: bool,
}

/// `GET /documents/{id}`.
pub async fn document_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let document = documents::get(&state.db, &user, id).await?;
    let page_ctx = ctx(&req, Some(user.clone()), "documents");
    let t = page_ctx.t;
    let files = attachments::for_document(&state.db, &user, id).await?;
    let refused = req
        .query_string()
        .split('&')
        .any(|p| p == "attachment=refused");
    let error = match &page_ctx.flash {
        Some(flash) if refused && !flash.ok => flash.text.clone(),
        _ => String::new(),
    };
    let tz = state.clock.timezone();
    let block = AttachmentsBlock {
        items: lines(t, &files, tz),
        replaceable: files
            .iter()
            .filter(|a| a.superseded_by.is_none())
            .map(|a| Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", a.file_name, format::datetime(a.uploaded_at, tz)),
                selected: false,
            })
            .collect(),
        error,
        allowed: allowed_line(&state, t),
        ..Default::default()
    };
    let view = DocumentPage {
        id,
        number: document.number.clone(),
        kind: document.kind.label(t.0).to_string(),
        title: document.title.clone(),
        issued_on: format::date(document.issued_on),
        signer: document.signer.clone(),
        tasks: document
            .links
            .iter()
            .map(|l| (l.task_id, l.task_code.clone()))
            .collect(),
        attachments: block,
        can_attach: policy::can(&user, policy::Action::RecordDocument, None),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(1_572_864), "1,5 MB");
    }
}
