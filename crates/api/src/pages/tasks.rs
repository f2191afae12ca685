//! Task pages: the list ("Nhiệm vụ của đơn vị" for staff), the task page with
//! its one update form, extension requests, and leaders' confirmation.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    domain::{ExtensionState, TaskStatus, Timeliness},
    tasks::history::{self, HistoryEntry},
    tasks::recurrence::{self, RecurrenceInput},
    tasks::{
        self, RawTaskQuery, TaskSort, access,
        commands::{self, TaskPatch},
        creation::NewTask,
        detail::{self, TaskDetail},
    },
};

use super::{
    Ctx, Form, Tr, ctx, describe_error, error_page,
    format::{self, TaskRow, task_row},
    page_user, posted_form, redirect_with, render,
};
use crate::state::AppState;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(options: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
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

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawTaskQuery>,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut page_ctx = ctx(&req, Some(user.clone()), "tasks");
    let t = page_ctx.t;
    let mut raw = query.into_inner();
    if raw.sort.as_deref().is_none_or(str::is_empty) {
        raw.sort = Some("attention".into());
    }
    let mut filter = match raw.parse() {
        Ok(f) => f,
        Err(err) => {
            page_ctx.flash = Some(super::Flash {
                ok: false,
                text: describe_error(t, &err),
            });
            tasks::TaskFilter {
                sort: TaskSort::Attention,
                ..Default::default()
            }
        }
    };
    filter.visible_to_department = policy::visible_department(&user);
    let today = state.today();
    let result = tasks::list(&state.db, &filter, today, state.due_soon_days()).await;
    let page = match result {
        Ok(p) => p,
        Err(err) => {
            page_ctx.flash = Some(super::Flash {
                ok: false,
                text: describe_error(t, &err),
            });
            tasks::Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page: filter.per_page,
            }
        }
    };
    let viewer_dept = user.department_code.clone().unwrap_or_default();
    let rows = page
        .items
        .iter()
        .map(|task| task_row(t, task, &viewer_dept))
        .collect();
    let departments = dondoc_core::org::departments::list(&state.db, false)
        .await
        .unwrap_or_default();
    let fields = tasks::query::list_fields(&state.db)
        .await
        .unwrap_or_default();
    let programmes = dondoc_core::org::programmes::list(&state.db)
        .await
        .unwrap_or_default();
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    let is_staff = !policy::can(&user, Action::ReadAllDepartments, None);
    let department_name = match user.department_id {
        Some(id) => dondoc_core::org::departments::find_by_id(&state.db, id)
            .await
            .ok()
            .flatten()
            .map(|d| d.name)
            .unwrap_or_else(|| viewer_dept.clone()),
        None => viewer_dept.clone(),
    };
    let (heading, intro) = if is_staff {
        (
            format!("{} — {}", t.get("nav_my_tasks"), department_name),
            t.get("staff_help").to_string(),
        )
    } else {
        (t.get("nav_tasks").to_string(), String::new())
    };
    let selected_timeliness = raw.timeliness.clone().unwrap_or_default();
    let had_flash = page_ctx.flash.is_some();
    let view = ListPage {
        heading,
        intro,
        rows,
        total: page.total,
        page: page.page,
        pages,
        q: raw.q.clone().unwrap_or_default(),
        years: choices(
            std::iter::once((String::new(), t.get("all_timeliness").to_string()))
                .chain(
                    programmes
                        .iter()
                        .map(|p| (p.year.to_string(), p.year.to_string())),
                )
                .collect(),
            raw.year.as_deref().unwrap_or(""),
        ),
        departments: choices(
            std::iter::once((String::new(), t.get("all_departments").to_string()))
                .chain(departments.iter().map(|d| (d.code.clone(), d.name.clone())))
                .collect(),
            raw.department.as_deref().unwrap_or(""),
        ),
        fields: choices(
            std::iter::once((String::new(), t.get("all_fields").to_string()))
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
                .collect(),
            raw.field.as_deref().unwrap_or(""),
        ),
        timeliness: choices(
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
            &selected_timeliness,
        ),
        statuses: choices(
            std::iter::once((String::new(), t.get("all_statuses").to_string()))
                .chain(
                    TaskStatus::ALL
                        .iter()
                        .map(|s| (s.as_str().to_string(), format::status(t, *s).to_string())),
                )
                .collect(),
            raw.status.as_deref().unwrap_or(""),
        ),
        prev_link: (page.page > 1).then(|| link_with_page(&req, page.page - 1)),
        next_link: (page.page < pages).then(|| link_with_page(&req, page.page + 1)),
        can_create: policy::can(&user, Action::CreateTask, None),
        ctx: page_ctx,
    };
    render(StatusCode::OK, &view, had_flash)
}

pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub change: String,
    pub note: String,
}

pub struct DocumentLine {
    pub number: String,
    pub kind: String,
    pub title: String,
    pub issued_on: String,
    pub reminds: bool,
}

pub struct NoticeLine {
    pub at: String,
    pub subject: String,
    pub state_key: String,
    pub recipients: String,
    pub error: String,
}

pub struct ExtensionLine {
    pub id: i64,
    pub requested: String,
    pub previous: String,
    pub reason: String,
    pub by: String,
    pub state: String,
    pub pending: bool,
    pub decision: String,
}

#[derive(Template)]
#[template(path = "task_show.html")]
struct ShowPage {
    ctx: Ctx,
    task: TaskRow,
    detail: TaskDetail,
    description: String,
    result_note: String,
    completed_on: String,
    completed_on_input: String,
    due_input: String,
    history: Vec<HistoryLine>,
    documents: Vec<DocumentLine>,
    notices: Vec<NoticeLine>,
    extensions: Vec<ExtensionLine>,
    status_choices: Vec<Choice>,
    has_pending_extension: bool,
    is_open: bool,
    is_reported: bool,
    explain: super::explanations::TaskExplanations,
    series: Option<SeriesBlock>,
    recurrence_choices: Vec<Choice>,
    recurrence_day: String,
    recurrence_month: String,
}

pub struct OccurrenceLine {
    pub task_id: i64,
    pub code: String,
    pub period: String,
    pub due: String,
    pub status: String,
    pub current: bool,
}

/// A task's recurring series, as the task page shows it.
pub struct SeriesBlock {
    pub description: String,
    pub active: bool,
    pub next_due: String,
    pub next_created_on: String,
    pub occurrences: Vec<OccurrenceLine>,
}

fn recurrence_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(
        [
            ("", "recurrence_none"),
            ("monthly", "recurrence_monthly"),
            ("quarterly", "recurrence_quarterly"),
            ("yearly", "recurrence_yearly"),
        ]
        .into_iter()
        .map(|(v, k)| (v.to_string(), t.get(k).to_string()))
        .collect(),
        selected,
    )
}

fn action_label(t: Tr, action: &str) -> String {
    let (vi, en) = match action {
        history::action::CREATED => ("Giao nhiệm vụ", "Assigned"),
        history::action::UPDATED => ("Cập nhật", "Updated"),
        history::action::NOTE => ("Ghi chú", "Note"),
        history::action::REPORTED_DONE => ("Báo cáo hoàn thành", "Reported done"),
        history::action::CONFIRMED => ("Xác nhận hoàn thành", "Confirmed"),
        history::action::RETURNED => ("Trả lại", "Returned"),
        history::action::REOPENED => ("Mở lại", "Re-opened"),
        history::action::CANCELLED => ("Hủy", "Cancelled"),
        dondoc_core::followup::explanations::HISTORY_REQUESTED => {
            ("Yêu cầu giải trình", "Explanation requested")
        }
        dondoc_core::followup::explanations::HISTORY_ANSWERED => {
            ("Giải trình", "Explanation given")
        }
        history::action::EXTENSION_REQUESTED => ("Đề nghị gia hạn", "Extension requested"),
        history::action::EXTENSION_APPROVED => ("Đồng ý gia hạn", "Extension approved"),
        history::action::EXTENSION_REJECTED => ("Không đồng ý gia hạn", "Extension rejected"),
        history::action::DOCUMENT_LINKED => ("Văn bản", "Document"),
        history::action::IMPORTED => ("Nhập từ tệp", "Imported"),
        history::action::RECURRED => ("Giao kỳ mới (định kỳ)", "Next occurrence assigned"),
        other => (other, other),
    };
    if t.is_en() {
        en.to_string()
    } else {
        vi.to_string()
    }
}

fn value_label(t: Tr, field: &str, value: &str) -> String {
    match field {
        "status" => value
            .parse::<TaskStatus>()
            .map(|s| format::status(t, s).to_string())
            .unwrap_or_else(|_| value.to_string()),
        "due_date" | "completed_on" | "answer_by" => {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(format::date)
                .unwrap_or_else(|_| value.to_string())
        }
        _ => value.to_string(),
    }
}

fn history_lines(t: Tr, entries: Vec<HistoryEntry>, tz: chrono_tz::Tz) -> Vec<HistoryLine> {
    entries
        .into_iter()
        .rev()
        .map(|e| {
            let change = match (&e.field, &e.old_value, &e.new_value) {
                (Some(field), old, Some(new)) => {
                    let old = old
                        .as_deref()
                        .map(|o| value_label(t, field, o))
                        .unwrap_or_default();
                    let new = value_label(t, field, new);
                    if old.is_empty() {
                        format!("{}: {new}", t.get(field))
                    } else {
                        format!("{}: {old} → {new}", t.get(field))
                    }
                }
                _ => String::new(),
            };
            HistoryLine {
                at: format::datetime(e.at, tz),
                who: e.actor.map(|a| a.full_name).unwrap_or_default(),
                what: action_label(t, &e.action),
                change,
                note: e.note.unwrap_or_default(),
            }
        })
        .collect()
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = path.into_inner();
    let today = state.today();
    let detail = match detail::get(&state.db, &user, id, today, state.due_soon_days()).await {
        Ok(d) => d,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let entries = match history::for_task(&state.db, id).await {
        Ok(h) => h,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let series = match recurrence::for_task(&state.db, &user, id).await {
        Ok(s) => s,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let page_ctx = ctx(&req, Some(user.clone()), "tasks");
    let t = page_ctx.t;
    let explain = match access::load_for(&state.db, &user, id, Action::ReadTask).await {
        Ok((_, scope)) => {
            match super::explanations::for_task_page(&state, &user, &detail.task, &scope, t).await {
                Ok(e) => e,
                Err(err) => return error_page(&req, Some(user), err),
            }
        }
        Err(err) => return error_page(&req, Some(user), err),
    };
    let tz = state.clock.timezone();
    let viewer_dept = user.department_code.clone().unwrap_or_default();
    let row = task_row(t, &detail.task, &viewer_dept);
    let (recurrence_selected, recurrence_day, recurrence_month) = match &series {
        Some(s) if s.active => (
            s.frequency.as_str().to_string(),
            s.day.to_string(),
            s.month.to_string(),
        ),
        _ => (
            String::new(),
            chrono::Datelike::day(&detail.task.due_date).to_string(),
            String::new(),
        ),
    };
    let series = series.map(|s| SeriesBlock {
        description: if t.is_en() {
            s.description_en.clone()
        } else {
            s.description_vi.clone()
        },
        active: s.active,
        next_due: format::opt_date(s.next_due_date),
        next_created_on: format::opt_date(s.next_created_on),
        occurrences: s
            .occurrences
            .iter()
            .map(|o| OccurrenceLine {
                task_id: o.task_id,
                code: o.code.clone(),
                period: o.period.clone(),
                due: format::date(o.due_date),
                status: format::status(t, o.status).to_string(),
                current: o.task_id == id,
            })
            .collect(),
    });
    let mut statuses = vec![
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::ReportedDone,
    ];
    if detail.permissions.confirm && detail.task.status != TaskStatus::ReportedDone {
        statuses.push(TaskStatus::Completed);
    }
    if detail.permissions.reopen_or_cancel {
        statuses.push(TaskStatus::Cancelled);
    }
    if !statuses.contains(&detail.task.status) {
        statuses.insert(0, detail.task.status);
    }
    let status_choices = choices(
        statuses
            .iter()
            .map(|s| (s.as_str().to_string(), format::status(t, *s).to_string()))
            .collect(),
        detail.task.status.as_str(),
    );
    let extensions: Vec<ExtensionLine> = detail
        .extension_requests
        .iter()
        .map(|e| ExtensionLine {
            id: e.id,
            requested: format::date(e.requested_due_date),
            previous: format::date(e.previous_due_date),
            reason: e.reason.clone(),
            by: e
                .requested_by
                .as_ref()
                .map(|u| u.full_name.clone())
                .unwrap_or_default(),
            state: if t.is_en() {
                e.state.label_en()
            } else {
                e.state.label_vi()
            }
            .to_string(),
            pending: e.state == ExtensionState::Pending,
            decision: e.decision_note.clone().unwrap_or_default(),
        })
        .collect();
    let view = ShowPage {
        task: row,
        description: detail.task.description.clone(),
        result_note: detail.task.result_note.clone().unwrap_or_default(),
        completed_on: format::opt_date(detail.task.completed_on),
        // Empty until the task is done: the date is asked for when reporting completion.
        completed_on_input: format::opt_date(detail.task.completed_on),
        due_input: format::date(detail.task.due_date),
        history: history_lines(t, entries, tz),
        documents: detail
            .documents
            .iter()
            .map(|d| DocumentLine {
                number: d.document.number.clone(),
                kind: if t.is_en() {
                    d.document.kind.label_en()
                } else {
                    d.document.kind.label_vi()
                }
                .to_string(),
                title: d.document.title.clone(),
                issued_on: format::date(d.document.issued_on),
                reminds: d.relation == dondoc_core::domain::LinkRelation::Reminds,
            })
            .collect(),
        notices: detail
            .notices
            .iter()
            .map(|n| NoticeLine {
                at: format::datetime(n.sent_at.unwrap_or(n.created_at), tz),
                subject: n.subject.clone(),
                state_key: format!("notice_{}", n.state),
                recipients: n.recipients.join(", "),
                error: n.last_error.clone().unwrap_or_default(),
            })
            .collect(),
        has_pending_extension: extensions.iter().any(|e| e.pending),
        extensions,
        status_choices,
        is_open: detail.task.status.is_open(),
        is_reported: detail.task.status == TaskStatus::ReportedDone,
        explain,
        series,
        recurrence_choices: recurrence_choices(t, &recurrence_selected),
        recurrence_day,
        recurrence_month,
        detail,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    render(StatusCode::OK, &view, had_flash)
}

fn opt_text(form: &Form, key: &str) -> Option<String> {
    form.get(key).map(str::to_string)
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let id = path.into_inner();
    let back = format!("/tasks/{id}");
    let (user, form, t) = match posted_form(&req, &body, &back).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let progress = match form
        .get("progress")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => match p.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return redirect_with(&back, false, &format!("{}: {}", t.get("progress"), "0–100"));
            }
        },
        None => None,
    };
    let mut patch = TaskPatch {
        status: opt_text(&form, "status").filter(|s| !s.is_empty()),
        progress,
        note: opt_text(&form, "note").filter(|s| !s.trim().is_empty()),
        result_note: opt_text(&form, "result_note"),
        completed_on: opt_text(&form, "completed_on").filter(|s| !s.is_empty()),
        due_date: opt_text(&form, "due_date").filter(|s| !s.is_empty()),
        expected_version: form.get("version").and_then(|v| v.parse().ok()),
        ..Default::default()
    };
    // Only send what the person may change and actually changed: a
    // coordinating department's form has a note field only.
    let current = match tasks::query::get(&state.db, id, state.today(), state.due_soon_days()).await
    {
        Ok(c) => c,
        Err(err) => return error_page(&req, Some(user), err),
    };
    if patch.status.as_deref() == Some(current.status.as_str()) {
        patch.status = None;
    }
    if patch.progress == Some(i64::from(current.progress)) {
        patch.progress = None;
    }
    if patch.result_note.as_deref().map(str::trim)
        == Some(current.result_note.as_deref().unwrap_or("").trim())
    {
        patch.result_note = None;
    }
    let as_date = |text: &Option<String>| {
        text.as_deref()
            .and_then(|d| dondoc_core::domain::parse_date("", d).ok())
    };
    if as_date(&patch.due_date) == Some(current.due_date) {
        patch.due_date = None;
    }
    // The completion date field is always on the form; it only means
    // something when reporting done, or when correcting a done task's date.
    let reporting = patch
        .status
        .as_deref()
        .is_some_and(|s| s == "reported_done" || s == "completed");
    let unchanged_date = as_date(&patch.completed_on) == current.completed_on;
    if !reporting && (!current.status.is_done() || unchanged_date) {
        patch.completed_on = None;
    }
    if patch.status.is_none()
        && patch.progress.is_none()
        && patch.note.is_none()
        && patch.result_note.is_none()
        && patch.due_date.is_none()
        && patch.completed_on.is_none()
    {
        return redirect_with(&back, true, t.get("nothing_changed"));
    }
    match commands::update(&state.db, &state.clock, &user, id, patch).await {
        Ok(()) => redirect_with(&back, true, t.get("saved")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            super::error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with(&back, false, &describe_error(t, &err)),
    }
}

pub async fn request_extension(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let id = path.into_inner();
    let back = format!("/tasks/{id}");
    let (user, form, t) = match posted_form(&req, &body, &back).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match commands::request_extension(
        &state.db,
        &state.clock,
        &user,
        id,
        &form.text("requested_due_date"),
        &form.text("reason"),
    )
    .await
    {
        Ok(_) => redirect_with(&back, true, t.get("extension_sent")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            super::error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with(&back, false, &describe_error(t, &err)),
    }
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let id = path.into_inner();
    let back = format!("/tasks/{id}");
    let (user, form, t) = match posted_form(&req, &body, &back).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let accept = form.get("decision") == Some("accept");
    match commands::confirm(
        &state.db,
        &state.clock,
        &user,
        id,
        commands::Decision {
            accept,
            accept_completed_on: form.get("accept_completed_on") == Some("on"),
            note: form.text("note"),
        },
        form.get("version").and_then(|v| v.parse().ok()),
    )
    .await
    {
        Ok(()) => redirect_with(&back, true, t.get("saved")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            super::error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with(&back, false, &describe_error(t, &err)),
    }
}

/// The recurrence form of the task page: a frequency sets or changes the
/// rule, "does not recur" stops the series.
pub async fn set_recurrence(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: web::Bytes,
) -> HttpResponse {
    let id = path.into_inner();
    let back = format!("/tasks/{id}");
    let (user, form, t) = match posted_form(&req, &body, &back).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let result = match recurrence_input(&form) {
        Some(input) => recurrence::set(&state.db, &state.clock, &user, id, &input)
            .await
            .map(|_| ()),
        None => match recurrence::stop(&state.db, &state.clock, &user, id).await {
            // Nothing recurring to stop: nothing changed.
            Err(dondoc_core::Error::NotFound(_)) => {
                return redirect_with(&back, true, t.get("nothing_changed"));
            }
            other => other,
        },
    };
    match result {
        Ok(()) => redirect_with(&back, true, t.get("saved")),
        Err(err @ (dondoc_core::Error::Forbidden(_) | dondoc_core::Error::NotFound(_))) => {
            error_page(&req, Some(user), err)
        }
        Err(err) => redirect_with(&back, false, &describe_error(t, &err)),
    }
}

/// `recurrence_frequency`, `recurrence_day`, `recurrence_month` of a form;
/// `None` when the frequency is empty (does not recur). A number that does
/// not parse becomes 0, which the rule refuses naming the field.
fn recurrence_input(form: &Form) -> Option<RecurrenceInput> {
    let frequency = form.text("recurrence_frequency");
    if frequency.trim().is_empty() {
        return None;
    }
    let number = |key: &str| {
        form.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<i64>().unwrap_or(0))
    };
    Some(RecurrenceInput {
        frequency,
        day: number("recurrence_day"),
        month: number("recurrence_month"),
    })
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct NewPage {
    ctx: Ctx,
    recurrence_choices: Vec<Choice>,
    year: i32,
    departments: Vec<Choice>,
    fields: Vec<Choice>,
    leaders: Vec<Choice>,
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(err) = policy::require(&user, Action::CreateTask, None) {
        return error_page(&req, Some(user), err);
    }
    let page_ctx = ctx(&req, Some(user), "tasks");
    let t = page_ctx.t;
    let departments = dondoc_core::org::departments::list(&state.db, false)
        .await
        .unwrap_or_default();
    let fields = tasks::query::list_fields(&state.db)
        .await
        .unwrap_or_default();
    let leaders = dondoc_core::accounts::users::list(&state.db)
        .await
        .unwrap_or_default();
    let view = NewPage {
        recurrence_choices: recurrence_choices(t, ""),
        year: chrono::Datelike::year(&state.today()),
        departments: choices(
            departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
            "",
        ),
        fields: choices(
            fields
                .iter()
                .map(|f| {
                    (
                        f.code.clone(),
                        if t.is_en() {
                            f.name_en.clone()
                        } else {
                            f.name_vi.clone()
                        },
                    )
                })
                .collect(),
            "",
        ),
        leaders: choices(
            std::iter::once((String::new(), "—".to_string()))
                .chain(
                    leaders
                        .iter()
                        .filter(|u| u.active && u.role == dondoc_core::domain::Role::Leader)
                        .map(|u| (u.username.clone(), u.full_name.clone())),
                )
                .collect(),
            "",
        ),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    render(StatusCode::OK, &view, had_flash)
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let (user, form, t) = match posted_form(&req, &body, "/tasks/new").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let input = NewTask {
        year: form.get("year").and_then(|y| y.parse().ok()).unwrap_or(0),
        code: form.text("code"),
        title: form.text("title"),
        description: opt_text(&form, "description"),
        field: form.text("field"),
        lead_department: form.text("lead_department"),
        coordinating_departments: form
            .all("coordinating_departments")
            .into_iter()
            .map(str::to_string)
            .collect(),
        leader_in_charge: opt_text(&form, "leader_in_charge"),
        due_date: form.text("due_date"),
        source_document_id: None,
    };
    let recurrence = recurrence_input(&form);
    match recurrence::create_task(
        &state.db,
        &state.clock,
        &state.settings.organization.name,
        &user,
        input,
        recurrence.as_ref(),
    )
    .await
    {
        Ok(id) => redirect_with(&format!("/tasks/{id}"), true, t.get("saved")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with("/tasks/new", false, &describe_error(t, &err)),
    }
}
