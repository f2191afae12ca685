//! The annual or periodic review (báo cáo kiểm điểm): JSON, .docx, .xlsx.

use actix_web::{HttpResponse, get, web};
use dondoc_core::reports::{
    figures::period::PeriodKind,
    review::{self, RawReviewQuery, Review},
};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::{
        letters::{DOCX, XLSX, attachment},
        ok,
    },
    state::AppState,
};

pub async fn load(
    state: &AppState,
    user: &CurrentUser,
    query: &RawReviewQuery,
) -> dondoc_core::Result<Review> {
    review::compute(
        &state.db,
        &state.facts,
        &state.clock,
        user,
        query,
        state.due_soon_days(),
        &state.settings.letters.short_name,
    )
    .await
}

/// A file stem naming the period (ASCII).
pub fn file_stem(r: &Review) -> String {
    match r.period.kind {
        PeriodKind::Year => format!("bao-cao-kiem-diem-{}", r.period.year),
        PeriodKind::Quarter => format!(
            "bao-cao-kiem-diem-{}-quy-{}",
            r.period.year,
            r.period.quarter.unwrap_or(0)
        ),
        PeriodKind::Range => format!(
            "bao-cao-kiem-diem-{}-{}",
            r.period.from.format("%Y%m%d"),
            r.period.to.format("%Y%m%d")
        ),
    }
}

/// The review of a year (default), a quarter (`year` + `quarter`) or a date
/// range (`from` + `to`): the paragraph, figures per department, field and
/// leader, tasks overdue > 30/60/120 days, documents by kind (leader, admin).
#[utoipa::path(
    tag = "review",
    params(RawReviewQuery),
    responses((status = 200, body = Review), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/review")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawReviewQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&load(&state, &user, &query).await?))
}

/// The review as a Word document (text and tables).
#[utoipa::path(
    tag = "review",
    params(RawReviewQuery),
    responses((status = 200, description = "The .docx review", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/review.docx")]
pub async fn docx(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawReviewQuery>,
) -> ApiResult<HttpResponse> {
    let r = load(&state, &user, &query).await?;
    let bytes = review::to_docx(&r, &state.settings.organization.name)?;
    Ok(attachment(DOCX, &format!("{}.docx", file_stem(&r)), bytes))
}

/// The review as a workbook (summary, per department, field, leader, overdue).
#[utoipa::path(
    tag = "review",
    params(RawReviewQuery),
    responses((status = 200, description = "The .xlsx review", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/review.xlsx")]
pub async fn xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawReviewQuery>,
) -> ApiResult<HttpResponse> {
    let r = load(&state, &user, &query).await?;
    let bytes = review::to_xlsx(&r, &state.settings.organization.name)?;
    Ok(attachment(XLSX, &format!("{}.xlsx", file_stem(&r)), bytes))
}
