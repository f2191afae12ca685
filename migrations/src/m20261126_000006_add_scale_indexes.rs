//! Indexes for a national-scale dataset (a million tasks; issue 6). Each one
//! serves a request that would otherwise scan the tasks table; the query
//! plans are in docs/performance.md.

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Partial indexes, same SQL on both databases. The `WHERE` matches the
/// literal condition the queries write (`tasks::query::OPEN_SQL`), so both
/// planners can prove the index applies.
const PARTIAL: &[(&str, &str)] = &[
    // A year's open tasks by due date: timeliness filters within a year.
    (
        "idx_tasks_open_programme_due",
        "CREATE INDEX IF NOT EXISTS idx_tasks_open_programme_due ON tasks (programme_id, due_date) \
         WHERE status IN ('not_started', 'in_progress')",
    ),
    // Tasks done recently: the leader digest's "done this week".
    (
        "idx_tasks_done_completed_on",
        "CREATE INDEX IF NOT EXISTS idx_tasks_done_completed_on ON tasks (completed_on) \
         WHERE status IN ('reported_done', 'completed')",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A year's tasks of one lead department in (due date, id) order —
        // the task list filtered by year and department, its count and its
        // page without a sort — carrying the
        // columns the year's figures group and count, so `stats` reads the
        // index only.
        manager
            .create_index(index(
                "tasks",
                "idx_tasks_programme_lead_due_cover",
                &[
                    "programme_id",
                    "lead_department_id",
                    "due_date",
                    "id",
                    "status",
                    "field_code",
                    "completed_on",
                    "original_due_date",
                ],
            ))
            .await?;
        // A year's tasks of one field in due-date order.
        manager
            .create_index(index(
                "tasks",
                "idx_tasks_programme_field_due",
                &["programme_id", "field_code", "due_date"],
            ))
            .await?;
        // Reminder documents of a set of tasks without reading the (much
        // larger) `assigns` links.
        manager
            .create_index(index(
                "document_tasks",
                "idx_document_tasks_relation_task",
                &["relation", "task_id", "document_id"],
            ))
            .await?;
        let db = manager.get_connection();
        for (_, sql) in PARTIAL {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("tasks", "idx_tasks_programme_lead_due_cover"),
            ("tasks", "idx_tasks_programme_field_due"),
            ("document_tasks", "idx_document_tasks_relation_task"),
            ("tasks", PARTIAL[0].0),
            ("tasks", PARTIAL[1].0),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
