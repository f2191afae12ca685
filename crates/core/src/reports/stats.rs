//! Figures for a programme year: overall, per department and per field —
//! the numbers an annual review states ("96 nội dung trọng tâm, hoàn thành
//! 100%; 25 văn bản đôn đốc"). One grouped pass over the year's tasks.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db,
    domain::TaskStatus,
    entity::{department, field},
    error::{Error, Result},
    messages::Msg,
    org::programmes,
    tasks::status_sql::StatusIn,
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawStatsQuery {
    /// Programme year; default the current year.
    pub year: Option<String>,
}

/// The figures of one group of tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    pub total: i64,
    /// Done (confirmed or reported): completed_on_time + completed_late.
    pub completed: i64,
    pub completed_on_time: i64,
    /// Of `completed_on_time`: on time only thanks to an approved extension.
    pub completed_on_time_after_extension: i64,
    pub completed_late: i64,
    /// Reported done, awaiting a leader's confirmation.
    pub awaiting_confirmation: i64,
    pub overdue: i64,
    pub overdue_over_30_days: i64,
    pub overdue_over_60_days: i64,
    pub overdue_over_120_days: i64,
    pub due_soon: i64,
    pub on_track: i64,
    pub cancelled: i64,
    /// Distinct reminder documents (văn bản đôn đốc) issued for these tasks.
    pub reminder_documents: i64,
    /// Notices (emails) delivered.
    pub notices_sent: i64,
    /// completed / (total − cancelled), in percent, one decimal.
    pub completion_rate: f64,
}

impl Figures {
    fn add(&mut self, row: &Row) {
        self.total += row.total;
        self.completed_on_time += row.completed_on_time;
        self.completed_on_time_after_extension += row.after_extension;
        self.completed_late += row.completed_late;
        self.completed += row.completed_on_time + row.completed_late;
        self.awaiting_confirmation += row.awaiting_confirmation;
        self.overdue += row.overdue;
        self.overdue_over_30_days += row.overdue_30;
        self.overdue_over_60_days += row.overdue_60;
        self.overdue_over_120_days += row.overdue_120;
        self.due_soon += row.due_soon;
        self.on_track += row.on_track;
        self.cancelled += row.cancelled;
    }

    fn finish(&mut self) {
        let base = self.total - self.cancelled;
        self.completion_rate = if base > 0 {
            ((self.completed as f64) * 1000.0 / (base as f64)).round() / 10.0
        } else {
            0.0
        };
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DepartmentFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Present when the figures are limited to one department (staff).
    pub department: Option<String>,
    pub overall: Figures,
    pub departments: Vec<DepartmentFigures>,
    pub fields: Vec<FieldFigures>,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    department_id: i64,
    field_code: String,
    total: i64,
    completed_on_time: i64,
    after_extension: i64,
    completed_late: i64,
    awaiting_confirmation: i64,
    cancelled: i64,
    overdue: i64,
    overdue_30: i64,
    overdue_60: i64,
    overdue_120: i64,
    due_soon: i64,
    on_track: i64,
}

#[derive(Debug, FromQueryResult)]
struct ReminderLink {
    department_id: i64,
    field_code: String,
    document_id: i64,
}

#[derive(Debug, FromQueryResult)]
struct KeyCount {
    key: String,
    n: i64,
}

const OPEN: StatusIn = StatusIn::new("t.status", &TaskStatus::OPEN);
const DONE: StatusIn = StatusIn::new("t.status", &TaskStatus::DONE);

fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

/// The year's figures as `user` may see them (staff: their department only).
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawStatsQuery,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<Stats> {
    policy::require(user, Action::ReadStats, None)?;
    let year = match raw.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .and_then(|y| crate::domain::parse_year("year", y).ok())
            .ok_or_else(|| {
                Error::field(
                    "year",
                    "invalid_year",
                    Msg::InvalidYear {
                        value: text.to_string(),
                    },
                )
            })?,
        None => chrono::Datelike::year(&today),
    };
    let scope = policy::visible_department(user);
    figures_for_year(db, year, scope, today, due_soon_days).await
}

/// The figures of `year`, optionally limited to one lead department.
pub async fn figures_for_year<C: ConnectionTrait>(
    db: &C,
    year: i32,
    department_id: Option<i64>,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<Stats> {
    let departments = department::Entity::find().all(db).await?;
    let fields = field::Entity::find().all(db).await?;
    let scope_code = department_id.and_then(|id| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.code.clone())
    });
    let mut stats = Stats {
        year,
        as_of: today,
        department: scope_code,
        overall: Figures::default(),
        departments: Vec::new(),
        fields: Vec::new(),
    };
    let Some(programme) = programmes::find_by_year(db, year).await? else {
        return Ok(stats);
    };
    let soon_end = today
        .checked_add_days(Days::new(u64::from(due_soon_days)))
        .unwrap_or(today);
    let scope_sql = if department_id.is_some() {
        " AND t.lead_department_id = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT t.lead_department_id AS department_id, t.field_code AS field_code, \
           COUNT(*) AS total, \
           SUM(CASE WHEN {DONE} AND (t.completed_on IS NULL OR t.completed_on <= t.due_date) THEN 1 ELSE 0 END) AS completed_on_time, \
           SUM(CASE WHEN {DONE} AND t.completed_on <= t.due_date AND t.due_date <> t.original_due_date \
                     AND t.completed_on > t.original_due_date THEN 1 ELSE 0 END) AS after_extension, \
           SUM(CASE WHEN {DONE} AND t.completed_on > t.due_date THEN 1 ELSE 0 END) AS completed_late, \
           SUM(CASE WHEN t.status = 'reported_done' THEN 1 ELSE 0 END) AS awaiting_confirmation, \
           SUM(CASE WHEN t.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, \
           SUM(CASE WHEN {OPEN} AND t.due_date < ? THEN 1 ELSE 0 END) AS overdue, \
           SUM(CASE WHEN {OPEN} AND t.due_date < ? THEN 1 ELSE 0 END) AS overdue_30, \
           SUM(CASE WHEN {OPEN} AND t.due_date < ? THEN 1 ELSE 0 END) AS overdue_60, \
           SUM(CASE WHEN {OPEN} AND t.due_date < ? THEN 1 ELSE 0 END) AS overdue_120, \
           SUM(CASE WHEN {OPEN} AND t.due_date >= ? AND t.due_date <= ? THEN 1 ELSE 0 END) AS due_soon, \
           SUM(CASE WHEN {OPEN} AND t.due_date > ? THEN 1 ELSE 0 END) AS on_track \
         FROM tasks t WHERE t.programme_id = ?{scope_sql} \
         GROUP BY t.lead_department_id, t.field_code"
    );
    let mut values: Vec<Value> = vec![
        today.into(),
        days_before(today, 30).into(),
        days_before(today, 60).into(),
        days_before(today, 120).into(),
        today.into(),
        soon_end.into(),
        soon_end.into(),
        programme.id.into(),
    ];
    if let Some(id) = department_id {
        values.push(id.into());
    }
    let rows = Row::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?;

    let mut by_department: BTreeMap<i64, Figures> = BTreeMap::new();
    let mut by_field: BTreeMap<String, Figures> = BTreeMap::new();
    for row in &rows {
        stats.overall.add(row);
        by_department.entry(row.department_id).or_default().add(row);
        by_field.entry(row.field_code.clone()).or_default().add(row);
    }

    // Reminder documents: distinct documents, counted once per group — from
    // one read of the year's reminder links (instead of one per grouping).
    let sql = format!(
        "SELECT DISTINCT t.lead_department_id AS department_id, t.field_code AS field_code, \
                dt.document_id AS document_id \
         FROM document_tasks dt JOIN tasks t ON t.id = dt.task_id \
         WHERE dt.relation = 'reminds' AND t.programme_id = ?{scope_sql}"
    );
    let mut values: Vec<Value> = vec![programme.id.into()];
    if let Some(id) = department_id {
        values.push(id.into());
    }
    let mut per_department: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut per_field: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut overall: BTreeSet<i64> = BTreeSet::new();
    for row in ReminderLink::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?
    {
        per_department
            .entry(row.department_id)
            .or_default()
            .insert(row.document_id);
        per_field
            .entry(row.field_code)
            .or_default()
            .insert(row.document_id);
        overall.insert(row.document_id);
    }
    for (id, documents) in per_department {
        if let Some(f) = by_department.get_mut(&id) {
            f.reminder_documents = documents.len() as i64;
        }
    }
    for (code, documents) in per_field {
        if let Some(f) = by_field.get_mut(&code) {
            f.reminder_documents = documents.len() as i64;
        }
    }
    stats.overall.reminder_documents = overall.len() as i64;
    let scope_values = |mut v: Vec<Value>| {
        if let Some(id) = department_id {
            v.push(id.into());
        }
        v
    };

    // Notices delivered during the year.
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let notice_scope = if department_id.is_some() {
        " AND department_id = ?"
    } else {
        ""
    };
    let notices = format!(
        "SELECT CAST(COALESCE(department_id, 0) AS VARCHAR(64)) AS key, COUNT(*) AS n FROM notifications \
         WHERE state = 'sent' AND for_date >= ? AND for_date <= ?{notice_scope} GROUP BY COALESCE(department_id, 0)"
    );
    for row in KeyCount::find_by_statement(db::statement(
        db,
        &notices,
        scope_values(vec![from.into(), to.into()]),
    ))
    .all(db)
    .await?
    {
        stats.overall.notices_sent += row.n;
        if let Ok(id) = row.key.parse::<i64>()
            && let Some(f) = by_department.get_mut(&id)
        {
            f.notices_sent = row.n;
        }
    }

    stats.overall.finish();
    for d in &departments {
        if let Some(mut figures) = by_department.remove(&d.id) {
            figures.finish();
            stats.departments.push(DepartmentFigures {
                code: d.code.clone(),
                name: d.name.clone(),
                figures,
            });
        }
    }
    stats.departments.sort_by(|a, b| {
        b.figures
            .overdue
            .cmp(&a.figures.overdue)
            .then(a.code.cmp(&b.code))
    });
    let mut ordered_fields = fields.clone();
    ordered_fields.sort_by_key(|f| f.sort_order);
    for f in &ordered_fields {
        if let Some(mut figures) = by_field.remove(&f.code) {
            figures.finish();
            stats.fields.push(FieldFigures {
                code: f.code.clone(),
                name: f.name_vi.clone(),
                figures,
            });
        }
    }
    Ok(stats)
}
