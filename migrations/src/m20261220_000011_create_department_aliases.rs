//! Other names a department goes by in the annexes ("TN&MT", "TC-KH",
//! "Phòng Văn hóa"): the import matches them, without case or diacritics,
//! besides the department's code and name. `folded` is the alias folded
//! (lower case, no diacritics, single spaces) and is unique: one alias names
//! one department.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk_cascade, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("department_aliases")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("department_id"))
                    .col(string_len("alias", 200))
                    .col(string_len("folded", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_cascade(
                        "department_aliases",
                        "department_id",
                        "departments",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "department_aliases",
                "ux_department_aliases_folded",
                &["folded"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["department_aliases"]).await
    }
}
