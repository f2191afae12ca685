//! The overdue list leaders read: open tasks past their due date, oldest
//! first, with how late they are, the reminder documents already issued and
//! the last notice sent about them. It is exactly the tasks behind the
//! "overdue" figure (`domain::figure`) for the same scope and day — also
//! for a past day, when each task is taken as it stood then.
//!
//! Scope: every programme year unless `year` is given (the list is about
//! what is late, whatever year it was planned in); staff see their own
//! department's.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db,
    domain::figure::Figure,
    error::{Error, FieldError, Result},
    org::departments::{DepartmentRef, collect},
    tasks::{
        TaskView,
        facts::{AsOf, Judged},
        list_as_of::{self, Picked},
        query::{Involvement, RawTaskQuery, TaskSort, parse_paging},
        view::load_views_as_of,
    },
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawOverdueQuery {
    /// Programme year; default every year.
    pub year: Option<String>,
    /// Department code (lead department).
    pub department: Option<String>,
    /// Field code.
    pub field: Option<String>,
    /// Username of the leader in charge.
    pub leader: Option<String>,
    /// The day the list describes (`YYYY-MM-DD`, leaders and admins only):
    /// the tasks that were overdue then, as they stood then. Default today.
    pub as_of: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    #[serde(flatten)]
    pub task: TaskView,
    /// When the last notice about this task was delivered (by the as-of
    /// moment), if any.
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

/// The overdue tasks a user may see under the query's filters, oldest
/// first, and the moment they are judged at; `None` when the filters can
/// match nothing.
async fn overdue_tasks<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    raw: &RawOverdueQuery,
    due_soon_days: u32,
    errors: &mut Vec<FieldError>,
) -> Result<(AsOf, Option<Arc<Vec<Picked>>>)> {
    policy::require(user, Action::ReadOverdue, None)?;
    let as_of = collect(errors, AsOf::parse(raw.as_of.as_deref(), clock))
        .unwrap_or_else(|| AsOf::now(clock));
    if !as_of.is_now() {
        policy::require(user, Action::ChooseAsOfDate, None)?;
    }
    let query = RawTaskQuery {
        year: raw.year.clone(),
        department: raw.department.clone(),
        field: raw.field.clone(),
        leader: raw.leader.clone(),
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
        return Ok((as_of, None));
    }
    filter.figure = Some(Figure::Overdue);
    filter.sort = TaskSort::DueDate;
    filter.involvement = Involvement::Lead;
    // Staff answer for what their department leads: the same scope as its figures.
    if policy::visible_department(user).is_some() {
        let own = user.department_code.clone().unwrap_or_default();
        if filter
            .department
            .as_ref()
            .is_some_and(|asked| *asked != own)
        {
            return Ok((as_of, None));
        }
        filter.department = Some(own);
    }
    let selection = list_as_of::picks(db, store, &filter, &as_of, due_soon_days).await?;
    Ok((as_of, selection))
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    raw: &RawOverdueQuery,
    due_soon_days: u32,
) -> Result<OverduePage> {
    let mut errors: Vec<FieldError> = Vec::new();
    let paging = collect(&mut errors, parse_paging(&raw.page, &raw.per_page));
    let (as_of, selection) =
        overdue_tasks(db, store, clock, user, raw, due_soon_days, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (page, per_page) = paging.unwrap_or((1, 50));
    let selection = selection.unwrap_or_default();
    let total = selection.len() as u64;
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let ids: Vec<i64> = selection
        .iter()
        .skip(start)
        .take(take)
        .map(|p| p.id)
        .collect();
    let shown = list_as_of::judged_in_order(db, store, &ids, &as_of, due_soon_days).await?;
    let items = items(db, &shown, &as_of, due_soon_days).await?;
    Ok(OverduePage {
        as_of: as_of.day,
        items,
        total,
        page,
        per_page,
    })
}

async fn items<C: ConnectionTrait>(
    db: &C,
    judged: &[Judged],
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<OverdueItem>> {
    let ids: Vec<i64> = judged.iter().map(|j| j.facts.task_id).collect();
    let views = load_views_as_of(db, judged, as_of, due_soon_days).await?;
    let last = last_notices(db, &ids, as_of.before).await?;
    Ok(views
        .into_iter()
        .map(|task| OverdueItem {
            last_notice_sent_at: last.get(&task.id).copied(),
            task,
        })
        .collect())
}

/// How many tasks of one department's are shown in the grouped list; the
/// rest are one link away (the task list filtered to that department).
pub const TASKS_PER_DEPARTMENT: u64 = 15;

/// One lead department in the grouped overdue list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentOverdue {
    pub department: DepartmentRef,
    /// All of its overdue tasks under the filters.
    pub overdue: u64,
    /// Its oldest overdue tasks, oldest first (at most `tasks_per_department`).
    pub items: Vec<OverdueItem>,
}

/// The overdue list grouped by lead department, the department with the
/// oldest overdue task first, a page of departments at a time: what a
/// leader reads before a meeting, at any scale (a province has thousands of
/// overdue tasks; the page stays the same size).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueByDepartment {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Overdue tasks under the filters, in every department.
    pub total: u64,
    /// Departments with at least one.
    pub departments_total: u64,
    pub groups: Vec<DepartmentOverdue>,
    pub page: u64,
    /// Departments per page.
    pub per_page: u64,
    pub tasks_per_department: u64,
}

/// `page` and `per_page` count departments (default 20 per page).
pub async fn by_department<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    raw: &RawOverdueQuery,
    due_soon_days: u32,
) -> Result<OverdueByDepartment> {
    let mut errors: Vec<FieldError> = Vec::new();
    // Pages count departments here: 20 unless the caller says otherwise.
    let per_page = Some(
        raw.per_page
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or("20")
            .to_string(),
    );
    let paging = collect(&mut errors, parse_paging(&raw.page, &per_page));
    let (as_of, selection) =
        overdue_tasks(db, store, clock, user, raw, due_soon_days, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (page, per_page) = paging.unwrap_or((1, 20));
    let selection = selection.unwrap_or_default();
    let mut result = OverdueByDepartment {
        as_of: as_of.day,
        total: selection.len() as u64,
        departments_total: 0,
        groups: Vec::new(),
        page,
        per_page,
        tasks_per_department: TASKS_PER_DEPARTMENT,
    };
    // Departments in the order of their oldest overdue task (the selection
    // is oldest first), each with its count and its oldest tasks.
    let mut order: Vec<i64> = Vec::new();
    let mut by_lead: HashMap<i64, (u64, Vec<i64>)> = HashMap::new();
    for p in selection.iter() {
        let entry = by_lead.entry(p.lead_department_id).or_insert_with(|| {
            order.push(p.lead_department_id);
            (0, Vec::new())
        });
        entry.0 += 1;
        if entry.1.len() < TASKS_PER_DEPARTMENT as usize {
            entry.1.push(p.id);
        }
    }
    result.departments_total = order.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let leads: Vec<i64> = order.into_iter().skip(skip).take(take).collect();
    // One read of the views for every task on the page, whatever the
    // number of departments.
    let mut counts = Vec::new();
    let mut ids: Vec<i64> = Vec::new();
    for lead in &leads {
        if let Some((count, tasks)) = by_lead.remove(lead) {
            counts.push((*lead, count));
            ids.extend(tasks);
        }
    }
    let shown = list_as_of::judged_in_order(db, store, &ids, &as_of, due_soon_days).await?;
    let mut items_by_lead: HashMap<i64, Vec<OverdueItem>> = HashMap::new();
    let shown_leads: Vec<i64> = shown.iter().map(|j| j.facts.lead_department_id).collect();
    for (lead, item) in shown_leads
        .into_iter()
        .zip(items(db, &shown, &as_of, due_soon_days).await?)
    {
        items_by_lead.entry(lead).or_default().push(item);
    }
    for (lead, count) in counts {
        let mine = items_by_lead.remove(&lead).unwrap_or_default();
        let Some(department) = mine.first().map(|item| item.task.lead_department.clone()) else {
            continue;
        };
        result.groups.push(DepartmentOverdue {
            department,
            overdue: count,
            items: mine,
        });
    }
    Ok(result)
}

/// When each task was last mentioned in a delivered notification.
pub async fn last_notices<C: ConnectionTrait>(
    db: &C,
    task_ids: &[i64],
    before: Option<DateTime<Utc>>,
) -> Result<HashMap<i64, DateTime<Utc>>> {
    if task_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = db::placeholders(task_ids.len());
    let by_then = if before.is_some() {
        " AND n.sent_at < ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT nt.task_id AS task_id, MAX(n.sent_at) AS sent_at \
         FROM notification_tasks nt JOIN notifications n ON n.id = nt.notification_id \
         WHERE n.state = 'sent' AND nt.task_id IN ({placeholders}){by_then} GROUP BY nt.task_id"
    );
    let mut values: Vec<sea_orm::Value> = task_ids
        .iter()
        .map(|id| sea_orm::Value::from(*id))
        .collect();
    if let Some(before) = before {
        values.push(before.into());
    }
    let rows = LastNotice::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.sent_at.map(|at| (r.task_id, at)))
        .collect())
}
