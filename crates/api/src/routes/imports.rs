//! Importing a year's work programme from its annex (.xlsx, .csv, .docx)
//! sent as the request body. The same rules as the import page: every file
//! is size-checked before it is parsed, parsing runs off the web workers,
//! and nothing is written unless every row is good.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, post, web};
use dondoc_core::{
    FieldError, Msg,
    accounts::policy::{self, Action},
    tasks::import::{self, CheckedRow, ImportOptions, ImportRefused, ImportReport},
};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    extract::CurrentUser,
    lang::{Lang, Negotiate},
    problem::{ApiResult, Problem, ProblemBody},
    routes::{created, letters::DOCX, letters::XLSX, ok},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The programme year the tasks belong to.
    pub year: i64,
    /// Check every row and answer the preview; write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The file's name, whose extension tells the format (`annex.xlsx`);
    /// otherwise the Content-Type, otherwise the bytes decide.
    pub file_name: Option<String>,
    /// Rows whose deadline recurs ("Thường xuyên", "Hằng tháng", "Hằng
    /// quý", "Hằng năm") become recurring tasks; without it they are refused.
    #[serde(default)]
    pub confirm_recurring: bool,
}

/// One row as it would be imported: what each name resolved to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreviewRow {
    /// The row number the spreadsheet shows.
    pub row: usize,
    pub code: String,
    /// The code was made by the import (the annex has no code column).
    pub code_generated: bool,
    /// The section heading the row sits under ("LĨNH VỰC KINH TẾ").
    pub section: Option<String>,
    pub title: String,
    pub field: String,
    pub lead_department: String,
    pub coordinating_departments: Vec<String>,
    pub leader_in_charge: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// The deadline as written, when it was not a plain date ("Quý II/2027").
    pub due_text: Option<String>,
    /// `monthly`, `quarterly` or `yearly` for a recurring task.
    pub recurrence: Option<String>,
}

/// The answer to a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreview {
    pub year: i32,
    pub rows: Vec<ImportPreviewRow>,
}

impl From<CheckedRow> for ImportPreviewRow {
    fn from(c: CheckedRow) -> Self {
        Self {
            row: c.row,
            code: c.task.code.to_string(),
            code_generated: c.code_generated,
            section: c.section,
            title: c.task.title.to_string(),
            field: c.field_name,
            lead_department: c.lead_name,
            coordinating_departments: c.coordinator_names,
            leader_in_charge: c.leader_name,
            due_date: c.task.due_date.to_string(),
            due_text: c.due_text,
            recurrence: c.recurrence.map(|r| r.frequency.as_str().to_string()),
        }
    }
}

/// Import the programme from the body (admin): all or nothing. Problems are
/// named `rows[N].<column>` (N the spreadsheet's row) or `file`.
#[utoipa::path(
    tag = "tasks",
    params(ImportQuery),
    request_body(content = Vec<u8>, description = "The annex: .xlsx, .csv (UTF-8) or .docx", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "Dry run: the rows as they would be imported", body = ImportPreview),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 403, body = ProblemBody),
        (status = 413, description = "Over a size limit (file, package, sheet, cells)", body = ProblemBody),
        (status = 422, description = "Unreadable file or bad rows, each named", body = ProblemBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/imports")]
pub async fn import_programme(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ImportTasks, None)?;
    let year = dondoc_core::domain::parse_year("year", query.year)?;
    let bytes = read_body(payload).await?;
    let file_name = file_name(&req, query.file_name.as_deref());
    let options = ImportOptions {
        year,
        today: state.today(),
        confirm_recurring: query.confirm_recurring,
    };
    if query.dry_run {
        let rows = match import::read_rows_off_thread(bytes, file_name).await? {
            Ok(rows) => rows,
            Err(refused) => return Err(refusal(refused, lang_of(&req)).into()),
        };
        return match import::check(&state.db, &rows, options).await? {
            Ok(checked) => Ok(ok(&ImportPreview {
                year,
                rows: checked.into_iter().map(Into::into).collect(),
            })),
            Err(refused) => Err(refusal(refused, lang_of(&req)).into()),
        };
    }
    match import::import(
        &state.db,
        &state.clock,
        &state.settings.organization.name,
        Some(user.user_id),
        bytes,
        &file_name,
        options,
    )
    .await?
    {
        Ok(report) => Ok(created(format!("/api/v1/tasks?year={year}"), &report)),
        Err(refused) => Err(refusal(refused, lang_of(&req)).into()),
    }
}

/// The body, refused with 413 as soon as it passes the file limit.
async fn read_body(mut payload: web::Payload) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| Problem::bad_request("problem-unreadable-body", vec![]))?;
        if bytes.len() + chunk.len() > import::MAX_FILE_BYTES {
            return Err(crate::extract::too_large(import::MAX_FILE_BYTES));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A name whose extension the reader understands.
fn file_name(req: &HttpRequest, given: Option<&str>) -> String {
    if let Some(name) = given.filter(|n| !n.trim().is_empty()) {
        return name.to_string();
    }
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with(XLSX) {
        "import.xlsx".into()
    } else if content_type.starts_with(DOCX) {
        "import.docx".into()
    } else if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        "import.csv".into()
    } else {
        "import".into()
    }
}

/// The language of the problems, as for every API answer.
fn lang_of(req: &HttpRequest) -> Lang {
    <Lang as Negotiate>::of(req)
}

/// 413 for a size limit, else 422 with every problem as a field error.
fn refusal(refused: ImportRefused, lang: Lang) -> Problem {
    if refused.too_large {
        let reason = refused
            .problems
            .first()
            .map(|p| p.message_in(lang).to_string())
            .unwrap_or_default();
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "import_too_large",
            "problem-import-too-large",
        )
        .detail(
            "problem-import-too-large-detail",
            vec![("reason", reason.into())],
        );
    }
    Problem::validation(
        refused
            .problems
            .into_iter()
            .map(|p| {
                let field = match (p.row, import::Column::from_label(&p.column)) {
                    (0, _) => "file".to_string(),
                    (row, Some(column)) => format!("rows[{row}].{}", column.field_name()),
                    (row, None) => format!("rows[{row}]"),
                };
                let detail = p.message_in(lang).to_string();
                FieldError::new(field, "import", Msg::Other { detail })
            })
            .collect(),
    )
}
