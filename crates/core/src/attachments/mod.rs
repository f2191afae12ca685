//! Attached files (tệp đính kèm): the evidence behind a completion report,
//! a progress note, an extension request or an explanation answer, and the
//! signed scan of a recorded document (văn bản).
//!
//! Invariants a reader must keep:
//! - A file is accepted for what its bytes are (`sniff`), never for its
//!   name; it is refused before anything is written, so a refused file
//!   leaves no row and no file behind.
//! - Rows are append-only. A correction is a new version that names the one
//!   it supersedes (at most once: a unique index); both stay listed.
//! - A file sent with a step (report, note, extension request, explanation
//!   answer) is tied to that step's history entry by an `attachment_steps`
//!   row written in the step's transaction (`evidence`); a file attached on
//!   its own has no step.
//! - Each attachment is written in the task history (name, size, SHA-256,
//!   who, when) in the same transaction as its row; a document's scan is
//!   written in the history of every task the document is linked to.
//! - Reading a file asks the same right as reading its task (a document's:
//!   the right to see the document).

pub mod evidence;
pub mod sniff;
pub mod store;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

pub use sniff::FileKind;
pub use store::Store;

use crate::{
    Clock,
    accounts::{
        policy::{self, Action},
        principal::Principal,
        users::UserRef,
    },
    config::AttachmentSettings,
    db::{self, Db},
    documents,
    entity::{attachment, attachment_step, document, document_task, user},
    error::{Error, Result},
    messages::Msg,
    tasks::{access, history},
};

/// History actions of attachments.
pub const HISTORY_ADDED: &str = "attachment_added";
pub const HISTORY_SUPERSEDED: &str = "attachment_superseded";

/// What an attached file backs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// The completion report (báo cáo hoàn thành).
    Report,
    /// A progress note.
    Note,
    /// An extension request.
    Extension,
    /// An answer to a request for explanation.
    Explanation,
    /// The signed scan of a recorded document.
    Document,
}

impl Context {
    pub const FOR_TASKS: [Context; 4] = [
        Context::Report,
        Context::Note,
        Context::Extension,
        Context::Explanation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Context::Report => "report",
            Context::Note => "note",
            Context::Extension => "extension",
            Context::Explanation => "explanation",
            Context::Document => "document",
        }
    }

    /// The right needed to attach a file for this purpose.
    pub fn action(self) -> Action {
        match self {
            Context::Report => Action::UpdateTaskProgress,
            Context::Note => Action::AddTaskNote,
            Context::Extension => Action::RequestExtension,
            Context::Explanation => Action::AnswerExplanation,
            Context::Document => Action::RecordDocument,
        }
    }

    /// A context named in a request (`field` names it when wrong).
    pub fn parse(field: &str, value: &str) -> Result<Context> {
        let value = value.trim();
        [Context::Document]
            .into_iter()
            .chain(Context::FOR_TASKS)
            .find(|c| c.as_str() == value)
            .ok_or_else(|| {
                Error::field(
                    field,
                    "invalid_choice",
                    Msg::InvalidChoice {
                        value: value.to_string(),
                        choices: "report, note, extension, explanation".into(),
                    },
                )
            })
    }
}

/// What an attachment is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Task(i64),
    Document(i64),
}

/// A file to attach, as it arrived.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub context: Context,
    /// The attachment this one replaces (a new version).
    pub supersedes: Option<i64>,
}

/// An attachment as users see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub task_id: Option<i64>,
    pub document_id: Option<i64>,
    pub context: Context,
    pub file_name: String,
    /// The media type found in the bytes.
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub uploaded_by: Option<UserRef>,
    pub uploaded_at: DateTime<Utc>,
    /// The earlier version this one replaces.
    pub supersedes_id: Option<i64>,
    /// The later version that replaces this one (`null`: current).
    pub superseded_by: Option<i64>,
    /// A PDF or an image, which browsers may show inline.
    pub viewable_inline: bool,
    /// The step the file came with (`null`: attached on its own).
    pub step: Option<StepRef>,
}

impl AttachmentView {
    pub fn kind(&self) -> Option<FileKind> {
        FileKind::from_mime(&self.content_type)
    }
}

/// The step an attachment came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct StepRef {
    /// The step's entry in the task history.
    pub history_id: i64,
    /// The extension request, when the step is one.
    pub extension_request_id: Option<i64>,
    /// The request for explanation, when the step answers one.
    pub explanation_request_id: Option<i64>,
}

impl From<&attachment_step::Model> for StepRef {
    fn from(row: &attachment_step::Model) -> Self {
        StepRef {
            history_id: row.history_id,
            extension_request_id: row.extension_request_id,
            explanation_request_id: row.explanation_request_id,
        }
    }
}

/// The name, size and hash, as the task history records them.
fn history_value(name: &str, size: usize, sha256: &str) -> String {
    format!("{name} ({size} B, SHA-256 {sha256})")
}

/// Checks `user` may attach `context` to `target`; returns the tasks whose
/// history records it.
async fn authorize<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    target: Target,
    context: Context,
) -> Result<Vec<i64>> {
    match target {
        Target::Task(task_id) => {
            if context == Context::Document {
                return Err(Error::field(
                    "context",
                    "invalid_choice",
                    Msg::InvalidChoice {
                        value: context.as_str().into(),
                        choices: "report, note, extension, explanation".into(),
                    },
                ));
            }
            access::load_for(db, user, task_id, context.action()).await?;
            Ok(vec![task_id])
        }
        Target::Document(document_id) => {
            policy::require(user, Action::RecordDocument, None)?;
            if document::Entity::find_by_id(document_id)
                .one(db)
                .await?
                .is_none()
            {
                return Err(Error::NotFound(Msg::NotFoundDocument { id: document_id }));
            }
            Ok(document_task::Entity::find()
                .filter(document_task::Column::DocumentId.eq(document_id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.task_id)
                .collect())
        }
    }
}

/// The file checked: its kind, or the problem named on `file`.
pub fn check_file(bytes: &[u8], settings: &AttachmentSettings) -> Result<FileKind> {
    if bytes.len() as u64 > settings.max_bytes {
        return Err(Error::field(
            "file",
            "too_large",
            Msg::AttachmentTooLarge {
                max_mb: settings.max_bytes.div_ceil(1024 * 1024),
            },
        ));
    }
    sniff::sniff(bytes).map_err(|msg| Error::field("file", "file_type", msg))
}

/// The version `supersedes` names: of the same target, not yet superseded.
async fn check_supersedes<C: ConnectionTrait>(
    db: &C,
    target: Target,
    supersedes: i64,
) -> Result<attachment::Model> {
    let wrong = || Error::field("supersedes", "invalid", Msg::AttachmentSupersedes);
    let old = attachment::Entity::find_by_id(supersedes)
        .one(db)
        .await?
        .ok_or_else(wrong)?;
    let same = match target {
        Target::Task(id) => old.task_id == Some(id),
        Target::Document(id) => old.document_id == Some(id),
    };
    let already = attachment::Entity::find()
        .filter(attachment::Column::SupersedesId.eq(supersedes))
        .one(db)
        .await?
        .is_some();
    if !same || already {
        return Err(wrong());
    }
    Ok(old)
}

/// Attaches a file: checked, stored, recorded in the history, all or nothing.
#[tracing::instrument(skip_all, fields(user = user.user_id, ?target))]
pub async fn attach(
    db: &Db,
    clock: &Clock,
    settings: &AttachmentSettings,
    user: &Principal,
    target: Target,
    new: NewAttachment,
) -> Result<AttachmentView> {
    authorize(db, user, target, new.context).await?;
    let kind = check_file(&new.bytes, settings)?;
    let file_name = sniff::clean_name(&new.file_name, kind);
    let sha256 = hex::encode(Sha256::digest(&new.bytes));
    let size = new.bytes.len();
    let store = Store::resolve(db, settings).await?;
    let created_on_disk = match &store {
        Store::Disk(dir) => store::put_on_disk(dir, &sha256, new.bytes.clone()).await?,
        Store::Database => false,
    };
    let written = write_row(
        db, clock, user, target, &new, kind, &file_name, &sha256, &store,
    )
    .await;
    if written.is_err()
        && created_on_disk
        && let Store::Disk(dir) = &store
    {
        store::forget_unused(db, dir, &sha256).await?;
    }
    let id = written?;
    tracing::info!(id, size, sha256, store = store.kind(), "file attached");
    let mut views = views(db, vec![fetch(db, id).await?]).await?;
    views
        .pop()
        .ok_or_else(|| Error::NotFound(Msg::NotFoundAttachment { id }))
}

/// The row, the blob (database store) and the history, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn write_row(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    target: Target,
    new: &NewAttachment,
    kind: FileKind,
    file_name: &str,
    sha256: &str,
    store: &Store,
) -> Result<i64> {
    let now = clock.now();
    let txn = db::begin_write(db).await?;
    // Checked again inside the transaction: the rights or the task may have
    // changed since, and the version chain must hold against a race.
    let tasks = authorize(&txn, user, target, new.context).await?;
    let old = match new.supersedes {
        Some(id) => Some(check_supersedes(&txn, target, id).await?),
        None => None,
    };
    if *store == Store::Database {
        store::put_in_database(&txn, sha256, new.bytes.clone(), now).await?;
    }
    let (task_id, document_id) = match target {
        Target::Task(id) => (Some(id), None),
        Target::Document(id) => (None, Some(id)),
    };
    let row = attachment::ActiveModel {
        task_id: Set(task_id),
        document_id: Set(document_id),
        context: Set(new.context.as_str().to_string()),
        file_name: Set(file_name.to_string()),
        content_type: Set(kind.mime().to_string()),
        size: Set(new.bytes.len() as i64),
        sha256: Set(sha256.to_string()),
        supersedes_id: Set(new.supersedes),
        uploaded_by: Set(user.user_id),
        uploaded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let value = history_value(file_name, new.bytes.len(), sha256);
    for task in tasks {
        let change = match &old {
            Some(old) => history::Change::new(task, Some(user.user_id), HISTORY_SUPERSEDED).field(
                "attachment",
                history_value(&old.file_name, old.size as usize, &old.sha256),
                &value,
            ),
            None => history::Change::new(task, Some(user.user_id), HISTORY_ADDED).field(
                "attachment",
                "",
                &value,
            ),
        };
        history::record(&txn, now, change).await?;
    }
    txn.commit().await?;
    Ok(row.id)
}

async fn fetch<C: ConnectionTrait>(db: &C, id: i64) -> Result<attachment::Model> {
    attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound(Msg::NotFoundAttachment { id }))
}

/// Views of rows, with their uploader and the version that replaces each.
async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<attachment::Model>,
) -> Result<Vec<AttachmentView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let replaced: HashMap<i64, i64> = attachment::Entity::find()
        .filter(attachment::Column::SupersedesId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.supersedes_id.map(|old| (old, r.id)))
        .collect();
    let steps: HashMap<i64, StepRef> = attachment_step::Entity::find()
        .filter(attachment_step::Column::AttachmentId.is_in(ids.clone()))
        .all(db)
        .await?
        .iter()
        .map(|s| (s.attachment_id, StepRef::from(s)))
        .collect();
    let mut user_ids: Vec<i64> = rows.iter().map(|r| r.uploaded_by).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users: HashMap<i64, UserRef> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .iter()
        .map(|u| (u.id, UserRef::from(u)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let kind = FileKind::from_mime(&r.content_type);
            AttachmentView {
                id: r.id,
                task_id: r.task_id,
                document_id: r.document_id,
                context: Context::parse("context", &r.context).unwrap_or(Context::Note),
                file_name: r.file_name,
                content_type: r.content_type,
                size: r.size,
                sha256: r.sha256,
                uploaded_by: users.get(&r.uploaded_by).cloned(),
                uploaded_at: r.uploaded_at,
                supersedes_id: r.supersedes_id,
                superseded_by: replaced.get(&r.id).copied(),
                viewable_inline: kind.is_some_and(FileKind::viewable_inline),
                step: steps.get(&r.id).copied(),
            }
        })
        .collect())
}

/// A task's attachments, oldest first (the right to read the task).
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
) -> Result<Vec<AttachmentView>> {
    access::load_for(db, user, task_id, Action::ReadTask).await?;
    let rows = attachment::Entity::find()
        .filter(attachment::Column::TaskId.eq(task_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// A document's attachments, oldest first (the right to see the document).
pub async fn for_document<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    document_id: i64,
) -> Result<Vec<AttachmentView>> {
    documents::get(db, user, document_id).await?;
    for_documents(db, &[document_id]).await
}

/// The attachments of several documents (the caller checked the right to
/// see them, e.g. as the documents of a task the user may read).
pub async fn for_documents<C: ConnectionTrait>(
    db: &C,
    document_ids: &[i64],
) -> Result<Vec<AttachmentView>> {
    if document_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = attachment::Entity::find()
        .filter(attachment::Column::DocumentId.is_in(document_ids.to_vec()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// One attachment's description, after the same check as its task's.
pub async fn get<C: ConnectionTrait>(db: &C, user: &Principal, id: i64) -> Result<AttachmentView> {
    let row = fetch(db, id).await?;
    match (row.task_id, row.document_id) {
        (Some(task_id), _) => {
            access::load_for(db, user, task_id, Action::ReadTask).await?;
        }
        (None, Some(document_id)) => {
            documents::get(db, user, document_id).await?;
        }
        (None, None) => return Err(Error::NotFound(Msg::NotFoundAttachment { id })),
    }
    let mut views = views(db, vec![row]).await?;
    views
        .pop()
        .ok_or(Error::NotFound(Msg::NotFoundAttachment { id }))
}

/// An attachment and its bytes, after the same check as its task's.
pub async fn open(
    db: &Db,
    settings: &AttachmentSettings,
    user: &Principal,
    id: i64,
) -> Result<(AttachmentView, Vec<u8>)> {
    let view = get(db, user, id).await?;
    let store = Store::resolve(db, settings).await?;
    let bytes = store::get(db, &store, &view.sha256).await?;
    Ok((view, bytes))
}

/// Every distinct file attachments refer to (SHA-256), for backups.
pub async fn kept_hashes<C: ConnectionTrait>(db: &C) -> Result<Vec<String>> {
    let mut hashes: Vec<String> = attachment::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.sha256)
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    Ok(hashes)
}

/// Copies every file the disk store keeps into `target`'s
/// `attachment_blobs` table (a backup made by `VACUUM INTO`), so the backup
/// holds the files too. Returns how many were copied.
pub async fn copy_files_into(db: &Db, settings: &AttachmentSettings, target: &Db) -> Result<usize> {
    let store = Store::resolve(db, settings).await?;
    if store == Store::Database {
        // Already in the copied tables.
        return Ok(0);
    }
    let now = Utc::now();
    let mut copied = 0;
    let txn = target.begin().await?;
    for sha256 in kept_hashes(db).await? {
        let bytes = store::get(db, &store, &sha256).await?;
        store::put_in_database(&txn, &sha256, bytes, now).await?;
        copied += 1;
    }
    txn.commit().await?;
    Ok(copied)
}
