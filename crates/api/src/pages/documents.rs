//! Documents: the list with filters, and recording a reminder document
//! (số, ngày, người ký, trích yếu) linked to tasks in one form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    documents::{self, NewDocument, NewLink, RawDocumentQuery},
    domain::{DocumentKind, Timeliness},
    tasks::{self, TaskFilter},
};

use super::{
    Ctx, ctx, describe_error, error_page, format, page_user, posted_form, redirect_with, render,
    tasks::Choice,
};
use crate::state::AppState;

pub struct DocRow {
    pub number: String,
    pub kind: String,
    pub title: String,
    pub issued_on: String,
    pub signer: String,
    pub tasks: Vec<(i64, String, bool)>,
}

#[derive(Template)]
#[template(path = "documents_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<DocRow>,
    total: u64,
    kinds: Vec<Choice>,
    relations: Vec<Choice>,
    year: String,
    can_record: bool,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawDocumentQuery>,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut page_ctx = ctx(&req, Some(user.clone()), "documents");
    let t = page_ctx.t;
    let mut raw = query.into_inner();
    raw.per_page = Some("200".into());
    let page = match documents::list(&state.db, &user, &raw).await {
        Ok(p) => p,
        Err(err @ dondoc_core::Error::Validation(_)) => {
            page_ctx.flash = Some(super::Flash {
                ok: false,
                text: describe_error(t, &err),
            });
            tasks::Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                per_page: 200,
            }
        }
        Err(err) => return error_page(&req, Some(user), err),
    };
    let kind = raw.kind.clone().unwrap_or_default();
    let relation = raw.relation.clone().unwrap_or_default();
    let view = ListPage {
        rows: page
            .items
            .iter()
            .map(|d| DocRow {
                number: d.number.clone(),
                kind: d.kind.label(t.0).to_string(),
                title: d.title.clone(),
                issued_on: format::date(d.issued_on),
                signer: d.signer.clone(),
                tasks: d
                    .links
                    .iter()
                    .map(|l| {
                        (
                            l.task_id,
                            l.task_code.clone(),
                            l.relation == dondoc_core::domain::LinkRelation::Reminds,
                        )
                    })
                    .collect(),
            })
            .collect(),
        total: page.total,
        kinds: std::iter::once((String::new(), t.get("all_kinds").to_string()))
            .chain(
                DocumentKind::ALL
                    .iter()
                    .map(|k| (k.as_str().to_string(), k.label(t.0).to_string())),
            )
            .map(|(value, label)| Choice {
                selected: value == kind,
                value,
                label,
            })
            .collect(),
        relations: [
            (String::new(), t.get("all_kinds").to_string()),
            (
                "reminds".to_string(),
                t.get("reminder_documents").to_string(),
            ),
            ("assigns".to_string(), t.get("source_document").to_string()),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == relation,
            value,
            label,
        })
        .collect(),
        year: raw.year.clone().unwrap_or_default(),
        can_record: policy::can(&user, Action::RecordDocument, None),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    render(StatusCode::OK, &view, had_flash)
}

pub struct TaskOption {
    pub id: i64,
    pub label: String,
    pub overdue: bool,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "document_new.html")]
struct NewPage {
    ctx: Ctx,
    kinds: Vec<Choice>,
    tasks: Vec<TaskOption>,
    today: String,
    signer: String,
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    task: Option<i64>,
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> HttpResponse {
    let user = match page_user(&req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(err) = policy::require(&user, Action::RecordDocument, None) {
        return error_page(&req, Some(user), err);
    }
    let today = state.today();
    // Late and soon-due tasks are the ones reminder documents are about.
    let filter = TaskFilter {
        timeliness: vec![Timeliness::Overdue, Timeliness::DueSoon],
        per_page: 200,
        ..Default::default()
    };
    let mut open = tasks::list(&state.db, &filter, today, state.due_soon_days())
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    // Coming from a task's page: that task is offered (and ticked) even if
    // it is neither overdue nor due soon.
    if let Some(id) = query.task
        && !open.iter().any(|t| t.id == id)
        && let Ok(task) = tasks::query::get(&state.db, id, today, state.due_soon_days()).await
    {
        open.insert(0, task);
    }
    let page_ctx = ctx(&req, Some(user.clone()), "documents");
    let t = page_ctx.t;
    let view = NewPage {
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| Choice {
                selected: *k == DocumentKind::OfficialLetter,
                value: k.as_str().to_string(),
                label: k.label(t.0).to_string(),
            })
            .collect(),
        tasks: open
            .iter()
            .map(|task| TaskOption {
                id: task.id,
                label: format!(
                    "{} — {} ({}, {})",
                    task.code,
                    task.title,
                    task.lead_department.name,
                    format::badge(t, task).text
                ),
                overdue: task.timeliness == Some(Timeliness::Overdue),
                checked: query.task == Some(task.id),
            })
            .collect(),
        today: format::date(today),
        signer: user.full_name.clone(),
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
    let (user, form, t) = match posted_form(&req, &body, "/documents/new").await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    let relation = form.get("relation").unwrap_or("reminds").to_string();
    let mut bad_ids = false;
    let links: Vec<NewLink> = form
        .all("task_ids")
        .into_iter()
        .filter_map(|id| match id.parse::<i64>() {
            Ok(task_id) => Some(NewLink {
                task_id,
                relation: relation.clone(),
            }),
            Err(_) => {
                bad_ids = true;
                None
            }
        })
        .collect();
    if bad_ids {
        return redirect_with("/documents/new", false, t.get("error_help"));
    }
    let input = NewDocument {
        number: form.text("number"),
        kind: form.text("kind"),
        title: form.text("title"),
        issued_on: form.text("issued_on"),
        signer: form.text("signer"),
        links,
        report_back_on: None,
    };
    match documents::create(&state.db, &state.clock, &user, input).await {
        Ok(_) => redirect_with("/documents", true, t.get("document_saved")),
        Err(dondoc_core::Error::Forbidden(why)) => {
            error_page(&req, Some(user), dondoc_core::Error::Forbidden(why))
        }
        Err(err) => redirect_with("/documents/new", false, &describe_error(t, &err)),
    }
}
