//! The report-back date of a reminder document (hạn báo cáo): the day the
//! departments it reminds must answer by. Null for documents recorded before
//! it existed; the reminder register then counts from `issued_on` plus the
//! configured `letters.report_back_days`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE documents ADD COLUMN report_back_on DATE NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE documents DROP COLUMN report_back_on")
            .await?;
        Ok(())
    }
}
