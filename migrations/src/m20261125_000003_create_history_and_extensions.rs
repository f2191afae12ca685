use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Append-only: the application inserts and reads, never updates or deletes.
        manager
            .create_table(
                Table::create()
                    .table("task_history")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("task_id"))
                    .col(big_integer_null("actor_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string("action"))
                    .col(string_null("field"))
                    .col(text_null("old_value"))
                    .col(text_null("new_value"))
                    .col(text_null("note"))
                    .foreign_key(&mut fk_cascade("task_history", "task_id", "tasks"))
                    .foreign_key(&mut fk("task_history", "actor_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "task_history",
                "idx_task_history_task",
                &["task_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("extension_requests")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("task_id"))
                    .col(big_integer("requested_by"))
                    .col(date("previous_due_date"))
                    .col(date("requested_due_date"))
                    .col(text("reason"))
                    .col(string("state"))
                    .col(big_integer_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_note"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_cascade("extension_requests", "task_id", "tasks"))
                    .foreign_key(&mut fk("extension_requests", "requested_by", "users"))
                    .foreign_key(&mut fk("extension_requests", "decided_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "extension_requests",
                "idx_extension_requests_task",
                &["task_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "extension_requests",
                "idx_extension_requests_state",
                &["state", "created_at"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["extension_requests", "task_history"]).await
    }
}
