//! Making occurrences: the period is claimed first (a row unique per series
//! and period), then its task is made from the latest occurrence — when the
//! current one is completed, or by the scheduler when a period starts.

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;

use crate::{
    Clock,
    db::{self, Db},
    domain::{TaskCode, Title},
    entity::{programme, recurring_occurrence, recurring_series, task, task_coordinator},
    error::{Error, Result},
    messages::{Lang, Msg},
    org::programmes,
    tasks::creation::{self, ValidatedTask},
    tasks::history::{self, Change, action},
};

use super::rule::Rule;

/// The occurrence row of a task, if the task belongs to a series.
pub(super) async fn occurrence_of<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> Result<Option<recurring_occurrence::Model>> {
    Ok(recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::TaskId.eq(task_id))
        .one(db)
        .await?)
}

/// The latest period of a series that has its row (claimed or made).
async fn latest_occurrence<C: ConnectionTrait>(
    db: &C,
    series_id: i64,
) -> Result<Option<recurring_occurrence::Model>> {
    Ok(recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::SeriesId.eq(series_id))
        .order_by_desc(recurring_occurrence::Column::PeriodStart)
        .one(db)
        .await?)
}

/// A code for an occurrence, unique in its year's programme:
/// `<base>-<period>` (shortened to the 40 characters a code may have).
async fn occurrence_code<C: ConnectionTrait>(
    db: &C,
    programme_id: i64,
    base: &str,
    key: &str,
) -> Result<String> {
    for n in 1..=50 {
        let suffix = if n == 1 {
            format!("-{key}")
        } else {
            format!("-{key}-{n}")
        };
        let room = 40usize.saturating_sub(suffix.chars().count());
        let head: String = base.chars().take(room).collect();
        let code = format!("{head}{suffix}");
        let taken = task::Entity::find()
            .filter(task::Column::ProgrammeId.eq(programme_id))
            .filter(task::Column::Code.eq(code.as_str()))
            .one(db)
            .await?
            .is_some();
        if !taken {
            return Ok(code);
        }
    }
    Err(Error::Conflict(Msg::RecurrenceCodeTaken {
        period: key.to_string(),
        base: base.to_string(),
    }))
}

/// Claims `period_start` of `series` and, if it was free, makes the
/// occurrence from `template` (the latest one): same lead, coordinators,
/// leader, field and assigning document; status not started; its own due
/// date. Returns the new task's id, or `None` if the period already had
/// its occurrence. Runs inside the caller's transaction.
async fn create_occurrence<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    actor: Option<i64>,
    series: &recurring_series::Model,
    template: &task::Model,
    period_start: NaiveDate,
) -> Result<Option<i64>> {
    let rule = Rule::of(series);
    let now = clock.now();
    let claimed = recurring_occurrence::Entity::insert(recurring_occurrence::ActiveModel {
        series_id: Set(series.id),
        period_start: Set(period_start),
        task_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            recurring_occurrence::Column::SeriesId,
            recurring_occurrence::Column::PeriodStart,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if claimed == 0 {
        return Ok(None);
    }
    let due = rule.due_in(period_start);
    let key = rule.period_key(period_start);
    // The year's programme, named like the template's (year replaced).
    let template_programme = programme::Entity::find_by_id(template.programme_id)
        .one(db)
        .await?;
    let title = match &template_programme {
        Some(p) => p
            .title
            .replace(&p.year.to_string(), &due.year().to_string()),
        None => format!("Chương trình làm việc năm {}", due.year()),
    };
    let target_programme = programmes::get_or_create(db, clock, due.year(), &title).await?;
    let code = occurrence_code(db, target_programme.id, &series.base_code, &key).await?;
    let coordinators = task_coordinator::Entity::find()
        .filter(task_coordinator::Column::TaskId.eq(template.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.department_id)
        .collect();
    let validated = ValidatedTask {
        year: due.year(),
        code: TaskCode::parse("code", &code)?,
        title: Title::parse("title", &template.title, usize::MAX)?,
        description: template.description.clone(),
        field_code: template.field_code.clone(),
        lead_department_id: template.lead_department_id,
        coordinating_department_ids: coordinators,
        leader_in_charge_id: template.leader_in_charge_id,
        due_date: due,
        source_document_id: template.source_document_id,
    };
    let id = creation::insert_validated(
        db,
        clock,
        "",
        actor,
        validated,
        action::RECURRED,
        Some(format!(
            "Kỳ {key} của nhiệm vụ định kỳ {} ({}); hạn {}",
            series.base_code,
            rule.describe(Lang::Vi).to_lowercase(),
            due.format("%d/%m/%Y")
        )),
    )
    .await?;
    recurring_occurrence::Entity::update_many()
        .col_expr(recurring_occurrence::Column::TaskId, Expr::value(Some(id)))
        .filter(recurring_occurrence::Column::SeriesId.eq(series.id))
        .filter(recurring_occurrence::Column::PeriodStart.eq(period_start))
        .exec(db)
        .await?;
    history::record(
        db,
        now,
        Change::new(template.id, actor, action::NOTE).note(format!(
            "Đã tạo kỳ tiếp theo {code} (hạn {})",
            due.format("%d/%m/%Y")
        )),
    )
    .await?;
    tracing::info!(series = series.id, period = %key, task = id, "recurring task occurrence created");
    Ok(Some(id))
}

/// Called in the transaction that confirms `completed` done: makes the
/// occurrence of the period after its own, unless it exists already.
pub async fn on_completed<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    actor: Option<i64>,
    completed: &task::Model,
) -> Result<Option<i64>> {
    let Some(occurrence) = occurrence_of(db, completed.id).await? else {
        return Ok(None);
    };
    let Some(series) = recurring_series::Entity::find_by_id(occurrence.series_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !series.active {
        return Ok(None);
    }
    let next = Rule::of(&series).next_period(occurrence.period_start);
    // The template is the latest occurrence (it carries later edits).
    let template = match latest_occurrence(db, series.id)
        .await?
        .and_then(|o| o.task_id)
        .filter(|id| *id != completed.id)
    {
        Some(id) => task::Entity::find_by_id(id)
            .one(db)
            .await?
            .unwrap_or_else(|| completed.clone()),
        None => completed.clone(),
    };
    create_occurrence(db, clock, actor, &series, &template, next).await
}

/// What one run of the period-start job did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecurrenceRun {
    /// Active series looked at.
    pub series: usize,
    /// Tasks made (ids).
    pub created: Vec<i64>,
    /// Series that failed (logged; tried again next run).
    pub failed: usize,
}

impl RecurrenceRun {
    pub fn describe(&self) -> String {
        format!(
            "recurring tasks: {} series, {} occurrences created, {} failed",
            self.series,
            self.created.len(),
            self.failed
        )
    }
}

/// At most this many periods are caught up per series and run.
const MAX_CATCH_UP: usize = 36;

/// The scheduler job: for every active series, makes the occurrence of
/// each period that has started by `today` and has none yet (catching up
/// missed periods). Each occurrence is its own transaction; running twice,
/// or on two instances at once, creates nothing twice.
pub async fn run_due(db: &Db, clock: &Clock, today: NaiveDate) -> Result<RecurrenceRun> {
    let series_list = recurring_series::Entity::find()
        .filter(recurring_series::Column::Active.eq(true))
        .order_by_asc(recurring_series::Column::Id)
        .all(db)
        .await?;
    let mut run = RecurrenceRun {
        series: series_list.len(),
        ..Default::default()
    };
    for series in series_list {
        match catch_up(db, clock, &series, today).await {
            Ok(mut ids) => run.created.append(&mut ids),
            Err(err) => {
                run.failed += 1;
                tracing::error!(series = series.id, error = %err, "recurring series could not be advanced; retrying next run");
            }
        }
    }
    Ok(run)
}

async fn catch_up(
    db: &Db,
    clock: &Clock,
    series: &recurring_series::Model,
    today: NaiveDate,
) -> Result<Vec<i64>> {
    let rule = Rule::of(series);
    let mut created = Vec::new();
    // A read first: most ticks find nothing due and take no write lock.
    match latest_occurrence(db, series.id).await? {
        Some(latest) if rule.next_period(latest.period_start) <= today => {}
        _ => return Ok(created),
    }
    for _ in 0..MAX_CATCH_UP {
        let txn = db::begin_write(db).await?;
        let Some(latest) = latest_occurrence(&txn, series.id).await? else {
            return Ok(created);
        };
        let next = rule.next_period(latest.period_start);
        if next > today {
            return Ok(created);
        }
        let Some(template) = (match latest.task_id {
            Some(id) => task::Entity::find_by_id(id).one(&txn).await?,
            None => None,
        }) else {
            return Ok(created);
        };
        let made = create_occurrence(&txn, clock, None, series, &template, next).await?;
        txn.commit().await?;
        match made {
            Some(id) => created.push(id),
            // Another run made it in between: look again from the new latest.
            None => continue,
        }
    }
    Ok(created)
}
