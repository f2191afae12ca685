use sea_orm::entity::prelude::*;

use crate::domain::ExtensionState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "extension_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub requested_by: i64,
    pub previous_due_date: Date,
    pub requested_due_date: Date,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub state: ExtensionState,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
