use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    #[sea_orm(unique)]
    pub message_id: String,
    pub kind: String,
    pub for_date: Date,
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Comma-separated addresses, resolved when the notification was built.
    #[sea_orm(column_type = "Text")]
    pub recipients: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    /// Structured content (JSON) the scheduler renders the bodies from
    /// before the first send; `None` once rendered.
    #[sea_orm(column_type = "Text", nullable)]
    pub payload: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub ambiguous: bool,
    pub last_smtp_code: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
