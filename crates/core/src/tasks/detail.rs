//! Everything the task page and `GET /api/v1/tasks/{id}` show about one task.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{TaskView, access::load_for, view::load_views};
use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    accounts::users::UserRef,
    db,
    documents::{self, DocumentView},
    domain::{ExtensionState, LinkRelation},
    entity::{extension_request, user},
    error::Result,
    followup::notifications::{self, NotificationView},
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedDocument {
    #[serde(flatten)]
    pub document: DocumentView,
    pub relation: LinkRelation,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExtensionView {
    pub id: i64,
    pub task_id: i64,
    pub requested_by: Option<UserRef>,
    #[schema(value_type = String, format = Date)]
    pub previous_due_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub requested_due_date: NaiveDate,
    pub reason: String,
    pub state: ExtensionState,
    pub decided_by: Option<UserRef>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What the current user may do on this task (for pages and clients).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskPermissions {
    pub update_progress: bool,
    pub add_note: bool,
    pub request_extension: bool,
    pub edit: bool,
    pub confirm: bool,
    pub reopen_or_cancel: bool,
    pub decide_extension: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: TaskView,
    pub documents: Vec<LinkedDocument>,
    pub extension_requests: Vec<ExtensionView>,
    pub notices: Vec<NotificationView>,
    pub permissions: TaskPermissions,
}

pub async fn extension_views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<extension_request::Model>,
) -> Result<Vec<ExtensionView>> {
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| r.requested_by)
        .chain(rows.iter().filter_map(|r| r.decided_by))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let people = if ids.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(db)
            .await?
    };
    let find = |id: i64| people.iter().find(|u| u.id == id).map(UserRef::from);
    Ok(rows
        .into_iter()
        .map(|r| ExtensionView {
            requested_by: find(r.requested_by),
            decided_by: r.decided_by.and_then(find),
            id: r.id,
            task_id: r.task_id,
            previous_due_date: r.previous_due_date,
            requested_due_date: r.requested_due_date,
            reason: r.reason,
            state: r.state,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
            created_at: r.created_at,
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<TaskDetail> {
    let (task, scope) = load_for(db, user, task_id, Action::ReadTask).await?;
    let mut views = load_views(db, vec![task], today, due_soon_days).await?;
    let Some(view) = views.pop() else {
        return Err(crate::Error::NotFound(crate::Msg::NotFoundTask {
            id: task_id,
        }));
    };
    let documents = documents::for_task(db, task_id)
        .await?
        .into_iter()
        .map(|(document, relation)| LinkedDocument { document, relation })
        .collect();
    let requests = extension_request::Entity::find()
        .filter(extension_request::Column::TaskId.eq(task_id))
        .order_by_desc(extension_request::Column::Id)
        .all(db)
        .await?;
    let s = Some(&scope);
    Ok(TaskDetail {
        task: view,
        documents,
        extension_requests: extension_views(db, requests).await?,
        notices: notifications::for_task(db, user, task_id, 20).await?,
        permissions: TaskPermissions {
            update_progress: policy::can(user, Action::UpdateTaskProgress, s),
            add_note: policy::can(user, Action::AddTaskNote, s),
            request_extension: policy::can(user, Action::RequestExtension, s),
            edit: policy::can(user, Action::EditTask, s),
            confirm: policy::can(user, Action::ConfirmTask, s),
            reopen_or_cancel: policy::can(user, Action::ReopenOrCancelTask, s),
            decide_extension: policy::can(user, Action::DecideExtension, s),
        },
    })
}

/// Extension requests in a state (pending, for the leaders' page), oldest first.
pub async fn extensions_in_state<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    state: ExtensionState,
) -> Result<Vec<ExtensionView>> {
    let mut query = extension_request::Entity::find()
        .filter(extension_request::Column::State.eq(state))
        .order_by_asc(extension_request::Column::CreatedAt);
    if let Some(dept) = policy::visible_department(user) {
        query = query.filter(
            extension_request::Column::TaskId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entity::task::Column::Id)
                    .from(crate::entity::task::Entity)
                    .cond_where(super::query::involvement_condition(
                        dept,
                        super::Involvement::Any,
                    ))
                    .to_owned(),
            ),
        );
    }
    let rows = query.all(db).await?;
    extension_views(db, rows).await
}

/// The task an extension request is about, as a list of requests names it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ExtensionTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    /// The lead department's name.
    pub lead_department: String,
}

/// A pending extension request and the task it is about.
#[derive(Debug, Clone)]
pub struct PendingExtension {
    pub request: ExtensionView,
    pub task: ExtensionTask,
}

/// The pending extension requests a user may see, oldest first, each with
/// the task it is about (the leaders' list to decide): the tasks of all the
/// requests are read in one statement, however many requests wait.
pub async fn pending_extensions<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
) -> Result<Vec<PendingExtension>> {
    let requests = extensions_in_state(db, user, ExtensionState::Pending).await?;
    let mut ids: Vec<i64> = requests.iter().map(|r| r.task_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tasks: HashMap<i64, ExtensionTask> = HashMap::new();
    // Chunks keep the statement under the backends' parameter limits.
    for chunk in ids.chunks(1_000) {
        let values: Vec<sea_orm::Value> = chunk.iter().map(|id| (*id).into()).collect();
        let sql = format!(
            "SELECT t.id AS task_id, t.code AS code, t.title AS title, \
                    COALESCE(d.name, '') AS lead_department \
             FROM tasks t LEFT JOIN departments d ON d.id = t.lead_department_id \
             WHERE t.id IN ({})",
            db::placeholders(values.len())
        );
        for task in ExtensionTask::find_by_statement(db::statement(db, &sql, values))
            .all(db)
            .await?
        {
            tasks.insert(task.task_id, task);
        }
    }
    Ok(requests
        .into_iter()
        .filter_map(|request| {
            let task = tasks.get(&request.task_id)?.clone();
            Some(PendingExtension { request, task })
        })
        .collect())
}

/// One extension request.
pub async fn extension_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<ExtensionView> {
    let Some(row) = extension_request::Entity::find_by_id(id).one(db).await? else {
        return Err(crate::Error::NotFound(crate::Msg::NotFoundExtension { id }));
    };
    let mut views = extension_views(db, vec![row]).await?;
    views
        .pop()
        .ok_or_else(|| crate::Error::NotFound(crate::Msg::NotFoundExtension { id }))
}
