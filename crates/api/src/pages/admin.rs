//! Administration: the hub page that leads to each section (units and
//! accounts in `admin_departments` / `admin_users`, importing a work
//! programme here), with the warnings an administrator must act on.

use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    accounts::secrets::random_token,
    tasks::import::{self, ImportProblem},
};
use futures_util::StreamExt;

use super::{Ctx, Form, PageError, PageUser, ctx, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    /// Units and accounts, active / all.
    departments_active: usize,
    departments_total: usize,
    users_active: usize,
    users_total: usize,
    /// Accounts that must change a temporary password.
    users_must_change: usize,
    programmes: Vec<dondoc_core::org::programmes::Programme>,
    /// Addresses the mail server refused for good: left out of reminders
    /// until the user's or department's address is changed.
    refused: Vec<RefusedRow>,
    /// Next year, when `calendar.holidays` lists none of its days.
    holidays_missing: Option<i32>,
}

struct RefusedRow {
    address: String,
    reply: String,
    refused_at: String,
}

pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageUsers, None)?;
    let departments = dondoc_core::org::departments::list(&state.db, true).await?;
    let users = dondoc_core::accounts::users::list(&state.db).await?;
    let programmes = dondoc_core::org::programmes::list(&state.db).await?;
    let tz = state.clock.timezone();
    let refused = dondoc_core::followup::outbox::refused_addresses(&state.db)
        .await?
        .into_iter()
        .map(|r| RefusedRow {
            address: r.address,
            reply: r.reply,
            refused_at: super::format::datetime(r.refused_at, tz),
        })
        .collect();
    let view = AdminPage {
        ctx: ctx(&req, Some(user), "admin"),
        departments_active: departments.iter().filter(|d| d.active).count(),
        departments_total: departments.len(),
        users_active: users.iter().filter(|u| u.active).count(),
        users_total: users.len(),
        users_must_change: users
            .iter()
            .filter(|u| u.active && u.must_change_password)
            .count(),
        programmes,
        refused,
        holidays_missing: dondoc_core::followup::working_days::Calendar::from_settings(
            &state.settings.calendar,
        )
        .next_year_unlisted(state.today()),
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
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
    /// The code was made by the import (no code column in the annex).
    pub code_generated: bool,
    /// The section heading, the deadline as written, the recurrence in words.
    pub section: String,
    pub due_text: String,
    pub recurrence: String,
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
    /// The file was refused for its size (413), not its content.
    too_large: bool,
    /// "Create recurring tasks" was ticked.
    confirm_recurring: bool,
    /// The preview's codes were made by the import.
    codes_generated: bool,
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
        too_large: false,
        confirm_recurring: false,
        codes_generated: false,
    }
}

pub async fn import_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ImportTasks, None)?;
    let page = import_page(&req, user, chrono::Datelike::year(&state.today()));
    let had_flash = page.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &page, had_flash))
}

/// Where a previewed file waits for the "Import" click (per user, one hour).
fn staging_path(token: &str, user_id: i64) -> Option<PathBuf> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(import::staging::folder().join(format!("{user_id}-{token}")))
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

/// Where the import form returns when it cannot go on.
const IMPORT: &str = "/admin/import";

/// What the import form sends: the year, and the file — freshly uploaded
/// (preview), or the one staged at preview (`import`).
struct ImportPost {
    year: i32,
    confirm_recurring: bool,
    import: bool,
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads the multipart import form, with the CSRF check a urlencoded form
/// gets from `PostedForm`.
async fn read_import(
    state: &AppState,
    user: &Principal,
    payload: Multipart,
    t: super::Tr,
) -> Result<ImportPost, PageError> {
    let upload = read_upload(payload, state.settings.server.upload_limit_kb * 1024)
        .await
        .map_err(|message| PageError::back(IMPORT, message))?;
    let form = Form(upload.fields);
    if !form.csrf_ok(user) {
        return Err(PageError::back(IMPORT, t.get("csrf_failed")));
    }
    let year = match form
        .get("year")
        .and_then(|y| y.trim().parse::<i64>().ok())
        .map(|y| dondoc_core::domain::parse_year("year", y))
    {
        Some(Ok(y)) => y,
        _ => {
            return Err(PageError::back(
                IMPORT,
                format!("{}: 2000–2100", t.get("year")),
            ));
        }
    };
    let confirm_recurring = matches!(form.get("recurring"), Some("1" | "on" | "true"));
    if form.get("mode").unwrap_or("preview") == "import" {
        let token = form.text("token");
        let Some(path) = staging_path(&token, user.user_id) else {
            return Err(PageError::back(IMPORT, t.get("csrf_failed")));
        };
        let now = std::time::SystemTime::now();
        import::staging::sweep(&import::staging::folder(), now);
        // Missing or older than an hour: preview again.
        let Some(bytes) = import::staging::take(&path, now) else {
            return Err(PageError::back(IMPORT, t.get("import_expired")));
        };
        return Ok(ImportPost {
            year,
            confirm_recurring,
            import: true,
            file_name: form.text("file_name"),
            bytes,
        });
    }
    import::staging::sweep(&import::staging::folder(), std::time::SystemTime::now());
    match upload.file {
        Some((file_name, bytes)) if !bytes.is_empty() => Ok(ImportPost {
            year,
            confirm_recurring,
            import: false,
            file_name,
            bytes,
        }),
        _ => Err(PageError::back(
            IMPORT,
            format!("{}: {}", t.get("file"), "?"),
        )),
    }
}

/// The preview: the rows as they would be imported, the file staged for the
/// "Import" click; or the problems that stop it.
async fn preview(
    state: &AppState,
    user: &Principal,
    page: &mut ImportPage,
    post: &ImportPost,
) -> Result<(), PageError> {
    let rows =
        match import::read_rows_off_thread(post.bytes.clone(), post.file_name.clone()).await? {
            Ok(rows) => rows,
            Err(refused) => {
                page.too_large = refused.too_large;
                page.problems = refused.problems;
                return Ok(());
            }
        };
    let options = import::ImportOptions {
        year: post.year,
        today: state.today(),
        confirm_recurring: post.confirm_recurring,
    };
    let lang = page.ctx.t.lang();
    let checked = match import::check(&state.db, &rows, options).await? {
        Ok(checked) => checked,
        Err(refused) => {
            page.problems = refused.problems;
            return Ok(());
        }
    };
    let token = random_token();
    if let Some(path) = staging_path(&token, user.user_id) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if std::fs::write(&path, &post.bytes).is_err() {
            return Err(dondoc_core::Error::Unexpected(anyhow::anyhow!(
                "cannot stage the import file"
            ))
            .into());
        }
    }
    page.token = token;
    page.codes_generated = checked.iter().any(|c| c.code_generated);
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
            code_generated: c.code_generated,
            section: c.section.unwrap_or_default(),
            due_text: c.due_text.unwrap_or_default(),
            recurrence: c.recurrence.map(|r| r.describe(lang)).unwrap_or_default(),
        })
        .collect();
    Ok(())
}

pub async fn import_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ImportTasks, None)?;
    let t = ctx(&req, None, "").t;
    let post = read_import(&state, &user, payload, t).await?;
    let mut page = import_page(&req, user.clone(), post.year);
    page.file_name = post.file_name.clone();
    page.confirm_recurring = post.confirm_recurring;
    if post.import {
        match import::import(
            &state.db,
            &state.clock,
            &state.settings.organization.name,
            Some(user.user_id),
            post.bytes,
            &post.file_name,
            import::ImportOptions {
                year: post.year,
                today: state.today(),
                confirm_recurring: post.confirm_recurring,
            },
        )
        .await?
        {
            Ok(report) => page.imported = Some(report.imported),
            Err(refused) => {
                page.too_large = refused.too_large;
                page.problems = refused.problems;
            }
        }
    } else {
        preview(&state, &user, &mut page, &post).await?;
    }
    let had_flash = page.ctx.flash.is_some();
    let status = if page.problems.is_empty() {
        StatusCode::OK
    } else if page.too_large {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &page, had_flash))
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
