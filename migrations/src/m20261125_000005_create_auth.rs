use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Bearer tokens and browser sessions. Only a SHA-256 of the secret is
        // stored, so a leaked database does not leak usable credentials.
        manager
            .create_table(
                Table::create()
                    .table("auth_tokens")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("token_hash"))
                    .col(big_integer("user_id"))
                    .col(string("kind"))
                    .col(string_null("csrf_token"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade("auth_tokens", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("auth_tokens", "idx_auth_tokens_user", &["user_id"]))
            .await?;

        // Failed logins, for throttling per account and per address across
        // every API instance.
        manager
            .create_table(
                Table::create()
                    .table("login_failures")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string("username"))
                    .col(string_null("remote_addr"))
                    .col(timestamp_with_time_zone("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "login_failures",
                "idx_login_failures_username",
                &["username", "at"],
            ))
            .await?;
        manager
            .create_index(index(
                "login_failures",
                "idx_login_failures_addr",
                &["remote_addr", "at"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["login_failures", "auth_tokens"]).await
    }
}
