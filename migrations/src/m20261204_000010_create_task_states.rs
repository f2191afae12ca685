//! Figures an official can defend: the facts behind every figure are kept
//! as they were on each day.
//!
//! - `tasks.reported_on`: the day the lead department reported the task
//!   done, recorded by the server (office time zone), never typed.
//! - `tasks.declared_completed_on`: a department's declaration that the work
//!   finished earlier; it counts (becomes `completed_on`) only once a leader
//!   accepts it. `completed_on` stays "the day that counts".
//! - `task_states`: the state history of each task — one row per span of
//!   time in which its figure-relevant facts held (`valid_from` inclusive,
//!   `valid_to` exclusive, NULL for the current one). "As of day D" reads the
//!   rows valid at the end of D. Appended in the same transaction as every
//!   change; the row with `valid_to IS NULL` always equals the task row.
//! - `document_tasks.linked_at`: when a document was linked to a task, so a
//!   past day counts the reminder documents it had then.
//!
//! Existing installations get one state per task from its creation with its
//! current facts (nothing older is known to this migration), and links dated
//! by their document's recording time.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [date_null("reported_on"), date_null("declared_completed_on")] {
            manager
                .alter_table(Table::alter().table("tasks").add_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("document_tasks")
                    .add_column(timestamp_with_time_zone_null("linked_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("task_states")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("task_id"))
                    .col(timestamp_with_time_zone("valid_from"))
                    .col(timestamp_with_time_zone_null("valid_to"))
                    .col(big_integer("programme_id"))
                    .col(big_integer("lead_department_id"))
                    .col(string("field_code"))
                    .col(big_integer_null("leader_in_charge_id"))
                    .col(string("status"))
                    .col(integer("progress"))
                    .col(date("due_date"))
                    .col(date("original_due_date"))
                    .col(date_null("reported_on"))
                    .col(date_null("completed_on"))
                    .col(date_null("declared_completed_on"))
                    .foreign_key(&mut fk_cascade("task_states", "task_id", "tasks"))
                    .to_owned(),
            )
            .await?;
        // The current state of a task, and closing it on the next change.
        manager
            .create_index(index(
                "task_states",
                "idx_task_states_task_to",
                &["task_id", "valid_to"],
            ))
            .await?;
        // "As of" reads: one programme's states that had begun by then.
        manager
            .create_index(index(
                "task_states",
                "idx_task_states_programme_from",
                &["programme_id", "valid_from"],
            ))
            .await?;
        manager
            .create_index(index(
                "task_states",
                "idx_task_states_from",
                &["valid_from"],
            ))
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE tasks SET reported_on = completed_on \
             WHERE status IN ('reported_done', 'completed') AND reported_on IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO task_states (task_id, valid_from, valid_to, programme_id, \
               lead_department_id, field_code, leader_in_charge_id, status, progress, due_date, \
               original_due_date, reported_on, completed_on, declared_completed_on) \
             SELECT id, created_at, NULL, programme_id, lead_department_id, field_code, \
               leader_in_charge_id, status, progress, due_date, original_due_date, reported_on, \
               completed_on, declared_completed_on FROM tasks",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE document_tasks SET linked_at = \
               (SELECT d.created_at FROM documents d WHERE d.id = document_tasks.document_id) \
             WHERE linked_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["task_states"]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("document_tasks")
                    .drop_column("linked_at")
                    .to_owned(),
            )
            .await?;
        for column in ["declared_completed_on", "reported_on"] {
            manager
                .alter_table(Table::alter().table("tasks").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
