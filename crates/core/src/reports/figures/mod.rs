//! The one figures module. Every number dondoc shows — the dashboard, the
//! statistics, the overdue list, the review, snapshots, letters, digests and
//! `/metrics` — is computed here, from one definition per figure
//! ([`Figure`]), on the facts as they were on the day asked ([`AsOf`]), for
//! a named scope ([`Scope`]). A figure and the list of tasks behind it come
//! from the same predicate, so they always agree.
//!
//! - `domain::figure`: where a task stands on a day, which figures it is in;
//! - `tasks::facts`: the scope, the day, and the facts of the tasks then;
//! - `tally`: counting, overall and per group;
//! - `period`: years, quarters and ranges, by original due date.

pub mod period;
pub mod tally;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, Value};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::domain::figure::{Figure, Standing, standing};
pub use crate::tasks::facts::{AsOf, Judged, Scope, judged};
pub use tally::Figures;

use crate::tasks::fact_store::FactStore;
use crate::{
    db,
    domain::facts::TaskFacts,
    entity::{department, field, user},
    error::Result,
    tasks::facts,
};

/// The figures of one group (a department, a field, a leader).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Group {
    /// Department code, field code or leader username ("" = no leader).
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Figures overall and per department, field and leader in charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub overall: Figures,
    pub departments: Vec<Group>,
    pub fields: Vec<Group>,
    pub leaders: Vec<Group>,
}

/// The task-list query (`GET /api/v1/tasks?…`, `/tasks?…`) that lists the
/// tasks of a scope at a moment. Append `figure=<code>` — and `department`,
/// `field` or `leader` for a row of a table — to open the tasks behind one
/// number; the list's total is that number.
pub fn tasks_query(
    year: Option<i32>,
    due_from: Option<NaiveDate>,
    due_to: Option<NaiveDate>,
    as_of: &AsOf,
) -> String {
    let mut parts = Vec::new();
    if let Some(year) = year {
        parts.push(format!("year={year}"));
    }
    if let Some(day) = due_from {
        parts.push(format!("original_due_from={day}"));
    }
    if let Some(day) = due_to {
        parts.push(format!("original_due_to={day}"));
    }
    if let Some(value) = as_of.query_value() {
        parts.push(format!("as_of={value}"));
    }
    parts.join("&")
}

/// The figures of every programme year as of `as_of`, by year.
pub async fn by_programme_year<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<(i32, Figures)>> {
    let years: HashMap<i64, i32> = crate::entity::programme::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.year))
        .collect();
    let mut by_year: BTreeMap<i32, Figures> = BTreeMap::new();
    for t in judged(db, store, &Scope::default(), as_of, due_soon_days).await? {
        if let Some(year) = years.get(&t.facts.programme_id) {
            by_year.entry(*year).or_default().add(&t.standing);
        }
    }
    Ok(by_year
        .into_iter()
        .map(|(year, mut f)| {
            f.finish();
            (year, f)
        })
        .collect())
}

/// Which reminder documents count: those issued from `from` (if any) to
/// `to`, by the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentPeriod {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

/// The figures of `scope` as of `as_of`.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    due_soon_days: u32,
    documents: DocumentPeriod,
) -> Result<Report> {
    let tasks = judged(db, store, scope, as_of, due_soon_days).await?;
    let mut overall = Figures::default();
    let mut by_department = tally::Grouped::<i64>::default();
    let mut by_field = tally::Grouped::<String>::default();
    let mut by_leader = tally::Grouped::<Option<i64>>::default();
    for t in &tasks {
        overall.add(&t.standing);
        by_department.add(t.facts.lead_department_id, &t.standing);
        by_field.add(t.facts.field_code.clone(), &t.standing);
        by_leader.add(t.facts.leader_in_charge_id, &t.standing);
    }

    // Reminder documents: each counted once per group it reached.
    let attributed = attribute_reminders(db, store, scope, as_of, &tasks, documents).await?;
    overall.reminder_documents = attributed.overall.len() as i64;
    for (id, docs) in &attributed.departments {
        by_department
            .groups
            .entry(*id)
            .or_default()
            .reminder_documents = docs.len() as i64;
    }
    for (code, docs) in &attributed.fields {
        by_field
            .groups
            .entry(code.clone())
            .or_default()
            .reminder_documents = docs.len() as i64;
    }
    for (id, docs) in &attributed.leaders {
        by_leader.groups.entry(*id).or_default().reminder_documents = docs.len() as i64;
    }
    overall.finish();
    let names = Names::load(db).await?;
    Ok(Report {
        as_of: as_of.day,
        overall,
        departments: names.departments(by_department),
        fields: names.fields(by_field),
        leaders: names.leaders(by_leader),
    })
}

#[derive(Default)]
struct Attributed {
    overall: BTreeSet<i64>,
    departments: BTreeMap<i64, BTreeSet<i64>>,
    fields: BTreeMap<String, BTreeSet<i64>>,
    leaders: BTreeMap<Option<i64>, BTreeSet<i64>>,
}

/// Reminder documents count by issue date in the period, for the
/// programme's tasks — also tasks of the programme outside a quarter's
/// scope — grouped by the lead department, field and leader each task had
/// on the as-of day.
async fn attribute_reminders<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    tasks: &[Judged],
    documents: DocumentPeriod,
) -> Result<Attributed> {
    let links = reminder_links(db, scope.programme_id, documents.from, documents.to, as_of).await?;
    let mut known: HashMap<i64, &TaskFacts> =
        tasks.iter().map(|t| (t.facts.task_id, &t.facts)).collect();
    let missing: Vec<i64> = links
        .iter()
        .map(|l| l.task_id)
        .filter(|id| !known.contains_key(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let extra = if missing.is_empty() {
        Vec::new()
    } else {
        let wider = Scope {
            task_ids: Some(missing),
            due_from: None,
            due_to: None,
            ..scope.clone()
        };
        facts::facts(db, store, &wider, as_of).await?
    };
    for f in &extra {
        known.insert(f.task_id, f);
    }
    let mut out = Attributed::default();
    for link in links {
        let Some(facts) = known.get(&link.task_id) else {
            continue;
        };
        out.overall.insert(link.document_id);
        out.departments
            .entry(facts.lead_department_id)
            .or_default()
            .insert(link.document_id);
        out.fields
            .entry(facts.field_code.clone())
            .or_default()
            .insert(link.document_id);
        out.leaders
            .entry(facts.leader_in_charge_id)
            .or_default()
            .insert(link.document_id);
    }
    Ok(out)
}

/// A reminder document linked to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct ReminderLink {
    pub document_id: i64,
    pub task_id: i64,
}

/// The links of reminder documents issued between `from` and `to` (and by
/// the as-of day) to tasks of the programme, as recorded by then.
pub async fn reminder_links<C: ConnectionTrait>(
    db: &C,
    programme_id: Option<i64>,
    issued_from: Option<NaiveDate>,
    issued_to: NaiveDate,
    as_of: &AsOf,
) -> Result<Vec<ReminderLink>> {
    let mut conditions = vec![
        "dt.relation = 'reminds'".to_string(),
        "d.issued_on <= ?".to_string(),
    ];
    let mut values: Vec<Value> = vec![issued_to.min(as_of.day).into()];
    if let Some(from) = issued_from {
        conditions.push("d.issued_on >= ?".into());
        values.push(from.into());
    }
    if let Some(before) = as_of.before {
        conditions.push("d.created_at < ?".into());
        conditions.push("(dt.linked_at IS NULL OR dt.linked_at < ?)".into());
        values.push(before.into());
        values.push(before.into());
    }
    if let Some(id) = programme_id {
        conditions.push("t.programme_id = ?".into());
        values.push(id.into());
    }
    let sql = format!(
        "SELECT DISTINCT dt.document_id AS document_id, dt.task_id AS task_id \
         FROM document_tasks dt JOIN documents d ON d.id = dt.document_id \
         JOIN tasks t ON t.id = dt.task_id WHERE {} ORDER BY dt.document_id, dt.task_id",
        conditions.join(" AND ")
    );
    Ok(
        ReminderLink::find_by_statement(db::statement(db, &sql, values))
            .all(db)
            .await?,
    )
}

/// What groups are called, read once per report.
struct Names {
    departments: HashMap<i64, department::Model>,
    fields: Vec<field::Model>,
    users: HashMap<i64, user::Model>,
}

impl Names {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Self> {
        let mut fields = field::Entity::find().all(db).await?;
        fields.sort_by_key(|f| f.sort_order);
        Ok(Self {
            departments: department::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|d| (d.id, d))
                .collect(),
            fields,
            users: user::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u))
                .collect(),
        })
    }

    /// Most overdue first, then by code.
    fn departments(&self, grouped: tally::Grouped<i64>) -> Vec<Group> {
        let mut out: Vec<Group> = grouped
            .groups
            .into_iter()
            .map(|(id, mut figures)| {
                figures.finish();
                let d = self.departments.get(&id);
                Group {
                    key: d.map(|d| d.code.clone()).unwrap_or_default(),
                    name: d.map(|d| d.name.clone()).unwrap_or_default(),
                    figures,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.figures
                .overdue
                .cmp(&a.figures.overdue)
                .then(a.key.cmp(&b.key))
        });
        out
    }

    /// In the fields' own order; unknown codes last.
    fn fields(&self, mut grouped: tally::Grouped<String>) -> Vec<Group> {
        let mut out = Vec::new();
        for f in &self.fields {
            if let Some(mut figures) = grouped.groups.remove(&f.code) {
                figures.finish();
                out.push(Group {
                    key: f.code.clone(),
                    name: f.name_vi.clone(),
                    figures,
                });
            }
        }
        for (code, mut figures) in grouped.groups {
            figures.finish();
            out.push(Group {
                name: code.clone(),
                key: code,
                figures,
            });
        }
        out
    }

    /// Leaders with the most tasks first; tasks without a leader last.
    fn leaders(&self, grouped: tally::Grouped<Option<i64>>) -> Vec<Group> {
        let mut out: Vec<Group> = grouped
            .groups
            .into_iter()
            .map(|(id, mut figures)| {
                figures.finish();
                let u = id.and_then(|id| self.users.get(&id));
                Group {
                    key: u.map(|u| u.username.clone()).unwrap_or_default(),
                    name: u
                        .map(|u| match &u.position {
                            Some(p) if !p.is_empty() => format!("{} ({p})", u.full_name),
                            _ => u.full_name.clone(),
                        })
                        .unwrap_or_else(|| "Chưa phân công lãnh đạo phụ trách".to_string()),
                    figures,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            a.key
                .is_empty()
                .cmp(&b.key.is_empty())
                .then(b.figures.total.cmp(&a.figures.total))
                .then(a.key.cmp(&b.key))
        });
        out
    }
}
