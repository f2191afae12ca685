//! "Danh sách quá hạn": every overdue task grouped by department, oldest
//! first, with pending extension requests to decide.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    domain::ExtensionState,
    reports::overdue::{self, RawOverdueQuery},
    tasks::{commands, detail},
};

use super::{
    Ctx, Form, ctx, describe_error, error_page,
    format::{self, TaskRow, task_row},
    page_user, redirect_with, render,
    tasks::Choice,
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
}

#[derive(serde::Deserialize)]
pub struct Query {
    department: Option<String>,
    field: Option<String>,
    page: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let today = state.today();
    let tz = state.clock.timezone();
    let mut page_ctx = ctx(&req, Some(user.clone()), "overdue");
    let t = page_ctx.t;
    let raw = RawOverdueQuery {
        department: query.department.clone(),
        field: query.field.clone(),
        page: query.page.clone(),
        ..Default::default()
    };
    // A page of departments, each with its oldest overdue tasks: the page
    // stays the same size whether the office follows a hundred tasks or a
    // million.
    let grouped =
        match overdue::by_department(&state.db, &state.clock, &user, &raw, state.due_soon_days())
            .await
        {
            Ok(g) => Some(g),
            Err(err @ dondoc_core::Error::Validation(_)) => {
                page_ctx.flash = Some(super::Flash {
                    ok: false,
                    text: describe_error(t, &err),
                });
                None
            }
            Err(err) => return error_page(&req, Some(user), err),
        };
    let field_param = query.field.clone().unwrap_or_default();
    let link = |params: &[(&str, &str)]| {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (key, value) in params {
            if !value.is_empty() {
                url.append_pair(key, value);
            }
        }
        url.finish()
    };
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
        format!(
            "/overdue?{}",
            link(&[
                (
                    "department",
                    query.department.as_deref().unwrap_or_default()
                ),
                ("field", &field_param),
                ("page", &n),
            ])
        )
    };
    let prev_link = if page > 1 {
        page_link(page - 1)
    } else {
        String::new()
    };
    let next_link = if page < pages {
        page_link(page + 1)
    } else {
        String::new()
    };
    let mut groups: Vec<Group> = Vec::new();
    for group in grouped.map(|g| g.groups).unwrap_or_default() {
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
        groups.push(Group {
            all_link: format!(
                "/tasks?{}",
                link(&[
                    ("department", &group.department.code),
                    ("timeliness", "overdue"),
                    ("field", &field_param),
                ])
            ),
            code: group.department.code,
            name: group.department.name,
            overdue: group.overdue,
            rows,
        });
    }
    // The department with the oldest overdue task comes first (rows are oldest first already).
    let pending = match detail::extensions_in_state(&state.db, &user, ExtensionState::Pending).await
    {
        Ok(list) => list,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let mut pending_lines = Vec::new();
    for e in pending {
        if let Ok(task) =
            dondoc_core::tasks::query::get(&state.db, e.task_id, today, state.due_soon_days()).await
        {
            pending_lines.push(PendingLine {
                id: e.id,
                task_id: e.task_id,
                lead: task.lead_department.name.clone(),
                task_code: task.code,
                task_title: task.title,
                previous: format::date(e.previous_due_date),
                requested: format::date(e.requested_due_date),
                reason: e.reason,
                by: e.requested_by.map(|u| u.full_name).unwrap_or_default(),
            });
        }
    }
    let departments = dondoc_core::org::departments::list(&state.db, false)
        .await
        .unwrap_or_default();
    let fields = dondoc_core::tasks::query::list_fields(&state.db)
        .await
        .unwrap_or_default();
    let selected_dept = query.department.clone().unwrap_or_default();
    let selected_field = query.field.clone().unwrap_or_default();
    let view = OverduePage {
        as_of: format::date(today),
        total,
        departments_total,
        groups,
        page,
        pages,
        prev_link,
        next_link,
        departments: std::iter::once((String::new(), t.get("all_departments").to_string()))
            .chain(departments.iter().map(|d| (d.code.clone(), d.name.clone())))
            .map(|(value, label)| Choice {
                selected: value == selected_dept,
                value,
                label,
            })
            .collect(),
        fields: std::iter::once((String::new(), t.get("all_fields").to_string()))
            .chain(fields.iter().map(|f| {
                (
                    f.code.clone(),
                    if t.is_en() {
                        f.name_en.clone()
                    } else {
                        f.name_vi.clone()
                    },
                )
            }))
            .map(|(value, label)| Choice {
                selected: value == selected_field,
                value,
                label,
            })
            .collect(),
        pending: pending_lines,
        can_decide: policy::can(&user, Action::DecideExtension, None),
        can_draft: policy::can(&user, Action::DraftLetter, None),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    render(StatusCode::OK, &view, had_flash)
}

pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let form = Form::parse(&body);
    let back = form.back_or("/overdue");
    let t = ctx(&req, None, "").t;
    if !form.csrf_ok(&user) {
        return redirect_with(&back, false, t.get("csrf_failed"));
    }
    let approve = form.get("decision") == Some("approve");
    match commands::decide_extension(
        &state.db,
        &state.clock,
        &user,
        path.into_inner(),
        approve,
        &form.text("note"),
    )
    .await
    {
        Ok(_) => redirect_with(&back, true, t.get("decided")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with(&back, false, &describe_error(t, &err)),
    }
}
