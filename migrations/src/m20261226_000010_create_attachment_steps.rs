//! Which step an attached file came with: the completion report or progress
//! note, the extension request or the explanation answer it was sent in.
//!
//! A link row rather than a column on `attachments`, which stays
//! append-only: a file uploaded earlier (the API's `attachment_ids`) is tied
//! to its step by adding this row, never by updating the attachment. The
//! attachment is the primary key, so a file belongs to at most one step
//! (two steps racing for the same file: one insert fails). `history_id` is
//! the step's task history entry (every step writes one); the extension
//! request or explanation request is named as well when the step is one, so
//! the decision forms find their files without reading the history.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("attachment_steps")
                    .if_not_exists()
                    .col(big_integer("attachment_id").primary_key())
                    .col(big_integer("task_id"))
                    .col(big_integer("history_id"))
                    .col(big_integer_null("extension_request_id"))
                    .col(big_integer_null("explanation_request_id"))
                    .col(timestamp_with_time_zone("tied_at"))
                    .foreign_key(&mut fk_cascade(
                        "attachment_steps",
                        "attachment_id",
                        "attachments",
                    ))
                    .foreign_key(&mut fk_cascade("attachment_steps", "task_id", "tasks"))
                    .foreign_key(&mut fk_cascade(
                        "attachment_steps",
                        "history_id",
                        "task_history",
                    ))
                    .foreign_key(&mut fk_cascade(
                        "attachment_steps",
                        "extension_request_id",
                        "extension_requests",
                    ))
                    .foreign_key(&mut fk_cascade(
                        "attachment_steps",
                        "explanation_request_id",
                        "explanation_requests",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "attachment_steps",
                "idx_attachment_steps_task",
                &["task_id", "history_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "attachment_steps",
                "idx_attachment_steps_history",
                &["history_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "attachment_steps",
                "idx_attachment_steps_extension",
                &["extension_request_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "attachment_steps",
                "idx_attachment_steps_explanation",
                &["explanation_request_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["attachment_steps"]).await
    }
}
