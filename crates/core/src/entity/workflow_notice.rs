use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who is told.
    pub user_id: i64,
    /// The recipient's department when the notice was made (staff read only
    /// their department's).
    pub department_id: Option<i64>,
    pub task_id: i64,
    /// The history entry it announces.
    pub history_id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub old_value: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub new_value: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// `immediate`, `digest` or `none`, as chosen when it was made.
    pub mail: String,
    /// The outbox row that mails it (at once or in a digest), once enqueued.
    pub notification_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
