//! What page handlers take from a request: the signed-in user
//! (`PageUser`), and a posted form that passed the CSRF check
//! (`PostedForm`). Both refuse with a `PageError`, so a handler only runs
//! for a person who may be there.

use std::{future::Future, marker::PhantomData, pin::Pin};

use actix_multipart::Multipart;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use dondoc_core::accounts::{
    policy::{self, Action},
    principal::Principal,
};

use super::{
    PageError, Tr, ctx,
    drafts::{self, Draft},
    evidence,
};
use crate::extract::{self, CredentialSource, constant_time_eq};

/// The signed-in user of a page. Nobody signed in: the login page, which
/// comes back here. An account that must change its password is sent to do
/// that first (the password pages and logging out excepted).
pub struct PageUser(pub Principal);

async fn signed_in(req: &HttpRequest) -> Result<Principal, PageError> {
    match extract::authenticate(req).await {
        Ok((principal, _)) => {
            if principal.must_change_password
                && req.path() != "/account/password"
                && req.path() != "/logout"
            {
                return Err(PageError::Redirect {
                    to: "/account/password".into(),
                });
            }
            super::drafts::restore(req, principal.user_id).await;
            count_unread_notices(req, &principal).await;
            Ok(principal)
        }
        Err(_) => Err(PageError::Login {
            next: req.uri().to_string(),
        }),
    }
}

/// Counts the user's unread notices for the bell in the page's heading
/// (kept with the request). A failed count only hides the number.
async fn count_unread_notices(req: &HttpRequest, user: &Principal) {
    use actix_web::HttpMessage;
    let Some(state) = super::state_of(req) else {
        return;
    };
    match dondoc_core::notices::inbox::unread_count(&state.db, user).await {
        Ok(n) => {
            req.extensions_mut()
                .insert(super::notices::UnreadNotices(n));
        }
        Err(err) => tracing::warn!(error = %err, "could not count unread notices"),
    }
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { signed_in(&req).await.map(PageUser) })
    }
}

/// A parsed urlencoded form (repeated keys kept, e.g. checkboxes).
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Form(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or("").to_string()
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Checks the form's CSRF token against the session's.
    pub fn csrf_ok(&self, user: &Principal) -> bool {
        let sent = self.get("csrf_token").unwrap_or("");
        let expected = user.csrf_token.as_deref().unwrap_or("");
        !expected.is_empty() && constant_time_eq(sent.as_bytes(), expected.as_bytes())
    }

    /// The page to return to that the form names (`back`), if it is a path
    /// on this site, else `default`: never an address elsewhere.
    pub fn back_or(&self, default: &str) -> String {
        self.get("back")
            .filter(|b| super::target::is_same_site(b))
            .unwrap_or(default)
            .to_string()
    }
}

/// The page a form is posted from, for `PostedForm`.
pub trait FormPage {
    /// The form's page, when it is always the same one.
    const PAGE: &'static str = "/";
    /// A right the poster must hold before the form is read at all (the
    /// administration's gate); `None` leaves the rights to the core.
    const GATE: Option<Action> = None;

    /// Where the post returns: the form's page (with a message if refused).
    fn back(_req: &HttpRequest, _form: &Form) -> String {
        Self::PAGE.to_string()
    }
}

/// The forms on a task's page (`/tasks/{id}/…`), which return to it.
pub struct TaskPageForm;

impl FormPage for TaskPageForm {
    const PAGE: &'static str = "/tasks";

    fn back(req: &HttpRequest, _: &Form) -> String {
        // The route's own `{id}` extractor has already refused an id that
        // is not a number, so the fallback is never used.
        match req.match_info().load::<i64>() {
            Ok(id) => format!("/tasks/{id}"),
            Err(_) => Self::PAGE.to_string(),
        }
    }
}

/// A form posted from page `P`, by the signed-in user (else the login
/// page), in the page's language, with the session's CSRF token: a forged
/// or stale post goes back to `back` with a message and changes nothing.
/// A step form posted as `multipart/form-data` carries files beside its
/// fields (`evidence`).
pub struct PostedForm<P> {
    pub user: Principal,
    pub form: Form,
    /// The files of a multipart post (none for an urlencoded one).
    pub files: evidence::PostedFiles,
    pub t: Tr,
    /// Where the post returns (`P::back`).
    pub back: String,
    /// The form's name, for its draft (`drafts::form_name`).
    pub form_name: String,
    page: PhantomData<P>,
}

impl<P: FormPage + 'static> FromRequest for PostedForm<P> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // An urlencoded body's limits and errors are those of `web::Bytes`;
        // a multipart one's are `evidence::read`'s (files up to
        // `attachments.max_bytes`).
        let multipart = evidence::is_multipart(req);
        let body = (!multipart).then(|| web::Bytes::from_request(req, payload));
        let parts = multipart.then(|| Multipart::new(req.headers(), payload.take()));
        let max_bytes = super::state_of(req).map_or(0, |s| s.settings.attachments.max_bytes);
        let req = req.clone();
        Box::pin(async move {
            let (mut form, files) = match (body, parts) {
                (Some(body), _) => (Form::parse(&body.await?), evidence::PostedFiles::default()),
                (None, Some(parts)) => evidence::read(parts, max_bytes)
                    .await
                    .map_err(actix_web::error::ErrorBadRequest)?,
                (None, None) => (Form(Vec::new()), evidence::PostedFiles::default()),
            };
            if let Some(names) = evidence::dropped_names(&files) {
                form.0.push((evidence::DROPPED_FIELD.to_string(), names));
            }
            let user = match signed_in(&req).await {
                Ok(user) => user,
                // The session ended while the form was filled in: the
                // login page returns to the form's page (never to the
                // address posted to), with what was typed kept.
                Err(PageError::Login { .. }) => {
                    let back = P::back(&req, &form);
                    return Err(keep_for_login(&req, &form, back).await.into());
                }
                Err(other) => return Err(other.into()),
            };
            if let Some(action) = P::GATE {
                policy::require(&user, action, None).map_err(PageError::from)?;
            }
            let t = ctx(&req, None, "").t;
            let back = P::back(&req, &form);
            if !form.csrf_ok(&user) {
                return Err(stale_form(&req, &user, &form, back, t).await.into());
            }
            if let Some(field) = crate::input_text::bad_form_field(&form.0) {
                return Err(PageError::from(crate::input_text::refusal(field)).into());
            }
            Ok(PostedForm {
                form_name: drafts::form_name(req.path(), &form),
                user,
                form,
                files,
                t,
                back,
                page: PhantomData,
            })
        })
    }
}

/// A post whose session has expired: when it carries the CSRF token of a
/// session this browser had (so it was typed here, by that session's
/// user), what was typed is kept for that user; either way the login page
/// returns to the form's page.
async fn keep_for_login(req: &HttpRequest, form: &Form, back: String) -> PageError {
    let owner = match (extract::credentials(req), super::state_of(req)) {
        (Some((token, CredentialSource::Cookie)), Some(state)) => {
            dondoc_core::accounts::drafts::session_owner(&state.db, &token)
                .await
                .unwrap_or_else(|err| {
                    tracing::warn!(error = %err, "the owner of an expired session was not found");
                    None
                })
        }
        _ => None,
    };
    let sent = form.get("csrf_token").unwrap_or("");
    if let Some((user_id, csrf)) = owner
        && constant_time_eq(sent.as_bytes(), csrf.as_bytes())
    {
        let name = drafts::form_name(req.path(), form);
        let draft = drafts::draft_of(&back, name, form, Vec::new());
        if let Some(token) = drafts::store(req, user_id, &draft).await {
            return PageError::LoginKept { next: back, token };
        }
    }
    PageError::Login { next: back }
}

/// A post whose CSRF token is not the session's. When it is the token of
/// an earlier session of the same person (a tab left open while they
/// signed in again), what was typed is kept for them; otherwise it is
/// refused as before.
async fn stale_form(
    req: &HttpRequest,
    user: &Principal,
    form: &Form,
    back: String,
    t: Tr,
) -> PageError {
    let msg = t.get("csrf_failed").to_string();
    let sent = form.get("csrf_token").unwrap_or("");
    let earlier = match super::state_of(req) {
        Some(state) => {
            dondoc_core::accounts::drafts::was_users_session(&state.db, user.user_id, sent)
                .await
                .unwrap_or(false)
        }
        None => false,
    };
    if !earlier {
        return PageError::back(back, msg);
    }
    let name = drafts::form_name(req.path(), form);
    PageError::Kept {
        draft: Box::new(drafts::draft_of(&back, name, form, Vec::new())),
        to: back,
        msg: t.get("session_expired_kept").to_string(),
        user_id: user.user_id,
    }
}

impl<P> PostedForm<P> {
    /// A refusal by the core (see `PageError::refused`); a form sent back
    /// keeps what was typed, with each refused field's message.
    pub fn refused(&self, err: dondoc_core::Error) -> PageError {
        let errors = drafts::field_messages(self.t, &err);
        self.keep(PageError::refused(self.t, &self.back, err), errors)
    }

    /// A refusal by the core: see `PageError::refused_or_missing`.
    pub fn refused_or_missing(&self, err: dondoc_core::Error) -> PageError {
        let errors = drafts::field_messages(self.t, &err);
        self.keep(
            PageError::refused_or_missing(self.t, &self.back, err),
            errors,
        )
    }

    /// Back to the form's page with `msg`, the form kept and `msg` shown
    /// beside `field` (a value the page itself refused before the core saw it).
    pub fn refused_field(&self, field: &str, msg: String) -> PageError {
        let errors = vec![(field.to_string(), msg.clone())];
        self.keep(PageError::back(&self.back, msg), errors)
    }

    /// A `Back` becomes `Kept`: the form's page shows the draft.
    fn keep(&self, err: PageError, errors: Vec<(String, String)>) -> PageError {
        match err {
            PageError::Back { to, msg } => PageError::Kept {
                to,
                msg,
                user_id: self.user.user_id,
                draft: Box::new(Draft {
                    form: self.form_name.clone(),
                    ..drafts::draft_of(&self.back, String::new(), &self.form, errors)
                }),
            },
            other => other,
        }
    }
}
