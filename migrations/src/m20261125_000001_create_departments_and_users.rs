use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Fields (lĩnh vực): a code is the stable key; admins may add more.
        manager
            .create_table(
                Table::create()
                    .table("fields")
                    .if_not_exists()
                    .col(string("code").primary_key())
                    .col(string("name_vi"))
                    .col(string("name_en"))
                    .col(integer("sort_order").default(0))
                    .col(boolean("active").default(true))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("departments")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("code"))
                    .col(string("name"))
                    .col(string("kind"))
                    .col(string_null("email"))
                    .col(boolean("active").default(true))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_uniq("username"))
                    .col(string("full_name"))
                    .col(string_null("email"))
                    .col(string_null("position"))
                    .col(string("role"))
                    .col(big_integer_null("department_id"))
                    .col(string("password_hash"))
                    .col(boolean("active").default(true))
                    .col(boolean("must_change_password").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("users", "department_id", "departments"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("users", "idx_users_department", &["department_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["users", "departments", "fields"]).await
    }
}
