//! The demo programme: 30 departments of the district (20 offices and
//! agencies, 10 communes and towns), its leaders, a staff account per
//! department, 96 key tasks and 25 reminder documents, drawn from the
//! district's own annual review (`programme.toml`). Dates are relative to
//! *today*, so the demo always shows a mix of done, late, overdue and due-soon.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use dondoc_core::{
    Clock, Settings,
    db::{self, Db},
    entity::{department, user},
    error::{Error, Result},
};

use data::{DemoData, PROGRAMME_START_DAYS_AGO, parse_data};
use organisation::People;

mod data;
mod documents;
mod organisation;
mod task_life;
mod timeline;

pub use data::{DemoAccount, DemoSummary};

/// Whether the database holds no departments and no users yet.
pub async fn database_is_empty<C: ConnectionTrait>(db: &C) -> Result<bool> {
    Ok(department::Entity::find().count(db).await? == 0
        && user::Entity::find().count(db).await? == 0)
}

/// Seeds the demo when the database is empty; returns `None` if it was not.
pub async fn seed_if_empty(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
) -> Result<Option<DemoSummary>> {
    if !database_is_empty(db).await? {
        return Ok(None);
    }
    match seed(db, clock, settings).await {
        // Another instance, started at the same time, seeded it first.
        Err(Error::Conflict(dondoc_core::Msg::DemoNotEmpty)) => Ok(None),
        other => other.map(Some),
    }
}

/// Held for the seeding transaction on PostgreSQL: two instances started
/// together on an empty database seed one after the other, and the second
/// then finds it seeded (SQLite's `BEGIN IMMEDIATE` already serialises them).
const SEED_LOCK: i64 = 0x646f_6e64_6f63;

fn offset(today: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        today
            .checked_add_days(Days::new(days as u64))
            .unwrap_or(today)
    } else {
        today
            .checked_sub_days(Days::new(days.unsigned_abs()))
            .unwrap_or(today)
    }
}

/// Seeds the demo programme in one transaction. Refuses a database that
/// already has departments or users: demo data never mixes with real data.
///
/// The steps run in this order so that rows get the same ids on every run:
/// departments, accounts, the programme and its assigning documents, each
/// task's life, the reminder documents, and last the tasks' final rows and
/// states (a reminder document's history entries fall between a task's
/// events, so states are written once every event is known).
pub async fn seed(db: &Db, clock: &Clock, settings: &Settings) -> Result<DemoSummary> {
    let data = parse_data()?;
    let txn = db::begin_write(db).await?;
    if db::is_postgres(&txn) {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SEED_LOCK})"))
            .await?;
    }
    if !database_is_empty(&txn).await? {
        return Err(Error::Conflict(dondoc_core::Msg::DemoNotEmpty));
    }
    let now = clock.now();
    let today = clock.today();
    let year = chrono::Datelike::year(&today);
    let departments = organisation::departments(&txn, &data, now).await?;
    let (people, accounts) =
        organisation::accounts(&txn, &data, settings, &departments, now).await?;
    let seeding = Seeding {
        data: &data,
        clock,
        now,
        today,
        start: today
            .checked_sub_days(Days::new(PROGRAMME_START_DAYS_AGO))
            .unwrap_or(today),
        departments,
        people,
    };
    let (programme_id, assigning) =
        documents::programme_and_documents(&txn, &seeding, settings, year).await?;
    let mut tasks = HashMap::new();
    let mut timelines = Vec::new();
    for (index, t) in data.tasks.iter().enumerate() {
        let (ids, timeline) =
            task_life::live(&txn, &seeding, programme_id, &assigning, index, t).await?;
        tasks.insert(t.code.clone(), ids);
        timelines.push(timeline);
    }
    documents::reminder_documents(&txn, &seeding, &tasks).await?;
    for timeline in timelines {
        timeline.finish(&txn).await?;
    }
    // The year's notices are shown in the app, never mailed on the first tick.
    dondoc_core::notices::mail::keep_in_app(&txn).await?;
    txn.commit().await?;
    Ok(DemoSummary {
        year,
        departments: data.departments.len(),
        tasks: data.tasks.len(),
        reminder_documents: data.reminders.len(),
        accounts,
    })
}

/// What the steps share: the data, the moment of seeding, and the ids the
/// departments and accounts were given.
struct Seeding<'a> {
    data: &'a DemoData,
    clock: &'a Clock,
    now: DateTime<Utc>,
    today: NaiveDate,
    /// Day one of the programme: assigning documents are dated from it.
    start: NaiveDate,
    /// Department ids by code.
    departments: HashMap<String, i64>,
    people: People,
}

impl Seeding<'_> {
    /// The id of the department with `code`; the data naming an unknown one
    /// is a bug in `programme.toml`.
    fn department(&self, code: &str) -> Result<i64> {
        organisation::department_id(&self.departments, code)
    }

    /// The moment `hour:minute` of `day` in the office's time zone, never
    /// later than now (a demo event cannot lie in the future).
    fn at(&self, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
        day.and_hms_opt(hour, minute, 0)
            .and_then(|local| local.and_local_timezone(self.clock.timezone()).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(self.now)
            .min(self.now)
    }

    /// A leader's full name, for a document's signer.
    fn leader_name(&self, username: &str) -> String {
        self.data
            .leaders
            .iter()
            .find(|l| l.username == username)
            .map(|l| l.full_name.clone())
            .unwrap_or_else(|| username.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dondoc_core::domain::DepartmentKind;

    #[test]
    fn the_demo_data_parses_and_has_the_reports_figures() {
        let data = parse_data().unwrap();
        assert_eq!(data.tasks.len(), 96);
        assert_eq!(data.departments.len(), 30);
        assert_eq!(data.reminders.len(), 25);
        assert_eq!(
            data.departments
                .iter()
                .filter(|d| d.kind == DepartmentKind::Commune)
                .count(),
            10
        );
        let fields: std::collections::HashSet<&str> =
            data.tasks.iter().map(|t| t.field.as_str()).collect();
        for f in dondoc_core::domain::fields::DEFAULT_FIELDS {
            assert!(fields.contains(f.code), "no demo task in field {}", f.code);
        }
    }
}
