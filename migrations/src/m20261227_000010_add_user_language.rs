//! Each account's language (`vi`, the default, or `en`): the pages open in
//! it after login, and the notice mails addressed to the person are written
//! in it. Mails to departments stay in the organisation's language.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE users ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT 'vi'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE users DROP COLUMN language")
            .await?;
        Ok(())
    }
}
