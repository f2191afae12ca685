//! The annual and periodic review (báo cáo kiểm điểm): for a year, a
//! quarter or a date range, the paragraph a self-review states ("Trong
//! Chương trình làm việc năm 2026, UBND huyện đã đề ra 96 nội dung trọng
//! tâm; …"), the figures per department, per field and per leader in
//! charge, the tasks overdue more than 30 / 60 / 120 days, and the
//! documents issued by kind; exported as .docx and .xlsx.
//!
//! Every number comes from `reports::figures`: tasks belong to the period of
//! their original due date, and the review states the situation **as of**
//! a day — by default the period's last day once it is over — rebuilt from
//! the tasks' state history, so asking again later gives the same review.
//!
//! - `narrative`: the paragraph and the heading;
//! - `docx`, `xlsx`: the exports.

mod docx;
mod narrative;
mod xlsx;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

pub use docx::to_docx;
pub use narrative::{heading, paragraph};
pub use xlsx::to_xlsx;

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    domain::DocumentKind,
    entity::{department, document, task, user},
    error::Result,
    messages::Lang,
    reports::figures::{
        self, AsOf, Figure, Figures, Group,
        period::{Period, PeriodKind, RawPeriodQuery, parse_period},
    },
};

/// A review is asked for a period, as of a day.
pub type RawReviewQuery = RawPeriodQuery;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub department: String,
    pub leader: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: chrono::NaiveDate,
    pub days_overdue: i64,
    /// 120, 60 or 30: overdue more than this many days (the largest that applies).
    pub over_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: DocumentKind,
    pub label_vi: String,
    pub label_en: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub period: Period,
    /// The day the review describes (the end of that day).
    #[schema(value_type = String, format = Date)]
    pub as_of: chrono::NaiveDate,
    /// The `as_of` value that asks for exactly this moment again; every
    /// figure's list of tasks uses it. Absent when the review is of now.
    pub as_of_query: Option<String>,
    /// "Số liệu tính đến hết ngày 31/03/2026": the review says what day it describes.
    pub heading_vi: String,
    /// The task-list query of the review's scope and day: add `&figure=…`
    /// (and `&department=…`, `&field=…`, `&leader=…` for a row) to list
    /// the tasks behind a number.
    pub tasks_query: String,
    pub overall: Figures,
    pub departments: Vec<Group>,
    pub fields: Vec<Group>,
    pub leaders: Vec<Group>,
    /// Open tasks overdue more than 30 days on the as-of day, oldest first:
    /// at most 200 of them (`overdue_over_30` counts them all; the task
    /// list with `figure=overdue_over_30_days` shows them all).
    pub overdue_tasks: Vec<OverdueTask>,
    pub overdue_over_30: i64,
    pub overdue_over_60: i64,
    pub overdue_over_120: i64,
    /// Documents issued within the period by the as-of day, by kind (every
    /// kind, zeros included).
    pub documents_by_kind: Vec<KindCount>,
    pub documents_total: i64,
    /// Reminder documents issued within the period (by the as-of day),
    /// linked to the programme's tasks — the same count as the figures'.
    pub reminder_documents: i64,
    pub paragraph_vi: String,
    pub paragraph_en: String,
}

pub async fn compute<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    raw: &RawReviewQuery,
    due_soon_days: u32,
    short_name: &str,
) -> Result<Review> {
    policy::require(user, Action::ReadReview, None)?;
    let period = parse_period(raw, clock.today())?;
    let as_of = match raw
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(_) => AsOf::parse(raw.as_of.as_deref(), clock)?,
        None => period.default_as_of(clock),
    };
    build(db, store, period, &as_of, due_soon_days, short_name).await
}

/// The review of `period` as of `as_of`.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    period: Period,
    as_of: &AsOf,
    due_soon_days: u32,
    short_name: &str,
) -> Result<Review> {
    let scope = period.scope(db).await?;
    let report = match &scope {
        Some(scope) => {
            figures::report(db, store, scope, as_of, due_soon_days, period.documents()).await?
        }
        None => figures::Report {
            as_of: as_of.day,
            overall: Figures::default(),
            departments: Vec::new(),
            fields: Vec::new(),
            leaders: Vec::new(),
        },
    };
    let overdue_tasks = match &scope {
        Some(scope) => long_overdue(db, store, scope, as_of, due_soon_days).await?,
        None => Vec::new(),
    };
    // Kept until a document is recorded (for ever for a past moment).
    let (documents_by_kind, documents_total) = store
        .memo_at(
            format!("documents issued:{period:?}:{as_of:?}"),
            as_of.before.is_none().then(|| store.documents_version()),
            documents_issued(db, &period, as_of),
        )
        .await?;
    let tasks_query = match (&scope, period.kind) {
        (Some(s), PeriodKind::Range) => figures::tasks_query(None, s.due_from, s.due_to, as_of),
        (Some(s), _) => figures::tasks_query(Some(period.year), s.due_from, s.due_to, as_of),
        (None, _) => figures::tasks_query(Some(period.year), None, None, as_of),
    };
    let o = &report.overall;
    let mut review = Review {
        heading_vi: heading(as_of.day, Lang::Vi),
        tasks_query,
        as_of: as_of.day,
        as_of_query: as_of.query_value(),
        overdue_over_30: o.overdue_over_30_days,
        overdue_over_60: o.overdue_over_60_days,
        overdue_over_120: o.overdue_over_120_days,
        reminder_documents: o.reminder_documents,
        overall: report.overall,
        departments: report.departments,
        fields: report.fields,
        leaders: report.leaders,
        overdue_tasks,
        documents_total,
        documents_by_kind,
        period,
        paragraph_vi: String::new(),
        paragraph_en: String::new(),
    };
    // Kept in the JSON in both languages (the API's documented shape).
    review.paragraph_vi = paragraph(&review, short_name, Lang::Vi);
    review.paragraph_en = paragraph(&review, short_name, Lang::En);
    Ok(review)
}

/// Most tasks the review lists by name under "overdue more than 30 days".
pub const LONG_OVERDUE_SHOWN: usize = 200;

/// The tasks overdue more than 30 days on the as-of day, oldest first —
/// the tasks behind the `overdue_over_30_days` figure, the oldest
/// [`LONG_OVERDUE_SHOWN`] of them.
async fn long_overdue<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    scope: &figures::Scope,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<OverdueTask>> {
    // The figure's tasks by due date, the longest overdue first (a list
    // kept in memory and carried through writes), of which only the
    // oldest are read: the figure counts them all and its link lists them
    // all; a page or a report of a province need not carry 100,000 rows.
    let picked = crate::tasks::list_as_of::by_due_date(
        db,
        store,
        scope,
        Figure::OverdueOver30Days,
        as_of,
        due_soon_days,
    )
    .await?;
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let oldest = figures::Scope {
        task_ids: Some(
            picked
                .iter()
                .take(LONG_OVERDUE_SHOWN)
                .map(|p| p.id)
                .collect(),
        ),
        ..figures::Scope::default()
    };
    let judged = figures::judged(db, store, &oldest, as_of, due_soon_days).await?;
    let ids: Vec<i64> = judged.iter().map(|j| j.facts.task_id).collect();
    let mut rows = std::collections::HashMap::new();
    for chunk in ids.chunks(5_000) {
        for t in task::Entity::find()
            .filter(task::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            rows.insert(t.id, t);
        }
    }
    // Only the departments and leaders of the tasks named.
    let department_ids: Vec<i64> = judged.iter().map(|j| j.facts.lead_department_id).collect();
    let leader_ids: Vec<i64> = judged
        .iter()
        .filter_map(|j| j.facts.leader_in_charge_id)
        .collect();
    let departments: std::collections::HashMap<i64, String> = department::Entity::find()
        .filter(department::Column::Id.is_in(department_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let users: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(leader_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect();
    let mut out: Vec<OverdueTask> = judged
        .into_iter()
        .filter_map(|j| {
            let days = j.standing.timeliness.and_then(|i| i.days_overdue)?;
            let row = rows.get(&j.facts.task_id)?;
            Some(OverdueTask {
                task_id: j.facts.task_id,
                code: row.code.clone(),
                title: row.title.clone(),
                department: departments
                    .get(&j.facts.lead_department_id)
                    .cloned()
                    .unwrap_or_default(),
                leader: j
                    .facts
                    .leader_in_charge_id
                    .and_then(|id| users.get(&id).cloned())
                    .unwrap_or_default(),
                due_date: j.facts.due_date,
                days_overdue: days,
                over_days: crate::domain::timeliness::overdue_age_bucket(days).unwrap_or(30),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.code.cmp(&b.code))
    });
    Ok(out)
}

/// Documents issued within the period and recorded by the as-of moment.
async fn documents_issued<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    as_of: &AsOf,
) -> Result<(Vec<KindCount>, i64)> {
    #[derive(sea_orm::FromQueryResult)]
    struct KindRow {
        kind: DocumentKind,
        n: i64,
    }
    // Counted by the database: a province's year holds tens of thousands
    // of documents, and only their number per kind is shown.
    let mut query = document::Entity::find()
        .select_only()
        .column(document::Column::Kind)
        .column_as(document::Column::Id.count(), "n")
        .filter(document::Column::IssuedOn.between(period.from, period.to.min(as_of.day)));
    if let Some(before) = as_of.before {
        query = query.filter(document::Column::CreatedAt.lt(before));
    }
    let counted = query
        .group_by(document::Column::Kind)
        .into_model::<KindRow>()
        .all(db)
        .await?;
    let by_kind = DocumentKind::ALL
        .iter()
        .map(|k| KindCount {
            kind: *k,
            label_vi: k.label(Lang::Vi),
            label_en: k.label(Lang::En),
            count: counted.iter().filter(|r| r.kind == *k).map(|r| r.n).sum(),
        })
        .collect();
    Ok((by_kind, counted.iter().map(|r| r.n).sum()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn periods_are_read_from_year_quarter_or_range() {
        let today = day(2026, 11, 25);
        let p = parse_period(&RawReviewQuery::default(), today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.kind, p.from, p.to),
            (PeriodKind::Year, day(2026, 1, 1), day(2026, 12, 31))
        );
        let q = RawReviewQuery {
            year: Some("2026".into()),
            quarter: Some("2".into()),
            ..Default::default()
        };
        let p = parse_period(&q, today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.from, p.to), (day(2026, 4, 1), day(2026, 6, 30)));
        assert_eq!(p.label_vi, "quý II năm 2026");
        let bad = RawReviewQuery {
            quarter: Some("5".into()),
            from: Some("2026-03-01".into()),
            ..Default::default()
        };
        let Err(Error::Validation(errors)) = parse_period(&bad, today) else {
            panic!("accepted a bad period");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"quarter") && fields.contains(&"to"),
            "{fields:?}"
        );
    }
}
