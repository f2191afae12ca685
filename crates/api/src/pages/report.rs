//! The former annual report page. Its figures and its summary sentence are
//! now the review's (`/review`, one page, one sentence), so `/report` leads
//! there — staff, who have no review, to their dashboard. The .csv and
//! .xlsx downloads of a year's figures remain, for any day (`as_of`).

use actix_web::{HttpResponse, web};
use dondoc_core::{
    Error,
    accounts::policy::{self, Action},
    reports::stats::{self, RawStatsQuery, Stats, parse_year_param},
};

use super::{PageError, PageUser, dashboard::YearQuery, redirect};
use crate::state::AppState;

/// `/report?year=…` → `/review?year=…` (leaders, admins) or
/// `/dashboard?year=…` (staff).
pub async fn show(
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let year = parse_year_param(query.year.as_deref(), state.today())?;
    let page = if policy::can(&user, Action::ReadReview, None) {
        "/review"
    } else {
        "/dashboard"
    };
    Ok(redirect(&format!("{page}?year={year}")))
}

async fn load(
    state: &AppState,
    user: &dondoc_core::accounts::principal::Principal,
    query: &YearQuery,
) -> Result<Stats, PageError> {
    Ok(stats::compute(
        &state.db,
        &state.facts,
        &state.clock,
        user,
        &RawStatsQuery {
            year: query.year.clone(),
            as_of: query.as_of.clone(),
            ..Default::default()
        },
        state.due_soon_days(),
    )
    .await?)
}

pub async fn export(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let stats = load(&state, &user, &query).await?;
    let file_stem = match &stats.as_of_query {
        Some(_) => format!(
            "bao-cao-chuong-trinh-cong-tac-{}-den-{}",
            stats.year, stats.as_of
        ),
        None => format!("bao-cao-chuong-trinh-cong-tac-{}", stats.year),
    };
    match path.as_str() {
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{file_stem}.csv\""),
            ))
            .body(dondoc_core::reports::export::report_csv(&stats))),
        "xlsx" => {
            let bytes = dondoc_core::reports::export::report_xlsx(
                &stats,
                &state.settings.organization.name,
            )?;
            Ok(HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    "Content-Disposition",
                    format!("attachment; filename=\"{file_stem}.xlsx\""),
                ))
                .body(bytes))
        }
        other => Err(Error::NotFound(dondoc_core::Msg::NotFoundExportFormat {
            format: other.to_string(),
        })
        .into()),
    }
}
