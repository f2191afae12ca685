//! The task list when tasks must be judged: a figure's tasks, a timeliness,
//! a period of the programme, or any day in the past. Each task is taken as
//! it stood on the day (`tasks::facts`) and kept when the same predicate the
//! figures count with (`domain::figure`) holds, so a figure and its list can
//! never disagree. Text search and the coordinating-department filters are
//! about the task as it is now, and are read from the task rows.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use super::{
    Page,
    facts::{self, AsOf, Judged, Scope},
    query::{Involvement, TaskFilter, TaskSort},
    view::{TaskView, load_views_as_of},
};
use crate::tasks::fact_store::FactStore;
use crate::{
    entity::{field, programme, task, task_coordinator, user},
    error::{Error, Result},
    messages::Msg,
    org::departments,
};

/// One page of `filter`'s tasks as they stood at `as_of`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Page<TaskView>> {
    let empty = Page {
        items: Vec::new(),
        total: 0,
        page: filter.page,
        per_page: filter.per_page,
    };
    let Some(selection) = select(db, store, filter, as_of, due_soon_days).await? else {
        return Ok(empty);
    };
    let total = selection.len() as u64;
    let start =
        usize::try_from((filter.page - 1).saturating_mul(filter.per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(filter.per_page).unwrap_or(usize::MAX);
    let page: Vec<Judged> = selection.into_iter().skip(start).take(take).collect();
    let items = load_views_as_of(db, &page, as_of, due_soon_days).await?;
    Ok(Page {
        items,
        total,
        page: filter.page,
        per_page: filter.per_page,
    })
}

/// Every task of `filter` as it stood at `as_of`, in the filter's order;
/// `None` when a code names nothing.
pub async fn select<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Option<Vec<Judged>>> {
    let Some(mut scope) = scope(db, filter).await? else {
        return Ok(None);
    };
    scope.scope.candidates = filter
        .figure
        .and_then(|f| f.candidates(as_of.day, due_soon_days));
    let mut judged = facts::judged(db, store, &scope.scope, as_of, due_soon_days).await?;
    judged.retain(|j| {
        let s = &j.standing;
        filter.figure.is_none_or(|f| f.matches(s))
            && (filter.timeliness.is_empty()
                || s.timeliness
                    .is_some_and(|i| filter.timeliness.contains(&i.timeliness)))
            && (filter.statuses.is_empty() || filter.statuses.contains(&j.facts.status))
            && filter.due_from.is_none_or(|d| j.facts.due_date >= d)
            && filter.due_to.is_none_or(|d| j.facts.due_date <= d)
    });
    if let Some(allowed) = &scope.only {
        judged.retain(|j| allowed.contains(&j.facts.task_id));
    }
    if let Some((department, involvement)) = scope.involved {
        let coordinated = coordinated_by(db, department).await?;
        judged.retain(|j| {
            let leads = j.facts.lead_department_id == department;
            let coordinates = coordinated.contains(&j.facts.task_id);
            match involvement {
                Involvement::Lead => leads,
                Involvement::Coordinating => coordinates,
                Involvement::Any => leads || coordinates,
            }
        });
    }
    if let Some(visible) = filter.visible_to_department {
        let coordinated = coordinated_by(db, visible).await?;
        judged.retain(|j| {
            j.facts.lead_department_id == visible || coordinated.contains(&j.facts.task_id)
        });
    }
    sort(db, &mut judged, filter).await?;
    Ok(Some(judged))
}

/// The filter's scope with its codes resolved, plus what can only be
/// checked against the task rows.
struct Resolved {
    scope: Scope,
    /// Tasks matching the text search.
    only: Option<HashSet<i64>>,
    /// A department and how it must be involved.
    involved: Option<(i64, Involvement)>,
}

async fn scope<C: ConnectionTrait>(db: &C, filter: &TaskFilter) -> Result<Option<Resolved>> {
    let mut scope = Scope {
        due_from: filter.original_due_from,
        due_to: filter.original_due_to,
        ..Scope::default()
    };
    if let Some(year) = filter.year {
        match programme::Entity::find()
            .filter(programme::Column::Year.eq(year))
            .one(db)
            .await?
        {
            Some(p) => scope.programme_id = Some(p.id),
            None => return Ok(None),
        }
    }
    let mut involved = None;
    if let Some(code) = &filter.department {
        let Some(dept) = departments::find_by_code(db, code).await? else {
            return Err(Error::field(
                "department",
                "unknown",
                Msg::UnknownDepartmentCode {
                    code: code.to_string(),
                },
            ));
        };
        if filter.involvement == Involvement::Lead {
            scope.department_id = Some(dept.id);
        } else {
            involved = Some((dept.id, filter.involvement));
        }
    }
    if let Some(code) = &filter.field {
        if field::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .is_none()
        {
            return Err(Error::field(
                "field",
                "unknown",
                Msg::UnknownFieldCode {
                    code: code.to_string(),
                },
            ));
        }
        scope.field_code = Some(code.clone());
    }
    if let Some(username) = &filter.leader {
        let Some(leader) = user::Entity::find()
            .filter(user::Column::Username.eq(username.clone()))
            .one(db)
            .await?
        else {
            return Err(Error::field(
                "leader",
                "unknown",
                Msg::UnknownUser {
                    username: username.to_string(),
                },
            ));
        };
        scope.leader_id = Some(Some(leader.id));
    }
    let only = match &filter.q {
        Some(q) => Some(matching_text(db, q).await?),
        None => None,
    };
    Ok(Some(Resolved {
        scope,
        only,
        involved,
    }))
}

/// Tasks whose code or title contains every word of `q` (already folded).
async fn matching_text<C: ConnectionTrait>(db: &C, q: &str) -> Result<HashSet<i64>> {
    let mut query = task::Entity::find().select_only().column(task::Column::Id);
    for word in q.split(' ').filter(|w| !w.is_empty()) {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        query = query.filter(
            Expr::col((task::Entity, task::Column::SearchText))
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    Ok(query
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The tasks a department coordinates (now).
async fn coordinated_by<C: ConnectionTrait>(db: &C, department: i64) -> Result<HashSet<i64>> {
    Ok(task_coordinator::Entity::find()
        .select_only()
        .column(task_coordinator::Column::TaskId)
        .filter(task_coordinator::Column::DepartmentId.eq(department))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct SortKey {
    id: i64,
    code: String,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// The filter's order, ties broken by id, as the SQL list does.
async fn sort<C: ConnectionTrait>(
    db: &C,
    judged: &mut [Judged],
    filter: &TaskFilter,
) -> Result<()> {
    let needs_rows = matches!(filter.sort, TaskSort::Code | TaskSort::UpdatedAt);
    let mut keys: HashMap<i64, SortKey> = HashMap::new();
    if needs_rows {
        let ids: Vec<i64> = judged.iter().map(|j| j.facts.task_id).collect();
        for chunk in ids.chunks(5_000) {
            for k in task::Entity::find()
                .select_only()
                .column(task::Column::Id)
                .column(task::Column::Code)
                .column(task::Column::UpdatedAt)
                .filter(task::Column::Id.is_in(chunk.to_vec()))
                .into_model::<SortKey>()
                .all(db)
                .await?
            {
                keys.insert(k.id, k);
            }
        }
    }
    judged.sort_by(|a, b| {
        let (fa, fb) = (&a.facts, &b.facts);
        let primary = match filter.sort {
            TaskSort::DueDate | TaskSort::Attention => fa.due_date.cmp(&fb.due_date),
            TaskSort::Progress => fa.progress.cmp(&fb.progress),
            TaskSort::Code => keys
                .get(&fa.task_id)
                .map(|k| &k.code)
                .cmp(&keys.get(&fb.task_id).map(|k| &k.code)),
            TaskSort::UpdatedAt => keys
                .get(&fa.task_id)
                .map(|k| k.updated_at)
                .cmp(&keys.get(&fb.task_id).map(|k| k.updated_at)),
        };
        let mut ordered = primary.then(fa.task_id.cmp(&fb.task_id));
        if filter.descending {
            ordered = ordered.reverse();
        }
        if filter.sort == TaskSort::Attention {
            // Open tasks first, whichever way the rest is sorted.
            (!fa.status.is_open())
                .cmp(&!fb.status.is_open())
                .then(ordered)
        } else {
            ordered
        }
    });
    Ok(())
}
