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
                    .table("programmes")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(integer_uniq("year"))
                    .col(string("title"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("documents")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("number"))
                    .col(string("kind"))
                    .col(text("title"))
                    .col(date("issued_on"))
                    .col(string("signer"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("documents", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "documents",
                "idx_documents_issued_on",
                &["issued_on"],
            ))
            .await?;
        manager
            .create_index(index(
                "documents",
                "idx_documents_kind_issued_on",
                &["kind", "issued_on"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("tasks")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("programme_id"))
                    .col(string("code"))
                    .col(text("title"))
                    .col(text("description").default(""))
                    .col(text("search_text").default(""))
                    .col(string("field_code"))
                    .col(big_integer("lead_department_id"))
                    .col(big_integer_null("leader_in_charge_id"))
                    .col(big_integer_null("source_document_id"))
                    .col(date("due_date"))
                    .col(date("original_due_date"))
                    .col(string("status"))
                    .col(integer("progress").default(0))
                    .col(date_null("completed_on"))
                    .col(text_null("result_note"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("tasks", "programme_id", "programmes"))
                    .foreign_key(&mut fk("tasks", "lead_department_id", "departments"))
                    .foreign_key(&mut fk("tasks", "leader_in_charge_id", "users"))
                    .foreign_key(&mut fk("tasks", "source_document_id", "documents"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tasks_field_code")
                            .from("tasks", "field_code")
                            .to("fields", "code")
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "tasks",
                "uq_tasks_programme_code",
                &["programme_id", "code"],
            ))
            .await?;
        manager
            .create_index(index(
                "tasks",
                "idx_tasks_programme_due",
                &["programme_id", "due_date"],
            ))
            .await?;
        manager
            .create_index(index(
                "tasks",
                "idx_tasks_lead_due",
                &["lead_department_id", "due_date"],
            ))
            .await?;
        manager
            .create_index(index(
                "tasks",
                "idx_tasks_leader_due",
                &["leader_in_charge_id", "due_date"],
            ))
            .await?;
        // Open tasks are the ones the overdue list, the digests and the
        // escalations read; a partial index keeps those reads off the
        // (much larger) set of completed tasks. Same SQL on both databases.
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_tasks_open_due ON tasks (due_date) \
             WHERE status IN ('not_started', 'in_progress')",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_tasks_open_lead_due ON tasks (lead_department_id, due_date) \
             WHERE status IN ('not_started', 'in_progress')",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("task_coordinators")
                    .if_not_exists()
                    .col(big_integer("task_id"))
                    .col(big_integer("department_id"))
                    .primary_key(Index::create().col("task_id").col("department_id"))
                    .foreign_key(&mut fk_cascade("task_coordinators", "task_id", "tasks"))
                    .foreign_key(&mut fk("task_coordinators", "department_id", "departments"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "task_coordinators",
                "idx_task_coordinators_department",
                &["department_id", "task_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("document_tasks")
                    .if_not_exists()
                    .col(big_integer("document_id"))
                    .col(big_integer("task_id"))
                    .col(string("relation"))
                    .primary_key(
                        Index::create()
                            .col("document_id")
                            .col("task_id")
                            .col("relation"),
                    )
                    .foreign_key(&mut fk_cascade(
                        "document_tasks",
                        "document_id",
                        "documents",
                    ))
                    .foreign_key(&mut fk_cascade("document_tasks", "task_id", "tasks"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "document_tasks",
                "idx_document_tasks_task",
                &["task_id", "relation"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "document_tasks",
                "task_coordinators",
                "tasks",
                "documents",
                "programmes",
            ],
        )
        .await
    }
}
