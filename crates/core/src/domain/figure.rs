//! Where one task stands on a day, and which figures it counts in. Pure.
//!
//! Every figure is defined once, here, as a predicate on a task's standing
//! ([`Figure::matches`]). Counting a figure and listing its tasks use the
//! same predicate, so a number and the list behind it can never disagree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    TaskStatus, Timeliness,
    facts::TaskFacts,
    timeliness::{Deadline, TimelinessInfo, timeliness},
};

/// A task as it stood at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: TaskStatus,
    /// `None` for cancelled tasks.
    pub timeliness: Option<TimelinessInfo>,
    /// Its deadline had been moved later than the programme's.
    pub extended: bool,
}

/// The standing of `facts` on `day`.
pub fn standing(facts: &TaskFacts, day: NaiveDate, due_soon_days: u32) -> Standing {
    standing_of(
        facts.status,
        facts.deadline(),
        facts.completed_on,
        day,
        due_soon_days,
    )
}

/// [`standing`] from the three facts it depends on (for readers that keep
/// facts in another shape, such as the in-memory fact store).
pub fn standing_of(
    status: TaskStatus,
    deadline: Deadline,
    completed_on: Option<NaiveDate>,
    day: NaiveDate,
    due_soon_days: u32,
) -> Standing {
    Standing {
        status,
        timeliness: timeliness(status, deadline, completed_on, day, due_soon_days),
        extended: deadline.is_extended(),
    }
}

/// Where a task stands, reduced to what figures tell apart: its status, its
/// timeliness, how long overdue (30 / 60 / 120 days) and whether extended.
/// Counting classes and expanding them into figures afterwards gives the
/// same numbers as counting every figure for every task (a test checks),
/// at a fraction of the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class(u16);

const STATUS_CODES: [TaskStatus; 5] = [
    TaskStatus::NotStarted,
    TaskStatus::InProgress,
    TaskStatus::ReportedDone,
    TaskStatus::Completed,
    TaskStatus::Cancelled,
];

/// The most overdue days each age bucket stands for (one more than its limit).
const AGE_REPRESENTATIVES: [i64; 4] = [1, 31, 61, 121];

impl Class {
    /// How many classes there are (status × timeliness × age × extended).
    pub const COUNT: usize = 5 * 7 * 4 * 2;

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// A standing of this class: every figure holds for it exactly when it
    /// holds for every standing of the class.
    pub fn representative(self) -> Standing {
        let n = usize::from(self.0);
        let extended = n % 2 == 1;
        let age = (n / 2) % 4;
        let kind = (n / 8) % 7;
        let status = STATUS_CODES[(n / 56) % 5];
        let timeliness = (kind > 0).then(|| {
            let t = Timeliness::ALL[kind - 1];
            TimelinessInfo {
                timeliness: t,
                days_overdue: (t == Timeliness::Overdue).then_some(AGE_REPRESENTATIVES[age]),
                days_left: None,
                days_late: None,
            }
        });
        Standing {
            status,
            timeliness,
            extended,
        }
    }

    pub fn all() -> impl Iterator<Item = Class> {
        (0..Self::COUNT as u16).map(Class)
    }
}

impl Standing {
    pub fn class(&self) -> Class {
        let status = STATUS_CODES
            .iter()
            .position(|s| *s == self.status)
            .unwrap_or(0);
        let kind = self
            .timeliness
            .and_then(|i| Timeliness::ALL.iter().position(|t| *t == i.timeliness))
            .map_or(0, |k| k + 1);
        let age = match self.timeliness.and_then(|i| i.days_overdue) {
            Some(d) if d > 120 => 3,
            Some(d) if d > 60 => 2,
            Some(d) if d > 30 => 1,
            _ => 0,
        };
        Class((((status * 7 + kind) * 4 + age) * 2 + usize::from(self.extended)) as u16)
    }

    fn is(&self, t: Timeliness) -> bool {
        self.timeliness.is_some_and(|i| i.timeliness == t)
    }

    fn overdue_more_than(&self, days: i64) -> bool {
        self.timeliness
            .and_then(|i| i.days_overdue)
            .is_some_and(|d| d > days)
    }
}

macro_rules! figures {
    ($( $(#[doc = $doc:literal])* $variant:ident => $code:literal, |$s:ident| $rule:expr; )+) => {
        /// A figure: a count of tasks with one meaning. Its code is the name of
        /// the field in `reports::figures::Figures` and the value of the task list's
        /// `figure` filter.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Figure {
            $( $(#[doc = $doc])* $variant, )+
        }

        /// Labels are the Fluent messages `figure-<code>`.
        impl crate::messages::Label for Figure {
            const PREFIX: &'static str = "figure";
            const ALL: &'static [Self] = Figure::ALL;

            fn code(self) -> &'static str {
                self.as_str()
            }
        }

        impl Figure {
            pub const ALL: &'static [Figure] = &[$(Figure::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Figure::$variant => $code),+ }
            }

            /// Whether a task with this standing counts in the figure.
            pub fn matches(self, standing: &Standing) -> bool {
                match self { $(Figure::$variant => { let $s = standing; $rule }),+ }
            }
        }
    };
}

figures! {
    /// Every task in scope, cancelled ones included.
    Total => "total", |_s| true;
    /// Tasks that count towards the rate: all but the cancelled.
    Counted => "counted", |s| s.status != TaskStatus::Cancelled;
    /// Cancelled (điều chỉnh, không tiếp tục thực hiện).
    Cancelled => "cancelled", |s| s.status == TaskStatus::Cancelled;
    /// Reported done or confirmed: on time + on time after extension + late.
    Completed => "completed", |s| s.status.is_done();
    /// Done by the programme's (original) deadline.
    CompletedOnTime => "completed_on_time", |s| s.is(Timeliness::CompletedOnTime);
    /// Done after the original deadline, by the extended one.
    CompletedOnTimeAfterExtension => "completed_on_time_after_extension", |s| s.is(Timeliness::CompletedOnTimeAfterExtension);
    /// Done after the deadline in force.
    CompletedLate => "completed_late", |s| s.is(Timeliness::CompletedLate);
    /// Of the done: reported, not yet confirmed by a leader.
    AwaitingConfirmation => "awaiting_confirmation", |s| s.status == TaskStatus::ReportedDone;
    /// Not done and not cancelled: not started + in progress.
    Open => "open", |s| s.status.is_open();
    /// Open, work not started (chưa triển khai).
    NotStarted => "not_started", |s| s.status == TaskStatus::NotStarted;
    /// Open, work under way (đang thực hiện).
    InProgress => "in_progress", |s| s.status == TaskStatus::InProgress;
    /// Open and past the deadline in force.
    Overdue => "overdue", |s| s.is(Timeliness::Overdue);
    /// Overdue by more than 30 days.
    OverdueOver30Days => "overdue_over_30_days", |s| s.overdue_more_than(30);
    /// Overdue by more than 60 days.
    OverdueOver60Days => "overdue_over_60_days", |s| s.overdue_more_than(60);
    /// Overdue by more than 120 days.
    OverdueOver120Days => "overdue_over_120_days", |s| s.overdue_more_than(120);
    /// Open, due today or within the due-soon window.
    DueSoon => "due_soon", |s| s.is(Timeliness::DueSoon);
    /// Open, due later than the due-soon window.
    OnTrack => "on_track", |s| s.is(Timeliness::OnTrack);
    /// Tasks whose deadline was extended (any status).
    Extended => "extended", |s| s.extended;
}

impl Figure {
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == text.trim())
    }

    /// The tasks that can possibly be in this figure on `day`, described so
    /// a database can skip the rest (open tasks by due date are indexed).
    /// Only a narrowing for speed: [`Figure::matches`] still decides.
    pub fn candidates(self, day: NaiveDate, due_soon_days: u32) -> Option<Candidates> {
        let soon_end = day
            .checked_add_days(chrono::Days::new(u64::from(due_soon_days)))
            .unwrap_or(day);
        let before = |days: u64| day.checked_sub_days(chrono::Days::new(days));
        let open = |due_before: Option<NaiveDate>, due_after: Option<NaiveDate>| {
            Some(Candidates {
                statuses: &TaskStatus::OPEN,
                due_before,
                due_after,
            })
        };
        match self {
            Figure::Overdue => open(Some(day), None),
            Figure::OverdueOver30Days => open(before(30), None),
            Figure::OverdueOver60Days => open(before(60), None),
            Figure::OverdueOver120Days => open(before(120), None),
            Figure::DueSoon => open(soon_end.succ_opt(), day.pred_opt()),
            Figure::OnTrack => open(None, Some(soon_end)),
            Figure::Open | Figure::NotStarted | Figure::InProgress => open(None, None),
            Figure::Completed
            | Figure::CompletedOnTime
            | Figure::CompletedOnTimeAfterExtension
            | Figure::CompletedLate
            | Figure::AwaitingConfirmation => Some(Candidates {
                statuses: &TaskStatus::DONE,
                due_before: None,
                due_after: None,
            }),
            Figure::Total | Figure::Counted | Figure::Cancelled | Figure::Extended => None,
        }
    }
}

/// A superset of a figure's tasks: statuses, and a due date strictly before
/// / after a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates {
    pub statuses: &'static [TaskStatus],
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts(status: TaskStatus, due: NaiveDate, original: NaiveDate) -> TaskFacts {
        TaskFacts {
            task_id: 1,
            programme_id: 1,
            lead_department_id: 1,
            field_code: "finance".into(),
            leader_in_charge_id: None,
            status,
            progress: 0,
            due_date: due,
            original_due_date: original,
            reported_on: None,
            completed_on: None,
            declared_completed_on: None,
        }
    }

    fn counted_in(s: &Standing) -> Vec<Figure> {
        Figure::ALL
            .iter()
            .copied()
            .filter(|f| f.matches(s))
            .collect()
    }

    #[test]
    fn the_done_figures_partition_the_done_tasks() {
        let june = d(2026, 6, 30);
        for (done_on, due, original, expected) in [
            (june, june, june, Figure::CompletedOnTime),
            (
                d(2026, 7, 5),
                d(2026, 7, 31),
                june,
                Figure::CompletedOnTimeAfterExtension,
            ),
            (d(2026, 7, 1), june, june, Figure::CompletedLate),
        ] {
            let mut f = facts(TaskStatus::Completed, due, original);
            f.completed_on = Some(done_on);
            let s = standing(&f, d(2026, 12, 31), 7);
            let done: Vec<Figure> = counted_in(&s)
                .into_iter()
                .filter(|f| {
                    matches!(
                        f,
                        Figure::CompletedOnTime
                            | Figure::CompletedOnTimeAfterExtension
                            | Figure::CompletedLate
                    )
                })
                .collect();
            assert_eq!(done, vec![expected], "{done_on}");
            assert!(Figure::Completed.matches(&s));
            assert!(!Figure::Open.matches(&s));
        }
    }

    #[test]
    fn open_tasks_are_not_started_or_in_progress_and_one_timeliness() {
        for status in [TaskStatus::NotStarted, TaskStatus::InProgress] {
            let s = standing(
                &facts(status, d(2026, 1, 31), d(2026, 1, 31)),
                d(2026, 6, 1),
                7,
            );
            let figures = counted_in(&s);
            assert!(figures.contains(&Figure::Open));
            assert_eq!(
                figures.contains(&Figure::NotStarted),
                status == TaskStatus::NotStarted
            );
            assert!(figures.contains(&Figure::Overdue));
            assert!(figures.contains(&Figure::OverdueOver120Days));
            assert!(!figures.contains(&Figure::DueSoon));
        }
    }

    #[test]
    fn cancelled_tasks_count_in_the_total_only() {
        let s = standing(
            &facts(TaskStatus::Cancelled, d(2026, 1, 31), d(2026, 1, 31)),
            d(2026, 6, 1),
            7,
        );
        assert_eq!(counted_in(&s), vec![Figure::Total, Figure::Cancelled]);
    }

    #[test]
    fn candidates_never_leave_out_a_task_of_the_figure() {
        let day = d(2026, 6, 15);
        for status in [
            TaskStatus::NotStarted,
            TaskStatus::InProgress,
            TaskStatus::ReportedDone,
            TaskStatus::Completed,
            TaskStatus::Cancelled,
        ] {
            for offset in -200..200 {
                let due = day + chrono::Duration::days(offset);
                let mut f = facts(status, due, due);
                if status.is_done() {
                    f.completed_on = Some(due + chrono::Duration::days(offset % 3));
                }
                let s = standing(&f, day, 7);
                for figure in Figure::ALL {
                    let Some(c) = figure.candidates(day, 7) else {
                        continue;
                    };
                    if figure.matches(&s) {
                        assert!(c.statuses.contains(&status), "{figure:?} {status:?}");
                        assert!(c.due_before.is_none_or(|b| due < b), "{figure:?} {due}");
                        assert!(c.due_after.is_none_or(|a| due > a), "{figure:?} {due}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_class_stands_for_every_standing_in_it() {
        let day = d(2026, 6, 15);
        for status in STATUS_CODES {
            for offset in -200..60 {
                for extend in [0, 20] {
                    let due = day + chrono::Duration::days(offset);
                    let mut f = facts(status, due + chrono::Duration::days(extend), due);
                    if status.is_done() {
                        f.completed_on = Some(due + chrono::Duration::days(offset % 25));
                    }
                    let s = standing(&f, day, 7);
                    let rep = s.class().representative();
                    for figure in Figure::ALL {
                        assert_eq!(figure.matches(&rep), figure.matches(&s), "{figure:?} {s:?}");
                    }
                    assert_eq!(rep.class(), s.class());
                }
            }
        }
    }

    #[test]
    fn codes_round_trip() {
        for f in Figure::ALL {
            assert_eq!(Figure::parse(f.as_str()), Some(*f));
        }
    }
}
