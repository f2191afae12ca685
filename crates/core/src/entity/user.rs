use sea_orm::entity::prelude::*;

use crate::domain::{Language, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub position: Option<String>,
    pub role: Role,
    pub department_id: Option<i64>,
    pub password_hash: String,
    pub active: bool,
    pub must_change_password: bool,
    /// `vi` or `en`: the pages after login and the mails to this person.
    pub language: Language,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
