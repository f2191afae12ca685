//! Dashboard: the year's figures as cards (each opens its tasks), the
//! oldest overdue tasks, and a per-department chart whose bars open the
//! department's overdue tasks. Every number names its scope.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::principal::Principal,
    domain::figure::Figure,
    reports::figures::{AsOf, tasks_query},
    reports::overdue::{self, RawOverdueQuery},
    reports::stats::{self, RawStatsQuery, Stats},
    tasks::{self, TaskFilter},
};

use super::{
    Ctx, PageError, PageUser, ctx,
    figures::{self, Card, Links},
    format::{self, TaskRow, task_row},
    render, svg,
    view_switch::{self, LeaderChoice, ViewSwitch},
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    year: i32,
    /// "Chương trình năm 2026 — tính đến hôm nay".
    scope: String,
    as_of: String,
    cards: Vec<Card>,
    /// Overdue tasks of every programme year, same moment and department.
    overdue_all: i64,
    overdue_all_link: String,
    overdue_all_scope: String,
    reminder_documents: i64,
    chart: String,
    oldest: Vec<TaskRow>,
    oldest_link: String,
    /// The unit the figures are limited to (staff), by its name.
    scoped_to: Option<String>,
    /// "Nhiệm vụ tôi phụ trách" / the whole organisation.
    view_switch: Option<ViewSwitch>,
    /// The view's pairs (`leader`, `scope`): the year form sends them
    /// again, so choosing another year keeps whose tasks are shown.
    view_keep: Vec<(&'static str, String)>,
}

/// Adds the view's pairs to a list query (the leader is in the figures'
/// own query already when `has_leader`).
fn keep_view(query: &mut String, choice: &LeaderChoice, has_leader: bool) {
    for (key, value) in choice.keep() {
        if has_leader && key == "leader" {
            continue;
        }
        let pair: String = form_urlencoded::Serializer::new(String::new())
            .append_pair(key, &value)
            .finish();
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&pair);
    }
}

#[derive(serde::Deserialize)]
pub struct YearQuery {
    pub year: Option<String>,
    /// The day the figures describe (leaders and admins).
    pub as_of: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let page = ctx(&req, Some(user.clone()), "dashboard");
    let t = page.t;
    let choice = view_switch::leader_choice(&req, &state, &user, t).await?;
    let mut figures = stats::compute(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        &RawStatsQuery {
            year: query.year.clone(),
            as_of: query.as_of.clone(),
            leader: choice.leader.clone(),
        },
        state.due_soon_days(),
    )
    .await?;
    keep_view(&mut figures.tasks_query, &choice, true);
    let tz = state.clock.timezone();
    let links = Links::new(&figures.tasks_query, figures.department.as_deref());
    let as_of = AsOf::parse(figures.as_of_query.as_deref(), &state.clock)?;
    let (overdue_all, overdue_all_link) =
        overdue_everywhere(&state, &figures, &as_of, &choice).await?;
    let bars: Vec<svg::Bar> = figures
        .departments
        .iter()
        .map(|d| svg::Bar {
            label: d.name.clone(),
            overdue: d.figures.overdue,
            due_soon: d.figures.due_soon,
            completed: d.figures.completed,
            total: d.figures.total - d.figures.cancelled,
            href: links.row_href(Figure::Overdue, "department", &d.code),
        })
        .collect();
    let oldest = oldest_overdue(&state, &user, &figures).await?;
    // Staff's figures are their own unit's: named as people know it.
    let scoped_to = figures.department.clone().map(|code| {
        match (&user.department_code, &user.department_name) {
            (Some(own), Some(name)) if *own == code => name.clone(),
            _ => code,
        }
    });
    let had_flash = page.flash.is_some();
    let view = DashboardPage {
        year: figures.year,
        scope: figures::scope_line(t, Some(figures.year), figures.as_of_query.as_deref(), tz),
        as_of: format::date_input(figures.as_of_query.as_deref().unwrap_or_default()),
        cards: figures::cards(t, &figures.overall, &links),
        overdue_all,
        overdue_all_link,
        overdue_all_scope: figures::scope_line(t, None, figures.as_of_query.as_deref(), tz),
        reminder_documents: figures.overall.reminder_documents,
        chart: svg::department_chart(t, &bars),
        oldest: oldest.iter().map(|task| task_row(t, task, "")).collect(),
        oldest_link: links.href(Figure::Overdue),
        scoped_to,
        view_keep: choice.keep(),
        view_switch: choice.switch,
        ctx: page,
    };
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// How many tasks of every programme year were overdue at the figures'
/// moment (in the staff member's department), and the list that shows them:
/// the count *is* that list's total, so the two cannot differ.
async fn overdue_everywhere(
    state: &AppState,
    figures: &Stats,
    as_of: &AsOf,
    choice: &LeaderChoice,
) -> Result<(i64, String), PageError> {
    let mut query = tasks_query(None, None, None, as_of);
    keep_view(&mut query, choice, false);
    let links = Links::new(&query, figures.department.as_deref());
    let filter = TaskFilter {
        figure: Some(Figure::Overdue),
        as_of: Some(*as_of),
        department: figures.department.clone(),
        leader: figures.leader.clone(),
        per_page: 1,
        ..Default::default()
    };
    let page = tasks::list(
        &state.db,
        &state.facts,
        &filter,
        state.today(),
        state.due_soon_days(),
    )
    .await?;
    Ok((
        i64::try_from(page.total).unwrap_or(i64::MAX),
        links.href(Figure::Overdue),
    ))
}

/// The ten oldest overdue tasks of the year, at the figures' moment.
async fn oldest_overdue(
    state: &AppState,
    user: &Principal,
    figures: &Stats,
) -> Result<Vec<dondoc_core::tasks::TaskView>, PageError> {
    Ok(overdue::list(
        &state.db,
        &state.facts,
        &state.clock,
        user,
        &RawOverdueQuery {
            year: Some(figures.year.to_string()),
            as_of: figures.as_of_query.clone(),
            leader: figures.leader.clone(),
            per_page: Some("10".into()),
            ..Default::default()
        },
        state.due_soon_days(),
    )
    .await?
    .items
    .into_iter()
    .map(|i| i.task)
    .collect())
}
