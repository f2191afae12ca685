//! Drafted reminder letters (công văn đôn đốc): the late departments, a
//! department's draft (JSON or .docx), every draft at once (.zip), and
//! recording an issued letter as a reminder document.

use actix_web::{HttpResponse, get, post, web};
use dondoc_core::{
    documents::letters::{self, IssuedLetter, LateDepartment, LetterDraft, Signer},
    documents::{self, DocumentView},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download with an ASCII file name.
pub fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftQuery {
    /// Department code, e.g. `TNMT`.
    pub department: String,
    /// Username of the leader who signs; default: the leader in charge of
    /// most of the letter's tasks, else the Chairman.
    pub signer: Option<String>,
}

/// The leaders who may sign a department's letter, the Chairman first; the
/// default signer (or the one asked for with `signer`) is marked `default` (leader, admin).
#[utoipa::path(
    tag = "letters",
    params(DraftQuery),
    responses((status = 200, body = Vec<Signer>), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/letters/signers")]
pub async fn signers(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DraftQuery>,
) -> ApiResult<HttpResponse> {
    let letter = letters::draft(
        &state.db,
        &state.facts,
        &state.settings.letters,
        &state.clock,
        &user,
        &query.department,
        state.due_soon_days(),
        query.signer.as_deref(),
    )
    .await?;
    Ok(ok(&letter.signers))
}

/// Departments with overdue tasks, most overdue first (leader, admin).
#[utoipa::path(
    tag = "letters",
    responses((status = 200, body = Vec<LateDepartment>), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/letters/departments")]
pub async fn departments(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    Ok(ok(&letters::late_departments(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        state.due_soon_days(),
    )
    .await?))
}

/// A department's draft: its overdue and due-soon tasks and the wording (leader, admin).
#[utoipa::path(
    tag = "letters",
    params(DraftQuery),
    responses((status = 200, body = LetterDraft), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/letters/draft")]
pub async fn draft(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DraftQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&letters::draft(
        &state.db,
        &state.facts,
        &state.settings.letters,
        &state.clock,
        &user,
        &query.department,
        state.due_soon_days(),
        query.signer.as_deref(),
    )
    .await?))
}

/// The draft as a Word document in the layout of Nghị định 30/2020/NĐ-CP (leader, admin).
#[utoipa::path(
    tag = "letters",
    params(DraftQuery),
    responses((status = 200, description = "The .docx draft", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/letters/draft.docx")]
pub async fn draft_docx(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DraftQuery>,
) -> ApiResult<HttpResponse> {
    let today = state.today();
    let letter = letters::draft(
        &state.db,
        &state.facts,
        &state.settings.letters,
        &state.clock,
        &user,
        &query.department,
        state.due_soon_days(),
        query.signer.as_deref(),
    )
    .await?;
    let bytes = letters::render_docx(
        &letter,
        &state.settings.letters,
        &state.settings.organization.place,
    )?;
    Ok(attachment(
        DOCX,
        &letters::file_name(&letter.department.code, today),
        bytes,
    ))
}

/// Every late department's draft, one .docx each, in a .zip (leader, admin).
#[utoipa::path(
    tag = "letters",
    responses((status = 200, description = "A .zip of .docx drafts", content_type = "application/zip"), (status = 403, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/letters/drafts.zip")]
pub async fn drafts_zip(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let today = state.today();
    let bytes = letters::drafts_zip(
        &state.db,
        &state.facts,
        &state.settings.letters,
        &state.settings.organization.place,
        &state.clock,
        &user,
        state.due_soon_days(),
    )
    .await?;
    Ok(attachment(
        "application/zip",
        &format!("cong-van-don-doc-{}.zip", today.format("%Y%m%d")),
        bytes,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordLetter {
    /// Department code the letter was sent to.
    pub department: String,
    /// The number as issued, e.g. `125/UBND-VP` (a bare `125` gets the configured suffix).
    pub number: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// `YYYY-MM-DD`; default issued_on + `letters.report_back_days`.
    #[serde(default)]
    pub report_back_on: Option<String>,
    /// Default: the configured signer.
    #[serde(default)]
    pub signer: Option<String>,
    /// The tasks of the draft (`task_id` of each row); each must be led by the department.
    pub task_ids: Vec<i64>,
}

/// Record an issued letter: a reminder document (official letter, `reminds`)
/// linked to every task of the draft, in one transaction (leader, admin).
#[utoipa::path(
    tag = "letters",
    request_body = RecordLetter,
    responses((status = 201, body = DocumentView), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/letters")]
pub async fn record(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<RecordLetter>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let id = letters::record(
        &state.db,
        &state.clock,
        &state.settings.letters,
        &user,
        IssuedLetter {
            department: b.department,
            number: b.number,
            issued_on: b.issued_on,
            report_back_on: b.report_back_on.unwrap_or_default(),
            signer: b.signer.unwrap_or_default(),
            task_ids: b.task_ids,
        },
    )
    .await?;
    let view = documents::get(&state.db, &user, id).await?;
    Ok(created(format!("/api/v1/documents/{id}"), &view))
}
