//! The administration's accounts: a searchable, sortable, paged table; an
//! edit page per account (name, e-mail, job title, role, department,
//! active); "add" at the top; and the password reset as one action that
//! shows a temporary password once and makes its owner change it at the
//! next login. Every handler is for administrators only (the forms' gate
//! and `policy::require`), every form carries the CSRF token, and every
//! change is written to the log's `audit` target.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    Error,
    accounts::{
        passwords::temporary_password,
        policy::{self, Action},
        users::{self, NewUser, UserChanges, UserView},
    },
    domain::Role,
    org::{
        departments,
        tables::{self, RawTableQuery, USER_SORTS},
    },
};

use super::{
    Ctx, Form, FormPage, PageError, PageUser, PostedForm, Tr,
    admin_kit::{Column, FieldErrors, columns, encode, pager},
    ctx,
    format::{Choice, choices},
    redirect_with, render,
};
use crate::state::AppState;

/// The account forms: administrators only, before the form is read.
pub struct UserForm;

impl FormPage for UserForm {
    const PAGE: &'static str = "/admin/users";
    const GATE: Option<Action> = Some(Action::ManageUsers);

    fn back(req: &HttpRequest, _: &Form) -> String {
        match req.match_info().get("username") {
            Some(name) => format!("/admin/users/{}", encode(name)),
            None => Self::PAGE.to_string(),
        }
    }
}

pub struct UserRow {
    pub username: String,
    pub link: String,
    pub full_name: String,
    pub position: String,
    pub role: String,
    pub department: String,
    pub email: String,
    pub active: bool,
    pub must_change_password: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    ctx: Ctx,
    rows: Vec<UserRow>,
    total: u64,
    page: u64,
    pages: u64,
    prev_link: String,
    next_link: String,
    columns: Vec<Column>,
    q: String,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    statuses: Vec<Choice>,
}

fn role_choices(t: Tr, first: Option<&str>, selected: &str) -> Vec<Choice> {
    let mut options: Vec<(String, String)> = first
        .map(|label| (String::new(), t.get(label)))
        .into_iter()
        .collect();
    options.extend(
        Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), r.label(t.0))),
    );
    choices(options, selected)
}

pub fn status_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(
        vec![
            (String::new(), t.get("admin-all-statuses")),
            ("active".into(), t.get("active")),
            ("inactive".into(), t.get("inactive")),
        ],
        selected,
    )
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawTableQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageUsers, None)?;
    let raw = query.into_inner();
    let mut page_ctx = ctx(&req, Some(user), "admin");
    let t = page_ctx.t;
    let table = page_ctx.flash_invalid(tables::users(&state.db, &raw).await.map(Some), || None)?;
    let parsed = raw.parse(USER_SORTS).ok();
    let (sort, desc) = parsed
        .as_ref()
        .map_or(("username", false), |p| (p.sort, p.desc));
    let all_departments = departments::list(&state.db, true).await?;
    let (total, page, pages) = table
        .as_ref()
        .map_or((0, 1, 1), |p| (p.total, p.page, p.pages));
    let (prev_link, next_link) = pager("/admin/users", &raw, page, pages);
    let rows = table
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|u| UserRow {
            link: format!("/admin/users/{}", encode(&u.username)),
            role: u.role.label(t.0),
            department: u.department_name.clone().unwrap_or_default(),
            position: u.position.clone().unwrap_or_default(),
            email: u.email.clone().unwrap_or_default(),
            username: u.username,
            full_name: u.full_name,
            active: u.active,
            must_change_password: u.must_change_password,
        })
        .collect();
    let view = UsersPage {
        rows,
        total,
        page,
        pages,
        prev_link,
        next_link,
        columns: columns(
            t,
            "/admin/users",
            &raw,
            sort,
            desc,
            &[
                ("username", "username"),
                ("full_name", "full_name"),
                ("position", "position"),
                ("role", "role"),
                ("department", "department"),
                ("email", "email"),
                ("status", "status"),
            ],
        ),
        q: raw.q.clone().unwrap_or_default(),
        roles: role_choices(
            t,
            Some("admin-all-roles"),
            raw.role.as_deref().unwrap_or(""),
        ),
        departments: super::format::department_filter(
            t,
            &all_departments,
            &raw.department
                .clone()
                .unwrap_or_default()
                .to_ascii_uppercase(),
        ),
        statuses: status_choices(t, raw.status.as_deref().unwrap_or("")),
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// What the account form shows: the stored values, or those just typed.
#[derive(Default)]
pub struct UserValues {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub position: String,
    pub role: String,
    pub department: String,
    pub active: bool,
    pub must_change_password: bool,
    /// `vi` or `en`.
    pub language: String,
}

impl From<&UserView> for UserValues {
    fn from(u: &UserView) -> Self {
        UserValues {
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone().unwrap_or_default(),
            position: u.position.clone().unwrap_or_default(),
            role: u.role.as_str().to_string(),
            department: u.department.clone().unwrap_or_default(),
            active: u.active,
            must_change_password: u.must_change_password,
            language: u.language.as_str().to_string(),
        }
    }
}

impl UserValues {
    /// The stored values with what the form posted over them.
    fn posted(mut self, form: &Form) -> Self {
        for (key, slot) in [
            ("username", &mut self.username),
            ("full_name", &mut self.full_name),
            ("email", &mut self.email),
            ("position", &mut self.position),
            ("role", &mut self.role),
            ("department", &mut self.department),
            ("language", &mut self.language),
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
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    ctx: Ctx,
    /// An account being added (no username yet) or edited.
    is_new: bool,
    values: UserValues,
    errors: FieldErrors,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    /// The account's language (edit page).
    languages: Vec<Choice>,
    /// A temporary password just set, shown this once.
    temporary_password: Option<String>,
    /// Whose password that is (an account just added has no edit page open yet).
    action: String,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    user: dondoc_core::accounts::principal::Principal,
    is_new: bool,
    values: UserValues,
    errors: FieldErrors,
    temporary_password: Option<String>,
) -> Result<UserFormPage, PageError> {
    let page_ctx = ctx(req, Some(user), "admin");
    let t = page_ctx.t;
    let all = departments::list(&state.db, true).await?;
    let mut options = vec![(String::new(), t.get("admin-no-department"))];
    options.extend(all.iter().map(|d| {
        let label = if d.active {
            d.name.clone()
        } else {
            format!("{} ({})", d.name, t.get("inactive"))
        };
        (d.code.clone(), label)
    }));
    Ok(UserFormPage {
        action: if is_new {
            "/admin/users".to_string()
        } else {
            format!("/admin/users/{}", encode(&values.username))
        },
        roles: role_choices(t, None, &values.role),
        departments: choices(options, &values.department),
        languages: choices(
            dondoc_core::domain::Language::ALL
                .iter()
                .map(|l| (l.as_str().to_string(), l.label(t.lang())))
                .collect(),
            &values.language,
        ),
        is_new,
        values,
        errors,
        temporary_password,
        ctx: page_ctx,
    })
}

fn show(page: &UserFormPage, status: StatusCode) -> HttpResponse {
    render(status, page, page.ctx.flash.is_some())
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageUsers, None)?;
    let values = UserValues {
        role: Role::Staff.as_str().to_string(),
        active: true,
        ..Default::default()
    };
    let page = form_page(
        &req,
        &state,
        user,
        true,
        values,
        FieldErrors::default(),
        None,
    )
    .await?;
    Ok(show(&page, StatusCode::OK))
}

pub async fn edit_form(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageUsers, None)?;
    let found = users::get(&state.db, &path.into_inner()).await?;
    let page = form_page(
        &req,
        &state,
        user,
        false,
        UserValues::from(&found),
        FieldErrors::default(),
        None,
    )
    .await?;
    Ok(show(&page, StatusCode::OK))
}

/// A refused form: shown again with what was typed and each message
/// beside its field (422); a refusal that is not about the input goes back
/// with its reason, or to the error page.
async fn refused(
    req: &HttpRequest,
    state: &AppState,
    posted: &PostedForm<UserForm>,
    is_new: bool,
    values: UserValues,
    err: Error,
) -> Result<HttpResponse, PageError> {
    match FieldErrors::of(posted.t, &err) {
        Some(errors) => {
            let page = form_page(
                req,
                state,
                posted.user.clone(),
                is_new,
                values,
                errors,
                None,
            )
            .await?;
            Ok(show(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        None => Err(posted.refused_or_missing(err)),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<UserForm>,
) -> Result<HttpResponse, PageError> {
    let form = &posted.form;
    let values = UserValues {
        active: true,
        ..Default::default()
    }
    .posted(form);
    let typed_password = form.text("password");
    let generated = typed_password.is_empty();
    let password = if generated {
        temporary_password(&values.username)
    } else {
        typed_password
    };
    let input = NewUser {
        username: values.username.clone(),
        full_name: values.full_name.clone(),
        email: Some(values.email.clone()),
        position: Some(values.position.clone()),
        role: values.role.clone(),
        department: Some(values.department.clone()),
        password: password.clone(),
        must_change_password: true,
    };
    let created = match users::create(&state.db, &state.clock, input).await {
        Ok(created) => created,
        Err(err) => return refused(&req, &state, &posted, true, values, err).await,
    };
    tracing::info!(target: "audit", actor = %posted.user.username, action = "user.create", subject = %created.username);
    let saved = posted.t.get("admin-user-created");
    if !generated {
        return Ok(redirect_with(
            &format!("/admin/users/{}", encode(&created.username)),
            true,
            saved,
        ));
    }
    let mut page = form_page(
        &req,
        &state,
        posted.user.clone(),
        false,
        UserValues::from(&created),
        FieldErrors::default(),
        Some(password),
    )
    .await?;
    page.ctx.flash = Some(super::Flash {
        ok: true,
        text: saved,
    });
    Ok(render(StatusCode::OK, &page, false))
}

pub async fn update(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    posted: PostedForm<UserForm>,
) -> Result<HttpResponse, PageError> {
    let username = path.into_inner();
    let form = &posted.form;
    let changes = UserChanges {
        full_name: form.get("full_name").map(str::to_string),
        email: form.get("email").map(|e| Some(e.to_string())),
        position: form.get("position").map(|p| Some(p.to_string())),
        role: form.get("role").map(str::to_string),
        department: form.get("department").map(|d| Some(d.to_string())),
        active: form.get("active").map(|a| a == "true"),
        // The former page's password box: still a reset to a chosen password.
        password: form
            .get("password")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        language: form.get("language").map(str::to_string),
    };
    match users::update(
        &state.db,
        &state.clock,
        posted.user.user_id,
        &username,
        changes,
    )
    .await
    {
        Ok(saved) => {
            tracing::info!(target: "audit", actor = %posted.user.username, action = "user.update", subject = %saved.username);
            Ok(redirect_with(
                &format!("/admin/users/{}", encode(&saved.username)),
                true,
                posted.t.get("saved"),
            ))
        }
        Err(err) => {
            let stored = users::get(&state.db, &username).await?;
            let values = UserValues::from(&stored).posted(form);
            refused(&req, &state, &posted, false, values, err).await
        }
    }
}

/// One click: a new temporary password, shown on this page only, which
/// its owner must change at the next login; their sessions end.
pub async fn reset_password(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    posted: PostedForm<UserForm>,
) -> Result<HttpResponse, PageError> {
    let username = path.into_inner();
    let password = users::reset_password(&state.db, &state.clock, posted.user.user_id, &username)
        .await
        .map_err(|err| posted.refused_or_missing(err))?;
    tracing::info!(target: "audit", actor = %posted.user.username, action = "user.password_reset", subject = %username);
    let stored = users::get(&state.db, &username).await?;
    let mut page = form_page(
        &req,
        &state,
        posted.user.clone(),
        false,
        UserValues::from(&stored),
        FieldErrors::default(),
        Some(password),
    )
    .await?;
    page.ctx.flash = Some(super::Flash {
        ok: true,
        text: posted.t.get("admin-password-reset-done"),
    });
    Ok(render(StatusCode::OK, &page, false))
}
