//! `/admin/aliases`: the other names of the departments that the import
//! matches ("TN&MT", "TC-KH", "Phòng Văn hóa"). Administrators only; a
//! refused alias comes back in the form with the reason beside it.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    org::{
        aliases::{self, Alias},
        departments::{self, Department},
    },
};

use super::{
    Ctx, FormPage, PageError, PageUser, PostedForm, ctx, describe_error, redirect_with, render,
};
use crate::state::AppState;

/// The alias forms: administrators only, before the form is read.
pub struct AliasForm;

impl FormPage for AliasForm {
    const PAGE: &'static str = PAGE;
    const GATE: Option<Action> = Some(Action::ManageDepartments);
}

const PAGE: &str = "/admin/aliases";

#[derive(Template)]
#[template(path = "aliases.html")]
struct AliasesPage {
    ctx: Ctx,
    departments: Vec<Department>,
    aliases: Vec<Alias>,
    /// What was typed in a refused form, given back.
    chosen: String,
    typed: String,
}

#[derive(serde::Deserialize)]
pub struct Typed {
    department: Option<String>,
    alias: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Typed>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let aliases = aliases::list(&state.db, &user).await?;
    let departments = departments::list(&state.db, false).await?;
    let query = query.into_inner();
    let page = AliasesPage {
        ctx: ctx(&req, Some(user), "admin"),
        departments,
        aliases,
        chosen: query.department.unwrap_or_default(),
        typed: query.alias.unwrap_or_default(),
    };
    let had_flash = page.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &page, had_flash))
}

pub async fn add(
    state: web::Data<AppState>,
    posted: PostedForm<AliasForm>,
) -> Result<HttpResponse, PageError> {
    let (form, t) = (&posted.form, posted.t);
    let department = form.text("department");
    let alias = form.text("alias");
    match aliases::add(&state.db, &state.clock, &posted.user, &department, &alias).await {
        Ok(_) => Ok(redirect_with(PAGE, true, t.get("alias_added"))),
        Err(err @ dondoc_core::Error::Validation(_)) => {
            // Back to the form with what was typed, the reason above it.
            let back: String = form_urlencoded::Serializer::new(format!("{PAGE}?"))
                .append_pair("department", &department)
                .append_pair("alias", &alias)
                .finish();
            Err(PageError::back(back, describe_error(t, &err)))
        }
        Err(other) => Err(PageError::refused(t, PAGE, other)),
    }
}

pub async fn remove(
    path: web::Path<i64>,
    state: web::Data<AppState>,
    posted: PostedForm<AliasForm>,
) -> Result<HttpResponse, PageError> {
    let t = posted.t;
    aliases::remove(&state.db, &posted.user, path.into_inner())
        .await
        .map_err(|err| PageError::refused(t, PAGE, err))?;
    Ok(redirect_with(PAGE, true, t.get("alias_deleted")))
}
