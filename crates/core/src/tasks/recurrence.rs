//! Recurring tasks (nhiệm vụ định kỳ): a monthly report due on the 20th, a
//! quarterly review, a yearly plan. A series holds the rule; each
//! occurrence is an ordinary task (own due date, own status) linked to the
//! series for one period.
//!
//! The next occurrence is made when the current one is confirmed completed
//! (in the confirming transaction) or when its period starts (the
//! scheduler's `run_due`, idempotent). Either way the period is *claimed*
//! first — a row unique per (series, period) inserted with
//! `ON CONFLICT DO NOTHING` — so two instances, a rerun or a completion
//! racing the job never create the same occurrence twice.

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{TaskCode, TaskStatus, Title},
    entity::{programme, recurring_occurrence, recurring_series, task, task_coordinator},
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
    org::programmes,
    tasks::history::{self, Change, action},
    tasks::{
        access,
        creation::{self, ValidatedTask},
    },
};

/// How often a series recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }

    /// Months per period.
    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Yearly => 12,
        }
    }
}

/// When occurrences are due: `day` of the month (clamped to its last day),
/// in `month` of the period (quarterly 1–3, yearly 1–12, monthly 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    pub day: u32,
    pub month: u32,
}

/// The last day of a month.
pub fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

/// `day` of the month, or the month's last day if it has fewer days
/// (31 → 30 in April, 28 or 29 in February).
pub fn clamp_day(year: i32, month: u32, day: u32) -> NaiveDate {
    let day = day.clamp(1, last_day_of_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

fn add_months(start: NaiveDate, months: u32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MAX)
}

impl Rule {
    /// The first day of the period `day` falls in.
    pub fn period_start(&self, day: NaiveDate) -> NaiveDate {
        let months = self.frequency.months();
        let month0 = day.month0() / months * months;
        NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
    }

    /// The first day of the period after the one starting `start`.
    pub fn next_period(&self, start: NaiveDate) -> NaiveDate {
        add_months(self.period_start(start), self.frequency.months())
    }

    /// The due date of the occurrence of the period starting `start`.
    pub fn due_in(&self, start: NaiveDate) -> NaiveDate {
        let start = self.period_start(start);
        let offset = match self.frequency {
            Frequency::Monthly => 0,
            Frequency::Quarterly => self.month.clamp(1, 3) - 1,
            Frequency::Yearly => self.month.clamp(1, 12) - 1,
        };
        let month_start = add_months(start, offset);
        clamp_day(month_start.year(), month_start.month(), self.day)
    }

    /// A period's short name, used in occurrence codes: `2026-12`, `2026-Q4`, `2026`.
    pub fn period_key(&self, start: NaiveDate) -> String {
        let start = self.period_start(start);
        match self.frequency {
            Frequency::Monthly => format!("{}-{:02}", start.year(), start.month()),
            Frequency::Quarterly => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Frequency::Yearly => start.year().to_string(),
        }
    }

    /// The rule in words ("Hằng quý, hạn ngày 15 tháng thứ 2 của quý").
    pub fn describe(&self, lang: Lang) -> String {
        describe(self.frequency, self.day, self.month, lang)
    }

    fn of(series: &recurring_series::Model) -> Self {
        Rule {
            frequency: Frequency::parse(&series.frequency).unwrap_or(Frequency::Monthly),
            day: series.day_of_month.clamp(1, 31) as u32,
            month: series.month.clamp(1, 12) as u32,
        }
    }
}

/// What a client sends to make a task recur.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceInput {
    /// `monthly`, `quarterly` or `yearly`.
    pub frequency: String,
    /// Day of the month the occurrences are due (1–31; a shorter month uses
    /// its last day). Default: the task's due day.
    pub day: Option<i64>,
    /// Quarterly: month of the quarter (1–3); yearly: the month (1–12).
    /// Default: from the task's due date.
    pub month: Option<i64>,
}

impl RecurrenceInput {
    /// The rule, with defaults taken from `due` (the task's due date).
    pub fn parse(&self, due: NaiveDate) -> Result<Rule> {
        let mut errors = Vec::new();
        let frequency = Frequency::parse(&self.frequency);
        if frequency.is_none() {
            errors.push(FieldError::new(
                "recurrence.frequency",
                "invalid_choice",
                Msg::InvalidFrequency,
            ));
        }
        let day = self.day.unwrap_or(i64::from(due.day()));
        if !(1..=31).contains(&day) {
            errors.push(FieldError::new(
                "recurrence.day",
                "out_of_range",
                Msg::DueDayRange,
            ));
        }
        let frequency = frequency.unwrap_or(Frequency::Monthly);
        let (default_month, max_month) = match frequency {
            Frequency::Monthly => (1, 1),
            Frequency::Quarterly => (i64::from(due.month0() % 3 + 1), 3),
            Frequency::Yearly => (i64::from(due.month()), 12),
        };
        let month = match frequency {
            Frequency::Monthly => 1,
            _ => self.month.unwrap_or(default_month),
        };
        if !(1..=max_month).contains(&month) {
            errors.push(FieldError::new(
                "recurrence.month",
                "out_of_range",
                Msg::MonthRange { max: max_month },
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(Rule {
            frequency,
            day: day as u32,
            month: month as u32,
        })
    }
}

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

async fn occurrence_of<C: ConnectionTrait>(
    db: &C,
    task_id: i64,
) -> Result<Option<recurring_occurrence::Model>> {
    Ok(recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::TaskId.eq(task_id))
        .one(db)
        .await?)
}

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

/// A rule in words, from its parts (`recurrence-*` in `tasks.ftl`).
pub fn describe(frequency: Frequency, day: u32, month: u32, lang: Lang) -> String {
    let key = match frequency {
        Frequency::Monthly => "recurrence-monthly",
        Frequency::Quarterly => "recurrence-quarterly",
        Frequency::Yearly => "recurrence-yearly",
    };
    dondoc_i18n::text_with(lang, key, &[("day", day.into()), ("month", month.into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn month_ends_clamp() {
        let rule = Rule {
            frequency: Frequency::Monthly,
            day: 31,
            month: 1,
        };
        assert_eq!(rule.due_in(d(2026, 4, 1)), d(2026, 4, 30));
        assert_eq!(rule.due_in(d(2026, 2, 1)), d(2026, 2, 28));
        assert_eq!(rule.due_in(d(2028, 2, 1)), d(2028, 2, 29));
        assert_eq!(rule.due_in(d(2026, 1, 1)), d(2026, 1, 31));
        assert_eq!(clamp_day(2100, 2, 29), d(2100, 2, 28));
    }

    #[test]
    fn periods_follow_the_frequency() {
        let monthly = Rule {
            frequency: Frequency::Monthly,
            day: 20,
            month: 1,
        };
        assert_eq!(monthly.period_start(d(2026, 11, 20)), d(2026, 11, 1));
        assert_eq!(monthly.next_period(d(2026, 12, 1)), d(2027, 1, 1));
        assert_eq!(monthly.period_key(d(2026, 12, 1)), "2026-12");
        let quarterly = Rule {
            frequency: Frequency::Quarterly,
            day: 31,
            month: 3,
        };
        assert_eq!(quarterly.period_start(d(2026, 8, 15)), d(2026, 7, 1));
        assert_eq!(quarterly.next_period(d(2026, 10, 1)), d(2027, 1, 1));
        assert_eq!(quarterly.due_in(d(2026, 4, 1)), d(2026, 6, 30));
        assert_eq!(quarterly.period_key(d(2026, 10, 1)), "2026-Q4");
        let yearly = Rule {
            frequency: Frequency::Yearly,
            day: 29,
            month: 2,
        };
        assert_eq!(yearly.due_in(d(2027, 1, 1)), d(2027, 2, 28));
        assert_eq!(yearly.due_in(d(2028, 1, 1)), d(2028, 2, 29));
        assert_eq!(yearly.next_period(d(2027, 1, 1)), d(2028, 1, 1));
    }

    #[test]
    fn input_defaults_come_from_the_due_date_and_bad_values_name_the_field() {
        let due = d(2026, 11, 20);
        let rule = RecurrenceInput {
            frequency: "quarterly".into(),
            ..Default::default()
        }
        .parse(due)
        .unwrap_or(Rule {
            frequency: Frequency::Monthly,
            day: 0,
            month: 0,
        });
        assert_eq!(
            (rule.frequency, rule.day, rule.month),
            (Frequency::Quarterly, 20, 2)
        );
        let err = RecurrenceInput {
            frequency: "weekly".into(),
            day: Some(32),
            month: None,
        }
        .parse(due);
        match err {
            Err(Error::Validation(fields)) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(names, ["recurrence.frequency", "recurrence.day"]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
