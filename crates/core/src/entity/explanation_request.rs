use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "explanation_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    /// The lead department when the request was made (it answers).
    pub department_id: i64,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    pub answer_by: Date,
    /// The task's due date when the request was made.
    pub task_due_date: Date,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
