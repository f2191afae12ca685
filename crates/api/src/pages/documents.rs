//! Documents: the list with filters, and recording a reminder document
//! (số, ngày, người ký, trích yếu) linked to tasks in one form.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Error,
    accounts::policy::{self, Action},
    documents::{self, NewDocument, NewLink, RawDocumentQuery},
    domain::{DocumentKind, Timeliness},
    tasks::{self, TaskFilter},
};

use super::{
    Ctx, FormPage, PageError, PageUser, PostedForm, ctx,
    format::{self, Choice},
    redirect_with, render,
};
use crate::state::AppState;

pub struct DocRow {
    pub id: i64,
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
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let mut page_ctx = ctx(&req, Some(user.clone()), "documents");
    let t = page_ctx.t;
    let mut raw = query.into_inner();
    raw.per_page = Some("200".into());
    let page = page_ctx.flash_invalid(documents::list(&state.db, &user, &raw).await, || {
        tasks::Page {
            items: Vec::new(),
            total: 0,
            page: 1,
            per_page: 200,
        }
    })?;
    let kind = raw.kind.clone().unwrap_or_default();
    let relation = raw.relation.clone().unwrap_or_default();
    let view = ListPage {
        rows: page
            .items
            .iter()
            .map(|d| DocRow {
                id: d.id,
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
    Ok(render(StatusCode::OK, &view, had_flash))
}

pub struct TaskOption {
    pub id: i64,
    /// `id` as the checkbox's value (to find it in a kept form).
    pub value: String,
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
    /// The task whose page the form was opened from ("" if none).
    from_task: String,
    /// Today as a date picker's value (yyyy-mm-dd): the default issue day
    /// and the latest one (a document is not issued in the future).
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
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::RecordDocument, None)?;
    let today = state.today();
    // Late and soon-due tasks are the ones reminder documents are about.
    let filter = TaskFilter {
        timeliness: vec![Timeliness::Overdue, Timeliness::DueSoon],
        per_page: 200,
        ..Default::default()
    };
    let mut open = tasks::list(
        &state.db,
        &state.facts,
        &filter,
        today,
        state.due_soon_days(),
    )
    .await?
    .items;
    // Coming from a task's page: that task is offered (and ticked) even if
    // it is neither overdue nor due soon. A task that does not exist is
    // just not offered.
    if let Some(id) = query.task
        && !open.iter().any(|t| t.id == id)
    {
        match tasks::query::get(&state.db, id, today, state.due_soon_days()).await {
            Ok(task) => open.insert(0, task),
            Err(Error::NotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
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
                value: task.id.to_string(),
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
        from_task: query.task.map(|id| id.to_string()).unwrap_or_default(),
        today: today.to_string(),
        signer: user.full_name.clone(),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// The new document form.
pub struct NewDocumentForm;

impl FormPage for NewDocumentForm {
    const PAGE: &'static str = "/documents/new";

    /// Back to the form as it was opened: from a task's page, that task
    /// is offered again (`?task=`).
    fn back(_req: &HttpRequest, form: &super::Form) -> String {
        match form
            .get("from_task")
            .and_then(|t| t.trim().parse::<i64>().ok())
        {
            Some(id) => format!("{}?task={id}", Self::PAGE),
            None => Self::PAGE.to_string(),
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    posted: PostedForm<NewDocumentForm>,
) -> Result<HttpResponse, PageError> {
    let (form, t) = (&posted.form, posted.t);
    let relation = form.get("relation").unwrap_or("reminds").to_string();
    let mut links = Vec::new();
    for id in form.all("task_ids") {
        match id.parse::<i64>() {
            Ok(task_id) => links.push(NewLink {
                task_id,
                relation: relation.clone(),
            }),
            Err(_) => return Err(PageError::back(&posted.back, t.get("error_help"))),
        }
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
    documents::create_with_typed_report_back(
        &state.db,
        &state.clock,
        &posted.user,
        input,
        &form.text("report_back_on"),
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with("/documents", true, t.get("document_saved")))
}
