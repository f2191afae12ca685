//! Evidence (minh chứng): files that come with a step — a completion report
//! or progress note, an extension request, an answer to a request for
//! explanation — saved with it, or not at all.
//!
//! How "all or nothing" holds across the database and the disk:
//! 1. every file is checked (`check_file`: type from the bytes, size, the
//!    zip-bomb guard) before anything is written: a refused file writes no
//!    step, no row, no blob and no file;
//! 2. with the disk store, each file is written (temp file + fsync +
//!    rename) before the transaction, as `attach` does, remembering which
//!    files this call created;
//! 3. one transaction writes the step (through the `*_in` commands), each
//!    file's row, blob (database store), history entry and its tie to the
//!    step (`attachment_steps`), and ties the files the API names by id;
//! 4. if anything fails, the transaction rolls back and the files this call
//!    created are removed unless a committed row holds the same content.
//!
//! A file uploaded earlier (the API's `attachment_ids`) may be tied only by
//! the person who uploaded it, to a step of the same task, once.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Set};
use sha2::{Digest as _, Sha256};

use super::{
    Context, FileKind, HISTORY_ADDED, StepRef, Store, check_file, history_value, sniff, store,
};
use crate::{
    Clock,
    accounts::principal::Principal,
    config::AttachmentSettings,
    db::{self, Db},
    entity::{attachment, attachment_step},
    error::{Error, FieldError, Result},
    followup::explanations::{self, ExplanationAnswer},
    messages::Msg,
    tasks::{
        commands::{self, TaskPatch},
        history::{self, Change, action},
    },
};

/// Files one step may carry.
pub const MAX_FILES: usize = 5;

/// A file as it arrived with a step.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What a step carries besides its text.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Files sent with the step (a page's form).
    pub files: Vec<NewFile>,
    /// Attachments the same person uploaded earlier to the same task and
    /// not yet tied to a step (the API).
    pub attachment_ids: Vec<i64>,
}

impl Evidence {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.attachment_ids.is_empty()
    }
}

/// The step being saved, as its files are tied to it.
struct Step {
    task_id: i64,
    context: Context,
    at: StepRef,
}

struct Checked {
    file_name: String,
    bytes: Vec<u8>,
    kind: FileKind,
    sha256: String,
}

/// Files checked and (disk store) written, before the transaction.
struct Prepared {
    files: Vec<Checked>,
    store: Option<Store>,
    /// Files this call created on disk: removed again if the step fails.
    created: Vec<String>,
}

/// A refusal of `check_file` named on the form's `files` input.
fn on_files(err: Error) -> Error {
    match err {
        Error::Validation(mut fields) => {
            for f in &mut fields {
                f.field = "files".into();
            }
            Error::Validation(fields)
        }
        other => other,
    }
}

async fn prepare(db: &Db, settings: &AttachmentSettings, evidence: Evidence) -> Result<Prepared> {
    if evidence.files.len() + evidence.attachment_ids.len() > MAX_FILES {
        // Named where they came from: the form's input, or the API's list.
        return Err(Error::field(
            if evidence.files.is_empty() {
                "attachment_ids"
            } else {
                "files"
            },
            "too_many",
            Msg::EvidenceTooMany {
                max: MAX_FILES as u64,
            },
        ));
    }
    let mut files = Vec::with_capacity(evidence.files.len());
    for file in evidence.files {
        let kind = check_file(&file.bytes, settings).map_err(on_files)?;
        files.push(Checked {
            file_name: sniff::clean_name(&file.file_name, kind),
            sha256: hex::encode(Sha256::digest(&file.bytes)),
            bytes: file.bytes,
            kind,
        });
    }
    let mut prepared = Prepared {
        store: None,
        created: Vec::new(),
        files,
    };
    if prepared.files.is_empty() {
        return Ok(prepared);
    }
    let store = Store::resolve(db, settings).await?;
    if let Store::Disk(dir) = &store {
        for file in &prepared.files {
            match store::put_on_disk(dir, &file.sha256, file.bytes.clone()).await {
                Ok(true) => prepared.created.push(file.sha256.clone()),
                Ok(false) => {}
                Err(err) => {
                    prepared.store = Some(store.clone());
                    prepared.forget(db).await;
                    return Err(err);
                }
            }
        }
    }
    prepared.store = Some(store);
    Ok(prepared)
}

impl Prepared {
    /// Removes the files this call wrote for a step that was not saved.
    async fn forget(&self, db: &Db) {
        let Some(Store::Disk(dir)) = &self.store else {
            return;
        };
        for sha256 in &self.created {
            if let Err(err) = store::forget_unused(db, dir, sha256).await {
                tracing::warn!(error = %err, sha256, "an unsaved step's file was not removed");
            }
        }
    }

    /// Writes the files' rows, blobs, history and ties, and ties the files
    /// named by id, in the step's transaction.
    async fn tie(
        &self,
        txn: &DatabaseTransaction,
        clock: &Clock,
        user: &Principal,
        ids: &[i64],
        step: Step,
    ) -> Result<()> {
        let now = clock.now();
        let tie = |attachment_id: i64| attachment_step::ActiveModel {
            attachment_id: Set(attachment_id),
            task_id: Set(step.task_id),
            history_id: Set(step.at.history_id),
            extension_request_id: Set(step.at.extension_request_id),
            explanation_request_id: Set(step.at.explanation_request_id),
            tied_at: Set(now),
        };
        for file in &self.files {
            if self.store == Some(Store::Database) {
                store::put_in_database(txn, &file.sha256, file.bytes.clone(), now).await?;
            }
            let row = attachment::ActiveModel {
                task_id: Set(Some(step.task_id)),
                document_id: Set(None),
                context: Set(step.context.as_str().to_string()),
                file_name: Set(file.file_name.clone()),
                content_type: Set(file.kind.mime().to_string()),
                size: Set(file.bytes.len() as i64),
                sha256: Set(file.sha256.clone()),
                supersedes_id: Set(None),
                uploaded_by: Set(user.user_id),
                uploaded_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let value = history_value(&file.file_name, file.bytes.len(), &file.sha256);
            history::record(
                txn,
                now,
                Change::new(step.task_id, Some(user.user_id), HISTORY_ADDED).field(
                    "attachment",
                    "",
                    &value,
                ),
            )
            .await?;
            tie(row.id).insert(txn).await?;
        }
        let mut errors = Vec::new();
        for (n, &id) in ids.iter().enumerate() {
            if tieable(txn, user, step.task_id, id).await? {
                tie(id).insert(txn).await?;
            } else {
                errors.push(FieldError::new(
                    format!("attachment_ids[{n}]"),
                    "invalid",
                    Msg::EvidenceNotTieable { id },
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(())
    }
}

/// Whether attachment `id` is this person's upload to this task, not yet
/// tied to a step (ties written earlier in this transaction included).
async fn tieable<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    id: i64,
) -> Result<bool> {
    let Some(row) = attachment::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    if row.task_id != Some(task_id) || row.uploaded_by != user.user_id {
        return Ok(false);
    }
    Ok(attachment_step::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_none())
}

/// Runs the step's transaction; on failure, the files written for it go.
async fn settle<T>(db: &Db, prepared: &Prepared, result: Result<T>) -> Result<T> {
    if result.is_err() {
        prepared.forget(db).await;
    }
    result
}

/// A task update (a completion report, a progress note) with its files.
/// Returns the step's history entry, `None` when nothing changed (then no
/// file may come: the files need a step to belong to).
pub async fn update_task(
    db: &Db,
    clock: &Clock,
    settings: &AttachmentSettings,
    user: &Principal,
    task_id: i64,
    patch: TaskPatch,
    evidence: Evidence,
) -> Result<Option<i64>> {
    let ids = evidence.attachment_ids.clone();
    let carries = !evidence.is_empty();
    let prepared = prepare(db, settings, evidence).await?;
    let result: Result<Option<i64>> = async {
        let txn = db::begin_write(db).await?;
        let needs_step = || Error::field("note", "required", Msg::EvidenceNeedsStep);
        let entry = match commands::update_in(&txn, clock, user, task_id, patch).await {
            Ok(Some(entry)) => entry,
            Ok(None) if carries => return Err(needs_step()),
            Ok(None) => return Ok(None),
            // Files with nothing else: say what they need, not "empty".
            Err(Error::Validation(fields))
                if carries && fields.iter().any(|f| f.code == "empty_update") =>
            {
                return Err(needs_step());
            }
            Err(other) => return Err(other),
        };
        let context = match entry.action {
            action::REPORTED_DONE | action::CONFIRMED => Context::Report,
            _ => Context::Note,
        };
        let at = StepRef {
            history_id: entry.history_id,
            extension_request_id: None,
            explanation_request_id: None,
        };
        let step = Step {
            task_id,
            context,
            at,
        };
        prepared.tie(&txn, clock, user, &ids, step).await?;
        txn.commit().await?;
        Ok(Some(entry.history_id))
    }
    .await;
    settle(db, &prepared, result).await
}

/// An extension request with its files. Returns the request's id.
#[allow(clippy::too_many_arguments)]
pub async fn request_extension(
    db: &Db,
    clock: &Clock,
    settings: &AttachmentSettings,
    user: &Principal,
    task_id: i64,
    requested_due_date: &str,
    reason: &str,
    evidence: Evidence,
) -> Result<i64> {
    let ids = evidence.attachment_ids.clone();
    let prepared = prepare(db, settings, evidence).await?;
    let result: Result<i64> = async {
        let txn = db::begin_write(db).await?;
        let (request_id, history_id) =
            commands::request_extension_in(&txn, clock, user, task_id, requested_due_date, reason)
                .await?;
        let at = StepRef {
            history_id,
            extension_request_id: Some(request_id),
            explanation_request_id: None,
        };
        let step = Step {
            task_id,
            context: Context::Extension,
            at,
        };
        prepared.tie(&txn, clock, user, &ids, step).await?;
        txn.commit().await?;
        Ok(request_id)
    }
    .await;
    settle(db, &prepared, result).await
}

/// An answer to a request for explanation with its files. Returns the
/// request's id.
pub async fn answer_explanation(
    db: &Db,
    clock: &Clock,
    settings: &AttachmentSettings,
    user: &Principal,
    request_id: i64,
    input: &ExplanationAnswer,
    evidence: Evidence,
) -> Result<i64> {
    let ids = evidence.attachment_ids.clone();
    let prepared = prepare(db, settings, evidence).await?;
    let result: Result<i64> = async {
        let txn = db::begin_write(db).await?;
        let (task_id, history_id) =
            explanations::answer_in(&txn, clock, user, request_id, input).await?;
        let at = StepRef {
            history_id,
            extension_request_id: None,
            explanation_request_id: Some(request_id),
        };
        let step = Step {
            task_id,
            context: Context::Explanation,
            at,
        };
        prepared.tie(&txn, clock, user, &ids, step).await?;
        txn.commit().await?;
        Ok(request_id)
    }
    .await;
    settle(db, &prepared, result).await
}
