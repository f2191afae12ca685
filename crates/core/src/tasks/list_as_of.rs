//! The task list when tasks must be judged: a figure's tasks, a timeliness,
//! a period of the programme, or any day in the past. Each task is taken as
//! it stood on the day (`tasks::facts`) and kept when the same predicate the
//! figures count with (`domain::figure`) holds, so a figure and its list can
//! never disagree. Text search and the coordinating-department filters are
//! about the task as it is now, and are read from the task rows.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::NaiveDate;

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
use crate::tasks::fact_store::{FactRef, FactStore, Fold};
use crate::{
    domain::{
        facts::FactView,
        figure::{Figure, standing_of},
    },
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
    let Some(picked) = picks(db, store, filter, as_of, due_soon_days).await? else {
        return Ok(empty);
    };
    let start =
        usize::try_from((filter.page - 1).saturating_mul(filter.per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(filter.per_page).unwrap_or(usize::MAX);
    let ids: Vec<i64> = picked.iter().skip(start).take(take).map(|p| p.id).collect();
    let page = judged_in_order(db, store, &ids, as_of, due_soon_days).await?;
    let items = load_views_as_of(db, &page, as_of, due_soon_days).await?;
    Ok(Page {
        items,
        total: picked.len() as u64,
        page: filter.page,
        per_page: filter.per_page,
    })
}

/// A task of a list, in the list's order: enough to page and to group by
/// lead department without keeping every task's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picked {
    pub id: i64,
    pub lead_department_id: i64,
}

/// The facts of `ids` as they stood at `as_of`, judged, in the order of `ids`.
pub async fn judged_in_order<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    ids: &[i64],
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<Judged>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let scope = Scope {
        task_ids: Some(ids.to_vec()),
        ..Scope::default()
    };
    let mut by_id: HashMap<i64, Judged> = facts::judged(db, store, &scope, as_of, due_soon_days)
        .await?
        .into_iter()
        .map(|j| (j.facts.task_id, j))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
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
    let Some(picked) = picks(db, store, filter, as_of, due_soon_days).await? else {
        return Ok(None);
    };
    let ids: Vec<i64> = picked.iter().map(|p| p.id).collect();
    Ok(Some(
        judged_in_order(db, store, &ids, as_of, due_soon_days).await?,
    ))
}

/// The tasks of `filter` at `as_of`, in order — kept per version of the
/// facts (for ever for a past moment), since a list is read page after page.
pub async fn picks<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Option<Arc<Vec<Picked>>>> {
    if as_of.before.is_none() {
        store.sync(db).await?;
    }
    let mut whole = filter.clone();
    whole.page = 1;
    whole.per_page = 0;
    let key = format!("picks:{whole:?}:{as_of:?}:{due_soon_days}");
    store
        .memo(
            key,
            as_of.before.is_some(),
            pick(db, store, filter, as_of, due_soon_days),
        )
        .await
}

/// What sorting needs of a task, taken while visiting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    id: i64,
    lead: i64,
    due: NaiveDate,
    open: bool,
    progress: i32,
}

async fn pick<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Option<Arc<Vec<Picked>>>> {
    let Some(mut scope) = scope(db, filter).await? else {
        return Ok(None);
    };
    scope.scope.candidates = filter
        .figure
        .and_then(|f| f.candidates(as_of.day, due_soon_days));
    let rule = Rule {
        filter,
        day: as_of.day,
        due_soon_days,
    };
    // Today's list in the list's own order, without text search or
    // coordination (read from the rows): a fold of the facts in memory,
    // carried from write to write instead of scanned and sorted again.
    if as_of.before.is_none()
        && store.is_enabled()
        && scope.only.is_none()
        && scope.involved.is_none()
        && filter.visible_to_department.is_none()
        && rule.sorts_by_facts()
    {
        return Ok(Some(folded(db, store, rule, &scope.scope).await?));
    }
    let mut kept: Vec<Candidate> = Vec::new();
    facts::visit(db, store, &scope.scope, as_of, |f| {
        if let Some(c) = rule.candidate(f) {
            kept.push(c);
        }
    })
    .await?;
    if let Some(allowed) = &scope.only {
        kept.retain(|c| allowed.contains(&c.id));
    }
    if let Some((department, involvement)) = scope.involved {
        let coordinated = coordinated_by(db, department).await?;
        kept.retain(|c| {
            let leads = c.lead == department;
            let coordinates = coordinated.contains(&c.id);
            match involvement {
                Involvement::Lead => leads,
                Involvement::Coordinating => coordinates,
                Involvement::Any => leads || coordinates,
            }
        });
    }
    if let Some(visible) = filter.visible_to_department {
        let coordinated = coordinated_by(db, visible).await?;
        kept.retain(|c| c.lead == visible || coordinated.contains(&c.id));
    }
    sort(db, &mut kept, filter).await?;
    Ok(Some(Arc::new(
        kept.into_iter()
            .map(|c| Picked {
                id: c.id,
                lead_department_id: c.lead,
            })
            .collect(),
    )))
}

/// Today's tasks of `scope` that `rule` keeps, in its order, as a fold
/// carried from write to write.
async fn folded<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    rule: Rule<'_>,
    scope: &Scope,
) -> Result<Arc<Vec<Picked>>> {
    store.sync(db).await?;
    let filter = rule.filter;
    let key = format!(
        "picks:{scope:?}:{:?}:{:?}:{:?}:{}:{:?}:{:?}:{:?}:{}:{}",
        filter.figure,
        filter.statuses,
        filter.sort,
        filter.descending,
        filter.timeliness,
        filter.due_from,
        filter.due_to,
        rule.day,
        rule.due_soon_days,
    );
    let kept = store.fold(key, &PickFold { rule, scope }).await?;
    Ok(in_list_order(&kept))
}

/// A list's tasks as its pages read them.
fn in_list_order(kept: &[Candidate]) -> Arc<Vec<Picked>> {
    Arc::new(
        kept.iter()
            .map(|c| Picked {
                id: c.id,
                lead_department_id: c.lead,
            })
            .collect(),
    )
}

/// The tasks of `scope` that stand in `figure` at `as_of`, by due date
/// (the longest overdue first), ties by id.
pub async fn by_due_date<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    figure: Figure,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Arc<Vec<Picked>>> {
    let filter = TaskFilter {
        figure: Some(figure),
        sort: TaskSort::DueDate,
        ..TaskFilter::default()
    };
    let scope = Scope {
        candidates: figure.candidates(as_of.day, due_soon_days),
        ..scope.clone()
    };
    let rule = Rule {
        filter: &filter,
        day: as_of.day,
        due_soon_days,
    };
    if as_of.before.is_none() && store.is_enabled() && scope.task_ids.is_none() {
        return folded(db, store, rule, &scope).await;
    }
    let mut kept: Vec<Candidate> = Vec::new();
    facts::visit(db, store, &scope, as_of, |f| {
        if let Some(c) = rule.candidate(f) {
            kept.push(c);
        }
    })
    .await?;
    kept.sort_by(|a, b| rule.compare(a, b));
    Ok(in_list_order(&kept))
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
    if filter.leader.as_deref() == Some(super::query::NO_LEADER) {
        scope.leader_id = Some(None);
    } else if let Some(username) = &filter.leader {
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
    judged: &mut [Candidate],
    filter: &TaskFilter,
) -> Result<()> {
    let needs_rows = matches!(filter.sort, TaskSort::Code | TaskSort::UpdatedAt);
    let mut keys: HashMap<i64, SortKey> = HashMap::new();
    if needs_rows {
        let ids: Vec<i64> = judged.iter().map(|c| c.id).collect();
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
    judged.sort_by(|fa, fb| {
        let primary = match filter.sort {
            TaskSort::DueDate | TaskSort::Attention => fa.due.cmp(&fb.due),
            TaskSort::Progress => fa.progress.cmp(&fb.progress),
            TaskSort::Code => keys
                .get(&fa.id)
                .map(|k| &k.code)
                .cmp(&keys.get(&fb.id).map(|k| &k.code)),
            TaskSort::UpdatedAt => keys
                .get(&fa.id)
                .map(|k| k.updated_at)
                .cmp(&keys.get(&fb.id).map(|k| k.updated_at)),
        };
        ordered(filter, fa, fb, primary)
    });
    Ok(())
}

/// The list's order from its primary key: ties broken by id, reversed when
/// descending, open tasks first when sorting by attention.
fn ordered(
    filter: &TaskFilter,
    fa: &Candidate,
    fb: &Candidate,
    primary: std::cmp::Ordering,
) -> std::cmp::Ordering {
    let mut ordered = primary.then(fa.id.cmp(&fb.id));
    if filter.descending {
        ordered = ordered.reverse();
    }
    if filter.sort == TaskSort::Attention {
        // Open tasks first, whichever way the rest is sorted.
        (!fa.open).cmp(&!fb.open).then(ordered)
    } else {
        ordered
    }
}

/// Which tasks a list keeps, judged on its day.
struct Rule<'a> {
    filter: &'a TaskFilter,
    day: NaiveDate,
    due_soon_days: u32,
}

impl Rule<'_> {
    /// The task as the list keeps it, if the list keeps it.
    fn candidate(&self, f: &dyn FactView) -> Option<Candidate> {
        let filter = self.filter;
        let s = standing_of(
            f.status(),
            f.deadline(),
            f.completed_on(),
            self.day,
            self.due_soon_days,
        );
        let due = f.deadline().due;
        let wanted = filter.figure.is_none_or(|fig| fig.matches(&s))
            && (filter.timeliness.is_empty()
                || s.timeliness
                    .is_some_and(|i| filter.timeliness.contains(&i.timeliness)))
            && (filter.statuses.is_empty() || filter.statuses.contains(&f.status()))
            && filter.due_from.is_none_or(|d| due >= d)
            && filter.due_to.is_none_or(|d| due <= d);
        wanted.then(|| Candidate {
            id: f.task_id(),
            lead: f.lead_department_id(),
            due,
            open: f.status().is_open(),
            progress: f.progress(),
        })
    }

    /// The order needs nothing but the facts (not the code or the time of
    /// the last change, which live in the rows).
    fn sorts_by_facts(&self) -> bool {
        matches!(
            self.filter.sort,
            TaskSort::DueDate | TaskSort::Attention | TaskSort::Progress
        )
    }

    fn compare(&self, fa: &Candidate, fb: &Candidate) -> std::cmp::Ordering {
        let primary = match self.filter.sort {
            TaskSort::Progress => fa.progress.cmp(&fb.progress),
            _ => fa.due.cmp(&fb.due),
        };
        ordered(self.filter, fa, fb, primary)
    }
}

/// A list of today's tasks as a [`Fold`]: kept in order, each write moving
/// the task it changed out of its place and into its new one.
struct PickFold<'a> {
    rule: Rule<'a>,
    scope: &'a Scope,
}

impl PickFold<'_> {
    fn candidate(&self, f: &FactRef<'_>) -> Option<Candidate> {
        if facts::in_scope(f, self.scope) {
            self.rule.candidate(f)
        } else {
            None
        }
    }

    fn place(&self, kept: &[Candidate], c: &Candidate) -> usize {
        kept.partition_point(|k| self.rule.compare(k, c) == std::cmp::Ordering::Less)
    }
}

impl Fold for PickFold<'_> {
    type Value = Vec<Candidate>;

    fn empty(&self) -> Vec<Candidate> {
        Vec::new()
    }

    fn add(&self, kept: &mut Vec<Candidate>, f: &FactRef<'_>) {
        if let Some(c) = self.candidate(f) {
            let at = self.place(kept, &c);
            kept.insert(at, c);
        }
    }

    fn remove(&self, kept: &mut Vec<Candidate>, f: &FactRef<'_>) {
        if let Some(c) = self.candidate(f) {
            let at = self.place(kept, &c);
            if kept.get(at) == Some(&c) {
                kept.remove(at);
            }
        }
    }

    fn collect(&self, kept: &mut Vec<Candidate>, f: &FactRef<'_>) {
        if let Some(c) = self.candidate(f) {
            kept.push(c);
        }
    }

    fn finish(&self, kept: &mut Vec<Candidate>) {
        kept.sort_by(|a, b| self.rule.compare(a, b));
    }
}
