//! The figures' clock: one row whose `seq` every write that changes a
//! figure-relevant fact increments, in its own transaction, before it
//! appends to `task_states` or links a document.
//!
//! Incrementing takes the row's lock until commit, so writers that change
//! figures commit one after another in `seq` order — and the ids of the
//! `task_states` rows they append are therefore in commit order too. A
//! process that keeps figures in memory reads `seq` to know whether anything
//! changed, and `task_states` after the last id it applied to catch up:
//! never missing a change committed out of order. `docs_seq` moves only
//! when reminder documents are linked, so what is derived from the links
//! alone can be kept until it does.

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
                    .table("fact_clock")
                    .if_not_exists()
                    .col(integer("id").primary_key())
                    .col(big_integer("seq"))
                    .col(big_integer("docs_seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("INSERT INTO fact_clock (id, seq, docs_seq) VALUES (1, 1, 1)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["fact_clock"]).await
    }
}
