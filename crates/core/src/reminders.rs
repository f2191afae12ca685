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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::{
    config::{CalendarSettings, PolicySettings},
    domain::{Role, TaskStatus},
    entity::{department, task, user},
    error::Result,
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

/// Working days: Monday to Friday, except public holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
}

/// Why a day is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff {
    Weekend,
    Holiday,
}

impl DayOff {
    pub fn describe(self) -> &'static str {
        match self {
            DayOff::Weekend => "cuối tuần / weekend",
            DayOff::Holiday => "ngày nghỉ lễ / public holiday",
        }
    }
}

impl Calendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn from_settings(settings: &CalendarSettings) -> Self {
        Self::new(settings.holidays.iter().copied())
    }

    /// `None` on a working day, else why not.
    pub fn day_off(&self, day: NaiveDate) -> Option<DayOff> {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            Some(DayOff::Weekend)
        } else if self.holidays.contains(&day) {
            Some(DayOff::Holiday)
        } else {
            None
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.day_off(day).is_none()
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

/// A department as it is assigned *now*: its notification address and the
/// addresses of its active staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentContact {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub email: Option<String>,
    pub staff_emails: Vec<String>,
}

/// A leader (lãnh đạo) as the user table says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderContact {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub position: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Role `leader` (only those get the weekly digest; an escalation goes to
    /// whoever is the task's leader in charge).
    pub is_leader: bool,
}

/// A request for explanation (yêu cầu giải trình) still unanswered after
/// its answer-by date: it escalates into the leaders' digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalatedExplanation {
    pub request_id: i64,
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub lead_department_code: String,
    pub lead_department_name: String,
    pub question: String,
    pub answer_by: NaiveDate,
    /// Days since the answer-by date.
    pub days_overdue: i64,
    /// Full name of who asked.
    pub requested_by: String,
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

/// Who a digest is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recipient {
    Department {
        id: i64,
        code: String,
        name: String,
    },
    Leader {
        id: i64,
        username: String,
        full_name: String,
        position: Option<String>,
    },
}

impl Recipient {
    /// The stable part of the idempotency key: department code or username.
    pub fn key(&self) -> &str {
        match self {
            Recipient::Department { code, .. } => code,
            Recipient::Leader { username, .. } => username,
        }
    }

    pub fn display_name(&self) -> &str {
        match self {
            Recipient::Department { name, .. } => name,
            Recipient::Leader { full_name, .. } => full_name,
        }
    }

    pub fn department_id(&self) -> Option<i64> {
        match self {
            Recipient::Department { id, .. } => Some(*id),
            Recipient::Leader { .. } => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Recipient::Leader { id, .. } => Some(*id),
            Recipient::Department { .. } => None,
        }
    }
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

/// Where an open task stands for a department digest, if it is reported at all.
pub fn section_for(task: &ReminderTask, today: NaiveDate, due_soon_days: u32) -> Option<Section> {
    if !is_chased(task.status) {
        return None;
    }
    let left = (task.due_date - today).num_days();
    if left < 0 {
        Some(Section::Overdue)
    } else if left == 0 {
        Some(Section::DueToday)
    } else if left <= i64::from(due_soon_days) {
        Some(Section::DueSoon)
    } else {
        None
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

/// Trims, drops empties and duplicates (case-insensitively), keeps first-seen order.
pub fn clean_addresses<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for raw in candidates {
        let address = raw.trim();
        if address.is_empty() {
            continue;
        }
        if seen.insert(address.to_lowercase()) {
            out.push(address.to_string());
        }
    }
    out
}

/// The department's notification address, then its active staff (sorted).
pub fn department_addresses(department: &DepartmentContact) -> Vec<String> {
    let mut staff: Vec<&str> = department.staff_emails.iter().map(String::as_str).collect();
    staff.sort_unstable();
    clean_addresses(department.email.as_deref().into_iter().chain(staff))
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

fn leader_recipient(leader: &LeaderContact) -> (Recipient, Vec<String>, Option<String>) {
    let recipient = Recipient::Leader {
        id: leader.id,
        username: leader.username.clone(),
        full_name: leader.full_name.clone(),
        position: leader.position.clone(),
    };
    if !leader.active {
        return (
            recipient,
            Vec::new(),
            Some(format!(
                "Tài khoản {} đã bị khóa / account {} is deactivated",
                leader.username, leader.username
            )),
        );
    }
    let addresses = clean_addresses(leader.email.as_deref());
    let reason = addresses.is_empty().then(|| {
        format!(
            "Tài khoản {} chưa có địa chỉ email / account {} has no email address",
            leader.username, leader.username
        )
    });
    (recipient, addresses, reason)
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

/// What a job run did, for the pages and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JobRunSummary {
    /// department-digest, escalation, leader-digest (or deliver).
    pub job: String,
    /// The day the digests were built for.
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// Digests due that day.
    pub digests: usize,
    /// Newly put in the outbox (0 on a rerun).
    pub enqueued: u32,
    /// Already in the outbox from an earlier run.
    pub already_present: u32,
    /// Recorded as failed because nobody can receive them.
    pub undeliverable: usize,
    /// One line for people.
    pub message: String,
}

/// Runs a reminder job by name, now. For callers that cannot depend on the
/// scheduler crate (the web pages): the binary hands them the scheduler's
/// implementation. Idempotent, like `dondoc jobs run`.
pub trait JobRunner: Send + Sync {
    fn run_job<'a>(
        &'a self,
        job: &'a str,
        date: Option<NaiveDate>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<JobRunSummary>> + Send + 'a>>;
}

/// Reads what the policy needs, as of now: open tasks (and those done in the
/// past week, for the leader digest's figures), their reminder documents,
/// every department with its active staff's addresses, and every leader or
/// leader in charge.
pub async fn snapshot<C: ConnectionTrait>(db: &C, today: NaiveDate) -> Result<Snapshot> {
    snapshot_within(db, today, None).await
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct SnapshotTask {
    id: i64,
    code: String,
    title: String,
    status: TaskStatus,
    due_date: NaiveDate,
    completed_on: Option<NaiveDate>,
    lead_department_id: i64,
    leader_in_charge_id: Option<i64>,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct ReminderRow {
    task_id: i64,
    number: String,
    issued_on: NaiveDate,
}

/// [`snapshot`], leaving out open tasks due more than `horizon_days` after
/// `today`: no digest mentions them (the department digest looks
/// `due_soon_days` ahead, the leader digest's figures six days), and at
/// national scale they are most of the open tasks. Every read is an index
/// range: open tasks by due date, recently done ones by completion date,
/// and the reminder links of exactly those open tasks in one join.
pub async fn snapshot_within<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
    horizon_days: Option<u32>,
) -> Result<Snapshot> {
    use crate::tasks::query::{DONE_SQL, OPEN_SQL};
    use sea_orm::{FromQueryResult, sea_query::Expr};

    let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
    let until = horizon_days.map(|days| {
        today
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(today)
    });
    // Only the columns the policy reads: at national scale this is a few
    // hundred thousand rows, and every column decoded costs.
    let columns = [
        task::Column::Id,
        task::Column::Code,
        task::Column::Title,
        task::Column::Status,
        task::Column::DueDate,
        task::Column::CompletedOn,
        task::Column::LeadDepartmentId,
        task::Column::LeaderInChargeId,
    ];
    let mut open = task::Entity::find()
        .select_only()
        .columns(columns)
        .filter(Expr::cust(OPEN_SQL));
    if let Some(until) = until {
        open = open.filter(task::Column::DueDate.lte(until));
    }
    let mut tasks = open.into_model::<SnapshotTask>().all(db).await?;
    tasks.extend(
        task::Entity::find()
            .select_only()
            .columns(columns)
            .filter(Expr::cust(DONE_SQL))
            .filter(task::Column::CompletedOn.gte(week_ago))
            .into_model::<SnapshotTask>()
            .all(db)
            .await?,
    );
    tasks.sort_by_key(|t| t.id);

    // Only open tasks appear in a digest line; only they need their reminders.
    let (horizon_sql, values) = match until {
        Some(until) => (
            " AND tasks.due_date <= ?",
            vec![sea_orm::Value::from(until)],
        ),
        None => ("", Vec::new()),
    };
    let sql = format!(
        "SELECT dt.task_id AS task_id, d.number AS number, d.issued_on AS issued_on \
         FROM tasks JOIN document_tasks dt ON dt.relation = 'reminds' AND dt.task_id = tasks.id \
         JOIN documents d ON d.id = dt.document_id \
         WHERE {OPEN_SQL}{horizon_sql}"
    );
    let mut reminders: HashMap<i64, Vec<IssuedReminder>> = HashMap::new();
    for row in ReminderRow::find_by_statement(crate::db::statement(db, &sql, values))
        .all(db)
        .await?
    {
        reminders
            .entry(row.task_id)
            .or_default()
            .push(IssuedReminder {
                number: row.number,
                issued_on: row.issued_on,
            });
    }
    for list in reminders.values_mut() {
        list.sort_by(|a, b| {
            a.issued_on
                .cmp(&b.issued_on)
                .then_with(|| a.number.cmp(&b.number))
        });
    }

    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let mut staff_emails: HashMap<i64, Vec<String>> = HashMap::new();
    for u in users.iter().filter(|u| u.active && u.role == Role::Staff) {
        if let (Some(department_id), Some(email)) = (u.department_id, u.email.as_deref())
            && !email.trim().is_empty()
        {
            staff_emails
                .entry(department_id)
                .or_default()
                .push(email.trim().to_string());
        }
    }
    let departments = department::Entity::find()
        .order_by_asc(department::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DepartmentContact {
            staff_emails: staff_emails.remove(&d.id).unwrap_or_default(),
            id: d.id,
            code: d.code,
            name: d.name,
            active: d.active,
            email: d.email.filter(|e| !e.trim().is_empty()),
        })
        .collect();

    let in_charge: BTreeSet<i64> = tasks.iter().filter_map(|t| t.leader_in_charge_id).collect();
    let leaders = users
        .iter()
        .filter(|u| u.role == Role::Leader || in_charge.contains(&u.id))
        .map(|u| LeaderContact {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            position: u.position.clone(),
            email: u.email.clone().filter(|e| !e.trim().is_empty()),
            active: u.active,
            is_leader: u.role == Role::Leader,
        })
        .collect();

    let tasks = tasks
        .into_iter()
        .map(|t| ReminderTask {
            reminder_documents: reminders.remove(&t.id).unwrap_or_default(),
            id: t.id,
            code: t.code,
            title: t.title,
            status: t.status,
            due_date: t.due_date,
            completed_on: t.completed_on,
            lead_department_id: t.lead_department_id,
            leader_in_charge_id: t.leader_in_charge_id,
        })
        .collect();
    let explanations = crate::explanations::escalated(db, today).await?;
    Ok(Snapshot {
        tasks,
        departments,
        leaders,
        explanations,
    })
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
    fn weekends_and_holidays_are_not_working_days() {
        let cal = Calendar::new([d(2026, 9, 2)]);
        assert!(cal.is_working_day(d(2026, 9, 1)));
        assert_eq!(cal.day_off(d(2026, 9, 2)), Some(DayOff::Holiday));
        assert_eq!(cal.day_off(d(2026, 9, 5)), Some(DayOff::Weekend));
        assert_eq!(cal.day_off(d(2026, 9, 6)), Some(DayOff::Weekend));
        assert!(cal.is_working_day(d(2026, 9, 7)));
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
