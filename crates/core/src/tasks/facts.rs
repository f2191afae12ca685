//! Facts as of a moment: which tasks (the scope), on which day (as of),
//! and the facts of those tasks as they were then, each judged on that day.
//!
//! Today's facts are the task rows. A past day's facts are the task states
//! in force at the end of that day (`tasks::states`): never today's rows
//! judged on a past day.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::tasks::fact_store::{FactRef, FactStore};
use crate::{
    Clock, db,
    domain::{
        TaskStatus,
        facts::{FactView, TaskFacts},
        figure::{Candidates, Standing, standing},
        parse_date,
    },
    error::{Error, Result},
    messages::Msg,
    tasks::status_sql::StatusIn,
};

/// The moment figures describe: the end of `day`, or now when `before` is
/// `None` (today, as it stands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    /// The day timeliness is judged on.
    pub day: NaiveDate,
    /// The facts are those in force just before this instant.
    pub before: Option<DateTime<Utc>>,
    /// Asked for an instant rather than a day (a meeting snapshot's).
    pub instant: Option<DateTime<Utc>>,
}

impl AsOf {
    /// Today, as it stands now.
    pub fn now(clock: &Clock) -> Self {
        Self {
            day: clock.today(),
            before: None,
            instant: None,
        }
    }

    /// The end of `day` in the office's time zone (now, if `day` is today).
    pub fn end_of(day: NaiveDate, clock: &Clock) -> Self {
        if day >= clock.today() {
            return Self::now(clock);
        }
        Self {
            day,
            before: Some(start_of(day + Duration::days(1), clock.timezone())),
            instant: None,
        }
    }

    /// An instant (a meeting snapshot's): the facts in force at it.
    pub fn at(instant: DateTime<Utc>, clock: &Clock) -> Self {
        if instant >= clock.now() {
            return Self::now(clock);
        }
        Self {
            day: instant.with_timezone(&clock.timezone()).date_naive(),
            before: Some(instant + Duration::milliseconds(1)),
            instant: Some(instant),
        }
    }

    /// Reads `as_of` as a request carries it: empty for now, `YYYY-MM-DD`
    /// for the end of a day, or an RFC 3339 instant. Never in the future.
    pub fn parse(raw: Option<&str>, clock: &Clock) -> Result<Self> {
        let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self::now(clock));
        };
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            let instant = instant.with_timezone(&Utc);
            if instant > clock.now() {
                return Err(in_future());
            }
            return Ok(Self::at(instant, clock));
        }
        let day = parse_date("as_of", text)?;
        if day > clock.today() {
            return Err(in_future());
        }
        Ok(Self::end_of(day, clock))
    }

    pub fn is_now(&self) -> bool {
        self.before.is_none()
    }

    /// The `as_of` value that asks for this moment again (for links).
    pub fn query_value(&self) -> Option<String> {
        match (self.instant, self.before) {
            (Some(instant), _) => {
                Some(instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            }
            (None, Some(_)) => Some(self.day.to_string()),
            (None, None) => None,
        }
    }
}

fn in_future() -> Error {
    Error::field("as_of", "in_future", Msg::AsOfInFuture)
}

/// Local midnight at the start of `day`, in UTC.
fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// Which tasks: a programme (or every programme), optionally those whose
/// *original* due date falls in a period, and optionally one lead
/// department, field or leader in charge (as they were on the day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `None`: every programme year.
    pub programme_id: Option<i64>,
    /// Original due date on or after.
    pub due_from: Option<NaiveDate>,
    /// Original due date on or before.
    pub due_to: Option<NaiveDate>,
    pub department_id: Option<i64>,
    pub field_code: Option<String>,
    /// `Some(None)`: tasks without a leader in charge.
    pub leader_id: Option<Option<i64>>,
    /// Only these tasks (a list a person checks against a figure).
    pub task_ids: Option<Vec<i64>>,
    /// For speed only: skip tasks that cannot be in the figure asked
    /// (`Figure::candidates`).
    pub candidates: Option<Candidates>,
}

#[derive(Debug, FromQueryResult)]
struct FactRow {
    task_id: i64,
    programme_id: i64,
    lead_department_id: i64,
    field_code: String,
    leader_in_charge_id: Option<i64>,
    status: TaskStatus,
    progress: i32,
    due_date: NaiveDate,
    original_due_date: NaiveDate,
    reported_on: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    declared_completed_on: Option<NaiveDate>,
}

impl From<FactRow> for TaskFacts {
    fn from(r: FactRow) -> Self {
        TaskFacts {
            task_id: r.task_id,
            programme_id: r.programme_id,
            lead_department_id: r.lead_department_id,
            field_code: r.field_code,
            leader_in_charge_id: r.leader_in_charge_id,
            status: r.status,
            progress: r.progress,
            due_date: r.due_date,
            original_due_date: r.original_due_date,
            reported_on: r.reported_on,
            completed_on: r.completed_on,
            declared_completed_on: r.declared_completed_on,
        }
    }
}

const FACT_COLUMNS: &str = "programme_id, lead_department_id, field_code, leader_in_charge_id, \
     status, progress, due_date, original_due_date, reported_on, completed_on, declared_completed_on";

/// A task judged on the as-of day.
#[derive(Debug, Clone)]
pub struct Judged {
    pub facts: TaskFacts,
    pub standing: Standing,
}

/// The tasks of `scope` as of `as_of`, each with its standing, by task id.
pub async fn judged<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<Judged>> {
    Ok(facts(db, store, scope, as_of)
        .await?
        .into_iter()
        .map(|facts| Judged {
            standing: standing(&facts, as_of.day, due_soon_days),
            facts,
        })
        .collect())
}

/// Shows `each` the facts of every task of `scope` as of `as_of`, without
/// copying them when they come from the fact store (today's, in memory).
pub async fn visit<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    mut each: impl FnMut(&dyn FactView),
) -> Result<()> {
    if as_of.before.is_none() && store.is_enabled() && scope.task_ids.is_none() {
        store.sync(db).await?;
        return store.visit(|f| {
            if in_scope(f, scope) {
                each(f);
            }
        });
    }
    for f in facts(db, store, scope, as_of).await? {
        each(&f);
    }
    Ok(())
}

/// The facts of the tasks in `scope` as of `as_of`, ordered by task id.
pub async fn facts<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
) -> Result<Vec<TaskFacts>> {
    if scope.task_ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    if as_of.before.is_none() && store.is_enabled() {
        store.sync(db).await?;
        // A page of ids is looked up, not found by scanning every task.
        return match &scope.task_ids {
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                store.get(&ids, |f| in_scope(f, scope))
            }
            None => store.select(|f| in_scope(f, scope)),
        };
    }
    let mut out = Vec::new();
    // Long id lists go in chunks, under the databases' parameter limits.
    let chunks: Vec<Option<&[i64]>> = match &scope.task_ids {
        Some(ids) => ids.chunks(5_000).map(Some).collect(),
        None => vec![None],
    };
    for ids in chunks {
        let (from, id_column, mut values, mut conditions) = match as_of.before {
            None => (
                "tasks".to_string(),
                "id",
                Vec::<Value>::new(),
                Vec::<String>::new(),
            ),
            Some(before) => (
                "task_states".to_string(),
                "task_id",
                vec![before.into(), before.into()],
                vec![
                    "valid_from < ?".to_string(),
                    "(valid_to IS NULL OR valid_to >= ?)".to_string(),
                ],
            ),
        };
        scope_conditions(scope, ids, id_column, &mut conditions, &mut values);
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        // No ORDER BY: an index on the filter serves better than one on the
        // id; the facts are sorted here.
        let sql = format!("SELECT {id_column} AS task_id, {FACT_COLUMNS} FROM {from}{filter}");
        out.extend(
            FactRow::find_by_statement(db::statement(db, &sql, values))
                .all(db)
                .await?
                .into_iter()
                .map(TaskFacts::from),
        );
    }
    out.sort_by_key(|f| f.task_id);
    Ok(out)
}

/// The same conditions as [`scope_conditions`], on the fact store's copy.
pub(crate) fn in_scope(f: &FactRef<'_>, scope: &Scope) -> bool {
    scope.programme_id.is_none_or(|id| f.programme_id() == id)
        && scope.due_from.is_none_or(|d| f.original_due_date() >= d)
        && scope.due_to.is_none_or(|d| f.original_due_date() <= d)
        && scope
            .department_id
            .is_none_or(|id| f.lead_department_id() == id)
        && scope
            .field_code
            .as_deref()
            .is_none_or(|code| f.field_code() == code)
        && scope
            .leader_id
            .is_none_or(|leader| f.leader_in_charge_id() == leader)
        && scope.candidates.is_none_or(|c| {
            c.statuses.contains(&f.status())
                && c.due_before.is_none_or(|d| f.due_date() < d)
                && c.due_after.is_none_or(|d| f.due_date() > d)
        })
}

fn scope_conditions(
    scope: &Scope,
    ids: Option<&[i64]>,
    id_column: &str,
    conditions: &mut Vec<String>,
    values: &mut Vec<Value>,
) {
    if let Some(id) = scope.programme_id {
        conditions.push("programme_id = ?".into());
        values.push(id.into());
    }
    if let Some(day) = scope.due_from {
        conditions.push("original_due_date >= ?".into());
        values.push(day.into());
    }
    if let Some(day) = scope.due_to {
        conditions.push("original_due_date <= ?".into());
        values.push(day.into());
    }
    if let Some(id) = scope.department_id {
        conditions.push("lead_department_id = ?".into());
        values.push(id.into());
    }
    if let Some(code) = &scope.field_code {
        conditions.push("field_code = ?".into());
        values.push(code.clone().into());
    }
    match scope.leader_id {
        Some(Some(id)) => {
            conditions.push("leader_in_charge_id = ?".into());
            values.push(id.into());
        }
        Some(None) => conditions.push("leader_in_charge_id IS NULL".into()),
        None => {}
    }
    if let Some(c) = &scope.candidates {
        // Literal statuses, as in the partial indexes on open tasks, so the
        // planners can use them.
        conditions.push(StatusIn::new("status", c.statuses).to_string());
        if let Some(day) = c.due_before {
            conditions.push("due_date < ?".into());
            values.push(day.into());
        }
        if let Some(day) = c.due_after {
            conditions.push("due_date > ?".into());
            values.push(day.into());
        }
    }
    if let Some(ids) = ids {
        conditions.push(format!("{id_column} IN ({})", db::placeholders(ids.len())));
        values.extend(ids.iter().map(|id| Value::from(*id)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock::pinned_today(
            chrono_tz::Asia::Ho_Chi_Minh,
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        )
    }

    #[test]
    fn a_past_day_ends_at_local_midnight_and_reads_back_as_the_day() {
        let c = clock();
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let as_of = AsOf::parse(Some("2026-03-31"), &c).unwrap();
        assert_eq!(as_of.day, day);
        // Midnight of 1 April in Vietnam is 17:00 UTC on 31 March.
        assert_eq!(
            as_of.before.unwrap().to_rfc3339(),
            "2026-03-31T17:00:00+00:00"
        );
        assert_eq!(as_of.query_value().as_deref(), Some("2026-03-31"));
    }

    #[test]
    fn today_and_nothing_mean_now_and_the_future_is_refused() {
        let c = clock();
        assert!(AsOf::parse(None, &c).unwrap().is_now());
        assert!(AsOf::parse(Some("2026-11-25"), &c).unwrap().is_now());
        assert!(AsOf::parse(Some("2026-11-26"), &c).is_err());
        assert!(AsOf::parse(Some("31/03/2026"), &c).is_ok());
        assert!(AsOf::parse(Some("hôm qua"), &c).is_err());
    }

    #[test]
    fn an_instant_reads_back_as_itself() {
        let c = clock();
        let as_of = AsOf::parse(Some("2026-03-31T03:04:05.678Z"), &c).unwrap();
        assert_eq!(
            as_of.query_value().as_deref(),
            Some("2026-03-31T03:04:05.678Z")
        );
        assert_eq!(as_of.day, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    }
}
