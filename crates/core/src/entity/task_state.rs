use sea_orm::entity::prelude::*;

use crate::domain::TaskStatus;

/// One span of a task's state history (see `tasks::states`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_states")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub valid_from: DateTimeUtc,
    pub valid_to: Option<DateTimeUtc>,
    pub programme_id: i64,
    pub lead_department_id: i64,
    pub field_code: String,
    pub leader_in_charge_id: Option<i64>,
    pub status: TaskStatus,
    pub progress: i32,
    pub due_date: Date,
    pub original_due_date: Date,
    pub reported_on: Option<Date>,
    pub completed_on: Option<Date>,
    pub declared_completed_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
