//! Meeting snapshots (ảnh chụp số liệu giao ban): the year's figures (the
//! numbers the dashboard and the annual report show: by timeliness, per
//! department, per field) and the overdue list, frozen at a moment under a
//! title ("Giao ban tuần 48"), with who took it and when.
//!
//! The frozen content is stored as JSON text, never as a query: later edits
//! to tasks cannot change what was quoted in a meeting. Two snapshots (or a
//! snapshot and *now*) can be compared: per-department and total changes,
//! tasks newly overdue and tasks no longer overdue.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    accounts::users::UserRef,
    db::{self, Db},
    domain::parse_year,
    entity::{meeting_snapshot, user},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::programmes,
    reports::{
        figures::{self, AsOf, Figure, Scope},
        stats::{self, Figures, Stats},
    },
};

const MAX_TITLE: usize = 200;

/// One task of the frozen overdue list, as it stood when the snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FrozenOverdueTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    /// Field code.
    pub field: String,
    pub field_name: String,
    pub lead_department_code: String,
    pub lead_department_name: String,
    /// Full name of the leader in charge, if any.
    pub leader_in_charge: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    pub progress: i32,
    /// Reminder documents issued for the task by then.
    pub reminder_documents: i64,
}

/// What a snapshot freezes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrozenContent {
    pub figures: Stats,
    /// Oldest first.
    pub overdue: Vec<FrozenOverdueTask>,
}

/// A snapshot in a list: no content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnapshotSummary {
    pub id: i64,
    pub title: String,
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub taken_by: Option<UserRef>,
    pub taken_at: DateTime<Utc>,
    pub total_tasks: i64,
    pub overdue_tasks: i64,
}

/// A snapshot with its frozen figures and overdue list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnapshotView {
    #[serde(flatten)]
    pub summary: SnapshotSummary,
    /// The task-list query of the moment the snapshot was taken: add
    /// `&figure=…` (and `&department=…`) to list the tasks behind a number.
    pub tasks_query: String,
    pub figures: Stats,
    pub overdue: Vec<FrozenOverdueTask>,
}

/// A request to take a snapshot.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSnapshot {
    /// E.g. "Giao ban tuần 48".
    pub title: String,
    /// Programme year of the figures; default the current year.
    #[serde(default)]
    pub year: Option<i64>,
}

/// The figures of `year` as of `as_of` (all departments) and the list of
/// tasks behind its "overdue" figure, oldest first: one scope, so the
/// snapshot's summary, its figures and its list always agree.
pub async fn current_content<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    year: i32,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<FrozenContent> {
    let figures = stats::figures_for_year(db, store, year, None, as_of, due_soon_days).await?;
    let Some(programme) = programmes::find_by_year(db, year).await? else {
        return Ok(FrozenContent {
            figures,
            overdue: Vec::new(),
        });
    };
    let scope = Scope {
        programme_id: Some(programme.id),
        ..Scope::default()
    };
    let mut judged: Vec<figures::Judged> = figures::judged(db, store, &scope, as_of, due_soon_days)
        .await?
        .into_iter()
        .filter(|j| Figure::Overdue.matches(&j.standing))
        .collect();
    judged.sort_by_key(|j| (j.facts.due_date, j.facts.task_id));
    let views = crate::tasks::view::load_views_as_of(db, &judged, as_of, due_soon_days).await?;
    let overdue = views
        .into_iter()
        .map(|v| FrozenOverdueTask {
            task_id: v.id,
            days_overdue: v.days_overdue.unwrap_or_default(),
            code: v.code,
            title: v.title,
            field: v.field,
            field_name: v.field_name,
            lead_department_code: v.lead_department.code,
            lead_department_name: v.lead_department.name,
            leader_in_charge: v.leader_in_charge.map(|u| u.full_name),
            due_date: v.due_date,
            progress: v.progress,
            reminder_documents: v.reminder_documents,
        })
        .collect();
    Ok(FrozenContent { figures, overdue })
}

fn parse_title(raw: &str) -> Result<String> {
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(Error::field(
            "title",
            "required",
            Msg::SnapshotTitleRequired,
        ));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Error::field(
            "title",
            "too_long",
            Msg::SnapshotTitleTooLong { max: MAX_TITLE },
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(Error::field(
            "title",
            "control_characters",
            Msg::SnapshotTitleControl,
        ));
    }
    Ok(title)
}

/// Freezes the figures and the overdue list now. Returns the new snapshot's id.
pub async fn take(
    db: &Db,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    input: &NewSnapshot,
    due_soon_days: u32,
) -> Result<i64> {
    policy::require(user, Action::TakeSnapshot, None)?;
    let today = clock.today();
    let mut errors: Vec<FieldError> = Vec::new();
    let title = match parse_title(&input.title) {
        Ok(t) => Some(t),
        Err(Error::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let year = match input.year {
        Some(y) => match parse_year("year", y) {
            Ok(y) => Some(y),
            Err(Error::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(other) => return Err(other),
        },
        None => Some(today.year()),
    };
    let (Some(title), Some(year)) = (title, year) else {
        return Err(Error::Validation(errors));
    };
    // Read and write in one transaction: the figures and the list are of
    // one moment (SQLite holds the write lock; PostgreSQL reads committed
    // data within the same transaction).
    let txn = db::begin_write(db).await?;
    let content = current_content(&txn, store, year, &AsOf::now(clock), due_soon_days).await?;
    let json = serde_json::to_string(&content)
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("snapshot serialisation: {e}")))?;
    let row = meeting_snapshot::ActiveModel {
        title: Set(title),
        year: Set(year),
        as_of: Set(today),
        taken_by: Set(user.user_id),
        taken_at: Set(clock.now()),
        total_tasks: Set(content.figures.overall.total),
        overdue_tasks: Set(content.figures.overall.overdue),
        content: Set(json),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

async fn user_refs<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, UserRef>> {
    let ids: BTreeSet<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .iter()
        .map(|u| (u.id, UserRef::from(u)))
        .collect())
}

fn summary(m: &meeting_snapshot::Model, users: &BTreeMap<i64, UserRef>) -> SnapshotSummary {
    SnapshotSummary {
        id: m.id,
        title: m.title.clone(),
        year: m.year,
        as_of: m.as_of,
        taken_by: users.get(&m.taken_by).cloned(),
        taken_at: m.taken_at,
        total_tasks: m.total_tasks,
        overdue_tasks: m.overdue_tasks,
    }
}

/// Every snapshot, newest first.
pub async fn list<C: ConnectionTrait>(db: &C, user: &Principal) -> Result<Vec<SnapshotSummary>> {
    policy::require(user, Action::ReadSnapshots, None)?;
    let rows = meeting_snapshot::Entity::find()
        .order_by_desc(meeting_snapshot::Column::TakenAt)
        .order_by_desc(meeting_snapshot::Column::Id)
        .all(db)
        .await?;
    let users = user_refs(db, rows.iter().map(|r| r.taken_by)).await?;
    Ok(rows.iter().map(|r| summary(r, &users)).collect())
}

/// One snapshot, exactly as frozen.
pub async fn get<C: ConnectionTrait>(db: &C, user: &Principal, id: i64) -> Result<SnapshotView> {
    policy::require(user, Action::ReadSnapshots, None)?;
    let Some(row) = meeting_snapshot::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound(Msg::NotFoundSnapshot { id }));
    };
    let content: FrozenContent = serde_json::from_str(&row.content)
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("snapshot {id} is unreadable: {e}")))?;
    let users = user_refs(db, [row.taken_by]).await?;
    let taken = AsOf {
        day: row.as_of,
        before: Some(row.taken_at + chrono::Duration::milliseconds(1)),
        instant: Some(row.taken_at),
    };
    Ok(SnapshotView {
        summary: summary(&row, &users),
        tasks_query: figures::tasks_query(Some(row.year), None, None, &taken),
        figures: content.figures,
        overdue: content.overdue,
    })
}

/// A figure before and after.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Delta {
    pub before: i64,
    pub after: i64,
    /// after − before.
    pub change: i64,
}

impl Delta {
    fn of(before: i64, after: i64) -> Self {
        Self {
            before,
            after,
            change: after - before,
        }
    }
}

/// The changes of the main figures of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct FiguresChange {
    pub total: Delta,
    pub completed: Delta,
    pub completed_on_time: Delta,
    pub completed_on_time_after_extension: Delta,
    pub completed_late: Delta,
    pub not_started: Delta,
    pub in_progress: Delta,
    pub overdue: Delta,
    pub due_soon: Delta,
    pub on_track: Delta,
    pub cancelled: Delta,
    pub completion_rate_before: f64,
    pub completion_rate_after: f64,
}

impl FiguresChange {
    fn of(before: &Figures, after: &Figures) -> Self {
        Self {
            total: Delta::of(before.total, after.total),
            completed: Delta::of(before.completed, after.completed),
            completed_on_time: Delta::of(before.completed_on_time, after.completed_on_time),
            completed_on_time_after_extension: Delta::of(
                before.completed_on_time_after_extension,
                after.completed_on_time_after_extension,
            ),
            completed_late: Delta::of(before.completed_late, after.completed_late),
            not_started: Delta::of(before.not_started, after.not_started),
            in_progress: Delta::of(before.in_progress, after.in_progress),
            overdue: Delta::of(before.overdue, after.overdue),
            due_soon: Delta::of(before.due_soon, after.due_soon),
            on_track: Delta::of(before.on_track, after.on_track),
            cancelled: Delta::of(before.cancelled, after.cancelled),
            completion_rate_before: before.completion_rate,
            completion_rate_after: after.completion_rate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DepartmentChange {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub change: FiguresChange,
}

/// One side of a comparison: a snapshot, or now (`id` absent).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparedSide {
    pub id: Option<i64>,
    pub title: String,
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub taken_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub from: ComparedSide,
    pub to: ComparedSide,
    pub total: FiguresChange,
    /// Every department present on either side, largest change in overdue tasks first.
    pub departments: Vec<DepartmentChange>,
    /// Overdue in `to`, not in `from` (as `to` shows them).
    pub newly_overdue: Vec<FrozenOverdueTask>,
    /// Overdue in `from`, not in `to` (as `from` showed them).
    pub no_longer_overdue: Vec<FrozenOverdueTask>,
}

/// Compares two frozen contents (pure).
pub fn compare_contents(
    from: ComparedSide,
    before: &FrozenContent,
    to: ComparedSide,
    after: &FrozenContent,
) -> Comparison {
    let total = FiguresChange::of(&before.figures.overall, &after.figures.overall);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut b: BTreeMap<String, &Figures> = BTreeMap::new();
    let mut a: BTreeMap<String, &Figures> = BTreeMap::new();
    for d in &before.figures.departments {
        names.insert(d.code.clone(), d.name.clone());
        b.insert(d.code.clone(), &d.figures);
    }
    for d in &after.figures.departments {
        names.insert(d.code.clone(), d.name.clone());
        a.insert(d.code.clone(), &d.figures);
    }
    let empty = Figures::default();
    let mut departments: Vec<DepartmentChange> = names
        .into_iter()
        .map(|(code, name)| DepartmentChange {
            change: FiguresChange::of(
                b.get(&code).copied().unwrap_or(&empty),
                a.get(&code).copied().unwrap_or(&empty),
            ),
            code,
            name,
        })
        .collect();
    // The largest changes in overdue tasks first (either way), then the most overdue.
    departments.sort_by(|x, y| {
        y.change
            .overdue
            .change
            .abs()
            .cmp(&x.change.overdue.change.abs())
            .then_with(|| y.change.overdue.change.cmp(&x.change.overdue.change))
            .then_with(|| y.change.overdue.after.cmp(&x.change.overdue.after))
            .then_with(|| x.code.cmp(&y.code))
    });
    let before_ids: BTreeSet<i64> = before.overdue.iter().map(|t| t.task_id).collect();
    let after_ids: BTreeSet<i64> = after.overdue.iter().map(|t| t.task_id).collect();
    Comparison {
        from,
        to,
        total,
        departments,
        newly_overdue: after
            .overdue
            .iter()
            .filter(|t| !before_ids.contains(&t.task_id))
            .cloned()
            .collect(),
        no_longer_overdue: before
            .overdue
            .iter()
            .filter(|t| !after_ids.contains(&t.task_id))
            .cloned()
            .collect(),
    }
}

fn side(view: &SnapshotView) -> ComparedSide {
    ComparedSide {
        id: Some(view.summary.id),
        title: view.summary.title.clone(),
        year: view.summary.year,
        as_of: view.summary.as_of,
        taken_at: view.summary.taken_at,
    }
}

/// Compares snapshot `from` with snapshot `to`, or with now when `to` is `None`
/// (the figures of `from`'s year, as they are today).
pub async fn compare<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    from: i64,
    to: Option<i64>,
    due_soon_days: u32,
) -> Result<Comparison> {
    let first = get(db, user, from).await?;
    let before = FrozenContent {
        figures: first.figures.clone(),
        overdue: first.overdue.clone(),
    };
    let (to_side, after) = match to {
        Some(id) => {
            let second = get(db, user, id).await?;
            (
                side(&second),
                FrozenContent {
                    figures: second.figures,
                    overdue: second.overdue,
                },
            )
        }
        None => {
            let today = clock.today();
            let content = current_content(
                db,
                store,
                first.summary.year,
                &AsOf::now(clock),
                due_soon_days,
            )
            .await?;
            (
                ComparedSide {
                    id: None,
                    title: "Hiện tại / now".to_string(),
                    year: first.summary.year,
                    as_of: today,
                    taken_at: clock.now(),
                },
                content,
            )
        }
    };
    Ok(compare_contents(side(&first), &before, to_side, &after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::stats::DepartmentFigures;

    fn figures(total: i64, overdue: i64, completed: i64) -> Figures {
        Figures {
            total,
            overdue,
            completed,
            ..Default::default()
        }
    }

    fn frozen(id: i64, dept: &str) -> FrozenOverdueTask {
        FrozenOverdueTask {
            task_id: id,
            code: format!("NV-{id}"),
            title: format!("Nhiệm vụ {id}"),
            field: "other".into(),
            field_name: "Khác".into(),
            lead_department_code: dept.into(),
            lead_department_name: format!("Phòng {dept}"),
            leader_in_charge: None,
            due_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
            days_overdue: 3,
            progress: 10,
            reminder_documents: 0,
        }
    }

    fn content(departments: &[(&str, Figures)], overdue: Vec<FrozenOverdueTask>) -> FrozenContent {
        let mut overall = Figures::default();
        for (_, f) in departments {
            overall.total += f.total;
            overall.overdue += f.overdue;
            overall.completed += f.completed;
        }
        FrozenContent {
            figures: Stats {
                year: 2026,
                as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
                as_of_query: None,
                department: None,
                leader: None,
                overall,
                departments: departments
                    .iter()
                    .map(|(code, f)| DepartmentFigures {
                        code: code.to_string(),
                        name: format!("Phòng {code}"),
                        figures: f.clone(),
                    })
                    .collect(),
                fields: Vec::new(),
                leaders: Vec::new(),
                tasks_query: String::new(),
            },
            overdue,
        }
    }

    fn side(id: i64) -> ComparedSide {
        ComparedSide {
            id: Some(id),
            title: format!("Giao ban {id}"),
            year: 2026,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            taken_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn comparison_counts_changes_per_department_and_lists_tasks_that_moved() {
        let before = content(
            &[("TNMT", figures(10, 3, 2)), ("TCKH", figures(5, 1, 1))],
            vec![frozen(1, "TNMT"), frozen(2, "TNMT"), frozen(3, "TCKH")],
        );
        let after = content(
            &[("TNMT", figures(10, 2, 4)), ("VHTT", figures(2, 1, 0))],
            vec![frozen(2, "TNMT"), frozen(4, "TNMT"), frozen(5, "VHTT")],
        );
        let c = compare_contents(side(1), &before, side(2), &after);
        assert_eq!(c.total.total, Delta::of(15, 12));
        assert_eq!(c.total.overdue.change, -1);
        assert_eq!(c.total.completed.change, 1);
        let get = |code: &str| c.departments.iter().find(|d| d.code == code).unwrap();
        assert_eq!(get("TNMT").change.overdue, Delta::of(3, 2));
        assert_eq!(get("TNMT").change.completed, Delta::of(2, 4));
        assert_eq!(get("TCKH").change.total, Delta::of(5, 0), "gone after");
        assert_eq!(get("VHTT").change.overdue, Delta::of(0, 1), "new after");
        assert_eq!(
            c.departments[0].code, "VHTT",
            "largest change, increase first"
        );
        assert_eq!(
            c.departments[1].code, "TNMT",
            "then decreases, most overdue first"
        );
        let ids = |v: &[FrozenOverdueTask]| v.iter().map(|t| t.task_id).collect::<Vec<_>>();
        assert_eq!(ids(&c.newly_overdue), vec![4, 5]);
        assert_eq!(ids(&c.no_longer_overdue), vec![1, 3]);
    }

    #[test]
    fn titles_are_required_trimmed_and_bounded() {
        assert_eq!(
            parse_title("  Giao ban   tuần 48 ").ok().as_deref(),
            Some("Giao ban tuần 48")
        );
        assert!(parse_title("   ").is_err());
        assert!(parse_title(&"a".repeat(201)).is_err());
    }
}
