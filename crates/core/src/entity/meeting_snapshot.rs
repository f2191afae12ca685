use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub as_of: Date,
    pub taken_by: i64,
    pub taken_at: DateTimeUtc,
    pub total_tasks: i64,
    pub overdue_tasks: i64,
    /// The frozen figures and overdue list, as JSON (`snapshots::FrozenContent`).
    #[sea_orm(column_type = "Text")]
    pub content: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
