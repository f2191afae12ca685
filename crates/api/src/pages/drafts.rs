//! "A form with errors", for every page: nothing typed is lost.
//!
//! A form the core refuses goes back to its page (`PageError::Kept`), and
//! a form posted after the session expired goes to the login page
//! (`PageError::LoginKept`); either way what was typed is stored as a
//! draft (`dondoc_core::accounts::drafts`) and a cookie keeps its token.
//! When the person opens the form's page again (signed in as the same
//! user), the draft is taken and put on the page's `Ctx`; templates fill
//! each field with `ctx.typed(form, name)` and show `ctx.field_error(form,
//! name)` beside it. A form is named by its hidden `form_id` field, or
//! else by the last segment of the address it posts to (`update`,
//! `confirm`, `extension`, `departments`, …).

use actix_web::{
    HttpMessage, HttpRequest,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
};
pub use dondoc_core::accounts::drafts::Draft;
use dondoc_core::{Error, accounts::drafts};

use super::{Ctx, Form, Tr, state_of};

/// The cookie that holds the token of the browser's latest draft.
pub const DRAFT_COOKIE: &str = "dondoc_draft";

/// The name of a posted form: its `form_id` field, else the last segment
/// of the address it was posted to.
pub fn form_name(path: &str, form: &Form) -> String {
    match form.get("form_id").filter(|f| !f.is_empty()) {
        Some(name) => name.to_string(),
        None => path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string(),
    }
}

/// The page part of a return address (`/admin?tab=users` → `/admin`).
pub fn page_of(back: &str) -> String {
    back.split(['?', '#']).next().unwrap_or(back).to_string()
}

/// What was posted, as a draft for `back`'s page (the CSRF token left out).
pub fn draft_of(back: &str, name: String, form: &Form, errors: Vec<(String, String)>) -> Draft {
    Draft {
        page: page_of(back),
        form: name,
        fields: form
            .0
            .iter()
            .filter(|(k, _)| k != "csrf_token")
            .cloned()
            .collect(),
        errors,
    }
}

/// The message for each field a core error names, in the page's language.
pub fn field_messages(t: Tr, err: &Error) -> Vec<(String, String)> {
    match err {
        Error::Validation(fields) => fields
            .iter()
            .filter(|f| !f.field.is_empty())
            .map(|f| (f.field.clone(), f.message.text(t.0)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The cookie that finds a stored draft again.
pub fn draft_cookie(token: String) -> Cookie<'static> {
    Cookie::build(DRAFT_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(drafts::KEEP_FOR.num_seconds()))
        .finish()
}

/// Stores a draft for `user_id`; `None` (logged) when it cannot be kept:
/// the form then goes back without it, as before drafts existed.
pub async fn store(req: &HttpRequest, user_id: i64, draft: &Draft) -> Option<String> {
    let state = state_of(req)?;
    match drafts::save(&state.db, &state.clock, user_id, draft).await {
        Ok(token) => Some(token),
        Err(err) => {
            tracing::warn!(error = %err, page = %draft.page, "a form draft was not kept");
            None
        }
    }
}

/// On a page read by `user_id`: the draft this browser left for this page,
/// if any, taken from the store and put in the request for `Ctx`.
pub async fn restore(req: &HttpRequest, user_id: i64) {
    if req.method() != actix_web::http::Method::GET {
        return;
    }
    let Some(token) = req.cookie(DRAFT_COOKIE).map(|c| c.value().to_string()) else {
        return;
    };
    let Some(state) = state_of(req) else {
        return;
    };
    match drafts::take(&state.db, &state.clock, &token, user_id, req.path()).await {
        Ok(Some(draft)) => {
            req.extensions_mut().insert(draft);
        }
        Ok(None) => {}
        // A draft is a convenience: the page still shows, without it.
        Err(err) => tracing::warn!(error = %err, "a form draft could not be read"),
    }
}

/// The draft the request carries (see `restore`).
pub fn of_request(req: &HttpRequest) -> Option<Draft> {
    req.extensions().get::<Draft>().cloned()
}

impl Ctx {
    fn draft_for(&self, form: &str) -> Option<&Draft> {
        self.draft.as_ref().filter(|d| d.form == form)
    }

    /// What was typed into field `name` of form `form`, if the page shows
    /// a draft of that form.
    pub fn typed(&self, form: &str, name: &str) -> Option<&str> {
        self.draft_for(form).and_then(|d| d.value(name))
    }

    /// What was typed into `name`, else `default` (the page's own value).
    pub fn typed_or(&self, form: &str, name: &str, default: &str) -> String {
        self.typed(form, name).unwrap_or(default).to_string()
    }

    /// A date picker's value: what was typed into `name` (as yyyy-mm-dd
    /// when it is a day, however it was written), else `default`.
    pub fn typed_date_or(&self, form: &str, name: &str, default: &str) -> String {
        super::format::date_input(self.typed(form, name).unwrap_or(default))
    }

    /// Whether `value` was chosen for `name` (checkboxes, selects), when
    /// the page shows a draft of that form; else `default`.
    pub fn chose(
        &self,
        form: &str,
        name: &str,
        value: &str,
        default: impl std::borrow::Borrow<bool>,
    ) -> bool {
        match self.draft_for(form) {
            Some(d) => d.has(name, value),
            None => *default.borrow(),
        }
    }

    /// The message for a refused field, shown beside it.
    pub fn field_error(&self, form: &str, name: &str) -> Option<&str> {
        self.draft_for(form).and_then(|d| d.error(name))
    }

    /// A draft brought back after the session expired (nothing refused):
    /// the page says so, and the form waits to be sent again.
    pub fn draft_restored(&self) -> bool {
        self.draft.as_ref().is_some_and(|d| d.errors.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_named_by_its_id_or_its_address() {
        let plain = Form::parse(b"note=x&csrf_token=secret");
        assert_eq!(form_name("/tasks/7/update", &plain), "update");
        assert_eq!(form_name("/admin/departments/", &plain), "departments");
        let named = Form::parse(b"form_id=answer-3&answer=y");
        assert_eq!(form_name("/explanations/3/answer", &named), "answer-3");
        let draft = draft_of("/admin?tab=users#new", "users".into(), &plain, vec![]);
        assert_eq!(draft.page, "/admin");
        assert_eq!(draft.fields, vec![("note".to_string(), "x".to_string())]);
    }

    #[test]
    fn the_page_fills_only_the_form_that_was_sent() {
        let mut page = Ctx::without_request();
        page.draft = Some(Draft {
            page: "/tasks/7".into(),
            form: "confirm".into(),
            fields: vec![("note".into(), "Chưa đủ hồ sơ".into())],
            errors: vec![("note".into(), "Cần ghi ý kiến".into())],
        });
        assert_eq!(page.typed("confirm", "note"), Some("Chưa đủ hồ sơ"));
        assert_eq!(page.typed("update", "note"), None);
        assert_eq!(page.typed_or("update", "note", "x"), "x");
        assert_eq!(
            page.typed_date_or("update", "due", "31/12/2026"),
            "2026-12-31"
        );
        assert_eq!(page.field_error("confirm", "note"), Some("Cần ghi ý kiến"));
        assert!(!page.draft_restored());
        assert!(page.chose("update", "status", "done", true));
        assert!(!page.chose("confirm", "status", "done", true));
    }
}
