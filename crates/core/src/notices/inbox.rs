//! A person's notices in the app: the list behind the bell, the unread
//! count, marking read, and the choice of how each kind is mailed.
//!
//! Everyone reads only their own notices; staff, in addition, only those
//! made while they were in their current department (a member moved to
//! another department does not keep reading the old one's work).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{kind, mail_mode};
use crate::{
    accounts::principal::Principal,
    db::{self, Db},
    domain::{Language, Role},
    entity::{notice_preference, task, user, workflow_notice},
    error::{Error, FieldError, Result},
    messages::Msg,
    tasks::{Page, query::parse_paging},
};

/// One notice as its recipient sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: i64,
    /// reported_done, confirmed, returned, extension_requested,
    /// extension_decided, explanation_asked, explanation_answered,
    /// due_date_changed, assigned
    pub kind: String,
    pub task_id: i64,
    pub task_code: String,
    pub task_title: String,
    /// Full name of who acted.
    pub actor: Option<String>,
    /// The history entry's values (a status, a date, department codes).
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
    /// immediate | digest | none: how it is mailed.
    pub mail: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawNoticeQuery {
    /// `true`: only the unread ones.
    pub unread: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// What a person may read: their own notices (staff: made in their
/// department).
fn own(user: &Principal) -> Condition {
    let mut cond = Condition::all().add(workflow_notice::Column::UserId.eq(user.user_id));
    if user.role == Role::Staff {
        cond = cond.add(match user.department_id {
            Some(d) => workflow_notice::Column::DepartmentId.eq(d),
            None => workflow_notice::Column::Id.eq(-1),
        });
    }
    cond
}

/// The unread count shown on the bell.
pub async fn unread_count<C: ConnectionTrait>(db: &C, user: &Principal) -> Result<u64> {
    Ok(workflow_notice::Entity::find()
        .filter(own(user))
        .filter(workflow_notice::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// The user's notices, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawNoticeQuery,
) -> Result<Page<NoticeView>> {
    let mut errors = Vec::new();
    let paging = match parse_paging(&raw.page, &raw.per_page) {
        Ok(p) => Some(p),
        Err(Error::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let unread = match raw.unread.as_deref().map(str::trim).unwrap_or("") {
        "" | "false" | "0" => false,
        "true" | "1" => true,
        other => {
            errors.push(FieldError::new(
                "unread",
                "invalid_choice",
                Msg::InvalidChoice {
                    value: other.to_string(),
                    choices: "true, false".to_string(),
                },
            ));
            false
        }
    };
    let Some((page, per_page)) = paging.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let mut query = workflow_notice::Entity::find().filter(own(user));
    if unread {
        query = query.filter(workflow_notice::Column::ReadAt.is_null());
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(workflow_notice::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    Ok(Page {
        items: views(db, rows).await?,
        total,
        page,
        per_page,
    })
}

/// Rows with the task and the actor named.
pub async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<workflow_notice::Model>,
) -> Result<Vec<NoticeView>> {
    let mut task_ids: Vec<i64> = rows.iter().map(|r| r.task_id).collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let mut actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let tasks: HashMap<i64, task::Model> = if task_ids.is_empty() {
        HashMap::new()
    } else {
        task::Entity::find()
            .filter(task::Column::Id.is_in(task_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect()
    };
    let actors: HashMap<i64, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = tasks.get(&r.task_id);
            NoticeView {
                id: r.id,
                kind: r.kind,
                task_id: r.task_id,
                task_code: t.map(|t| t.code.clone()).unwrap_or_default(),
                task_title: t.map(|t| t.title.clone()).unwrap_or_default(),
                actor: r.actor_id.and_then(|id| actors.get(&id).cloned()),
                old_value: r.old_value,
                new_value: r.new_value,
                note: r.note,
                mail: r.mail,
                created_at: r.created_at,
                read_at: r.read_at,
            }
        })
        .collect())
}

/// Marks one of the user's notices read (someone else's is not found).
/// Returns the task it is about, for the page to open.
pub async fn mark_read(db: &Db, now: DateTime<Utc>, user: &Principal, id: i64) -> Result<i64> {
    let txn = db::begin_write(db).await?;
    let Some(row) = workflow_notice::Entity::find_by_id(id)
        .filter(own(user))
        .one(&txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundNotification { id }));
    };
    let task_id = row.task_id;
    if row.read_at.is_none() {
        let mut read: workflow_notice::ActiveModel = row.into();
        read.read_at = Set(Some(now));
        read.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(task_id)
}

/// Marks every unread notice of the user read; returns how many.
pub async fn mark_all_read(db: &Db, now: DateTime<Utc>, user: &Principal) -> Result<u64> {
    let txn = db::begin_write(db).await?;
    let done = workflow_notice::Entity::update_many()
        .col_expr(workflow_notice::Column::ReadAt, Expr::value(now))
        .filter(own(user))
        .filter(workflow_notice::Column::ReadAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(done)
}

/// How one kind of notice is mailed to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Preference {
    pub kind: String,
    /// immediate | digest | none
    pub mail: String,
    /// `false`: shown in the app only (the request for explanation is
    /// mailed to the department by its own notice).
    pub mailable: bool,
}

/// The user's choice for every kind (the default where none was made).
pub async fn preferences<C: ConnectionTrait>(db: &C, user: &Principal) -> Result<Vec<Preference>> {
    let chosen: HashMap<String, String> = notice_preference::Entity::find()
        .filter(notice_preference::Column::UserId.eq(user.user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.kind, p.mail))
        .collect();
    Ok(kind::ALL
        .iter()
        .map(|k| {
            let mailable = kind::mailable(k);
            Preference {
                kind: k.to_string(),
                mail: if mailable {
                    chosen
                        .get(*k)
                        .cloned()
                        .unwrap_or_else(|| mail_mode::DEFAULT.to_string())
                } else {
                    mail_mode::NONE.to_string()
                },
                mailable,
            }
        })
        .collect())
}

/// Saves the user's choices, `(kind, mail)`: every pair is checked first
/// (each bad one named as field `kind`), then all are saved together.
pub async fn set_preferences(
    db: &Db,
    user: &Principal,
    choices: &[(String, String)],
) -> Result<Vec<Preference>> {
    save(db, user, choices, None).await
}

/// Saves the mail choices and, when given, the account's language (`vi`,
/// `en`; the language of the mails to the person): everything is checked
/// first (a bad language named as field `language`), then saved in one
/// transaction.
pub async fn set_choices(
    db: &Db,
    now: DateTime<Utc>,
    user: &Principal,
    choices: &[(String, String)],
    language: Option<&str>,
) -> Result<Vec<Preference>> {
    save(db, user, choices, language.map(|l| (l, now))).await
}

/// The choices and the language changed at `now`, checked then saved.
async fn save(
    db: &Db,
    user: &Principal,
    choices: &[(String, String)],
    language: Option<(&str, DateTime<Utc>)>,
) -> Result<Vec<Preference>> {
    let mut errors = Vec::new();
    let language = match language
        .map(|(code, now)| code.parse::<Language>().map(|l| (l, now)))
        .transpose()
    {
        Ok(l) => l,
        Err(Error::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    for (k, mail) in choices {
        if !kind::ALL.contains(&k.as_str()) {
            errors.push(FieldError::new(
                k.clone(),
                "unknown_kind",
                Msg::InvalidChoice {
                    value: k.clone(),
                    choices: kind::ALL.join(", "),
                },
            ));
        } else if !mail_mode::ALL.contains(&mail.as_str()) {
            errors.push(FieldError::new(
                k.clone(),
                "invalid_choice",
                Msg::InvalidChoice {
                    value: mail.clone(),
                    choices: mail_mode::ALL.join(", "),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let txn = db::begin_write(db).await?;
    for (k, mail) in choices.iter().filter(|(k, _)| kind::mailable(k)) {
        notice_preference::Entity::delete_many()
            .filter(notice_preference::Column::UserId.eq(user.user_id))
            .filter(notice_preference::Column::Kind.eq(k.as_str()))
            .exec(&txn)
            .await?;
        notice_preference::ActiveModel {
            user_id: Set(user.user_id),
            kind: Set(k.clone()),
            mail: Set(mail.clone()),
        }
        .insert(&txn)
        .await?;
    }
    if let Some((language, now)) = language {
        crate::accounts::users::set_own_language(&txn, now, user.user_id, language).await?;
    }
    txn.commit().await?;
    preferences(db, user).await
}

/// `2026-12-01` as `01/12/2026`; anything else as it is.
fn shown_value(value: Option<&str>) -> String {
    let value = value.unwrap_or("").trim();
    match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(day) => dondoc_i18n::date(day),
        Err(_) => value.to_string(),
    }
}

impl NoticeView {
    /// The kind's short name (`notice-kind-…`).
    pub fn label(&self, lang: dondoc_i18n::Lang) -> String {
        dondoc_i18n::text(lang, &format!("notice-kind-{}", self.kind))
    }

    /// What happened, in one sentence (`notice-says-…`).
    pub fn sentence(&self, lang: dondoc_i18n::Lang) -> String {
        use dondoc_i18n::Arg;
        let key = match self.kind.as_str() {
            kind::EXTENSION_DECIDED if self.new_value.is_none() => {
                "notice-says-extension_rejected".to_string()
            }
            k => format!("notice-says-{k}"),
        };
        let actor = self
            .actor
            .clone()
            .unwrap_or_else(|| dondoc_i18n::text(lang, "notice-actor-system"));
        dondoc_i18n::text_with(
            lang,
            &key,
            &[
                ("actor", Arg::Text(actor)),
                ("old", Arg::Text(shown_value(self.old_value.as_deref()))),
                ("new", Arg::Text(shown_value(self.new_value.as_deref()))),
            ],
        )
    }
}
