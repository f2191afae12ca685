use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedule_fires")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub schedule_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fire_at: DateTimeUtc,
    pub status: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub enqueued: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
