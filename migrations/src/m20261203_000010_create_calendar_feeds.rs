//! Private calendar (ICS) feeds: one per department or per leader, keyed
//! by a random token of which only the SHA-256 is stored (like auth
//! tokens). Regenerating a feed revokes the old row and adds a new one.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("calendar_feeds")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("token_hash"))
                    // `department` or `leader`.
                    .col(string("scope"))
                    .col(big_integer_null("department_id"))
                    .col(big_integer_null("leader_id"))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut fk_cascade(
                        "calendar_feeds",
                        "department_id",
                        "departments",
                    ))
                    .foreign_key(&mut fk_cascade("calendar_feeds", "leader_id", "users"))
                    .foreign_key(&mut fk("calendar_feeds", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "calendar_feeds",
                "idx_calendar_feeds_target",
                &["scope", "department_id", "leader_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["calendar_feeds"]).await
    }
}
