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
use crate::domain::{
    facts::FactView,
    figure::{Class, standing_of},
};
pub use crate::tasks::facts::{AsOf, Judged, Scope, judged};
use tally::ClassCounts;
pub use tally::Figures;

use std::sync::Arc;

use crate::tasks::fact_store::{FactRef, FactStore, Fold};
use crate::{
    db,
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
    let mut by_programme: HashMap<i64, ClassCounts> = HashMap::new();
    facts::visit(db, store, &Scope::default(), as_of, |f| {
        by_programme
            .entry(f.programme_id())
            .or_default()
            .add(class_of(f, as_of, due_soon_days));
    })
    .await?;
    let mut out: BTreeMap<i32, Figures> = BTreeMap::new();
    for (programme, counts) in by_programme {
        if let Some(year) = years.get(&programme) {
            let mut f = counts.figures();
            f.finish();
            out.insert(*year, f);
        }
    }
    Ok(out.into_iter().collect())
}

fn class_of(f: &dyn FactView, as_of: &AsOf, due_soon_days: u32) -> Class {
    standing_of(
        f.status(),
        f.deadline(),
        f.completed_on(),
        as_of.day,
        due_soon_days,
    )
    .class()
}

/// Which reminder documents count: those issued from `from` (if any) to
/// `to`, by the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentPeriod {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

/// The figures of `scope` as of `as_of`. Kept (per version of the facts,
/// or for ever for a past moment) so that a page read a thousand times
/// between two writes is computed once.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    due_soon_days: u32,
    documents: DocumentPeriod,
) -> Result<Report> {
    if as_of.before.is_none() {
        store.sync(db).await?;
    }
    let key = format!("report:{scope:?}:{as_of:?}:{due_soon_days}:{documents:?}");
    store
        .memo(
            key,
            as_of.before.is_some(),
            compute_report(db, store, scope, as_of, due_soon_days, documents),
        )
        .await
}

/// Who a task counts for: the groups its reminder documents count in.
struct Owner {
    lead: i64,
    field: String,
    leader: Option<i64>,
}

impl Owner {
    fn of(f: &dyn FactView) -> Self {
        Self {
            lead: f.lead_department_id(),
            field: f.field_code().to_string(),
            leader: f.leader_in_charge_id(),
        }
    }
}

/// The tasks counted in each class, overall and per group. A group whose
/// last task leaves it is gone, as if never counted.
#[derive(Default, Clone)]
struct Counts {
    overall: ClassCounts,
    departments: HashMap<i64, ClassCounts>,
    fields: HashMap<String, ClassCounts>,
    leaders: HashMap<Option<i64>, ClassCounts>,
}

impl Counts {
    fn add(&mut self, f: &dyn FactView, class: Class) {
        self.overall.add(class);
        self.departments
            .entry(f.lead_department_id())
            .or_default()
            .add(class);
        match self.fields.get_mut(f.field_code()) {
            Some(counts) => counts.add(class),
            None => {
                let mut counts = ClassCounts::default();
                counts.add(class);
                self.fields.insert(f.field_code().to_string(), counts);
            }
        }
        self.leaders
            .entry(f.leader_in_charge_id())
            .or_default()
            .add(class);
    }

    fn remove(&mut self, f: &dyn FactView, class: Class) {
        self.overall.remove(class);
        fn take<K: std::hash::Hash + Eq>(
            groups: &mut HashMap<K, ClassCounts>,
            key: &K,
            class: Class,
        ) {
            if let Some(counts) = groups.get_mut(key) {
                counts.remove(class);
                if counts.is_empty() {
                    groups.remove(key);
                }
            }
        }
        take(&mut self.departments, &f.lead_department_id(), class);
        take(&mut self.leaders, &f.leader_in_charge_id(), class);
        if let Some(counts) = self.fields.get_mut(f.field_code()) {
            counts.remove(class);
            if counts.is_empty() {
                self.fields.remove(f.field_code());
            }
        }
    }
}

/// Reminder documents per group: how many of the group's tasks each
/// document reaches, so a document counts once per group and leaves the
/// group with the last of its tasks there.
#[derive(Default, Clone)]
struct DocumentCounts {
    overall: HashMap<i64, u32>,
    departments: HashMap<i64, HashMap<i64, u32>>,
    fields: HashMap<String, HashMap<i64, u32>>,
    leaders: HashMap<Option<i64>, HashMap<i64, u32>>,
}

impl DocumentCounts {
    fn change(&mut self, owner: &Owner, documents: &[i64], up: bool) {
        fn bump(reached: &mut HashMap<i64, u32>, document: i64, up: bool) {
            if up {
                *reached.entry(document).or_default() += 1;
            } else if let Some(n) = reached.get_mut(&document) {
                *n -= 1;
                if *n == 0 {
                    reached.remove(&document);
                }
            }
        }
        fn group<K: std::hash::Hash + Eq + Clone>(
            groups: &mut HashMap<K, HashMap<i64, u32>>,
            key: &K,
            documents: &[i64],
            up: bool,
        ) {
            let reached = groups.entry(key.clone()).or_default();
            for d in documents {
                bump(reached, *d, up);
            }
            if reached.is_empty() {
                groups.remove(key);
            }
        }
        for d in documents {
            bump(&mut self.overall, *d, up);
        }
        group(&mut self.departments, &owner.lead, documents, up);
        group(&mut self.fields, &owner.field, documents, up);
        group(&mut self.leaders, &owner.leader, documents, up);
    }
}

/// What a report counts before its groups are named.
#[derive(Default, Clone)]
struct Tally {
    counts: Counts,
    documents: DocumentCounts,
}

/// A report as a [`Fold`] over the facts in memory: carried through each
/// write by the task it changed.
struct ReportFold<'a> {
    scope: &'a Scope,
    /// Reminder documents reach the programme's tasks outside a quarter's
    /// scope too: the scope without its due-date range.
    reached: Scope,
    day: NaiveDate,
    due_soon_days: u32,
    documents_of: &'a HashMap<i64, Vec<i64>>,
}

impl ReportFold<'_> {
    fn change(&self, tally: &mut Tally, f: &FactRef<'_>, up: bool) {
        if facts::in_scope(f, self.scope) {
            let class = standing_of(
                f.status(),
                f.deadline(),
                f.completed_on(),
                self.day,
                self.due_soon_days,
            )
            .class();
            if up {
                tally.counts.add(f, class);
            } else {
                tally.counts.remove(f, class);
            }
        }
        if let Some(documents) = self.documents_of.get(&f.id())
            && facts::in_scope(f, &self.reached)
        {
            tally.documents.change(&Owner::of(f), documents, up);
        }
    }
}

impl Fold for ReportFold<'_> {
    type Value = Tally;

    fn empty(&self) -> Tally {
        Tally::default()
    }

    fn add(&self, tally: &mut Tally, f: &FactRef<'_>) {
        self.change(tally, f, true);
    }

    fn remove(&self, tally: &mut Tally, f: &FactRef<'_>) {
        self.change(tally, f, false);
    }
}

async fn compute_report<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    due_soon_days: u32,
    documents: DocumentPeriod,
) -> Result<Report> {
    let documents_version = store.documents_version();
    let documents_of = links_memo(db, store, scope, as_of, documents).await?;
    let reached = Scope {
        due_from: None,
        due_to: None,
        ..scope.clone()
    };
    let tally = if as_of.before.is_none()
        && store.is_enabled()
        && scope.task_ids.is_none()
        && scope.candidates.is_none()
    {
        store.sync(db).await?;
        let fold = ReportFold {
            scope,
            reached,
            day: as_of.day,
            due_soon_days,
            documents_of: &documents_of,
        };
        let key = format!(
            "report:{scope:?}:{}:{due_soon_days}:{documents:?}:{documents_version}",
            as_of.day
        );
        store.fold(key, &fold).await?
    } else {
        Arc::new(
            tally_read(
                db,
                store,
                scope,
                &reached,
                as_of,
                due_soon_days,
                &documents_of,
            )
            .await?,
        )
    };
    named(db, &tally, as_of).await
}

/// The tally of a past moment (or with the facts not in memory), read
/// from the facts as they were.
async fn tally_read<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    reached: &Scope,
    as_of: &AsOf,
    due_soon_days: u32,
    documents_of: &HashMap<i64, Vec<i64>>,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut owners: HashMap<i64, Owner> = HashMap::new();
    facts::visit(db, store, scope, as_of, |f| {
        tally.counts.add(f, class_of(f, as_of, due_soon_days));
        if documents_of.contains_key(&f.task_id()) {
            owners.insert(f.task_id(), Owner::of(f));
        }
    })
    .await?;
    let missing: Vec<i64> = documents_of
        .keys()
        .copied()
        .filter(|id| !owners.contains_key(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let wider = Scope {
            task_ids: Some(missing),
            ..reached.clone()
        };
        for f in facts::facts(db, store, &wider, as_of).await? {
            owners.insert(f.task_id, Owner::of(&f));
        }
    }
    for (task, owner) in &owners {
        if let Some(documents) = documents_of.get(task) {
            tally.documents.change(owner, documents, true);
        }
    }
    Ok(tally)
}

/// The report of a tally: figures per group, named.
async fn named<C: ConnectionTrait>(db: &C, tally: &Tally, as_of: &AsOf) -> Result<Report> {
    let (counts, reached) = (&tally.counts, &tally.documents);
    let finish = |counts: &ClassCounts, docs: Option<&HashMap<i64, u32>>| {
        let mut f = counts.figures();
        f.reminder_documents = docs.map_or(0, |d| d.len() as i64);
        f.finish();
        f
    };
    let mut overall = counts.overall.figures();
    overall.reminder_documents = reached.overall.len() as i64;
    overall.finish();
    let mut departments: BTreeMap<i64, Figures> = counts
        .departments
        .iter()
        .map(|(id, c)| (*id, finish(c, reached.departments.get(id))))
        .collect();
    let mut fields: BTreeMap<String, Figures> = counts
        .fields
        .iter()
        .map(|(code, c)| (code.clone(), finish(c, reached.fields.get(code))))
        .collect();
    let mut leaders: BTreeMap<Option<i64>, Figures> = counts
        .leaders
        .iter()
        .map(|(id, c)| (*id, finish(c, reached.leaders.get(id))))
        .collect();
    // Groups reached only by reminder documents (no task in scope).
    for (id, docs) in &reached.departments {
        departments.entry(*id).or_default().reminder_documents = docs.len() as i64;
    }
    for (code, docs) in &reached.fields {
        fields.entry(code.clone()).or_default().reminder_documents = docs.len() as i64;
    }
    for (id, docs) in &reached.leaders {
        leaders.entry(*id).or_default().reminder_documents = docs.len() as i64;
    }
    let names = Names::load(db).await?;
    Ok(Report {
        as_of: as_of.day,
        overall,
        departments: names.departments(tally::Grouped {
            groups: departments,
        }),
        fields: names.fields(tally::Grouped { groups: fields }),
        leaders: names.leaders(tally::Grouped { groups: leaders }),
    })
}

/// The reminder documents of each task a report's documents reach, kept
/// until reminder documents change (or for ever for a past moment).
async fn links_memo<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &Scope,
    as_of: &AsOf,
    documents: DocumentPeriod,
) -> Result<Arc<HashMap<i64, Vec<i64>>>> {
    let key = format!(
        "links:{:?}:{documents:?}:{}:{:?}",
        scope.programme_id, as_of.day, as_of.before
    );
    let version = as_of.before.is_none().then(|| store.documents_version());
    store
        .memo_at(key, version, async {
            let mut documents_of: HashMap<i64, Vec<i64>> = HashMap::new();
            for link in
                reminder_links(db, scope.programme_id, documents.from, documents.to, as_of).await?
            {
                documents_of
                    .entry(link.task_id)
                    .or_default()
                    .push(link.document_id);
            }
            Ok(Arc::new(documents_of))
        })
        .await
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
