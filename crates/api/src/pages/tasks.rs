//! The task list ("Nhiệm vụ của đơn vị" for staff) with its filters. The
//! task page is `task_page`, the task forms `task_forms`.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    domain::{TaskStatus, Timeliness},
    entity::field,
    messages::Label,
    org::{departments, programmes},
    tasks::{self, RawTaskQuery, TaskFilter, TaskSort, query::NO_LEADER},
};

use crate::{
    pages::{
        Ctx, Flash, PageError, PageUser, Tr, ctx, describe_error, figures,
        format::{self, Choice, TaskRow, choices, task_row},
        render, view_switch,
    },
    state::AppState,
};

/// A filter the form has no control for, carried as a hidden field so that
/// searching within a figure's list keeps the figure.
pub struct Hidden {
    pub name: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "tasks_list.html")]
struct ListPage {
    ctx: Ctx,
    heading: String,
    intro: String,
    rows: Vec<TaskRow>,
    total: u64,
    page: u64,
    pages: u64,
    q: String,
    years: Vec<Choice>,
    departments: Vec<Choice>,
    fields: Vec<Choice>,
    timeliness: Vec<Choice>,
    statuses: Vec<Choice>,
    prev_link: Option<String>,
    next_link: Option<String>,
    can_create: bool,
    /// "Quá hạn — Chương trình năm 2026 — tính đến hôm nay: 16 nhiệm vụ",
    /// when the list is a figure's, a period's or a past day's.
    banner: String,
    as_of: String,
    hidden: Vec<Hidden>,
    /// The same list as .xlsx (the API's export; the session cookie works).
    export_link: String,
    /// Whose tasks: the leader's own or all; staff: led or supported.
    view_switch: Option<view_switch::ViewSwitch>,
}

/// The request's query without `page` (and `sort` unless kept).
fn query_without(req: &HttpRequest, drop: &[&str]) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| !drop.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn export_link(req: &HttpRequest) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query_without(req, &["page", "per_page"]))
        .finish();
    format!("/api/v1/tasks/export.xlsx?{query}")
}

fn hidden_fields(raw: &RawTaskQuery, staff: bool) -> Vec<Hidden> {
    let mut out = Vec::new();
    let mut keep = |name: &'static str, value: &Option<String>| {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            out.push(Hidden {
                name,
                value: v.to_string(),
            });
        }
    };
    keep("figure", &raw.figure);
    keep("original_due_from", &raw.original_due_from);
    keep("original_due_to", &raw.original_due_to);
    keep("leader", &raw.leader);
    keep("involvement", &raw.involvement);
    if staff {
        // Staff have no department control; a dashboard link's own
        // department keeps the list to the tasks the figures count.
        keep("department", &raw.department);
    }
    out
}

/// What the list is, when it is more than a filtered list: the figure, the
/// scope and the moment, then how many tasks.
fn banner(
    t: Tr,
    filter: &TaskFilter,
    total: u64,
    departments: &[departments::Department],
    fields: &[field::Model],
    tz: chrono_tz::Tz,
) -> String {
    let as_of = filter.as_of.and_then(|a| a.query_value());
    let is_figure = filter.figure.is_some()
        || filter.original_due_from.is_some()
        || filter.original_due_to.is_some()
        || as_of.is_some();
    if !is_figure {
        return String::new();
    }
    let mut parts = Vec::new();
    if let Some(f) = filter.figure {
        parts.push(f.label(t.lang()));
    }
    parts.push(figures::programme(t, filter.year));
    parts.extend(figures::period_words(
        t,
        filter.original_due_from,
        filter.original_due_to,
    ));
    if let Some(code) = &filter.department {
        parts.push(
            departments
                .iter()
                .find(|d| &d.code == code)
                .map_or_else(|| code.clone(), |d| d.name.clone()),
        );
    }
    if let Some(code) = &filter.field {
        parts.push(
            fields
                .iter()
                .find(|f| &f.code == code)
                .map_or_else(|| code.clone(), |f| format::field_name(t, f)),
        );
    }
    match filter.leader.as_deref() {
        Some(NO_LEADER) => parts.push(t.get("no_leader")),
        Some(username) => parts.push(format!("{}: {username}", t.get("leader_in_charge"))),
        None => {}
    }
    parts.push(figures::moment(t, as_of.as_deref(), tz));
    t.with(
        "list-banner",
        &[
            ("what", parts.join(" — ").into()),
            ("count", i64::try_from(total).unwrap_or(i64::MAX).into()),
        ],
    )
}

fn link_with_page(req: &HttpRequest, page: u64) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push(("page".into(), page.to_string()));
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/tasks?{query}")
}

fn year_choices(t: Tr, programmes: &[programmes::Programme], selected: &str) -> Vec<Choice> {
    choices(
        std::iter::once((String::new(), t.get("all_timeliness").to_string()))
            .chain(
                programmes
                    .iter()
                    .map(|p| (p.year.to_string(), p.year.to_string())),
            )
            .collect(),
        selected,
    )
}

fn timeliness_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(
        std::iter::once((String::new(), t.get("all_timeliness").to_string()))
            .chain(
                Timeliness::ALL
                    .iter()
                    .map(|x| (x.as_str().to_string(), t.get(x.as_str()).to_string())),
            )
            .chain(std::iter::once((
                "overdue,due_soon".to_string(),
                format!("{} + {}", t.get("overdue"), t.get("due_soon")),
            )))
            .collect(),
        selected,
    )
}

fn status_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(
        std::iter::once((String::new(), t.get("all_statuses").to_string()))
            .chain(
                TaskStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_string(), format::status(t, *s).to_string())),
            )
            .collect(),
        selected,
    )
}

// Longer than 100 lines: the list page gathers its filters, its page of rows and the choices of every filter control in one place.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawTaskQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let mut page_ctx = ctx(&req, Some(user.clone()), "tasks");
    let t = page_ctx.t;
    let mut raw = query.into_inner();
    if raw.sort.as_deref().is_none_or(str::is_empty) {
        raw.sort = Some("attention".into());
    }
    // A deputy leader's list is his own tasks unless he asks for all.
    let choice = view_switch::leader_choice(&req, &state, &user, t).await?;
    if raw.leader.as_deref().is_none_or(|l| l.trim().is_empty()) {
        raw.leader = choice.leader.clone();
    }
    // Filters that do not parse are said in the flash; the list is then unfiltered.
    let mut filter = match raw.parse_at(&state.clock) {
        Ok(f) => f,
        Err(err) => {
            page_ctx.flash = Some(Flash {
                ok: false,
                text: describe_error(t, &err),
            });
            TaskFilter {
                sort: TaskSort::Attention,
                ..Default::default()
            }
        }
    };
    if filter.as_of.is_some_and(|a| !a.is_now()) {
        // A past day is the leaders' (the same rule as the API's list).
        policy::require(&user, Action::ChooseAsOfDate, None)?;
    }
    filter.visible_to_department = policy::visible_department(&user);
    let per_page = filter.per_page;
    let listed = tasks::list(
        &state.db,
        &state.facts,
        &filter,
        state.today(),
        state.due_soon_days(),
    )
    .await;
    let page = page_ctx.flash_invalid(listed, || tasks::Page {
        items: Vec::new(),
        total: 0,
        page: 1,
        per_page,
    })?;
    let viewer_dept = user.department_code.clone().unwrap_or_default();
    let rows = page
        .items
        .iter()
        .map(|task| task_row(t, task, &viewer_dept))
        .collect();
    let departments = departments::list(&state.db, false).await?;
    let fields = tasks::query::list_fields(&state.db).await?;
    let programmes = programmes::list(&state.db).await?;
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    let (heading, intro) = if policy::can(&user, Action::ReadAllDepartments, None) {
        (t.get("nav_tasks").to_string(), String::new())
    } else {
        // The principal carries the unit's name (read with the session).
        let department_name = user
            .department_name
            .clone()
            .unwrap_or_else(|| viewer_dept.clone());
        (
            format!("{} — {}", t.get("nav_my_tasks"), department_name),
            t.get("staff_help").to_string(),
        )
    };
    let staff = !policy::can(&user, Action::ReadAllDepartments, None);
    let switch = if staff {
        view_switch::involvement_switch(
            &req,
            t,
            &viewer_dept,
            raw.involvement.as_deref(),
            raw.department.as_deref(),
        )
    } else {
        choice.switch
    };
    let mut hidden = hidden_fields(&raw, staff);
    if choice.whole_asked {
        hidden.push(Hidden {
            name: "scope",
            value: view_switch::SCOPE_ALL.to_string(),
        });
    }
    let had_flash = page_ctx.flash.is_some();
    let view = ListPage {
        banner: banner(
            t,
            &filter,
            page.total,
            &departments,
            &fields,
            state.clock.timezone(),
        ),
        as_of: format::date_input(raw.as_of.as_deref().unwrap_or_default()),
        hidden,
        view_switch: switch,
        export_link: {
            // The leader's own view is the default, not in the address.
            let mut link = export_link(&req);
            if let Some(l) = raw.leader.as_deref()
                && !req.query_string().contains("leader=")
            {
                let pair: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("leader", l)
                    .finish();
                link.push('&');
                link.push_str(&pair);
            }
            link
        },
        heading,
        intro,
        rows,
        total: page.total,
        page: page.page,
        pages,
        q: raw.q.clone().unwrap_or_default(),
        years: year_choices(t, &programmes, raw.year.as_deref().unwrap_or("")),
        departments: format::department_filter(
            t,
            &departments,
            raw.department.as_deref().unwrap_or(""),
        ),
        fields: format::field_filter(t, &fields, raw.field.as_deref().unwrap_or("")),
        timeliness: timeliness_choices(t, raw.timeliness.as_deref().unwrap_or("")),
        statuses: status_choices(t, raw.status.as_deref().unwrap_or("")),
        prev_link: (page.page > 1).then(|| link_with_page(&req, page.page - 1)),
        next_link: (page.page < pages).then(|| link_with_page(&req, page.page + 1)),
        can_create: policy::can(&user, Action::CreateTask, None),
        ctx: page_ctx,
    };
    Ok(render(StatusCode::OK, &view, had_flash))
}
