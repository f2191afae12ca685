//! A task's series: reading it with its occurrences, making a task recur
//! (or changing its rule), and stopping it.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::TaskStatus,
    entity::{recurring_occurrence, recurring_series, task},
    error::{Error, Result},
    messages::{Lang, Msg},
    tasks::history::{self, Change, action},
    tasks::{
        access,
        creation::{self},
    },
};

use super::{
    occurrences::occurrence_of,
    rule::{Frequency, RecurrenceInput, Rule},
};

/// One occurrence of a series, as its task page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceView {
    pub task_id: i64,
    pub code: String,
    /// `2026-12`, `2026-Q4` or `2026`.
    pub period: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    pub status: TaskStatus,
}

/// A task's series: the rule and its occurrences, oldest first (those the
/// caller may read).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesView {
    pub id: i64,
    pub frequency: Frequency,
    pub day: u32,
    pub month: u32,
    /// Stopped series make no more occurrences.
    pub active: bool,
    /// The rule in words, in each language (from `describe`).
    pub description_vi: String,
    pub description_en: String,
    /// Due date of the next occurrence to be made (active series).
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_date: Option<NaiveDate>,
    /// The day the next occurrence is made at the latest (its period's start).
    #[schema(value_type = Option<String>, format = Date)]
    pub next_created_on: Option<NaiveDate>,
    pub occurrences: Vec<OccurrenceView>,
}

/// The series a task belongs to, if any (404/403 as for reading the task).
pub async fn for_task<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    task_id: i64,
) -> Result<Option<SeriesView>> {
    access::load_for(db, user, task_id, Action::ReadTask).await?;
    let Some(occurrence) = occurrence_of(db, task_id).await? else {
        return Ok(None);
    };
    let Some(series) = recurring_series::Entity::find_by_id(occurrence.series_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let rule = Rule::of(&series);
    let rows = recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::SeriesId.eq(series.id))
        .order_by_asc(recurring_occurrence::Column::PeriodStart)
        .all(db)
        .await?;
    let task_ids: Vec<i64> = rows.iter().filter_map(|r| r.task_id).collect();
    let tasks = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .all(db)
        .await?;
    let mut occurrences = Vec::new();
    for row in &rows {
        let Some(t) = row.task_id.and_then(|id| tasks.iter().find(|t| t.id == id)) else {
            continue;
        };
        let scope = access::scope(db, t).await?;
        if !policy::can(user, Action::ReadTask, Some(&scope)) {
            continue;
        }
        occurrences.push(OccurrenceView {
            task_id: t.id,
            code: t.code.clone(),
            period: rule.period_key(row.period_start),
            due_date: t.due_date,
            status: t.status,
        });
    }
    let next = rows
        .last()
        .map(|r| rule.next_period(r.period_start))
        .filter(|_| series.active);
    Ok(Some(SeriesView {
        id: series.id,
        frequency: rule.frequency,
        day: rule.day,
        month: rule.month,
        active: series.active,
        description_vi: rule.describe(Lang::Vi),
        description_en: rule.describe(Lang::En),
        next_due_date: next.map(|start| rule.due_in(start)),
        next_created_on: next,
        occurrences,
    }))
}

/// Makes a task recur (or changes its series' rule, or restarts a stopped
/// series). Leaders and admins, as for editing the task.
pub async fn set(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    task_id: i64,
    input: &RecurrenceInput,
) -> Result<SeriesView> {
    let txn = db::begin_write(db).await?;
    let (current, _) = access::load_for(&txn, user, task_id, Action::EditTask).await?;
    let rule = input.parse(current.due_date)?;
    set_in(&txn, clock, Some(user.user_id), &current, rule).await?;
    txn.commit().await?;
    for_task(db, user, task_id)
        .await?
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("series vanished")))
}

/// `set` inside the caller's transaction (task creation uses it).
pub async fn set_in<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    actor: Option<i64>,
    current: &task::Model,
    rule: Rule,
) -> Result<()> {
    let now = clock.now();
    let existing = match occurrence_of(db, current.id).await? {
        Some(o) => {
            recurring_series::Entity::find_by_id(o.series_id)
                .one(db)
                .await?
        }
        None => None,
    };
    // History stores its text, in Vietnamese like the rest of the record.
    let (old_text, new_text) = match existing {
        Some(series) => {
            let old = Rule::of(&series);
            if old == rule && series.active {
                return Ok(());
            }
            let old_text = if series.active {
                old.describe(Lang::Vi)
            } else {
                format!("{} (đã dừng)", old.describe(Lang::Vi))
            };
            let mut active: recurring_series::ActiveModel = series.into();
            active.frequency = Set(rule.frequency.as_str().to_string());
            active.day_of_month = Set(rule.day as i32);
            active.month = Set(rule.month as i32);
            active.active = Set(true);
            active.updated_at = Set(now);
            active.update(db).await?;
            (old_text, rule.describe(Lang::Vi))
        }
        None => {
            let series = recurring_series::ActiveModel {
                frequency: Set(rule.frequency.as_str().to_string()),
                day_of_month: Set(rule.day as i32),
                month: Set(rule.month as i32),
                base_code: Set(current.code.clone()),
                active: Set(true),
                created_by: Set(actor),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            recurring_occurrence::ActiveModel {
                series_id: Set(series.id),
                period_start: Set(rule.period_start(current.due_date)),
                task_id: Set(Some(current.id)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            (String::new(), rule.describe(Lang::Vi))
        }
    };
    history::record(
        db,
        now,
        Change::new(current.id, actor, action::UPDATED).field("recurrence", old_text, new_text),
    )
    .await?;
    Ok(())
}

/// Assigns a new task that may recur, in one transaction (leader, admin).
pub async fn create_task(
    db: &Db,
    clock: &Clock,
    organization: &str,
    user: &Principal,
    input: creation::NewTask,
    recurrence: Option<&RecurrenceInput>,
) -> Result<i64> {
    policy::require(user, Action::CreateTask, None)?;
    let txn = db::begin_write(db).await?;
    let validated = creation::validate_new(&txn, &input).await?;
    let rule = recurrence
        .map(|r| r.parse(validated.due_date))
        .transpose()?;
    let id = creation::insert_validated(
        &txn,
        clock,
        organization,
        Some(user.user_id),
        validated,
        action::CREATED,
        None,
    )
    .await?;
    if let Some(rule) = rule {
        let Some(created) = task::Entity::find_by_id(id).one(&txn).await? else {
            return Err(Error::Unexpected(anyhow::anyhow!("task {id} vanished")));
        };
        set_in(&txn, clock, Some(user.user_id), &created, rule).await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// Stops a task's series: no more occurrences are made; existing ones stay.
pub async fn stop(db: &Db, clock: &Clock, user: &Principal, task_id: i64) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let (current, _) = access::load_for(&txn, user, task_id, Action::EditTask).await?;
    let series = match occurrence_of(&txn, task_id).await? {
        Some(o) => {
            recurring_series::Entity::find_by_id(o.series_id)
                .one(&txn)
                .await?
        }
        None => None,
    };
    let Some(series) = series else {
        return Err(Error::NotFound(Msg::NotFoundRecurrence { id: task_id }));
    };
    if series.active {
        let now = clock.now();
        let old = Rule::of(&series).describe(Lang::Vi);
        let mut active: recurring_series::ActiveModel = series.into();
        active.active = Set(false);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        history::record(
            &txn,
            now,
            Change::new(current.id, Some(user.user_id), action::UPDATED).field(
                "recurrence",
                old,
                "Không định kỳ (đã dừng)",
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
