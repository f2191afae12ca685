//! Schema migrations for dondoc. One migration per file, registered in order;
//! a migration that has landed is never edited — add a new one instead.
//!
//! The same migrations run on SQLite and PostgreSQL. Table and column names
//! are plain snake_case strings so that the SQL a reviewer reads in a query
//! plan is the SQL written here.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_departments_and_users;
mod m20261125_000002_create_programmes_documents_tasks;
mod m20261125_000003_create_history_and_extensions;
mod m20261125_000004_create_outbox_and_schedule;
mod m20261125_000005_create_auth;
mod m20261126_000006_add_scale_indexes;
mod m20261201_000010_add_document_report_back_on;
mod m20261202_000010_create_meeting_snapshots;
mod m20261202_000011_create_explanation_requests;
mod m20261203_000010_create_calendar_feeds;
mod m20261203_000011_create_recurring_series;
mod m20261204_000010_create_task_states;
mod m20261205_000010_create_fact_clock;
mod m20261210_000010_add_notification_payload;
mod m20261211_000010_create_recipient_outcomes;
mod m20261215_000010_create_write_probe;
mod m20261220_000010_add_task_due_text;
mod m20261220_000011_create_department_aliases;
mod m20261222_000010_create_attachments;
mod m20261223_000010_create_workflow_notices;
mod m20261224_000010_create_form_drafts;
mod m20261226_000010_create_attachment_steps;
mod m20261227_000010_add_user_language;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_departments_and_users::Migration),
            Box::new(m20261125_000002_create_programmes_documents_tasks::Migration),
            Box::new(m20261125_000003_create_history_and_extensions::Migration),
            Box::new(m20261125_000004_create_outbox_and_schedule::Migration),
            Box::new(m20261125_000005_create_auth::Migration),
            Box::new(m20261126_000006_add_scale_indexes::Migration),
            Box::new(m20261201_000010_add_document_report_back_on::Migration),
            Box::new(m20261202_000010_create_meeting_snapshots::Migration),
            Box::new(m20261202_000011_create_explanation_requests::Migration),
            Box::new(m20261203_000010_create_calendar_feeds::Migration),
            Box::new(m20261203_000011_create_recurring_series::Migration),
            Box::new(m20261204_000010_create_task_states::Migration),
            Box::new(m20261205_000010_create_fact_clock::Migration),
            Box::new(m20261210_000010_add_notification_payload::Migration),
            Box::new(m20261211_000010_create_recipient_outcomes::Migration),
            Box::new(m20261215_000010_create_write_probe::Migration),
            Box::new(m20261220_000010_add_task_due_text::Migration),
            Box::new(m20261220_000011_create_department_aliases::Migration),
            Box::new(m20261222_000010_create_attachments::Migration),
            Box::new(m20261223_000010_create_workflow_notices::Migration),
            Box::new(m20261224_000010_create_form_drafts::Migration),
            Box::new(m20261226_000010_create_attachment_steps::Migration),
            Box::new(m20261227_000010_add_user_language::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A foreign key whose rows go away with their parent (link tables).
pub(crate) fn fk_cascade(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    fk(table, column, target)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A plain (non-unique) index.
pub(crate) fn index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table).if_not_exists();
    for column in columns {
        stmt.col(*column);
    }
    stmt.to_owned()
}

/// A unique index.
pub(crate) fn unique_index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    index(table, name, columns).unique().to_owned()
}

pub(crate) async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).if_exists().to_owned())
            .await?;
    }
    Ok(())
}
