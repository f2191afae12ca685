//! "Danh sách quá hạn": every overdue task grouped by department, oldest
//! first, with pending extension requests to decide.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    domain::ExtensionState,
    overdue::{self, RawOverdueQuery},
    policy::{self, Action},
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
    pub rows: Vec<TaskRow>,
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
    groups: Vec<Group>,
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
        per_page: Some("200".into()),
        ..Default::default()
    };
    let mut items = Vec::new();
    let mut total = 0;
    let mut page_no = 1u64;
    // Leaders want the whole list on one page: fetch every page of 200.
    loop {
        let page = match overdue::list(
            &state.db,
            &user,
            &RawOverdueQuery {
                page: Some(page_no.to_string()),
                ..raw.clone()
            },
            today,
            state.due_soon_days(),
        )
        .await
        {
            Ok(p) => p,
            Err(err @ dondoc_core::Error::Validation(_)) => {
                page_ctx.flash = Some(super::Flash {
                    ok: false,
                    text: describe_error(t, &err),
                });
                break;
            }
            Err(err) => return error_page(&req, Some(user), err),
        };
        total = page.total;
        let done = page.items.len() < 200 || page_no >= 50;
        items.extend(page.items);
        if done {
            break;
        }
        page_no += 1;
    }
    let mut groups: Vec<Group> = Vec::new();
    for item in &items {
        let mut row = task_row(t, &item.task, "");
        row.last_notice = item
            .last_notice_sent_at
            .map(|at| format::datetime(at, tz))
            .unwrap_or_default();
        match groups
            .iter_mut()
            .find(|g| g.code == item.task.lead_department.code)
        {
            Some(g) => g.rows.push(row),
            None => groups.push(Group {
                code: item.task.lead_department.code.clone(),
                name: item.task.lead_department.name.clone(),
                rows: vec![row],
            }),
        }
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
    let departments = dondoc_core::departments::list(&state.db, false)
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
        groups,
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
    let back = form
        .get("back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or("/overdue")
        .to_string();
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
