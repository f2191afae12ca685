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

/// The sentence an annual self-review states, from the figures.
pub fn summary_sentence(stats: &Stats, organization: &str, english: bool) -> String {
    let o = &stats.overall;
    let lang = if english {
        crate::lang::Lang::En
    } else {
        crate::lang::Lang::Vi
    };
    let rate = super::format::percent(super::Tr(lang), o.completion_rate);
    if english {
        format!(
            "In the {} work programme, {} set {} key tasks; {} of {} are done ({}%), {} on time ({} of them after an extension) and {} late; {} are overdue; {} reminder documents were issued.",
            stats.year,
            organization,
            o.total,
            o.completed,
            o.total - o.cancelled,
            rate,
            o.completed_on_time,
            o.completed_on_time_after_extension,
            o.completed_late,
            o.overdue,
            o.reminder_documents
        )
    } else {
        format!(
            "Trong Chương trình công tác năm {}, {} đã đề ra {} nội dung trọng tâm; đã thực hiện hoàn thành {}/{} nội dung ({}%), trong đó {} nội dung đúng hạn ({} nội dung sau khi được gia hạn), {} nội dung quá hạn; còn {} nội dung chưa hoàn thành đã quá hạn; đã ban hành {} văn bản đôn đốc.",
            stats.year,
            organization,
            o.total,
            o.completed,
            o.total - o.cancelled,
            rate,
            o.completed_on_time,
            o.completed_on_time_after_extension,
            o.completed_late,
            o.overdue,
            o.reminder_documents
        )
    }
}

async fn load(
    state: &AppState,
    user: &dondoc_core::accounts::principal::Principal,
    year: Option<String>,
) -> Result<Stats, PageError> {
    Ok(stats::compute(
        &state.db,
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
    let page_ctx = ctx(&req, Some(user), "report");
    let t = page_ctx.t;
    let kinds: Vec<KindCount> = documents::count_by_kind(&state.db, stats.year)
        .await?
        .into_iter()
        .map(|(kind, count)| KindCount {
            label: kind.label(t.0).to_string(),
            count,
        })
        .collect();
    let view = ReportPage {
        t,
        summary: summary_sentence(&stats, &state.settings.organization.name, t.is_en()),
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
