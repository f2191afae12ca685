//! The structured content of a notification still to be rendered
//! (`notifications.payload`, JSON). A notification made by the API — a
//! request for explanation — is enqueued in the transaction of the request,
//! but its mail templates live in the scheduler, which renders the bodies
//! from this payload before the first send, stores them and clears it. Null
//! for every notification rendered when it was enqueued (the digests).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE notifications ADD COLUMN payload TEXT NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE notifications DROP COLUMN payload")
            .await?;
        Ok(())
    }
}
