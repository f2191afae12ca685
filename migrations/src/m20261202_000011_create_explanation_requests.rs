//! Requests for explanation (yêu cầu giải trình): a leader asks the lead
//! department of an overdue task a question, to be answered by a date.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("explanation_requests")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("task_id"))
                    .col(big_integer("department_id"))
                    .col(text("question"))
                    .col(date("answer_by"))
                    .col(date("task_due_date"))
                    .col(big_integer("requested_by"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(text_null("answer"))
                    .col(big_integer_null("answered_by"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .foreign_key(&mut fk_cascade("explanation_requests", "task_id", "tasks"))
                    .foreign_key(&mut fk(
                        "explanation_requests",
                        "department_id",
                        "departments",
                    ))
                    .foreign_key(&mut fk("explanation_requests", "requested_by", "users"))
                    .foreign_key(&mut fk("explanation_requests", "answered_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "explanation_requests",
                "idx_explanation_requests_task",
                &["task_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "explanation_requests",
                "idx_explanation_requests_open",
                &["answered_at", "answer_by"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["explanation_requests"]).await
    }
}
