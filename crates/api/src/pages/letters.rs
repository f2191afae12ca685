//! Reminder letters (công văn đôn đốc) on the web: the late departments,
//! a department's draft with its download and the form the clerk fills in
//! once the letter is issued; the reminder register. Downloads are the API's endpoints (the session cookie works there).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::messages::Label;
use dondoc_core::{
    accounts::policy::{self, Action},
    documents::letters::{self, IssuedLetter, LateDepartment, LetterDraft},
    documents::register::{self, RawRegisterQuery, Register},
};

use super::{
    Ctx, Form, FormPage, PageError, PageUser, PostedForm, ctx,
    format::{self, Choice},
    redirect_with, render,
};
use crate::state::AppState;

/// `key=value&…`, URL-encoded, skipping empty values.
pub(super) fn query_string(pairs: &[(&str, &Option<String>)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

#[derive(Template)]
#[template(path = "letters.html")]
struct LettersPage {
    ctx: Ctx,
    late: Vec<LateDepartment>,
}

pub async fn index(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let late = letters::late_departments(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        state.due_soon_days(),
    )
    .await?;
    let view = LettersPage {
        ctx: ctx(&req, Some(user), "letters"),
        late,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

#[derive(Template)]
#[template(path = "letter_show.html")]
struct LetterPage {
    ctx: Ctx,
    draft: LetterDraft,
    today: String,
    report_back: String,
    signer: String,
    suffix: String,
}

impl LetterPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }
}

/// `?signer=`: the leader chosen to sign.
#[derive(serde::Deserialize)]
pub struct SignerQuery {
    signer: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<SignerQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let today = state.today();
    let draft = letters::draft(
        &state.db,
        &state.facts,
        &state.settings.letters,
        &state.clock,
        &user,
        &path,
        state.due_soon_days(),
        query.signer.as_deref(),
    )
    .await?;
    let l = &state.settings.letters;
    let view = LetterPage {
        ctx: ctx(&req, Some(user), "letters"),
        // Date pickers take yyyy-mm-dd (and show dd/mm/yyyy in Vietnamese).
        today: today.to_string(),
        report_back: draft.report_back_on.to_string(),
        signer: if !draft.signature.name.trim().is_empty() {
            draft.signature.name.clone()
        } else if l.signer_name.trim().is_empty() {
            l.signer_title.clone()
        } else {
            l.signer_name.clone()
        },
        suffix: l.number_suffix.clone(),
        draft,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// The letter's form: it returns to the letter's page.
pub struct LetterForm;

impl FormPage for LetterForm {
    const PAGE: &'static str = "/letters";

    fn back(req: &HttpRequest, _: &Form) -> String {
        format!("/letters/{}", letter_code(req))
    }
}

/// The department code of the letter's address, only the characters a code
/// has (it is written into addresses).
fn letter_code(req: &HttpRequest) -> String {
    req.match_info()
        .load::<String>()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: PostedForm<LetterForm>,
) -> Result<HttpResponse, PageError> {
    let code = letter_code(&req);
    let (form, t) = (&posted.form, posted.t);
    let mut task_ids = Vec::new();
    for raw in form.all("task_ids") {
        match raw.trim().parse::<i64>() {
            Ok(id) => task_ids.push(id),
            Err(_) => return Err(PageError::back(&posted.back, t.get("error_help"))),
        }
    }
    let input = IssuedLetter {
        department: code.clone(),
        number: form.text("number"),
        issued_on: form.text("issued_on"),
        report_back_on: form.text("report_back_on"),
        signer: form.text("signer"),
        task_ids,
    };
    letters::record(
        &state.db,
        &state.clock,
        &state.settings.letters,
        &posted.user,
        input,
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(
        &format!("/register?department={code}"),
        true,
        t.get("letter_recorded"),
    ))
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: Ctx,
    register: Register,
    /// The unit the register is limited to, by its name.
    department_name: Option<String>,
    departments: Vec<Choice>,
    year: String,
    export_query: String,
    can_draft: bool,
}

impl RegisterPage {
    fn date(&self, day: &chrono::NaiveDate) -> String {
        format::date(*day)
    }

    fn state_label(&self, state: &register::ReplyState) -> String {
        state.label(self.ctx.t.0)
    }
}

pub async fn register_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RawRegisterQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let mut page_ctx = ctx(&req, Some(user.clone()), "register");
    let t = page_ctx.t;
    let raw = query.into_inner();
    let listed = register::list(
        &state.db,
        &user,
        &raw,
        state.today(),
        state.clock.timezone(),
        state.settings.letters.report_back_days,
    )
    .await;
    let reg = page_ctx.flash_invalid(listed, || Register {
        year: None,
        department: None,
        entries: Vec::new(),
        answered: 0,
        waiting: 0,
        not_answered: 0,
    })?;
    let selected = reg.department.clone().unwrap_or_default();
    let departments = dondoc_core::org::departments::list(&state.db, false).await?;
    let department_name = reg.department.as_ref().map(|code| {
        departments
            .iter()
            .find(|d| d.code.eq_ignore_ascii_case(code))
            .map_or_else(|| code.clone(), |d| d.name.clone())
    });
    let view = RegisterPage {
        department_name,
        departments: format::department_filter(t, &departments, &selected),
        year: raw.year.clone().unwrap_or_default(),
        export_query: query_string(&[("department", &raw.department), ("year", &raw.year)]),
        can_draft: policy::can(&user, Action::DraftLetter, None),
        register: reg,
        ctx: page_ctx,
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}
