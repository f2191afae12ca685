use sea_orm::entity::prelude::*;

use crate::domain::TaskStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub programme_id: i64,
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Folded code + title (see `domain::text::fold`) for diacritics-insensitive search.
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub field_code: String,
    pub lead_department_id: i64,
    pub leader_in_charge_id: Option<i64>,
    pub source_document_id: Option<i64>,
    pub due_date: Date,
    pub original_due_date: Date,
    /// The deadline as the imported annex wrote it ("Quý II/2027"), when it
    /// was not a plain date.
    #[sea_orm(column_type = "Text", nullable)]
    pub due_text: Option<String>,
    pub status: TaskStatus,
    pub progress: i32,
    /// The day that counts for timeliness: `reported_on`, or a declared
    /// earlier day a leader accepted.
    pub completed_on: Option<Date>,
    /// The day the department reported it done (recorded by the server).
    pub reported_on: Option<Date>,
    /// A declared earlier completion day, waiting for (or given) a leader's
    /// acceptance.
    pub declared_completed_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub result_note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
