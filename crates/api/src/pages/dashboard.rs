//! Dashboard: the year's counts by timeliness, a per-department chart and
//! the ten oldest overdue tasks.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    reports::overdue::{self, RawOverdueQuery},
    reports::stats::{self, Figures, RawStatsQuery},
};

use super::{
    Ctx, PageError, PageUser, ctx,
    format::{TaskRow, task_row},
    render, svg,
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    year: i32,
    rate: String,
    overall: Figures,
    chart: String,
    oldest: Vec<TaskRow>,
    scoped_to: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let figures = stats::compute(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        &RawStatsQuery {
            year: query.year.clone(),
            as_of: None,
        },
        state.due_soon_days(),
    )
    .await?;
    let page = ctx(&req, Some(user.clone()), "dashboard");
    let t = page.t;
    let bars: Vec<svg::Bar> = figures
        .departments
        .iter()
        .map(|d| svg::Bar {
            label: d.name.clone(),
            overdue: d.figures.overdue,
            due_soon: d.figures.due_soon,
            completed: d.figures.completed,
            total: d.figures.total - d.figures.cancelled,
        })
        .collect();
    let oldest = overdue::list(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        &RawOverdueQuery {
            year: Some(figures.year.to_string()),
            per_page: Some("10".into()),
            ..Default::default()
        },
        state.due_soon_days(),
    )
    .await?
    .items
    .iter()
    .map(|i| task_row(t, &i.task, ""))
    .collect();
    let had_flash = page.flash.is_some();
    let view = DashboardPage {
        year: figures.year,
        rate: super::format::percent(t, figures.overall.completion_rate),
        overall: figures.overall.clone(),
        chart: svg::department_chart(t, &bars),
        oldest,
        scoped_to: figures.department.clone(),
        ctx: page,
    };
    Ok(render(StatusCode::OK, &view, had_flash))
}
