//! The drafted reminder letter (công văn đôn đốc): for one department, the
//! letter the office would issue about its overdue and due-soon tasks, in
//! the layout of Nghị định 30/2020/NĐ-CP, as a .docx draft; and, once the
//! clerk has issued it, recording it as a reminder document linked to
//! exactly the tasks of the draft, in one transaction.
//!
//! This file drafts the letter; `layout` lays it out as a .docx and
//! `issue` records it once issued.

mod issue;
mod layout;
pub mod signer;

pub use issue::{IssuedLetter, record};
pub use layout::{drafts_zip, file_name, render_docx};
pub use signer::{SignatureBlock, Signer};

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    config::LetterSettings,
    domain::TaskStatus,
    domain::figure::{Candidates, Figure},
    entity::{department, document, programme, task},
    error::{Error, Result},
    messages::{Lang, Msg},
    org::departments::{self, DepartmentRef},
    tasks::facts::{self, AsOf, Judged, Scope},
};

/// One row of the letter's table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    /// The assigning document ("Kế hoạch số 12/KH-UBND ngày 15/01/2026"), or empty.
    pub source_document: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    /// Days past the due date (0 for a task not yet due).
    pub days_overdue: i64,
    /// Days left before the due date, for a task due soon.
    pub days_left: Option<i64>,
    pub overdue: bool,
    pub status: TaskStatus,
    pub progress: i32,
    /// Tình trạng, as the letter states it.
    pub state_text: String,
}

/// What the draft says, before it is laid out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterDraft {
    pub department: DepartmentRef,
    /// The day the draft was made (the letter's date is left for the clerk).
    #[schema(value_type = String, format = Date)]
    pub drafted_on: NaiveDate,
    /// The day the department is asked to report back by.
    #[schema(value_type = String, format = Date)]
    pub report_back_on: NaiveDate,
    pub year: i32,
    /// "V/v đôn đốc thực hiện nhiệm vụ …", without "V/v ".
    pub subject: String,
    pub opening: String,
    pub request: String,
    pub overdue: usize,
    pub due_soon: usize,
    pub tasks: Vec<LetterTask>,
    /// The block the letter is signed with (the chosen or default signer).
    pub signature: SignatureBlock,
    /// The leaders who may sign, the one signing marked `default`.
    pub signers: Vec<Signer>,
}

/// A department with tasks to remind about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LateDepartment {
    pub code: String,
    pub name: String,
    pub overdue: i64,
    pub due_soon: i64,
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

fn dmy(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Open tasks of `department_id` overdue or due within `due_soon_days`,
/// oldest first: the tasks behind its "overdue" and "due soon" figures today.
async fn reminder_tasks<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    department_id: i64,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<task::Model>> {
    let judged = reminded(db, store, Some(department_id), as_of, due_soon_days).await?;
    let ids: Vec<i64> = judged.iter().map(|j| j.facts.task_id).collect();
    let mut rows: HashMap<i64, task::Model> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        for t in task::Entity::find()
            .filter(task::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            rows.insert(t.id, t);
        }
    }
    Ok(ids.into_iter().filter_map(|id| rows.remove(&id)).collect())
}

/// Tasks a letter reminds about (overdue or due soon), every department's
/// or one's, oldest first.
async fn reminded<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    department_id: Option<i64>,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Vec<Judged>> {
    let soon_end = as_of
        .day
        .checked_add_days(Days::new(u64::from(due_soon_days)))
        .unwrap_or(as_of.day);
    let scope = Scope {
        department_id,
        candidates: Some(Candidates {
            statuses: &TaskStatus::OPEN,
            due_before: soon_end.succ_opt(),
            due_after: None,
        }),
        ..Scope::default()
    };
    let mut judged: Vec<Judged> = facts::judged(db, store, &scope, as_of, due_soon_days)
        .await?
        .into_iter()
        .filter(|j| Figure::Overdue.matches(&j.standing) || Figure::DueSoon.matches(&j.standing))
        .collect();
    judged.sort_by_key(|j| (j.facts.due_date, j.facts.task_id));
    Ok(judged)
}

/// The programme years of `tasks`, as a letter names them ("2026", "2025 và 2026").
pub(super) async fn programme_years<C: ConnectionTrait>(
    db: &C,
    tasks: &[task::Model],
) -> Result<Option<String>> {
    let ids: BTreeSet<i64> = tasks.iter().map(|t| t.programme_id).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let mut years: Vec<i32> = programme::Entity::find()
        .filter(programme::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    let texts: Vec<String> = years.iter().map(ToString::to_string).collect();
    Ok(match texts.split_last() {
        Some((last, rest)) if !rest.is_empty() => Some(format!("{} và {last}", rest.join(", "))),
        Some((last, _)) => Some(last.clone()),
        None => None,
    })
}

/// Departments with at least one overdue open task, most overdue first.
pub async fn late_departments<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    due_soon_days: u32,
) -> Result<Vec<LateDepartment>> {
    policy::require(user, Action::DraftLetter, None)?;
    let as_of = AsOf::now(clock);
    let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
    for j in reminded(db, store, None, &as_of, due_soon_days).await? {
        let entry = counts.entry(j.facts.lead_department_id).or_default();
        if Figure::Overdue.matches(&j.standing) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let mut out: Vec<LateDepartment> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|d| {
            counts
                .get(&d.id)
                .filter(|(overdue, _)| *overdue > 0)
                .map(|(overdue, due_soon)| LateDepartment {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    overdue: *overdue,
                    due_soon: *due_soon,
                })
        })
        .collect();
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.code.cmp(&b.code)));
    Ok(out)
}

/// The draft letter to `department_code` today, signed by the leader with
/// username `signer` (default: see [`signer::default_signer`]).
// Longer than 100 lines: the tasks, their sources, the wording and the signer gathered into one draft.
#[allow(clippy::too_many_arguments)]
pub async fn draft<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    settings: &LetterSettings,
    clock: &Clock,
    user: &Principal,
    department_code: &str,
    due_soon_days: u32,
    signer: Option<&str>,
) -> Result<LetterDraft> {
    policy::require(user, Action::DraftLetter, None)?;
    let today = clock.today();
    let dept = departments::find_by_code(db, department_code)
        .await?
        .ok_or_else(|| {
            Error::NotFound(Msg::NotFoundDepartment {
                code: department_code.to_string(),
            })
        })?;
    let rows = reminder_tasks(db, store, dept.id, &AsOf::now(clock), due_soon_days).await?;
    let in_charge: Vec<i64> = rows.iter().filter_map(|t| t.leader_in_charge_id).collect();
    let mut signers = signer::signers(db, settings).await?;
    let chosen = signer::choose(&signers, signer, &in_charge)?;
    if let Some(i) = chosen {
        signers[i].default = true;
    }
    let signature = signer::block(chosen.map(|i| &signers[i]), settings);
    // The letter names the programme its tasks belong to, not the year it
    // is written in (a January letter about last year's tasks).
    let programme_years = programme_years(db, &rows)
        .await?
        .unwrap_or_else(|| today.year().to_string());
    let doc_ids: Vec<i64> = rows.iter().filter_map(|t| t.source_document_id).collect();
    let sources: HashMap<i64, document::Model> = if doc_ids.is_empty() {
        HashMap::new()
    } else {
        document::Entity::find()
            .filter(document::Column::Id.is_in(doc_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let tasks: Vec<LetterTask> = rows
        .into_iter()
        .map(|t| {
            let days_overdue = (today - t.due_date).num_days().max(0);
            let overdue = t.due_date < today;
            let days_left = (!overdue).then(|| (t.due_date - today).num_days());
            let state_text = match (overdue, days_left) {
                (true, _) => format!("{} ({}%)", t.status.label(Lang::Vi), t.progress),
                (false, Some(left)) => format!(
                    "Sắp đến hạn, còn {left} ngày; {} ({}%)",
                    t.status.label(Lang::Vi).to_lowercase(),
                    t.progress
                ),
                (false, None) => t.status.label(Lang::Vi).to_string(),
            };
            LetterTask {
                task_id: t.id,
                source_document: t
                    .source_document_id
                    .and_then(|id| sources.get(&id))
                    .map(|d| {
                        format!(
                            "{} số {} ngày {}",
                            d.kind.label(Lang::Vi),
                            d.number,
                            dmy(d.issued_on)
                        )
                    })
                    .unwrap_or_default(),
                code: t.code,
                title: t.title,
                due_date: t.due_date,
                days_overdue,
                days_left,
                overdue,
                status: t.status,
                progress: t.progress,
                state_text,
            }
        })
        .collect();
    let year = today.year();
    let report_back_on = today
        .checked_add_days(Days::new(u64::from(settings.report_back_days)))
        .unwrap_or(today);
    let year_text = programme_years;
    let back_text = dmy(report_back_on);
    Ok(LetterDraft {
        subject: fill(&settings.subject, &[("year", &year_text)]),
        opening: fill(
            &settings.opening,
            &[("year", &year_text), ("department", &dept.name)],
        ),
        request: fill(
            &settings.request,
            &[("department", &dept.name), ("report_back_date", &back_text)],
        ),
        overdue: tasks.iter().filter(|t| t.overdue).count(),
        due_soon: tasks.iter().filter(|t| !t.overdue).count(),
        department: DepartmentRef::from(&dept),
        drafted_on: today,
        report_back_on,
        year,
        tasks,
        signature,
        signers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_file_names_are_safe() {
        assert_eq!(
            fill(
                "năm {year}, {department}",
                &[("year", "2026"), ("department", "Phòng A")]
            ),
            "năm 2026, Phòng A"
        );
        assert_eq!(
            file_name(
                "TCKH/../x",
                NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
            ),
            "cong-van-don-doc-TCKHx-20261125.docx"
        );
    }
}
