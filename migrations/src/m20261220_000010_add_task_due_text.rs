//! The deadline as the annex wrote it ("Quý II/2027", "Trước 30/6/2027",
//! "Thường xuyên"): kept on the task beside the date it was read as, so the
//! task page and the API show what the office wrote. Null for tasks whose
//! deadline was given as a plain date.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE tasks ADD COLUMN due_text TEXT NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE tasks DROP COLUMN due_text")
            .await?;
        Ok(())
    }
}
