use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recurring_series")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub frequency: String,
    pub day_of_month: i32,
    pub month: i32,
    pub base_code: String,
    pub active: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
