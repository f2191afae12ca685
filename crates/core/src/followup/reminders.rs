//! The reminder policy: which digests are due on a given day, for whom, with
//! which tasks in which sections, and under which idempotency key.
//!
//! [`digests`] and the functions it calls are **pure**: they take a
//! [`Snapshot`] of the tasks and of the current assignment (departments,
//! their staff, the leaders), *today*, the [`Calendar`] and the policy
//! settings, and return values. No clock, no database, no mail. The one
//! function here that reads the database, [`snapshot`], only gathers those
//! values.
//!
//! Rules (DESIGN.md, Scheduler):
//! - nothing on weekends and public holidays;
//! - only open tasks (not started, in progress) are chased: cancelled,
//!   completed and reported-done tasks never appear;
//! - `department-digest`: one per department leading at least one task that
//!   is overdue, due today, or due within `due_soon_days`; nothing when empty;
//! - `escalation`: one per leader in charge of tasks overdue
//!   `escalate_after_days` or more;
//! - `leader-digest`: one per active leader, every overdue task grouped by
//!   lead department, oldest first, with the week's figures; nothing when
//!   nothing is overdue;
//! - recipients come from the current assignment; a digest nobody can receive
//!   is still produced, with the reason, so that it is recorded as failed
//!   instead of being skipped silently.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::{
    config::PolicySettings,
    domain::{
        TaskStatus, Timeliness,
        timeliness::{Deadline, timeliness},
    },
    followup::{
        explanations::EscalatedExplanation,
        recipients::{
            DepartmentContact, LeaderContact, Recipient, department_addresses, leader_recipient,
        },
        working_days::Calendar,
    },
};

/// The kinds of reminder email, as stored in `notifications.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestKind {
    DepartmentDigest,
    Escalation,
    LeaderDigest,
}

impl DigestKind {
    pub const ALL: [DigestKind; 3] = [
        DigestKind::DepartmentDigest,
        DigestKind::Escalation,
        DigestKind::LeaderDigest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::DepartmentDigest => "department-digest",
            DigestKind::Escalation => "escalation",
            DigestKind::LeaderDigest => "leader-digest",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

impl std::fmt::Display for DigestKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reminder document (văn bản đôn đốc) already issued for a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedReminder {
    pub number: String,
    pub issued_on: NaiveDate,
}

/// What the policy needs to know about one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTask {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: TaskStatus,
    pub due_date: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub lead_department_id: i64,
    pub leader_in_charge_id: Option<i64>,
    /// Oldest first.
    pub reminder_documents: Vec<IssuedReminder>,
}

/// Everything the policy looks at, read in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub tasks: Vec<ReminderTask>,
    pub departments: Vec<DepartmentContact>,
    pub leaders: Vec<LeaderContact>,
    /// Unanswered requests for explanation past their answer-by date.
    pub explanations: Vec<EscalatedExplanation>,
}

/// A section of a department digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Overdue,
    DueToday,
    DueSoon,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Overdue => "overdue",
            Section::DueToday => "due_today",
            Section::DueSoon => "due_soon",
        }
    }
}

/// One task line of an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestLine {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub lead_department_code: String,
    pub lead_department_name: String,
    pub due_date: NaiveDate,
    /// `today - due_date` for overdue tasks.
    pub days_overdue: Option<i64>,
    /// `due_date - today` for tasks not yet overdue (0 = due today).
    pub days_left: Option<i64>,
    pub reminder_documents: Vec<IssuedReminder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestSection {
    pub section: Section,
    pub lines: Vec<DigestLine>,
}

/// Overdue tasks of one lead department (leader digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentGroup {
    pub code: String,
    pub name: String,
    pub lines: Vec<DigestLine>,
}

/// The week's figures in the leader digest. "This week" is the seven days
/// before *today*; "next week" today and the six days after it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WeekFigures {
    /// Open tasks overdue today.
    pub overdue: u32,
    /// Of those, overdue `escalate_after_days` or more.
    pub escalated: u32,
    /// Tasks that fell overdue during the past seven days.
    pub newly_overdue: u32,
    /// Tasks reported done (or completed) during the past seven days.
    pub done_this_week: u32,
    /// Open tasks due today or in the next six days.
    pub due_next_week: u32,
}

/// One email the policy decided is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digest {
    pub kind: DigestKind,
    /// `{kind}:{department code | username}:{date}`; unique in the outbox.
    pub idempotency_key: String,
    pub for_date: NaiveDate,
    pub recipient: Recipient,
    /// Resolved from the current assignment, deduplicated, in a stable order.
    pub addresses: Vec<String>,
    /// Why nobody can receive it (then `addresses` is empty).
    pub undeliverable: Option<String>,
    /// Department digest: overdue / due today / due soon (non-empty ones only).
    /// Escalation: one `Overdue` section.
    pub sections: Vec<DigestSection>,
    /// Leader digest: overdue tasks by department, oldest first.
    pub groups: Vec<DepartmentGroup>,
    /// Leader digest only.
    pub figures: Option<WeekFigures>,
    /// Leader digest only: requests for explanation past their answer-by date.
    pub explanations: Vec<EscalatedExplanation>,
    /// Every task mentioned, ascending.
    pub task_ids: Vec<i64>,
}

impl Digest {
    pub fn line_count(&self) -> usize {
        self.sections.iter().map(|s| s.lines.len()).sum::<usize>()
            + self.groups.iter().map(|g| g.lines.len()).sum::<usize>()
    }

    pub fn section(&self, section: Section) -> Option<&DigestSection> {
        self.sections.iter().find(|s| s.section == section)
    }
}

/// The idempotency key of a digest: one per kind, recipient and local date.
pub fn idempotency_key(kind: DigestKind, recipient_key: &str, date: NaiveDate) -> String {
    format!(
        "{}:{}:{}",
        kind.as_str(),
        recipient_key,
        date.format("%Y-%m-%d")
    )
}

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

fn line(
    task: &ReminderTask,
    today: NaiveDate,
    departments: &HashMap<i64, &DepartmentContact>,
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
    let mut per_department: BTreeMap<i64, BTreeMap<Section, Vec<DigestLine>>> = BTreeMap::new();
    for task in &snapshot.tasks {
        if let Some(section) = section_for(task, today, policy.due_soon_days) {
            per_department
                .entry(task.lead_department_id)
                .or_default()
                .entry(section)
                .or_default()
                .push(line(task, today, &departments));
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
    let leaders: HashMap<i64, &LeaderContact> =
        snapshot.leaders.iter().map(|l| (l.id, l)).collect();
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
            .push(line(task, today, &departments));
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
    let mut groups: BTreeMap<i64, Vec<DigestLine>> = BTreeMap::new();
    for task in &snapshot.tasks {
        if is_chased(task.status) && task.due_date < today {
            groups
                .entry(task.lead_department_id)
                .or_default()
                .push(line(task, today, &departments));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // Monday 2026-05-18.
    const TODAY: (i32, u32, u32) = (2026, 5, 18);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    fn policy() -> PolicySettings {
        PolicySettings {
            due_soon_days: 7,
            escalate_after_days: 14,
        }
    }

    fn department(id: i64, code: &str, email: Option<&str>) -> DepartmentContact {
        DepartmentContact {
            id,
            code: code.to_string(),
            name: format!("Phòng {code}"),
            active: true,
            email: email.map(str::to_string),
            staff_emails: Vec::new(),
        }
    }

    fn leader(id: i64, username: &str, email: Option<&str>) -> LeaderContact {
        LeaderContact {
            id,
            username: username.to_string(),
            full_name: format!("Ông {username}"),
            position: Some("Phó Chủ tịch".to_string()),
            email: email.map(str::to_string),
            active: true,
            is_leader: true,
        }
    }

    fn task(id: i64, department: i64, due_in: i64) -> ReminderTask {
        ReminderTask {
            id,
            code: format!("NV-{id:02}"),
            title: format!("Nhiệm vụ số {id}"),
            status: TaskStatus::InProgress,
            due_date: today() + chrono::Duration::days(due_in),
            completed_on: None,
            lead_department_id: department,
            leader_in_charge_id: None,
            reminder_documents: Vec::new(),
        }
    }

    fn snapshot(tasks: Vec<ReminderTask>) -> Snapshot {
        Snapshot {
            tasks,
            departments: vec![
                department(1, "TNMT", Some("tnmt@x.vn")),
                department(2, "TCKH", Some("tckh@x.vn")),
                department(3, "XA-A", None),
            ],
            leaders: vec![leader(10, "ct", Some("ct@x.vn")), leader(11, "pct", None)],
            explanations: Vec::new(),
        }
    }

    fn dept_digests(s: &Snapshot) -> Vec<Digest> {
        digests(
            DigestKind::DepartmentDigest,
            s,
            today(),
            &Calendar::default(),
            &policy(),
        )
    }

    #[test]
    fn nothing_is_due_on_a_day_off() {
        let s = snapshot(vec![task(1, 1, -3)]);
        let saturday = d(2026, 5, 16);
        for kind in DigestKind::ALL {
            assert!(digests(kind, &s, saturday, &Calendar::default(), &policy()).is_empty());
            assert!(digests(kind, &s, today(), &Calendar::new([today()]), &policy()).is_empty());
        }
    }

    #[test]
    fn sections_at_every_boundary() {
        let p = 7;
        let t = |due_in| section_for(&task(1, 1, due_in), today(), p);
        assert_eq!(t(-1), Some(Section::Overdue));
        assert_eq!(t(0), Some(Section::DueToday));
        assert_eq!(t(1), Some(Section::DueSoon));
        assert_eq!(t(7), Some(Section::DueSoon));
        assert_eq!(t(8), None);
        // due_soon_days = 0: only today and overdue.
        assert_eq!(section_for(&task(1, 1, 1), today(), 0), None);
        assert_eq!(
            section_for(&task(1, 1, 0), today(), 0),
            Some(Section::DueToday)
        );
    }

    #[test]
    fn done_cancelled_and_reported_tasks_are_not_chased() {
        for status in [
            TaskStatus::Completed,
            TaskStatus::ReportedDone,
            TaskStatus::Cancelled,
        ] {
            let mut t = task(1, 1, -30);
            t.status = status;
            t.leader_in_charge_id = Some(10);
            let s = snapshot(vec![t]);
            for kind in DigestKind::ALL {
                assert!(
                    digests(kind, &s, today(), &Calendar::default(), &policy()).is_empty(),
                    "{status:?} {kind:?}"
                );
            }
        }
        let mut t = task(1, 1, -3);
        t.status = TaskStatus::NotStarted;
        assert_eq!(dept_digests(&snapshot(vec![t])).len(), 1);
    }

    #[test]
    fn one_digest_per_department_with_its_own_tasks_in_sections() {
        let s = snapshot(vec![
            task(1, 1, -20),
            task(2, 1, -2),
            task(3, 1, 0),
            task(4, 1, 5),
            task(5, 1, 30), // on track: not mentioned
            task(6, 2, 3),
        ]);
        let out = dept_digests(&s);
        assert_eq!(out.len(), 2);
        let tnmt = out.iter().find(|g| g.recipient.key() == "TNMT").unwrap();
        assert_eq!(tnmt.idempotency_key, "department-digest:TNMT:2026-05-18");
        assert_eq!(tnmt.addresses, vec!["tnmt@x.vn"]);
        let overdue = tnmt.section(Section::Overdue).unwrap();
        assert_eq!(
            overdue.lines.iter().map(|l| l.task_id).collect::<Vec<_>>(),
            vec![1, 2],
            "oldest first"
        );
        assert_eq!(overdue.lines[0].days_overdue, Some(20));
        assert_eq!(
            tnmt.section(Section::DueToday).unwrap().lines[0].days_left,
            Some(0)
        );
        assert_eq!(tnmt.section(Section::DueSoon).unwrap().lines[0].task_id, 4);
        assert_eq!(tnmt.task_ids, vec![1, 2, 3, 4]);
        let tckh = out.iter().find(|g| g.recipient.key() == "TCKH").unwrap();
        assert_eq!(tckh.sections.len(), 1);
        assert_eq!(tckh.task_ids, vec![6]);
    }

    #[test]
    fn a_department_with_nothing_to_report_gets_nothing() {
        let s = snapshot(vec![task(1, 1, 8), task(2, 2, 100)]);
        assert!(dept_digests(&s).is_empty());
    }

    #[test]
    fn recipients_come_from_the_department_and_its_staff_without_duplicates() {
        let mut s = snapshot(vec![task(1, 1, -1)]);
        s.departments[0].staff_emails = vec![
            "b@x.vn".into(),
            " TNMT@x.vn ".into(),
            "a@x.vn".into(),
            "".into(),
        ];
        let out = dept_digests(&s);
        assert_eq!(out[0].addresses, vec!["tnmt@x.vn", "a@x.vn", "b@x.vn"]);
        assert!(out[0].undeliverable.is_none());
    }

    #[test]
    fn a_department_nobody_can_receive_is_reported_with_the_reason() {
        let out = dept_digests(&snapshot(vec![task(1, 3, -1)]));
        assert_eq!(out.len(), 1);
        assert!(out[0].addresses.is_empty());
        assert!(out[0].undeliverable.as_deref().unwrap().contains("XA-A"));

        let mut s = snapshot(vec![task(1, 1, -1)]);
        s.departments[0].active = false;
        let out = dept_digests(&s);
        assert!(out[0].addresses.is_empty());
        assert!(
            out[0]
                .undeliverable
                .as_deref()
                .unwrap()
                .contains("inactive")
        );
    }

    #[test]
    fn escalation_starts_exactly_at_the_threshold() {
        let mut a = task(1, 1, -14);
        a.leader_in_charge_id = Some(10);
        let mut b = task(2, 1, -13);
        b.leader_in_charge_id = Some(10);
        let mut c = task(3, 2, -40);
        c.leader_in_charge_id = Some(10);
        let no_leader = task(4, 1, -100);
        let s = snapshot(vec![a, b, c, no_leader]);
        let out = digests(
            DigestKind::Escalation,
            &s,
            today(),
            &Calendar::default(),
            &policy(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].idempotency_key, "escalation:ct:2026-05-18");
        assert_eq!(out[0].addresses, vec!["ct@x.vn"]);
        assert_eq!(
            out[0].sections[0]
                .lines
                .iter()
                .map(|l| l.task_id)
                .collect::<Vec<_>>(),
            vec![3, 1]
        );
    }

    #[test]
    fn an_escalation_to_a_leader_without_email_is_undeliverable_not_dropped() {
        let mut a = task(1, 1, -30);
        a.leader_in_charge_id = Some(11);
        let out = digests(
            DigestKind::Escalation,
            &snapshot(vec![a]),
            today(),
            &Calendar::default(),
            &policy(),
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].undeliverable.as_deref().unwrap().contains("pct"));
    }

    #[test]
    fn leader_digest_groups_overdue_tasks_by_department_oldest_first() {
        let mut done = task(9, 1, -10);
        done.status = TaskStatus::ReportedDone;
        done.completed_on = Some(today() - chrono::Duration::days(2));
        let s = snapshot(vec![
            task(1, 1, -3),
            task(2, 2, -50),
            task(3, 1, -20),
            task(4, 2, 0),
            task(5, 1, 6),
            done,
        ]);
        let out = digests(
            DigestKind::LeaderDigest,
            &s,
            today(),
            &Calendar::default(),
            &policy(),
        );
        assert_eq!(out.len(), 2, "one per active leader");
        let g = &out[0];
        assert_eq!(g.idempotency_key, "leader-digest:ct:2026-05-18");
        assert_eq!(
            g.groups.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
            vec!["TCKH", "TNMT"]
        );
        assert_eq!(
            g.groups[1]
                .lines
                .iter()
                .map(|l| l.task_id)
                .collect::<Vec<_>>(),
            vec![3, 1]
        );
        let f = g.figures.unwrap();
        assert_eq!(f.overdue, 3);
        assert_eq!(f.escalated, 2);
        assert_eq!(f.newly_overdue, 1);
        assert_eq!(f.done_this_week, 1);
        assert_eq!(f.due_next_week, 2);
        // Nobody to report → nothing.
        let none = digests(
            DigestKind::LeaderDigest,
            &snapshot(vec![task(1, 1, 3)]),
            today(),
            &Calendar::default(),
            &policy(),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn unanswered_explanations_past_their_date_reach_every_leader_digest_under_the_same_key() {
        let mut s = snapshot(vec![task(1, 1, 5)]);
        let escalated = EscalatedExplanation {
            request_id: 7,
            task_id: 1,
            code: "NV-01".into(),
            title: "Nhiệm vụ số 1".into(),
            lead_department_code: "TNMT".into(),
            lead_department_name: "Phòng TNMT".into(),
            question: "Vì sao chậm?".into(),
            answer_by: today() - chrono::Duration::days(2),
            days_overdue: 2,
            requested_by: "Ông ct".into(),
        };
        let leader_digests = |s: &Snapshot| {
            digests(
                DigestKind::LeaderDigest,
                s,
                today(),
                &Calendar::default(),
                &policy(),
            )
        };
        assert!(
            leader_digests(&s).is_empty(),
            "nothing overdue, nothing escalated"
        );
        s.explanations.push(escalated.clone());
        let out = leader_digests(&s);
        assert_eq!(
            out.len(),
            2,
            "one per active leader, even with no overdue task"
        );
        assert_eq!(out[0].idempotency_key, "leader-digest:ct:2026-05-18");
        assert_eq!(out[0].explanations, vec![escalated]);
        assert_eq!(out[0].task_ids, vec![1]);
        assert!(out[0].groups.is_empty());
        // Department digests and escalations do not carry them.
        let dept = dept_digests(&s);
        assert!(dept.iter().all(|d| d.explanations.is_empty()));
    }

    #[test]
    fn keys_depend_on_kind_recipient_and_date_only() {
        assert_eq!(
            idempotency_key(DigestKind::DepartmentDigest, "VP", d(2026, 1, 5)),
            "department-digest:VP:2026-01-05"
        );
        let s = snapshot(vec![task(1, 1, -1)]);
        let again = snapshot(vec![task(1, 1, -1), task(2, 1, -5)]);
        assert_eq!(
            dept_digests(&s)[0].idempotency_key,
            dept_digests(&again)[0].idempotency_key
        );
    }
}
