//! Form drafts: nothing a person typed is lost.
//!
//! When a form is not taken — the server refused a value, or the post
//! arrived after the session had expired — what was typed is kept here,
//! with the message for each refused field, and the form's page shows it
//! again, ready to be sent. Invariants a reader must keep:
//! - a draft belongs to one user and is only ever given back to that user,
//!   on the page it was typed on;
//! - it is found by a random token that only the browser that typed it
//!   holds (a cookie); only the token's hash is stored;
//! - reading it deletes it (one showing), and drafts older than
//!   [`KEEP_FOR`] are gone: a draft is a convenience, never a record.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::{
    accounts::secrets::{random_token, token_hash},
    clock::Clock,
    entity::{auth_token, form_draft, user},
    error::{Error, Result},
};

/// How long a draft waits for its person (a week: over a weekend, the
/// person who was interrupted on Friday still finds their text on Monday).
pub const KEEP_FOR: Duration = Duration::days(7);
/// The most a draft keeps (bytes of names and values): a form bigger than
/// this is not kept (the request body limit is of the same order).
pub const MAX_BYTES: usize = 256 * 1024;

/// What was typed into one form of one page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// The page the form is on (a path, e.g. `/tasks/12`).
    pub page: String,
    /// Which form of that page (e.g. `update`, `confirm`, `answer-3`).
    pub form: String,
    /// The posted names and values, in order (repeated names kept).
    pub fields: Vec<(String, String)>,
    /// The message for each refused field, in the person's language.
    pub errors: Vec<(String, String)>,
}

impl Draft {
    /// The value typed for `name` (the first one, for a repeated name).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `value` was among the values sent for `name` (checkboxes,
    /// multiple selects).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.fields.iter().any(|(k, v)| k == name && v == value)
    }

    /// The message for a refused field.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Keeps a draft for `user_id`; returns the token that finds it again.
/// A form over [`MAX_BYTES`] is refused (`Validation`); drafts past
/// [`KEEP_FOR`] are removed on the way.
pub async fn save<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    user_id: i64,
    draft: &Draft,
) -> Result<String> {
    let size: usize = draft.fields.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_BYTES {
        return Err(Error::Unexpected(anyhow::anyhow!(
            "a form of {size} bytes is too large to keep as a draft"
        )));
    }
    let now = clock.now();
    form_draft::Entity::delete_many()
        .filter(form_draft::Column::CreatedAt.lt(now - KEEP_FOR))
        .exec(db)
        .await?;
    let token = random_token();
    let json = |pairs: &Vec<(String, String)>| {
        serde_json::to_string(pairs).map_err(|e| Error::Unexpected(e.into()))
    };
    form_draft::ActiveModel {
        token_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        page: Set(draft.page.clone()),
        form: Set(draft.form.clone()),
        fields: Set(json(&draft.fields)?),
        errors: Set(json(&draft.errors)?),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The draft `token` finds, if it belongs to `user_id`, was typed on
/// `page` and is not too old; it is deleted as it is read. Another user's
/// or another page's draft is left alone (and not shown).
pub async fn take<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    token: &str,
    user_id: i64,
    page: &str,
) -> Result<Option<Draft>> {
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let Some(row) = form_draft::Entity::find()
        .filter(form_draft::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.user_id != user_id || row.page != page {
        return Ok(None);
    }
    form_draft::Entity::delete_by_id(row.id).exec(db).await?;
    if row.created_at < clock.now() - KEEP_FOR {
        return Ok(None);
    }
    let parse = |text: &str| -> Result<Vec<(String, String)>> {
        serde_json::from_str(text).map_err(|e| Error::Unexpected(e.into()))
    };
    Ok(Some(Draft {
        page: row.page,
        form: row.form,
        fields: parse(&row.fields)?,
        errors: parse(&row.errors)?,
    }))
}

/// Whose a session was, even after it expired or was revoked: the user id
/// and the session's CSRF token, so a post that arrives too late can still
/// be kept for the person who typed it (and only when it carries that
/// session's CSRF token). An inactive account has no drafts.
pub async fn session_owner<C: ConnectionTrait>(
    db: &C,
    token: &str,
) -> Result<Option<(i64, String)>> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let Some(row) = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(csrf) = row.csrf_token.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let active = user::Entity::find_by_id(row.user_id)
        .one(db)
        .await?
        .is_some_and(|u| u.active);
    Ok(active.then_some((row.user_id, csrf)))
}

/// Whether `csrf` is the CSRF token of one of `user_id`'s sessions (an
/// earlier one, expired or not): a form typed in an old tab of the same
/// person, sent after they signed in again elsewhere.
pub async fn was_users_session<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    csrf: &str,
) -> Result<bool> {
    if csrf.is_empty() || csrf.len() > 256 {
        return Ok(false);
    }
    Ok(auth_token::Entity::find()
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::CsrfToken.eq(csrf))
        .one(db)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_answers_for_its_fields() {
        let draft = Draft {
            page: "/tasks/1".into(),
            form: "update".into(),
            fields: vec![
                ("note".into(), "Đã họp dân".into()),
                ("c".into(), "A".into()),
                ("c".into(), "B".into()),
            ],
            errors: vec![("note".into(), "quá dài".into())],
        };
        assert_eq!(draft.value("note"), Some("Đã họp dân"));
        assert_eq!(draft.value("c"), Some("A"));
        assert!(draft.has("c", "B") && !draft.has("c", "C"));
        assert_eq!(draft.error("note"), Some("quá dài"));
        assert_eq!(draft.error("c"), None);
    }
}
