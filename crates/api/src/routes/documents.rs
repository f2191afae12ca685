//! Documents: assigning documents and reminder documents (văn bản đôn đốc).

use actix_web::{HttpResponse, get, post, web};
use dondoc_core::{
    documents::{self, DocumentView, NewDocument, NewLink, RawDocumentQuery},
    tasks::Page,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// Documents, newest first (staff: those linked to their department's tasks).
#[utoipa::path(
    tag = "documents",
    params(RawDocumentQuery),
    responses((status = 200, body = Page<DocumentView>), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/documents")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawDocumentQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&documents::list(&state.db, &user, &query).await?))
}

/// One document with the tasks it links.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/documents/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        &documents::get(&state.db, &user, path.into_inner()).await?
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentLink {
    pub task_id: i64,
    /// `assigns` or `reminds`.
    pub relation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    /// Số ký hiệu, e.g. `125/UBND-VP`.
    pub number: String,
    /// directive, decision, plan, submission, report, notice, official_letter, conclusion_notice.
    pub kind: String,
    /// Trích yếu.
    pub title: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    pub signer: String,
    #[serde(default)]
    pub links: Vec<DocumentLink>,
}

/// Record a document and link it to tasks (leader, admin).
#[utoipa::path(
    tag = "documents",
    request_body = CreateDocument,
    responses((status = 201, body = DocumentView), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/documents")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CreateDocument>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let id = documents::create(
        &state.db,
        &state.clock,
        &user,
        NewDocument {
            number: b.number,
            kind: b.kind,
            title: b.title,
            issued_on: b.issued_on,
            signer: b.signer,
            links: b
                .links
                .into_iter()
                .map(|l| NewLink {
                    task_id: l.task_id,
                    relation: l.relation,
                })
                .collect(),
            report_back_on: None,
        },
    )
    .await?;
    let view = documents::get(&state.db, &user, id).await?;
    Ok(created(format!("/api/v1/documents/{id}"), &view))
}
