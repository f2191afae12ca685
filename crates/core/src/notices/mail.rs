//! Mailing the notices through the outbox, as each recipient chose: one
//! message per notice at once (`workflow-notice:v1:{notice}`), or one
//! message a day with every notice waiting (`workflow-notice-digest:v1:
//! {user}:{date}`). The keys make each enqueue insert-or-ignore, so a rerun
//! or a second scheduler adds nothing; a notice is linked to the outbox row
//! that mails it in the same transaction, so it is mailed once.
//!
//! The notification carries its content (`NoticeMail`, JSON); the scheduler
//! renders the bodies with its mail templates before the first send, as for
//! the request for explanation. Each mail is in its recipient's language
//! (`users.language`): the subject and the lines here, the rest of the
//! words when the scheduler renders it. (Mails to departments — digests,
//! escalations, requests for explanation — stay in the organisation's
//! language, Vietnamese.)

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use dondoc_i18n::{Arg, Lang};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::{
    inbox::{self, NoticeView},
    mail_mode,
};
use crate::{
    Settings,
    db::{self, Db},
    domain::{Language, text::one_line},
    entity::{notification, user, workflow_notice},
    error::{Error, Result},
    followup::outbox::{self, NewNotification},
};

/// The outbox kind of a notice mailed at once.
pub const IMMEDIATE_KIND: &str = "workflow-notice";
/// The outbox kind of the daily digest of notices.
pub const DIGEST_KIND: &str = "workflow-notice-digest";

/// What a notice mail says: one line (at once) or several (digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeMail {
    /// `organization.name`.
    pub organization: String,
    /// Full name of the recipient.
    pub recipient: String,
    /// The day of a digest.
    pub date: NaiveDate,
    pub items: Vec<NoticeLine>,
    /// Where the recipient changes what is mailed.
    pub preferences_link: String,
    /// The recipient's language; a payload stored before accounts had one
    /// reads as Vietnamese.
    #[serde(default)]
    pub language: Language,
}

/// One notice in a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    /// The kind's short name.
    pub label: String,
    /// What happened, one sentence.
    pub sentence: String,
    pub task_code: String,
    pub task_title: String,
    pub note: Option<String>,
    /// The task's page.
    pub link: String,
}

fn line(settings: &Settings, view: &NoticeView, lang: Lang) -> NoticeLine {
    NoticeLine {
        label: view.label(lang),
        sentence: view.sentence(lang),
        task_code: view.task_code.clone(),
        task_title: view.task_title.clone(),
        note: view.note.clone().filter(|n| !n.trim().is_empty()),
        link: format!("{}/tasks/{}", settings.public_url(), view.task_id),
    }
}

/// The language the person reads (Vietnamese for an account that is gone).
fn language_of(person: Option<&user::Model>) -> Language {
    person.map(|u| u.language).unwrap_or_default()
}

/// The recipient's address, or why there is none.
fn address(person: Option<&user::Model>) -> std::result::Result<String, String> {
    match person {
        Some(u) => u
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| e.contains('@'))
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "Tài khoản {} không có địa chỉ email / account {} has no email address",
                    u.username, u.username
                )
            }),
        None => Err("Tài khoản không còn / the account is gone".to_string()),
    }
}

/// The people of these notices, by id.
async fn people<C: ConnectionTrait>(
    db: &C,
    rows: &[workflow_notice::Model],
) -> Result<HashMap<i64, user::Model>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn payload(mail: &NoticeMail) -> Result<serde_json::Value> {
    serde_json::to_value(mail).map_err(|e| Error::Unexpected(anyhow::anyhow!("notice mail: {e}")))
}

/// Puts one notification in the outbox (or finds the one already there
/// under `n`'s key); returns its id.
async fn put<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    n: &NewNotification,
    mail: &NoticeMail,
    message_domain: &str,
) -> Result<(i64, bool)> {
    if let Some(id) = outbox::enqueue_to_render(db, now, n, &payload(mail)?, message_domain).await?
    {
        return Ok((id, true));
    }
    let existing = notification::Entity::find()
        .filter(notification::Column::IdempotencyKey.eq(n.idempotency_key.as_str()))
        .one(db)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("notice mail vanished")))?;
    Ok((existing, false))
}

/// Enqueues the notices to be mailed at once that are not yet in the
/// outbox (at most `limit`); returns how many were newly enqueued.
pub async fn enqueue_immediate(
    db: &Db,
    now: DateTime<Utc>,
    today: NaiveDate,
    settings: &Settings,
    message_domain: &str,
    limit: u64,
) -> Result<u32> {
    if !waiting(db, mail_mode::IMMEDIATE).await? {
        return Ok(0);
    }
    let txn = db::begin_write(db).await?;
    let rows = workflow_notice::Entity::find()
        .filter(workflow_notice::Column::Mail.eq(mail_mode::IMMEDIATE))
        .filter(workflow_notice::Column::NotificationId.is_null())
        .order_by_asc(workflow_notice::Column::Id)
        .limit(limit)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let persons = people(&txn, &rows).await?;
    let views = inbox::views(&txn, rows.clone()).await?;
    let mut new = 0;
    for (row, view) in rows.iter().zip(&views) {
        let person = persons.get(&row.user_id);
        let to = address(person);
        let language = language_of(person);
        let lang = language.lang();
        let mail = NoticeMail {
            organization: settings.organization.name.clone(),
            recipient: person.map(|u| u.full_name.clone()).unwrap_or_default(),
            date: today,
            items: vec![line(settings, view, lang)],
            preferences_link: format!("{}/notices/preferences", settings.public_url()),
            language,
        };
        let subject = format!(
            "[{}] {}: {}",
            view.label(lang),
            one_line(&view.task_code),
            one_line(&view.task_title)
        );
        let n = NewNotification {
            idempotency_key: format!("{IMMEDIATE_KIND}:v1:{}", row.id),
            kind: IMMEDIATE_KIND.to_string(),
            for_date: today,
            // Addressed to a person, not a department: the departments'
            // figures of notices sent count reminders only.
            department_id: None,
            user_id: Some(row.user_id),
            recipients: to.clone().into_iter().collect(),
            subject,
            body_text: String::new(),
            body_html: String::new(),
            task_ids: vec![row.task_id],
            undeliverable: to.err(),
        };
        let (id, fresh) = put(&txn, now, &n, &mail, message_domain).await?;
        new += u32::from(fresh);
        link(&txn, &[row.id], id).await?;
    }
    txn.commit().await?;
    Ok(new)
}

/// Whether any notice of this mail choice waits for the outbox: a read,
/// so an idle tick never takes the write lock.
async fn waiting(db: &Db, mode: &str) -> Result<bool> {
    Ok(workflow_notice::Entity::find()
        .filter(workflow_notice::Column::Mail.eq(mode))
        .filter(workflow_notice::Column::NotificationId.is_null())
        .one(db)
        .await?
        .is_some())
}

async fn link<C: ConnectionTrait>(db: &C, notices: &[i64], notification_id: i64) -> Result<()> {
    for id in notices {
        workflow_notice::ActiveModel {
            id: Set(*id),
            notification_id: Set(Some(notification_id)),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(())
}

/// Enqueues the digest of `date` for each person with notices chosen for
/// the digest, made up to `upto` and not yet mailed; returns how many
/// digests were newly enqueued. A person whose digest of `date` exists
/// already keeps later notices for the next day's.
pub async fn enqueue_digests(
    db: &Db,
    now: DateTime<Utc>,
    date: NaiveDate,
    upto: DateTime<Utc>,
    settings: &Settings,
    message_domain: &str,
) -> Result<u32> {
    if !waiting(db, mail_mode::DIGEST).await? {
        return Ok(0);
    }
    let txn = db::begin_write(db).await?;
    let rows = workflow_notice::Entity::find()
        .filter(workflow_notice::Column::Mail.eq(mail_mode::DIGEST))
        .filter(workflow_notice::Column::NotificationId.is_null())
        .filter(workflow_notice::Column::CreatedAt.lte(upto))
        .order_by_asc(workflow_notice::Column::Id)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let persons = people(&txn, &rows).await?;
    let views = inbox::views(&txn, rows.clone()).await?;
    let mut by_user: BTreeMap<i64, Vec<(&workflow_notice::Model, &NoticeView)>> = BTreeMap::new();
    for (row, view) in rows.iter().zip(&views) {
        by_user.entry(row.user_id).or_default().push((row, view));
    }
    let mut new = 0;
    for (user_id, notices) in by_user {
        let person = persons.get(&user_id);
        let to = address(person);
        let language = language_of(person);
        let lang = language.lang();
        let mail = NoticeMail {
            organization: settings.organization.name.clone(),
            recipient: person.map(|u| u.full_name.clone()).unwrap_or_default(),
            date,
            items: notices
                .iter()
                .map(|(_, v)| line(settings, v, lang))
                .collect(),
            preferences_link: format!("{}/notices/preferences", settings.public_url()),
            language,
        };
        let subject = dondoc_i18n::text_with(
            lang,
            "notice-digest-subject",
            &[
                ("date", Arg::Date(date)),
                ("count", Arg::from(notices.len())),
            ],
        );
        let mut task_ids: Vec<i64> = notices.iter().map(|(r, _)| r.task_id).collect();
        task_ids.sort_unstable();
        task_ids.dedup();
        let n = NewNotification {
            idempotency_key: format!("{DIGEST_KIND}:v1:{user_id}:{date}"),
            kind: DIGEST_KIND.to_string(),
            for_date: date,
            department_id: None,
            user_id: Some(user_id),
            recipients: to.clone().into_iter().collect(),
            subject,
            body_text: String::new(),
            body_html: String::new(),
            task_ids,
            undeliverable: to.err(),
        };
        let (id, fresh) = put(&txn, now, &n, &mail, message_domain).await?;
        if fresh {
            new += 1;
            let ids: Vec<i64> = notices.iter().map(|(r, _)| r.id).collect();
            link(&txn, &ids, id).await?;
        }
    }
    txn.commit().await?;
    Ok(new)
}

/// Leaves every notice not yet mailed in the app only (`mail = none`): the
/// demo's seeded year is not mailed on the scheduler's first tick.
pub async fn keep_in_app<C: ConnectionTrait>(db: &C) -> Result<u64> {
    Ok(workflow_notice::Entity::update_many()
        .col_expr(
            workflow_notice::Column::Mail,
            sea_orm::sea_query::Expr::value(mail_mode::NONE),
        )
        .filter(workflow_notice::Column::NotificationId.is_null())
        .exec(db)
        .await?
        .rows_affected)
}
