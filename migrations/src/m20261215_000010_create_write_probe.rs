//! The readiness check's write probe: one row that `/readyz` updates, in a
//! committed transaction, at most once a second. A database that answers
//! reads but can no longer store anything (a full disk, a read-only file or
//! server) is then reported as not ready, instead of only a ping.

use sea_orm_migration::{prelude::*, schema::*};

use crate::drop_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("write_probe")
                    .if_not_exists()
                    .col(integer("id").primary_key())
                    .col(big_integer("writes"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("INSERT INTO write_probe (id, writes) VALUES (1, 0)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["write_probe"]).await
    }
}
