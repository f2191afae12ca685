use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The outbox. Subject and bodies are rendered once, at enqueue time,
        // so a retry sends identical bytes; `idempotency_key` is the arbiter
        // that makes a job rerun (or a second instance) enqueue nothing new.
        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("idempotency_key"))
                    .col(string_uniq("message_id"))
                    .col(string("kind"))
                    .col(date("for_date"))
                    .col(big_integer_null("department_id"))
                    .col(big_integer_null("user_id"))
                    .col(text("recipients"))
                    .col(text("subject"))
                    .col(text("body_text"))
                    .col(text("body_html"))
                    .col(string("state"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(string_null("locked_by"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(boolean("ambiguous").default(false))
                    .col(integer_null("last_smtp_code"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .foreign_key(&mut fk("notifications", "department_id", "departments"))
                    .foreign_key(&mut fk("notifications", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "notifications",
                "idx_notifications_state_next",
                &["state", "next_attempt_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "notifications",
                "idx_notifications_department",
                &["department_id", "created_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("notification_tasks")
                    .if_not_exists()
                    .col(big_integer("notification_id"))
                    .col(big_integer("task_id"))
                    .primary_key(Index::create().col("notification_id").col("task_id"))
                    .foreign_key(&mut fk_cascade(
                        "notification_tasks",
                        "notification_id",
                        "notifications",
                    ))
                    .foreign_key(&mut fk_cascade("notification_tasks", "task_id", "tasks"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "notification_tasks",
                "idx_notification_tasks_task",
                &["task_id", "notification_id"],
            ))
            .await?;

        // One row per delivery attempt: the audit trail and the tests' oracle.
        manager
            .create_table(
                Table::create()
                    .table("delivery_attempts")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("notification_id"))
                    .col(integer("attempt"))
                    .col(string("worker"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .col(string("outcome"))
                    .col(integer_null("smtp_code"))
                    .col(text_null("detail"))
                    .foreign_key(&mut fk_cascade(
                        "delivery_attempts",
                        "notification_id",
                        "notifications",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "delivery_attempts",
                "idx_delivery_attempts_notification",
                &["notification_id", "attempt"],
            ))
            .await?;

        // One row per cron occurrence: the primary key is the race arbiter
        // between scheduler instances (whoever inserts it runs it).
        manager
            .create_table(
                Table::create()
                    .table("schedule_fires")
                    .if_not_exists()
                    .col(string("schedule_key"))
                    .col(timestamp_with_time_zone("fire_at"))
                    .col(string("status"))
                    .col(string("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(integer_null("enqueued"))
                    .col(text_null("detail"))
                    .primary_key(Index::create().col("schedule_key").col("fire_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "schedule_fires",
                "delivery_attempts",
                "notification_tasks",
                "notifications",
            ],
        )
        .await
    }
}
