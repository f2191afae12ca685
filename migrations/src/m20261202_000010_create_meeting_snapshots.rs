//! Meeting snapshots (ảnh chụp số liệu): the figures and the overdue list
//! frozen at a moment, stored as JSON text so later edits to tasks never
//! change what was quoted in a meeting.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Append-only: a snapshot is inserted once and never updated.
        manager
            .create_table(
                Table::create()
                    .table("meeting_snapshots")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("title"))
                    .col(integer("year"))
                    .col(date("as_of"))
                    .col(big_integer("taken_by"))
                    .col(timestamp_with_time_zone("taken_at"))
                    .col(big_integer("total_tasks"))
                    .col(big_integer("overdue_tasks"))
                    .col(text("content"))
                    .foreign_key(&mut fk("meeting_snapshots", "taken_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "meeting_snapshots",
                "idx_meeting_snapshots_taken_at",
                &["taken_at", "id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["meeting_snapshots"]).await
    }
}
