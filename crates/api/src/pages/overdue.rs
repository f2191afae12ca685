//! "Danh sách quá hạn": every overdue task grouped by department, oldest
//! first, with pending extension requests to decide.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    org::departments,
    reports::figures::{AsOf, tasks_query},
    reports::overdue::{self, DepartmentOverdue, RawOverdueQuery},
    tasks::{
        commands,
        detail::{self, PendingExtension},
        query::list_fields,
    },
};

use super::{
    Ctx, Form, FormPage, PageError, PageUser, PostedForm, Tr, ctx,
    format::{self, Choice, TaskRow, task_row},
    redirect_with, render, view_switch,
};
use crate::state::AppState;

pub struct Group {
    pub code: String,
    pub name: String,
    /// All of the department's overdue tasks; `rows` holds the oldest few.
    pub overdue: u64,
    pub rows: Vec<TaskRow>,
    /// The task list filtered to this department's overdue tasks.
    pub all_link: String,
}

pub struct PendingLine {
    pub id: i64,
    pub task_id: i64,
    pub lead: String,
    pub task_code: String,
    pub task_title: String,
    pub previous: String,
    pub requested: String,
    pub reason: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "overdue.html")]
struct OverduePage {
    ctx: Ctx,
    as_of: String,
    /// "Mọi chương trình — tính đến hôm nay".
    scope: String,
    year: String,
    as_of_input: String,
    export_link: String,
    total: u64,
    departments_total: u64,
    groups: Vec<Group>,
    page: u64,
    pages: u64,
    prev_link: String,
    next_link: String,
    departments: Vec<Choice>,
    fields: Vec<Choice>,
    pending: Vec<PendingLine>,
    can_decide: bool,
    can_draft: bool,
    /// "Nhiệm vụ tôi phụ trách" / the whole organisation.
    view_switch: Option<view_switch::ViewSwitch>,
    /// The view's query pairs, kept by the filter form.
    view_keep: Vec<(&'static str, String)>,
}

#[derive(serde::Deserialize)]
pub struct Query {
    year: Option<String>,
    department: Option<String>,
    field: Option<String>,
    /// The day the list describes (leaders and admins).
    as_of: Option<String>,
    page: Option<String>,
}

/// The task-list query of the overdue list's scope and moment, for the
/// "see all" links and the Excel export.
fn list_query(
    year: Option<i32>,
    as_of: &AsOf,
    department: &str,
    field: &str,
    view: &[(&'static str, String)],
) -> String {
    let mut query = tasks_query(year, None, None, as_of);
    let view = view.iter().map(|(k, v)| (*k, v.as_str()));
    for (key, value) in [("department", department), ("field", field)]
        .into_iter()
        .chain(view)
    {
        if !value.is_empty() {
            query.push('&');
            query.push_str(&link(&[(key, value)]));
        }
    }
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("figure=overdue");
    query
}

/// `key=value&…` of the non-empty values.
fn link(params: &[(&str, &str)]) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        if !value.is_empty() {
            url.append_pair(key, value);
        }
    }
    url.finish()
}

fn group(
    t: Tr,
    group: DepartmentOverdue,
    scope: (Option<i32>, &AsOf),
    field: &str,
    view: &[(&'static str, String)],
    tz: chrono_tz::Tz,
) -> Group {
    let rows = group
        .items
        .iter()
        .map(|item| {
            let mut row = task_row(t, &item.task, "");
            row.last_notice = item
                .last_notice_sent_at
                .map(|at| format::datetime(at, tz))
                .unwrap_or_default();
            row
        })
        .collect();
    Group {
        all_link: format!(
            "/tasks?{}",
            list_query(scope.0, scope.1, &group.department.code, field, view)
        ),
        code: group.department.code,
        name: group.department.name,
        overdue: group.overdue,
        rows,
    }
}

fn pending_line(p: PendingExtension) -> PendingLine {
    PendingLine {
        id: p.request.id,
        task_id: p.request.task_id,
        lead: p.task.lead_department,
        task_code: p.task.code,
        task_title: p.task.title,
        previous: format::date(p.request.previous_due_date),
        requested: format::date(p.request.requested_due_date),
        reason: p.request.reason,
        by: p
            .request
            .requested_by
            .map(|u| u.full_name)
            .unwrap_or_default(),
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let tz = state.clock.timezone();
    let mut page_ctx = ctx(&req, Some(user.clone()), "overdue");
    let t = page_ctx.t;
    // A deputy leader sees the tasks he is in charge of unless he asks for
    // the whole organisation; any leader may be asked for (`leader`).
    let choice = view_switch::leader_choice(&req, &state, &user, t).await?;
    let view_pairs = choice.keep();
    let raw = RawOverdueQuery {
        year: query.year.clone(),
        department: query.department.clone(),
        field: query.field.clone(),
        leader: choice.leader.clone(),
        as_of: query.as_of.clone(),
        page: query.page.clone(),
        ..Default::default()
    };
    let as_of = AsOf::parse(query.as_of.as_deref(), &state.clock)?;
    let year: Option<i32> = query.year.as_deref().and_then(|y| y.trim().parse().ok());
    // A page of departments, each with its oldest overdue tasks: the page
    // stays the same size whether the office follows a hundred tasks or a
    // million.
    let grouped = page_ctx.flash_invalid(
        overdue::by_department(
            &state.db,
            &state.facts,
            &state.clock,
            &user,
            &raw,
            state.due_soon_days(),
        )
        .await
        .map(Some),
        || None,
    )?;
    let selected_dept = query.department.clone().unwrap_or_default();
    let selected_field = query.field.clone().unwrap_or_default();
    let (total, departments_total, page, pages) = grouped.as_ref().map_or((0, 0, 1, 1), |g| {
        (
            g.total,
            g.departments_total,
            g.page,
            g.departments_total.div_ceil(g.per_page.max(1)).max(1),
        )
    });
    let page_link = |n: u64| {
        let n = n.to_string();
        let mut params = vec![
            ("year", query.year.as_deref().unwrap_or("")),
            ("department", &selected_dept),
            ("field", &selected_field),
            ("as_of", query.as_of.as_deref().unwrap_or("")),
        ];
        params.extend(view_pairs.iter().map(|(k, v)| (*k, v.as_str())));
        params.push(("page", &n));
        format!("/overdue?{}", link(&params))
    };
    // The department with the oldest overdue task comes first (rows are oldest first already).
    let groups: Vec<Group> = grouped
        .map(|g| g.groups)
        .unwrap_or_default()
        .into_iter()
        .map(|g| group(t, g, (year, &as_of), &selected_field, &view_pairs, tz))
        .collect();
    let pending = detail::pending_extensions(&state.db, &user).await?;
    let departments = departments::list(&state.db, false).await?;
    let fields = list_fields(&state.db).await?;
    let view = OverduePage {
        as_of: format::date(as_of.day),
        scope: super::figures::scope_line(t, year, as_of.query_value().as_deref(), tz),
        year: query.year.clone().unwrap_or_default(),
        as_of_input: format::date_input(query.as_of.as_deref().unwrap_or_default()),
        export_link: format!(
            "/api/v1/tasks/export.xlsx?{}",
            list_query(year, &as_of, &selected_dept, &selected_field, &view_pairs)
        ),
        total,
        departments_total,
        groups,
        page,
        prev_link: if page > 1 {
            page_link(page - 1)
        } else {
            String::new()
        },
        next_link: if page < pages {
            page_link(page + 1)
        } else {
            String::new()
        },
        pages,
        departments: format::department_filter(t, &departments, &selected_dept),
        fields: format::field_filter(t, &fields, &selected_field),
        pending: pending.into_iter().map(pending_line).collect(),
        can_decide: policy::can(&user, Action::DecideExtension, None),
        can_draft: policy::can(&user, Action::DraftLetter, None),
        view_switch: choice.switch,
        view_keep: view_pairs,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// The decision form, on the overdue list or a task's page: it names the
/// page to return to.
pub struct DecisionForm;

impl FormPage for DecisionForm {
    const PAGE: &'static str = "/overdue";

    fn back(_: &HttpRequest, form: &Form) -> String {
        form.back_or(Self::PAGE)
    }
}

pub async fn decide(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    commands::decide_extension(
        &state.db,
        &state.clock,
        &posted.user,
        path.into_inner(),
        posted.form.get("decision") == Some("approve"),
        &posted.form.text("note"),
    )
    .await
    .map_err(|err| posted.refused(super::task_forms::as_decision_note(err)))?;
    Ok(redirect_with(&posted.back, true, posted.t.get("decided")))
}
