//! Recurring tasks (nhiệm vụ định kỳ): a series holds the rule (monthly on
//! day N, quarterly, yearly); each occurrence is an ordinary task linked to
//! the series for one period. The unique (series, period) key is what
//! keeps a scheduler run, a completion and a second instance from creating
//! the same occurrence twice.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{drop_tables, fk, fk_cascade, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("recurring_series")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    // `monthly`, `quarterly` or `yearly`.
                    .col(string("frequency"))
                    // Day of the month the occurrence is due (1–31; clamped
                    // to the month's last day).
                    .col(integer("day_of_month"))
                    // Quarterly: month within the quarter (1–3); yearly: the
                    // month (1–12); monthly: 1.
                    .col(integer("month"))
                    // The code occurrences are named after (`<base>-<period>`).
                    .col(string("base_code"))
                    .col(boolean("active"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("recurring_series", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("recurring_occurrences")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("series_id"))
                    // First day of the occurrence's period.
                    .col(date("period_start"))
                    // Set in the transaction that claims the period.
                    .col(big_integer_null("task_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk_cascade(
                        "recurring_occurrences",
                        "series_id",
                        "recurring_series",
                    ))
                    .foreign_key(&mut fk_cascade("recurring_occurrences", "task_id", "tasks"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "recurring_occurrences",
                "uq_recurring_occurrences_series_period",
                &["series_id", "period_start"],
            ))
            .await?;
        manager
            .create_index(unique_index(
                "recurring_occurrences",
                "uq_recurring_occurrences_task",
                &["task_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "recurring_series",
                "idx_recurring_series_active",
                &["active"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["recurring_occurrences", "recurring_series"]).await
    }
}
