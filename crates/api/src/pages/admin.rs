//! Administration: departments (with their notification email), users
//! (create, deactivate, reset password) and importing a work programme.

use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    accounts::secrets::random_token,
    accounts::users::{self, NewUser, UserChanges, UserView},
    org::departments::{self, Department, DepartmentChanges, NewDepartment},
    tasks::import::{self, ImportProblem},
};
use futures_util::StreamExt;

use super::{Ctx, Form, ctx, describe_error, error_page, page_user, redirect_with, render};
use crate::state::AppState;

async fn admin_user(req: &HttpRequest, action: Action) -> Result<Principal, HttpResponse> {
    let user = page_user(req).await?;
    if let Err(err) = policy::require(&user, action, None) {
        return Err(error_page(req, Some(user), err));
    }
    Ok(user)
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    departments: Vec<Department>,
    users: Vec<UserView>,
    programmes: Vec<dondoc_core::org::programmes::Programme>,
}

pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let user = match admin_user(&req, Action::ManageUsers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let departments = match departments::list(&state.db, true).await {
        Ok(d) => d,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let users = match users::list(&state.db).await {
        Ok(u) => u,
        Err(err) => return error_page(&req, Some(user), err),
    };
    let programmes = dondoc_core::org::programmes::list(&state.db)
        .await
        .unwrap_or_default();
    let view = AdminPage {
        ctx: ctx(&req, Some(user), "admin"),
        departments,
        users,
        programmes,
    };
    let had_flash = view.ctx.flash.is_some();
    render(StatusCode::OK, &view, had_flash)
}

pub async fn create_department(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let user = match admin_user(&req, Action::ManageDepartments).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let form = Form::parse(&body);
    let t = ctx(&req, None, "").t;
    if !form.csrf_ok(&user) {
        return redirect_with("/admin", false, t.get("csrf_failed"));
    }
    let input = NewDepartment {
        code: form.text("code"),
        name: form.text("name"),
        kind: form.text("kind"),
        email: form.get("email").map(str::to_string),
    };
    match departments::create(&state.db, &state.clock, input).await {
        Ok(_) => redirect_with("/admin#departments", true, t.get("saved")),
        Err(err) => redirect_with("/admin#departments", false, &describe_error(t, &err)),
    }
}

pub async fn update_department(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let user = match admin_user(&req, Action::ManageDepartments).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let form = Form::parse(&body);
    let t = ctx(&req, None, "").t;
    if !form.csrf_ok(&user) {
        return redirect_with("/admin", false, t.get("csrf_failed"));
    }
    let changes = DepartmentChanges {
        name: form.get("name").map(str::to_string),
        kind: None,
        email: form.get("email").map(|e| Some(e.to_string())),
        active: form.get("active").map(|a| a == "true"),
    };
    match departments::update(&state.db, &state.clock, &path.into_inner(), changes).await {
        Ok(_) => redirect_with("/admin#departments", true, t.get("saved")),
        Err(err) => redirect_with("/admin#departments", false, &describe_error(t, &err)),
    }
}

pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let user = match admin_user(&req, Action::ManageUsers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let form = Form::parse(&body);
    let t = ctx(&req, None, "").t;
    if !form.csrf_ok(&user) {
        return redirect_with("/admin", false, t.get("csrf_failed"));
    }
    let input = NewUser {
        username: form.text("username"),
        full_name: form.text("full_name"),
        email: form.get("email").map(str::to_string),
        position: form.get("position").map(str::to_string),
        role: form.text("role"),
        department: form.get("department").map(str::to_string),
        password: form.text("password"),
        must_change_password: true,
    };
    match users::create(&state.db, &state.clock, input).await {
        Ok(_) => redirect_with("/admin#users", true, t.get("saved")),
        Err(err) => redirect_with("/admin#users", false, &describe_error(t, &err)),
    }
}

pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let user = match admin_user(&req, Action::ManageUsers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let form = Form::parse(&body);
    let t = ctx(&req, None, "").t;
    if !form.csrf_ok(&user) {
        return redirect_with("/admin", false, t.get("csrf_failed"));
    }
    let username = path.into_inner();
    let changes = UserChanges {
        active: form.get("active").map(|a| a == "true"),
        password: form
            .get("password")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        ..Default::default()
    };
    match users::update(&state.db, &state.clock, user.user_id, &username, changes).await {
        Ok(_) => redirect_with("/admin#users", true, t.get("saved")),
        Err(err) => redirect_with("/admin#users", false, &describe_error(t, &err)),
    }
}

pub struct PreviewRow {
    pub row: usize,
    pub code: String,
    pub title: String,
    pub field: String,
    pub lead: String,
    pub coordinators: String,
    pub leader: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    year: i32,
    problems: Vec<ImportProblem>,
    preview: Vec<PreviewRow>,
    token: String,
    file_name: String,
    imported: Option<usize>,
}

fn import_page(req: &HttpRequest, user: Principal, year: i32) -> ImportPage {
    ImportPage {
        ctx: ctx(req, Some(user), "admin"),
        year,
        problems: Vec::new(),
        preview: Vec::new(),
        token: String::new(),
        file_name: String::new(),
        imported: None,
    }
}

pub async fn import_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let user = match admin_user(&req, Action::ImportTasks).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let page = import_page(&req, user, chrono::Datelike::year(&state.today()));
    let had_flash = page.ctx.flash.is_some();
    render(StatusCode::OK, &page, had_flash)
}

/// Where a previewed file waits for the "Import" click (per user, one hour).
fn staging_path(token: &str, user_id: i64) -> Option<PathBuf> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        std::env::temp_dir()
            .join("dondoc-imports")
            .join(format!("{user_id}-{token}")),
    )
}

struct Upload {
    fields: Vec<(String, String)>,
    file: Option<(String, Vec<u8>)>,
}

async fn read_upload(mut payload: Multipart, limit: usize) -> Result<Upload, String> {
    let mut upload = Upload {
        fields: Vec::new(),
        file: None,
    };
    while let Some(item) = payload.next().await {
        let mut field = item.map_err(|e| format!("upload failed: {e}"))?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("upload failed: {e}"))?;
            if bytes.len() + chunk.len() > limit {
                return Err(format!("the file is larger than {} KB", limit / 1024));
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file_name) if name == "file" => upload.file = Some((file_name, bytes)),
            _ => upload
                .fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(upload)
}

pub async fn import_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
) -> HttpResponse {
    let user = match admin_user(&req, Action::ImportTasks).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = ctx(&req, None, "").t;
    let upload = match read_upload(payload, state.settings.server.upload_limit_kb * 1024).await {
        Ok(u) => u,
        Err(message) => return redirect_with("/admin/import", false, &message),
    };
    let form = Form(upload.fields);
    if !form.csrf_ok(&user) {
        return redirect_with("/admin/import", false, t.get("csrf_failed"));
    }
    let year = match form
        .get("year")
        .and_then(|y| y.trim().parse::<i64>().ok())
        .map(|y| dondoc_core::domain::parse_year("year", y))
    {
        Some(Ok(y)) => y,
        _ => {
            return redirect_with(
                "/admin/import",
                false,
                &format!("{}: 2000–2100", t.get("year")),
            );
        }
    };
    let mode = form.get("mode").unwrap_or("preview").to_string();
    // The file: freshly uploaded (preview), or the one staged at preview (import).
    let (file_name, bytes) = if mode == "import" {
        let token = form.text("token");
        let Some(path) = staging_path(&token, user.user_id) else {
            return redirect_with("/admin/import", false, t.get("csrf_failed"));
        };
        match std::fs::read(&path) {
            Ok(bytes) => {
                let _ = std::fs::remove_file(&path);
                (form.text("file_name"), bytes)
            }
            Err(_) => return redirect_with("/admin/import", false, t.get("csrf_failed")),
        }
    } else {
        match upload.file {
            Some((name, bytes)) if !bytes.is_empty() => (name, bytes),
            _ => {
                return redirect_with(
                    "/admin/import",
                    false,
                    &format!("{}: {}", t.get("file"), "?"),
                );
            }
        }
    };
    let mut page = import_page(&req, user.clone(), year);
    page.file_name = file_name.clone();
    if mode == "import" {
        match import::import(
            &state.db,
            &state.clock,
            &state.settings.organization.name,
            Some(user.user_id),
            &bytes,
            &file_name,
            year,
        )
        .await
        {
            Ok(Ok(report)) => page.imported = Some(report.imported),
            Ok(Err(refused)) => page.problems = refused.0,
            Err(err) => return error_page(&req, Some(user), err),
        }
        let had_flash = page.ctx.flash.is_some();
        let status = if page.problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return render(status, &page, had_flash);
    }
    let rows = match import::read_rows(&bytes, &file_name) {
        Ok(rows) => rows,
        Err(refused) => {
            page.problems = refused.0;
            let had_flash = page.ctx.flash.is_some();
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page, had_flash);
        }
    };
    match import::check(&state.db, &rows, year).await {
        Ok(Ok(checked)) => {
            let token = random_token();
            if let Some(path) = staging_path(&token, user.user_id) {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                if std::fs::write(&path, &bytes).is_err() {
                    return error_page(
                        &req,
                        Some(user),
                        dondoc_core::Error::Unexpected(anyhow::anyhow!(
                            "cannot stage the import file"
                        )),
                    );
                }
            }
            page.token = token;
            page.preview = checked
                .into_iter()
                .map(|c| PreviewRow {
                    row: c.row,
                    code: c.task.code.to_string(),
                    title: c.task.title.to_string(),
                    field: c.field_name,
                    lead: c.lead_name,
                    coordinators: c.coordinator_names.join("; "),
                    leader: c.leader_name,
                    due: super::format::date(c.task.due_date),
                })
                .collect();
        }
        Ok(Err(refused)) => page.problems = refused.0,
        Err(err) => return error_page(&req, Some(user), err),
    }
    let had_flash = page.ctx.flash.is_some();
    let status = if page.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page, had_flash)
}

/// A sample file in the import layout (the same as docs/sample-import.csv).
pub async fn sample_csv() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"mau-nhap-nhiem-vu.csv\"",
        ))
        .body(include_str!("../../../../docs/sample-import.csv"))
}
