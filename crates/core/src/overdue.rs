//! The overdue list leaders read: open tasks past their due date, oldest
//! first, with how late they are, the reminder documents already issued and
//! the last notice sent about them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::Principal,
    db,
    departments::collect,
    domain::{Timeliness, parse_date},
    entity::task,
    error::{Error, FieldError, Result},
    policy::{self, Action},
    tasks::{
        TaskView,
        query::{RawTaskQuery, build_condition, parse_paging},
        view::load_views,
    },
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawOverdueQuery {
    /// Department code (lead department).
    pub department: Option<String>,
    /// Field code.
    pub field: Option<String>,
    /// The day to judge lateness on (`YYYY-MM-DD`, leaders and admins only); default today.
    pub as_of: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    #[serde(flatten)]
    pub task: TaskView,
    /// When the last notice about this task was delivered, if any.
    pub last_notice_sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverduePage {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub items: Vec<OverdueItem>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, FromQueryResult)]
struct LastNotice {
    task_id: i64,
    sent_at: Option<DateTime<Utc>>,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawOverdueQuery,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<OverduePage> {
    policy::require(user, Action::ReadOverdue, None)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let as_of = match raw
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => {
            let day = collect(&mut errors, parse_date("as_of", text));
            if day.is_some_and(|d| d != today) {
                policy::require(user, Action::ChooseAsOfDate, None)?;
            }
            day.unwrap_or(today)
        }
        None => today,
    };
    let (page, per_page) =
        collect(&mut errors, parse_paging(&raw.page, &raw.per_page)).unwrap_or((1, 50));
    let query = RawTaskQuery {
        department: raw.department.clone(),
        field: raw.field.clone(),
        ..Default::default()
    };
    let mut filter = match query.parse() {
        Ok(f) => f,
        Err(Error::Validation(mut more)) => {
            errors.append(&mut more);
            Default::default()
        }
        Err(other) => return Err(other),
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    filter.timeliness = vec![Timeliness::Overdue];
    // Staff answer for what their department leads: the same scope as its figures.
    let lead_scope = policy::visible_department(user);
    let Some(cond) = build_condition(db, &filter, as_of, due_soon_days).await? else {
        return Ok(OverduePage {
            as_of,
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let mut base = task::Entity::find().filter(cond);
    if let Some(dept) = lead_scope {
        base = base.filter(task::Column::LeadDepartmentId.eq(dept));
    }
    let total = base.clone().count(db).await?;
    let rows = base
        .order_by_asc(task::Column::DueDate)
        .order_by_asc(task::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let views = load_views(db, rows, as_of, due_soon_days).await?;
    let last = last_notices(db, &ids).await?;
    Ok(OverduePage {
        as_of,
        items: views
            .into_iter()
            .map(|task| OverdueItem {
                last_notice_sent_at: last.get(&task.id).copied(),
                task,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// When each task was last mentioned in a delivered notification.
pub async fn last_notices<C: ConnectionTrait>(
    db: &C,
    task_ids: &[i64],
) -> Result<HashMap<i64, DateTime<Utc>>> {
    if task_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = vec!["?"; task_ids.len()].join(", ");
    let sql = format!(
        "SELECT nt.task_id AS task_id, MAX(n.sent_at) AS sent_at \
         FROM notification_tasks nt JOIN notifications n ON n.id = nt.notification_id \
         WHERE n.state = 'sent' AND nt.task_id IN ({placeholders}) GROUP BY nt.task_id"
    );
    let values = task_ids
        .iter()
        .map(|id| sea_orm::Value::from(*id))
        .collect();
    let rows = LastNotice::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.sent_at.map(|at| (r.task_id, at)))
        .collect())
}
