use sea_orm::entity::prelude::*;

use crate::domain::DocumentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub kind: DocumentKind,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub issued_on: Date,
    pub signer: String,
    /// Reminder documents: the day the departments must report back by.
    pub report_back_on: Option<Date>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
