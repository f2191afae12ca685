//! One demo task's life: created from its assigning document, started a
//! couple of weeks later, perhaps extended, reported done and confirmed, or
//! asking for more time now. Each event is at a plausible past time (see
//! `Timeline`), so the history, the figures of past days and the reminder
//! register read like a year of real work.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use dondoc_core::{
    domain::{ExtensionState, LinkRelation, TaskStatus, text::fold},
    entity::{document_task, extension_request, task, task_coordinator},
    error::{Error, Result},
    tasks::history::{Change, action},
};

use super::{Seeding, data::DemoTask, documents::Assigning, offset, timeline::Timeline};

/// What a task's life is, decided from its data before anything is written.
struct Plan<'a> {
    t: &'a DemoTask,
    /// The minute of the task's events, so tasks do not all share one.
    minute: u32,
    source_id: i64,
    assigned_on: NaiveDate,
    /// Work starts a couple of weeks after the assignment.
    started_on: NaiveDate,
    due_date: NaiveDate,
    original_due_date: NaiveDate,
    /// Where the scenario ends.
    status: TaskStatus,
    /// The day the work was reported done, for the scenarios that get there.
    done_on: Option<NaiveDate>,
    lead_id: i64,
    leader_id: Option<i64>,
    /// The lead department's staff member, who reports and asks.
    staff: Option<i64>,
    /// Who decides: the leader in charge, else the admin.
    decider: Option<i64>,
}

/// Writes task `t` (the `index`th of the data) and its life up to today,
/// except its final row and states, which its timeline writes at the end.
/// Returns the task's id and its lead department's id, and the timeline.
pub(super) async fn live<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    programme_id: i64,
    assigning: &Assigning,
    index: usize,
    t: &DemoTask,
) -> Result<((i64, i64), Timeline)> {
    let p = plan(s, assigning, index, t)?;
    let model = insert(txn, s, programme_id, &p).await?;
    let id = model.id;
    let mut timeline = Timeline::new(model);
    created(txn, s, &p, id, &mut timeline).await?;
    if p.status != TaskStatus::NotStarted {
        started(txn, s, &p, id, &mut timeline).await?;
    }
    if let Some(extra) = t.extended_by_days {
        extended(txn, s, &p, id, extra, &mut timeline).await?;
    }
    if let Some(done_on) = p.done_on {
        completed(txn, s, &p, id, done_on, &mut timeline).await?;
    }
    if let Some(days) = t.pending_extension_days {
        asking_for_time(txn, s, &p, id, days, &mut timeline).await?;
    }
    Ok(((id, p.lead_id), timeline))
}

fn plan<'a>(
    s: &Seeding<'_>,
    assigning: &Assigning,
    index: usize,
    t: &'a DemoTask,
) -> Result<Plan<'a>> {
    let due_date = offset(s.today, t.due_in_days);
    let (status, done_on) = outcome(t, due_date, s.today)?;
    let (source_id, assigned_on) = assigning.get(&t.source).copied().ok_or_else(|| {
        Error::Unexpected(anyhow::anyhow!(
            "demo task {} names unknown document {}",
            t.code,
            t.source
        ))
    })?;
    let leader_id = if t.leader.is_empty() {
        None
    } else {
        s.people.leaders.get(&t.leader).copied()
    };
    Ok(Plan {
        t,
        minute: (index % 50) as u32,
        source_id,
        assigned_on,
        started_on: offset(assigned_on, 14 + (index % 20) as i64).min(s.today),
        due_date,
        original_due_date: offset(due_date, -t.extended_by_days.unwrap_or(0)),
        status,
        done_on,
        lead_id: s.department(&t.lead)?,
        leader_id,
        staff: s.people.staff.get(&t.lead).copied(),
        decider: leader_id.or(Some(s.people.admin)),
    })
}

/// The status the task's scenario ends in, and the day it was reported
/// done if it was.
fn outcome(
    t: &DemoTask,
    due_date: NaiveDate,
    today: NaiveDate,
) -> Result<(TaskStatus, Option<NaiveDate>)> {
    let done_on = || Some(offset(due_date, t.completed_after_due_days.unwrap_or(0)).min(today));
    Ok(match t.scenario.as_str() {
        "completed_on_time" | "completed_late" => (TaskStatus::Completed, done_on()),
        "reported_done" => (TaskStatus::ReportedDone, done_on()),
        "overdue" | "due_soon" | "on_track" if t.progress == 0 => (TaskStatus::NotStarted, None),
        "overdue" | "due_soon" | "on_track" => (TaskStatus::InProgress, None),
        other => {
            return Err(Error::Unexpected(anyhow::anyhow!(
                "demo task {} has unknown scenario {other}",
                t.code
            )));
        }
    })
}

/// The task as assigned (not started, its original deadline), its
/// coordinating departments and its link to the assigning document.
async fn insert<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    programme_id: i64,
    p: &Plan<'_>,
) -> Result<task::Model> {
    let t = p.t;
    let created_at = s.at(p.assigned_on, 8, p.minute);
    let model = task::ActiveModel {
        programme_id: Set(programme_id),
        code: Set(t.code.clone()),
        title: Set(t.title.clone()),
        description: Set(t.description.clone()),
        search_text: Set(fold(&format!("{} {}", t.code, t.title))),
        field_code: Set(t.field.clone()),
        lead_department_id: Set(p.lead_id),
        leader_in_charge_id: Set(p.leader_id),
        source_document_id: Set(Some(p.source_id)),
        due_date: Set(p.original_due_date),
        original_due_date: Set(p.original_due_date),
        status: Set(TaskStatus::NotStarted),
        progress: Set(0),
        completed_on: Set(None),
        reported_on: Set(None),
        declared_completed_on: Set(None),
        result_note: Set(None),
        version: Set(1),
        created_at: Set(created_at),
        updated_at: Set(created_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for c in &t.coordinators {
        task_coordinator::ActiveModel {
            task_id: Set(model.id),
            department_id: Set(s.department(c)?),
        }
        .insert(txn)
        .await?;
    }
    document_task::ActiveModel {
        document_id: Set(p.source_id),
        task_id: Set(model.id),
        relation: Set(LinkRelation::Assigns),
        linked_at: Set(Some(created_at)),
    }
    .insert(txn)
    .await?;
    Ok(model)
}

async fn created<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    p: &Plan<'_>,
    id: i64,
    timeline: &mut Timeline,
) -> Result<()> {
    let change = Change::new(id, Some(s.people.admin), action::CREATED).note(format!(
        "Giao nhiệm vụ theo văn bản, ngày {}",
        p.assigned_on.format("%d/%m/%Y")
    ));
    timeline
        .event(txn, s.at(p.assigned_on, 8, p.minute), change, |m| {
            // Why work has not started, for the tasks that say so.
            if p.status == TaskStatus::NotStarted {
                m.result_note = Some(p.t.result_note.clone()).filter(|n| !n.is_empty());
            }
        })
        .await
}

/// The first progress report. A task that gets done later reports 60 %
/// and a generic note; one still open reports its progress and its note.
async fn started<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    p: &Plan<'_>,
    id: i64,
    timeline: &mut Timeline,
) -> Result<()> {
    let progress = if p.done_on.is_some() {
        60
    } else {
        p.t.progress
    };
    let note = if p.done_on.is_some() {
        "Đang triển khai thực hiện.".to_string()
    } else {
        p.t.result_note.clone()
    };
    let change = Change::new(id, p.staff, action::UPDATED)
        .field("progress", 0, progress)
        .note(note);
    timeline
        .event(txn, s.at(p.started_on, 9, p.minute), change, |m| {
            m.progress = progress;
            m.status = TaskStatus::InProgress;
            if p.done_on.is_none() {
                m.result_note = Some(p.t.result_note.clone()).filter(|n| !n.is_empty());
            }
        })
        .await
}

/// An extension of `extra` days, asked a week before the original deadline
/// and approved the next day.
async fn extended<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    p: &Plan<'_>,
    id: i64,
    extra: i64,
    timeline: &mut Timeline,
) -> Result<()> {
    let asked_on = offset(p.original_due_date, -7)
        .max(p.started_on)
        .min(s.today);
    let decided_on = offset(asked_on, 1).min(s.today);
    let reason = "Cần thêm thời gian để hoàn thiện hồ sơ, thủ tục theo quy định.";
    extension_request::ActiveModel {
        task_id: Set(id),
        requested_by: Set(p.staff.unwrap_or(s.people.admin)),
        previous_due_date: Set(p.original_due_date),
        requested_due_date: Set(p.due_date),
        reason: Set(reason.into()),
        state: Set(ExtensionState::Approved),
        decided_by: Set(p.decider),
        decided_at: Set(Some(s.at(decided_on, 10, p.minute))),
        decision_note: Set(Some(format!("Đồng ý gia hạn thêm {extra} ngày."))),
        created_at: Set(s.at(asked_on, 15, p.minute)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let asked = Change::new(id, p.staff, action::EXTENSION_REQUESTED)
        .field("due_date", p.original_due_date, p.due_date)
        .note(reason);
    timeline
        .event(txn, s.at(asked_on, 15, p.minute), asked, |_| {})
        .await?;
    let approved = Change::new(id, p.decider, action::EXTENSION_APPROVED)
        .field("due_date", p.original_due_date, p.due_date)
        .note(format!("Đồng ý gia hạn thêm {extra} ngày"));
    timeline
        .event(txn, s.at(decided_on, 10, p.minute), approved, |m| {
            m.due_date = p.due_date
        })
        .await
}

/// Reported done on `done_on` with the result note, and, for the completed
/// scenarios, confirmed two days later.
async fn completed<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    p: &Plan<'_>,
    id: i64,
    done_on: NaiveDate,
    timeline: &mut Timeline,
) -> Result<()> {
    let report = p.t.result_note.clone();
    let reported = Change::new(id, p.staff, action::REPORTED_DONE)
        .field("status", TaskStatus::InProgress, TaskStatus::ReportedDone)
        .note(report.clone());
    timeline
        .event(txn, s.at(done_on, 16, p.minute), reported, |m| {
            m.status = TaskStatus::ReportedDone;
            m.progress = 100;
            m.reported_on = Some(done_on);
            m.completed_on = Some(done_on);
            m.result_note = Some(report.clone()).filter(|n| !n.is_empty());
        })
        .await?;
    if p.status != TaskStatus::Completed {
        return Ok(());
    }
    let confirmed_on = offset(done_on, 2).min(s.today);
    let confirmed = Change::new(id, p.decider, action::CONFIRMED).field(
        "status",
        TaskStatus::ReportedDone,
        TaskStatus::Completed,
    );
    timeline
        .event(txn, s.at(confirmed_on, 10, p.minute), confirmed, |m| {
            m.status = TaskStatus::Completed
        })
        .await
}

/// An extension of `days` more days, asked two days ago and not decided yet.
async fn asking_for_time<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    p: &Plan<'_>,
    id: i64,
    days: i64,
    timeline: &mut Timeline,
) -> Result<()> {
    let requested = offset(p.due_date, days);
    let reason =
        "Vướng mắc về hồ sơ pháp lý và ý kiến của các sở, ngành; đề nghị gia hạn để hoàn thành.";
    let asked_at = s.at(offset(s.today, -2), 14, p.minute);
    extension_request::ActiveModel {
        task_id: Set(id),
        requested_by: Set(p.staff.unwrap_or(s.people.admin)),
        previous_due_date: Set(p.due_date),
        requested_due_date: Set(requested),
        reason: Set(reason.into()),
        state: Set(ExtensionState::Pending),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        created_at: Set(asked_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let asked = Change::new(id, p.staff, action::EXTENSION_REQUESTED)
        .field("due_date", p.due_date, requested)
        .note(reason);
    timeline.event(txn, asked_at, asked, |_| {}).await
}
