//! Form drafts: what a person typed into a form that was not taken (input
//! the server refused, or a post that arrived after the session expired),
//! kept for a while so the form's page can show it again. A draft belongs
//! to one user and is found by a random token kept in that browser's
//! cookie (only its hash is stored); reading it deletes it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk_cascade, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("form_drafts")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("token_hash"))
                    .col(big_integer("user_id"))
                    .col(string("page"))
                    .col(string("form"))
                    .col(text("fields"))
                    .col(text("errors"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_cascade("form_drafts", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "form_drafts",
                "idx_form_drafts_token",
                &["token_hash"],
            ))
            .await?;
        manager
            .create_index(index(
                "form_drafts",
                "idx_form_drafts_created",
                &["created_at"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["form_drafts"]).await
    }
}
