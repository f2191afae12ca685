//! The annual report page: the figures the district's own review states,
//! per department and per field, with .xlsx and .csv downloads.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Error, documents,
    reports::stats::{self, RawStatsQuery, Stats},
};

use super::{Ctx, PageError, PageUser, ctx, dashboard::YearQuery, render};
use crate::state::AppState;

pub struct KindCount {
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    ctx: Ctx,
    t: super::Tr,
    stats: Stats,
    kinds: Vec<KindCount>,
    kinds_total: i64,
    summary: String,
}

impl ReportPage {
    fn pct(&self, value: &f64) -> String {
        super::format::percent(self.t, *value)
    }
}

/// The sentence an annual self-review states, from the figures
/// (`report-summary` in `pages.ftl`).
pub fn summary_sentence(stats: &Stats, organization: &str, t: super::Tr) -> String {
    let o = &stats.overall;
    t.with(
        "report-summary",
        &[
            ("year", stats.year.into()),
            ("org", organization.into()),
            ("total", o.total.into()),
            ("completed", o.completed.into()),
            ("counted", (o.total - o.cancelled).into()),
            ("rate", super::format::percent(t, o.completion_rate).into()),
            ("on_time", o.completed_on_time.into()),
            (
                "on_time_after_extension",
                o.completed_on_time_after_extension.into(),
            ),
            ("late", o.completed_late.into()),
            ("overdue", o.overdue.into()),
            ("reminders", o.reminder_documents.into()),
        ],
    )
}

async fn load(
    state: &AppState,
    user: &dondoc_core::accounts::principal::Principal,
    year: Option<String>,
) -> Result<Stats, PageError> {
    Ok(stats::compute(
        &state.db,
        &state.facts,
        &state.clock,
        user,
        &RawStatsQuery { year, as_of: None },
        state.due_soon_days(),
    )
    .await?)
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let stats = load(&state, &user, query.year.clone()).await?;
    let counts = documents::count_by_kind(&state.db, &user, stats.year).await?;
    let page_ctx = ctx(&req, Some(user), "report");
    let t = page_ctx.t;
    let kinds: Vec<KindCount> = counts
        .into_iter()
        .map(|(kind, count)| KindCount {
            label: kind.label(t.0).to_string(),
            count,
        })
        .collect();
    let view = ReportPage {
        t,
        summary: summary_sentence(&stats, &state.settings.organization.name, t),
        kinds_total: kinds.iter().map(|k| k.count).sum(),
        kinds,
        stats,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

pub async fn export(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let stats = load(&state, &user, query.year.clone()).await?;
    let file_stem = format!("bao-cao-chuong-trinh-cong-tac-{}", stats.year);
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
