//! Attached files (tệp đính kèm): evidence on a completion report, a
//! progress note, an extension request, an explanation answer, or the signed
//! scan of a recorded document.
//!
//! `attachments` is append-only: a row is never updated or deleted. A new
//! version names the row it supersedes (`supersedes_id`, unique: a version
//! is superseded at most once), so the old one stays listed as superseded.
//! `attachment_blobs` holds the bytes, content-addressed by SHA-256, when
//! the files are kept in the database (the default with PostgreSQL, so that
//! several instances share them); on disk they sit beside the SQLite file.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("attachment_blobs")
                    .if_not_exists()
                    .col(string_len("sha256", 64).primary_key())
                    .col(big_integer("size"))
                    .col(blob("bytes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("attachments")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("task_id"))
                    .col(big_integer_null("document_id"))
                    .col(string("context"))
                    .col(string("file_name"))
                    .col(string("content_type"))
                    .col(big_integer("size"))
                    .col(string_len("sha256", 64))
                    .col(big_integer_null("supersedes_id"))
                    .col(big_integer("uploaded_by"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .foreign_key(&mut fk_cascade("attachments", "task_id", "tasks"))
                    .foreign_key(&mut fk_cascade("attachments", "document_id", "documents"))
                    .foreign_key(&mut fk("attachments", "supersedes_id", "attachments"))
                    .foreign_key(&mut fk("attachments", "uploaded_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "attachments",
                "idx_attachments_task",
                &["task_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "attachments",
                "idx_attachments_document",
                &["document_id", "id"],
            ))
            .await?;
        manager
            .create_index(index("attachments", "idx_attachments_sha256", &["sha256"]))
            .await?;
        manager
            .create_index(unique_index(
                "attachments",
                "uq_attachments_supersedes",
                &["supersedes_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["attachments", "attachment_blobs"]).await
    }
}
