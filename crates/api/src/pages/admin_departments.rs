//! The administration's units (đơn vị): a searchable, sortable, paged
//! table, "add" at the top, and an edit page per unit (name, kind,
//! notification e-mail, active). The code is the unit's stable key and is
//! not edited. Administrators only; CSRF on every form; changes logged to
//! the `audit` target.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Error,
    accounts::policy::{self, Action},
    domain::DepartmentKind,
    org::{
        departments::{self, Department, DepartmentChanges, NewDepartment},
        tables::{self, DEPARTMENT_SORTS, RawTableQuery},
    },
};

use super::{
    Ctx, Form, FormPage, PageError, PageUser, PostedForm, Tr,
    admin_kit::{Column, FieldErrors, columns, encode, pager},
    admin_users::status_choices,
    ctx,
    format::{Choice, choices},
    redirect_with, render,
};
use crate::state::AppState;

/// The unit forms: administrators only, before the form is read.
pub struct DepartmentForm;

impl FormPage for DepartmentForm {
    const PAGE: &'static str = "/admin/departments";
    const GATE: Option<Action> = Some(Action::ManageDepartments);

    fn back(req: &HttpRequest, _: &Form) -> String {
        match req.match_info().get("code") {
            Some(code) => format!("/admin/departments/{}", encode(code)),
            None => Self::PAGE.to_string(),
        }
    }
}

pub struct DepartmentRow {
    pub code: String,
    pub link: String,
    pub name: String,
    pub kind: String,
    pub email: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_departments.html")]
struct DepartmentsPage {
    ctx: Ctx,
    rows: Vec<DepartmentRow>,
    total: u64,
    page: u64,
    pages: u64,
    prev_link: String,
    next_link: String,
    columns: Vec<Column>,
    q: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
}

fn kind_choices(t: Tr, first: Option<&str>, selected: &str) -> Vec<Choice> {
    let mut options: Vec<(String, String)> = first
        .map(|label| (String::new(), t.get(label)))
        .into_iter()
        .collect();
    options.extend(
        DepartmentKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), k.label(t.0))),
    );
    choices(options, selected)
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawTableQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let raw = query.into_inner();
    let mut page_ctx = ctx(&req, Some(user), "admin");
    let t = page_ctx.t;
    let table = page_ctx
        .flash_invalid(tables::departments(&state.db, &raw).await.map(Some), || {
            None
        })?;
    let parsed = raw.parse(DEPARTMENT_SORTS).ok();
    let (sort, desc) = parsed
        .as_ref()
        .map_or(("code", false), |p| (p.sort, p.desc));
    let (total, page, pages) = table
        .as_ref()
        .map_or((0, 1, 1), |p| (p.total, p.page, p.pages));
    let (prev_link, next_link) = pager("/admin/departments", &raw, page, pages);
    let rows = table
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|d| DepartmentRow {
            link: format!("/admin/departments/{}", encode(&d.code)),
            kind: d.kind.label(t.0),
            email: d.email.clone().unwrap_or_default(),
            code: d.code,
            name: d.name,
            active: d.active,
        })
        .collect();
    let view = DepartmentsPage {
        rows,
        total,
        page,
        pages,
        prev_link,
        next_link,
        columns: columns(
            t,
            "/admin/departments",
            &raw,
            sort,
            desc,
            &[
                ("code", "code"),
                ("name", "name"),
                ("kind", "department_kind"),
                ("email", "email"),
                ("status", "status"),
            ],
        ),
        q: raw.q.clone().unwrap_or_default(),
        kinds: kind_choices(
            t,
            Some("admin-all-kinds"),
            raw.kind.as_deref().unwrap_or(""),
        ),
        statuses: status_choices(t, raw.status.as_deref().unwrap_or("")),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// What the unit form shows: the stored values, or those just typed.
#[derive(Default)]
pub struct DepartmentValues {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub email: String,
    pub active: bool,
}

impl From<&Department> for DepartmentValues {
    fn from(d: &Department) -> Self {
        DepartmentValues {
            code: d.code.clone(),
            name: d.name.clone(),
            kind: d.kind.as_str().to_string(),
            email: d.email.clone().unwrap_or_default(),
            active: d.active,
        }
    }
}

impl DepartmentValues {
    fn posted(mut self, form: &Form) -> Self {
        for (key, slot) in [
            ("code", &mut self.code),
            ("name", &mut self.name),
            ("kind", &mut self.kind),
            ("email", &mut self.email),
        ] {
            if let Some(value) = form.get(key) {
                *slot = value.to_string();
            }
        }
        if let Some(active) = form.get("active") {
            self.active = active == "true";
        }
        self
    }
}

#[derive(Template)]
#[template(path = "admin_department_form.html")]
struct DepartmentFormPage {
    ctx: Ctx,
    is_new: bool,
    values: DepartmentValues,
    errors: FieldErrors,
    kinds: Vec<Choice>,
    action: String,
    /// The unit's accounts, for the link to them.
    users_link: String,
}

fn form_page(
    req: &HttpRequest,
    user: dondoc_core::accounts::principal::Principal,
    is_new: bool,
    values: DepartmentValues,
    errors: FieldErrors,
) -> DepartmentFormPage {
    let page_ctx = ctx(req, Some(user), "admin");
    let t = page_ctx.t;
    DepartmentFormPage {
        action: if is_new {
            "/admin/departments".to_string()
        } else {
            format!("/admin/departments/{}", encode(&values.code))
        },
        users_link: format!("/admin/users?department={}", encode(&values.code)),
        kinds: kind_choices(t, None, &values.kind),
        is_new,
        values,
        errors,
        ctx: page_ctx,
    }
}

fn show(page: &DepartmentFormPage, status: StatusCode) -> HttpResponse {
    render(status, page, page.ctx.flash.is_some())
}

pub async fn new_form(
    req: HttpRequest,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let values = DepartmentValues {
        kind: DepartmentKind::Office.as_str().to_string(),
        active: true,
        ..Default::default()
    };
    Ok(show(
        &form_page(&req, user, true, values, FieldErrors::default()),
        StatusCode::OK,
    ))
}

pub async fn edit_form(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let found = Department::from(departments::get_by_code(&state.db, &path.into_inner()).await?);
    Ok(show(
        &form_page(
            &req,
            user,
            false,
            DepartmentValues::from(&found),
            FieldErrors::default(),
        ),
        StatusCode::OK,
    ))
}

fn refused(
    req: &HttpRequest,
    posted: &PostedForm<DepartmentForm>,
    is_new: bool,
    values: DepartmentValues,
    err: Error,
) -> Result<HttpResponse, PageError> {
    match FieldErrors::of(posted.t, &err) {
        Some(errors) => Ok(show(
            &form_page(req, posted.user.clone(), is_new, values, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        None => Err(posted.refused_or_missing(err)),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<DepartmentForm>,
) -> Result<HttpResponse, PageError> {
    let form = &posted.form;
    let values = DepartmentValues {
        active: true,
        ..Default::default()
    }
    .posted(form);
    let input = NewDepartment {
        code: values.code.clone(),
        name: values.name.clone(),
        kind: values.kind.clone(),
        email: Some(values.email.clone()),
    };
    match departments::create(&state.db, &state.clock, input).await {
        Ok(created) => {
            tracing::info!(target: "audit", actor = %posted.user.username, action = "department.create", subject = %created.code);
            Ok(redirect_with(
                &format!("/admin/departments/{}", encode(&created.code)),
                true,
                posted.t.get("admin-department-created"),
            ))
        }
        Err(err) => refused(&req, &posted, true, values, err),
    }
}

pub async fn update(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    posted: PostedForm<DepartmentForm>,
) -> Result<HttpResponse, PageError> {
    let code = path.into_inner();
    let form = &posted.form;
    let changes = DepartmentChanges {
        name: form.get("name").map(str::to_string),
        kind: form.get("kind").map(str::to_string),
        email: form.get("email").map(|e| Some(e.to_string())),
        active: form.get("active").map(|a| a == "true"),
    };
    match departments::update(&state.db, &state.clock, &code, changes).await {
        Ok(saved) => {
            tracing::info!(target: "audit", actor = %posted.user.username, action = "department.update", subject = %saved.code);
            Ok(redirect_with(
                &format!("/admin/departments/{}", encode(&saved.code)),
                true,
                posted.t.get("saved"),
            ))
        }
        Err(err) => {
            let stored = Department::from(departments::get_by_code(&state.db, &code).await?);
            let values = DepartmentValues::from(&stored).posted(form);
            refused(&req, &posted, false, values, err)
        }
    }
}
