use sea_orm::entity::prelude::*;

/// The step an attachment came with (at most one; written once, never
/// changed).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attachment_id: i64,
    pub task_id: i64,
    /// The step's task history entry.
    pub history_id: i64,
    pub extension_request_id: Option<i64>,
    pub explanation_request_id: Option<i64>,
    pub tied_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
