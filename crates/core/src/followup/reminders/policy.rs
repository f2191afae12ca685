//! The policy itself: pure functions from a [`Snapshot`], today, the
//! working-day calendar and the policy settings to the digests due.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};

use crate::{
    config::PolicySettings,
    domain::{
        TaskStatus, Timeliness,
        timeliness::{Deadline, timeliness},
    },
    followup::{
        recipients::{
            DepartmentContact, LeaderContact, Recipient, department_addresses, leader_recipient,
        },
        working_days::Calendar,
    },
};

use super::*;

/// Reminders chase open tasks only.
pub fn is_chased(status: TaskStatus) -> bool {
    status.is_open()
}

/// The digests of `kind` due on `today`. Empty on a day off.
pub fn digests(
    kind: DigestKind,
    snapshot: &Snapshot,
    today: NaiveDate,
    calendar: &Calendar,
    policy: &PolicySettings,
) -> Vec<Digest> {
    if !calendar.is_working_day(today) {
        return Vec::new();
    }
    match kind {
        DigestKind::DepartmentDigest => department_digests(snapshot, today, policy),
        DigestKind::Escalation => escalations(snapshot, today, policy),
        DigestKind::LeaderDigest => leader_digests(snapshot, today, policy),
    }
}

/// Where an open task stands for a department digest, if it is reported at
/// all: the task's timeliness (the same rule as every figure), with "due
/// soon" split into due today and later.
pub fn section_for(task: &ReminderTask, today: NaiveDate, due_soon_days: u32) -> Option<Section> {
    if !is_chased(task.status) {
        return None;
    }
    let info = timeliness(
        task.status,
        Deadline::fixed(task.due_date),
        task.completed_on,
        today,
        due_soon_days,
    )?;
    match info.timeliness {
        Timeliness::Overdue => Some(Section::Overdue),
        Timeliness::DueSoon if info.days_left == Some(0) => Some(Section::DueToday),
        Timeliness::DueSoon => Some(Section::DueSoon),
        _ => None,
    }
}

fn leaders_by_id(snapshot: &Snapshot) -> HashMap<i64, &LeaderContact> {
    snapshot.leaders.iter().map(|l| (l.id, l)).collect()
}

/// "Name (position)" of a task's leader in charge; empty when none.
fn leader_name(task: &ReminderTask, leaders: &HashMap<i64, &LeaderContact>) -> String {
    let Some(leader) = task.leader_in_charge_id.and_then(|id| leaders.get(&id)) else {
        return String::new();
    };
    match leader
        .position
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(position) => format!("{} ({position})", leader.full_name.trim()),
        None => leader.full_name.trim().to_string(),
    }
}

fn line(
    task: &ReminderTask,
    today: NaiveDate,
    departments: &HashMap<i64, &DepartmentContact>,
    leaders: &HashMap<i64, &LeaderContact>,
) -> DigestLine {
    let left = (task.due_date - today).num_days();
    let (code, name) = departments
        .get(&task.lead_department_id)
        .map(|d| (d.code.clone(), d.name.clone()))
        .unwrap_or_default();
    DigestLine {
        task_id: task.id,
        code: task.code.clone(),
        title: task.title.clone(),
        lead_department_code: code,
        lead_department_name: name,
        due_date: task.due_date,
        days_overdue: (left < 0).then_some(-left),
        days_left: (left >= 0).then_some(left),
        reminder_documents: task.reminder_documents.clone(),
        leader_in_charge: leader_name(task, leaders),
    }
}

/// Oldest first (largest days overdue), then by code.
fn sort_oldest_first(lines: &mut [DigestLine]) {
    lines.sort_by(|a, b| {
        a.due_date
            .cmp(&b.due_date)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.task_id.cmp(&b.task_id))
    });
}

fn by_id(snapshot: &Snapshot) -> HashMap<i64, &DepartmentContact> {
    snapshot.departments.iter().map(|d| (d.id, d)).collect()
}

fn department_digests(
    snapshot: &Snapshot,
    today: NaiveDate,
    policy: &PolicySettings,
) -> Vec<Digest> {
    let departments = by_id(snapshot);
    let leaders = leaders_by_id(snapshot);
    let mut per_department: BTreeMap<i64, BTreeMap<Section, Vec<DigestLine>>> = BTreeMap::new();
    for task in &snapshot.tasks {
        if let Some(section) = section_for(task, today, policy.due_soon_days) {
            per_department
                .entry(task.lead_department_id)
                .or_default()
                .entry(section)
                .or_default()
                .push(line(task, today, &departments, &leaders));
        }
    }
    let mut out = Vec::new();
    for (department_id, sections) in per_department {
        let Some(department) = departments.get(&department_id) else {
            continue;
        };
        let sections: Vec<DigestSection> = sections
            .into_iter()
            .map(|(section, mut lines)| {
                sort_oldest_first(&mut lines);
                DigestSection { section, lines }
            })
            .collect();
        let addresses = if department.active {
            department_addresses(department)
        } else {
            Vec::new()
        };
        let undeliverable = if !department.active {
            Some(format!(
                "Đơn vị {} đã ngừng hoạt động nhưng vẫn chủ trì nhiệm vụ chưa hoàn thành / department {} is inactive but still leads open tasks",
                department.code, department.code
            ))
        } else if addresses.is_empty() {
            Some(format!(
                "Đơn vị {} chưa có địa chỉ email nhận thông báo và không có cán bộ nào có email / department {} has no notification email and no staff with an email",
                department.code, department.code
            ))
        } else {
            None
        };
        let mut task_ids: Vec<i64> = sections
            .iter()
            .flat_map(|s| s.lines.iter().map(|l| l.task_id))
            .collect();
        task_ids.sort_unstable();
        let recipient = Recipient::Department {
            id: department.id,
            code: department.code.clone(),
            name: department.name.clone(),
        };
        out.push(Digest {
            kind: DigestKind::DepartmentDigest,
            idempotency_key: idempotency_key(DigestKind::DepartmentDigest, recipient.key(), today),
            for_date: today,
            recipient,
            addresses,
            undeliverable,
            sections,
            groups: Vec::new(),
            figures: None,
            explanations: Vec::new(),
            task_ids,
        });
    }
    out.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    out
}

fn escalations(snapshot: &Snapshot, today: NaiveDate, policy: &PolicySettings) -> Vec<Digest> {
    let departments = by_id(snapshot);
    let leaders = leaders_by_id(snapshot);
    let threshold = i64::from(policy.escalate_after_days);
    let mut per_leader: BTreeMap<i64, Vec<DigestLine>> = BTreeMap::new();
    for task in &snapshot.tasks {
        let Some(leader_id) = task.leader_in_charge_id else {
            continue;
        };
        if !is_chased(task.status) || (today - task.due_date).num_days() < threshold {
            continue;
        }
        per_leader
            .entry(leader_id)
            .or_default()
            .push(line(task, today, &departments, &leaders));
    }
    let mut out = Vec::new();
    for (leader_id, mut lines) in per_leader {
        let Some(leader) = leaders.get(&leader_id) else {
            continue;
        };
        sort_oldest_first(&mut lines);
        let (recipient, addresses, undeliverable) = leader_recipient(leader);
        let mut task_ids: Vec<i64> = lines.iter().map(|l| l.task_id).collect();
        task_ids.sort_unstable();
        out.push(Digest {
            kind: DigestKind::Escalation,
            idempotency_key: idempotency_key(DigestKind::Escalation, recipient.key(), today),
            for_date: today,
            recipient,
            addresses,
            undeliverable,
            sections: vec![DigestSection {
                section: Section::Overdue,
                lines,
            }],
            groups: Vec::new(),
            figures: None,
            explanations: Vec::new(),
            task_ids,
        });
    }
    out.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    out
}

/// The week's figures on `today`.
pub fn week_figures(snapshot: &Snapshot, today: NaiveDate, policy: &PolicySettings) -> WeekFigures {
    let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
    let next_week_end = today.checked_add_days(Days::new(6)).unwrap_or(today);
    let mut f = WeekFigures::default();
    for task in &snapshot.tasks {
        if task.status.is_done() {
            if task
                .completed_on
                .is_some_and(|d| d >= week_ago && d < today)
            {
                f.done_this_week += 1;
            }
            continue;
        }
        if !is_chased(task.status) {
            continue;
        }
        let overdue_by = (today - task.due_date).num_days();
        if overdue_by > 0 {
            f.overdue += 1;
            if overdue_by >= i64::from(policy.escalate_after_days) {
                f.escalated += 1;
            }
            if task.due_date >= week_ago {
                f.newly_overdue += 1;
            }
        } else if task.due_date <= next_week_end {
            f.due_next_week += 1;
        }
    }
    f
}

fn leader_digests(snapshot: &Snapshot, today: NaiveDate, policy: &PolicySettings) -> Vec<Digest> {
    let departments = by_id(snapshot);
    let leaders = leaders_by_id(snapshot);
    let mut groups: BTreeMap<i64, Vec<DigestLine>> = BTreeMap::new();
    for task in &snapshot.tasks {
        if is_chased(task.status) && task.due_date < today {
            groups
                .entry(task.lead_department_id)
                .or_default()
                .push(line(task, today, &departments, &leaders));
        }
    }
    if groups.is_empty() && snapshot.explanations.is_empty() {
        return Vec::new();
    }
    let mut groups: Vec<DepartmentGroup> = groups
        .into_iter()
        .map(|(department_id, mut lines)| {
            sort_oldest_first(&mut lines);
            let (code, name) = departments
                .get(&department_id)
                .map(|d| (d.code.clone(), d.name.clone()))
                .unwrap_or_default();
            DepartmentGroup { code, name, lines }
        })
        .collect();
    // The department with the oldest overdue task first.
    groups.sort_by(|a, b| {
        let oldest = |g: &DepartmentGroup| g.lines.first().map(|l| l.due_date);
        oldest(a).cmp(&oldest(b)).then_with(|| a.code.cmp(&b.code))
    });
    let mut task_ids: Vec<i64> = groups
        .iter()
        .flat_map(|g| g.lines.iter().map(|l| l.task_id))
        .chain(snapshot.explanations.iter().map(|e| e.task_id))
        .collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let figures = week_figures(snapshot, today, policy);
    let mut out: Vec<Digest> = snapshot
        .leaders
        .iter()
        .filter(|l| l.is_leader && l.active)
        .map(|leader| {
            let (recipient, addresses, undeliverable) = leader_recipient(leader);
            Digest {
                kind: DigestKind::LeaderDigest,
                idempotency_key: idempotency_key(DigestKind::LeaderDigest, recipient.key(), today),
                for_date: today,
                recipient,
                addresses,
                undeliverable,
                sections: Vec::new(),
                groups: groups.clone(),
                figures: Some(figures),
                explanations: snapshot.explanations.clone(),
                task_ids: task_ids.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    out
}
