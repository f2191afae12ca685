//! What each address of a notification answered, and the addresses the mail
//! server refused for good.
//!
//! A digest goes to several addresses (a department's own and its staff's).
//! One refused mailbox must not keep the others from getting it, so the
//! worker records each address's outcome (`notification_recipients`): a
//! retry sends only to the addresses still waiting, and a re-claimed row
//! does not send again to those the server already took. An address the
//! server refused permanently (`refused_addresses`) is left out of later
//! messages until it changes or an operator retries, and is shown to admins.

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
                    .table("notification_recipients")
                    .if_not_exists()
                    .col(big_integer("notification_id"))
                    .col(string("address"))
                    .col(string("outcome"))
                    .col(integer_null("smtp_code"))
                    .col(text("reply"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .primary_key(Index::create().col("notification_id").col("address"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("refused_addresses")
                    .if_not_exists()
                    .col(string("address").primary_key())
                    .col(integer_null("smtp_code"))
                    .col(text("reply"))
                    .col(big_integer("notification_id"))
                    .col(timestamp_with_time_zone("refused_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["refused_addresses", "notification_recipients"]).await
    }
}
