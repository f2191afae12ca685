use sea_orm::entity::prelude::*;

use crate::domain::LinkRelation;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub relation: LinkRelation,
    /// When the link was recorded (figures as of a past day count it from then).
    pub linked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
