//! Workflow notices: what a person is told when the other side acts on a
//! task (reported done, confirmed, returned, an extension asked or decided,
//! an explanation asked or answered, a due date moved, a task assigned).
//! One row per recipient, written in the transaction of the step it
//! announces; read in the app (the bell) and mailed through the outbox —
//! at once, in a daily digest, or not at all, as each person chose
//! (`notice_preferences`).

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
                    .table("workflow_notices")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer_null("department_id"))
                    .col(big_integer("task_id"))
                    .col(big_integer("history_id"))
                    .col(string("kind"))
                    .col(big_integer_null("actor_id"))
                    .col(text_null("old_value"))
                    .col(text_null("new_value"))
                    .col(text_null("note"))
                    .col(string("mail"))
                    .col(big_integer_null("notification_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk_cascade("workflow_notices", "user_id", "users"))
                    .foreign_key(&mut fk_cascade("workflow_notices", "task_id", "tasks"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "workflow_notices",
                "ux_workflow_notices_history_user",
                &["history_id", "user_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "workflow_notices",
                "ix_workflow_notices_user_read",
                &["user_id", "read_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "workflow_notices",
                "ix_workflow_notices_mail",
                &["mail", "notification_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notice_preferences")
                    .if_not_exists()
                    .col(big_integer("user_id"))
                    .col(string("kind"))
                    .col(string("mail"))
                    .primary_key(Index::create().col("user_id").col("kind"))
                    .foreign_key(&mut fk_cascade("notice_preferences", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["notice_preferences", "workflow_notices"]).await
    }
}
