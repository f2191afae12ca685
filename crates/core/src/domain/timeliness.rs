//! Timeliness: derived, never stored. A pure function of a task's status and
//! dates and of *today* in the office's time zone — the categories of
//! Vietnamese follow-up reports (đúng hạn / quá hạn / chưa đến hạn …).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::TaskStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Done by the original due date.
    CompletedOnTime,
    /// Done after the original due date but by the extended one: reported
    /// apart everywhere, so an extension never hides lateness.
    CompletedOnTimeAfterExtension,
    CompletedLate,
    Overdue,
    DueSoon,
    OnTrack,
}

impl Timeliness {
    pub const ALL: [Timeliness; 6] = [
        Timeliness::Overdue,
        Timeliness::DueSoon,
        Timeliness::OnTrack,
        Timeliness::CompletedOnTime,
        Timeliness::CompletedOnTimeAfterExtension,
        Timeliness::CompletedLate,
    ];

    /// Done (reported or confirmed), whichever way.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            Timeliness::CompletedOnTime
                | Timeliness::CompletedOnTimeAfterExtension
                | Timeliness::CompletedLate
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::CompletedOnTime => "completed_on_time",
            Timeliness::CompletedOnTimeAfterExtension => "completed_on_time_after_extension",
            Timeliness::CompletedLate => "completed_late",
            Timeliness::Overdue => "overdue",
            Timeliness::DueSoon => "due_soon",
            Timeliness::OnTrack => "on_track",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }
}

impl std::fmt::Display for Timeliness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Timeliness with the day counts that go with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelinessInfo {
    pub timeliness: Timeliness,
    /// Overdue tasks: `today - due_date` (≥ 1).
    pub days_overdue: Option<i64>,
    /// Open tasks not yet overdue: `due_date - today` (0 = due today).
    pub days_left: Option<i64>,
    /// Tasks done late: `completed_on - due_date` (≥ 1).
    pub days_late: Option<i64>,
}

/// A task's deadline: the one in force and the one the programme committed
/// to. They differ once an extension moved the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub due: NaiveDate,
    pub original: NaiveDate,
}

impl Deadline {
    /// A deadline never moved.
    pub fn fixed(due: NaiveDate) -> Self {
        Self { due, original: due }
    }

    pub fn is_extended(self) -> bool {
        self.due > self.original
    }
}

/// The timeliness of a task on `today`. Cancelled tasks have none.
///
/// A task reported done counts as done on the day that counts
/// (`completed_on`: the day the department reported it, or an earlier day a
/// leader accepted), so a late confirmation by a leader never makes it late.
/// Done after the original deadline but by an extended one is its own
/// category. A done task without a completion date is judged by its due
/// date, i.e. on time — the domain never stores one, but the rule must not
/// panic.
pub fn timeliness(
    status: TaskStatus,
    deadline: Deadline,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
    due_soon_days: u32,
) -> Option<TimelinessInfo> {
    let due_date = deadline.due;
    let info = |timeliness, days_overdue, days_left, days_late| TimelinessInfo {
        timeliness,
        days_overdue,
        days_left,
        days_late,
    };
    match status {
        TaskStatus::Cancelled => None,
        TaskStatus::ReportedDone | TaskStatus::Completed => {
            let done_on = completed_on.unwrap_or(due_date);
            let late_by = (done_on - due_date).num_days();
            Some(if late_by > 0 {
                info(Timeliness::CompletedLate, None, None, Some(late_by))
            } else if done_on > deadline.original {
                info(Timeliness::CompletedOnTimeAfterExtension, None, None, None)
            } else {
                info(Timeliness::CompletedOnTime, None, None, None)
            })
        }
        TaskStatus::NotStarted | TaskStatus::InProgress => {
            let left = (due_date - today).num_days();
            Some(if left < 0 {
                info(Timeliness::Overdue, Some(-left), None, None)
            } else if left <= i64::from(due_soon_days) {
                info(Timeliness::DueSoon, None, Some(left), None)
            } else {
                info(Timeliness::OnTrack, None, Some(left), None)
            })
        }
    }
}

/// Overdue age buckets used by lists and reports (> 30, > 60, > 120 days).
pub fn overdue_age_bucket(days_overdue: i64) -> Option<u32> {
    [120, 60, 30]
        .into_iter()
        .find(|&limit| days_overdue > i64::from(limit))
}

impl crate::messages::Label for Timeliness {
    const PREFIX: &'static str = "timeliness";
    const ALL: &'static [Self] = &Timeliness::ALL;

    fn code(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 25);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    fn of(status: TaskStatus, due: NaiveDate, done: Option<NaiveDate>) -> Option<TimelinessInfo> {
        timeliness(status, Deadline::fixed(due), done, today(), 7)
    }

    #[test]
    fn done_after_the_original_deadline_but_by_the_extended_one_is_its_own_category() {
        let deadline = Deadline {
            due: d(2026, 7, 31),
            original: d(2026, 6, 30),
        };
        let judge = |done| {
            timeliness(Completed, deadline, Some(done), today(), 7)
                .unwrap()
                .timeliness
        };
        assert_eq!(judge(d(2026, 6, 30)), Timeliness::CompletedOnTime);
        assert_eq!(
            judge(d(2026, 7, 1)),
            Timeliness::CompletedOnTimeAfterExtension
        );
        assert_eq!(
            judge(d(2026, 7, 31)),
            Timeliness::CompletedOnTimeAfterExtension
        );
        assert_eq!(judge(d(2026, 8, 1)), Timeliness::CompletedLate);
        // A deadline brought forward: late against the one in force.
        let earlier = Deadline {
            due: d(2026, 6, 15),
            original: d(2026, 6, 30),
        };
        let t = timeliness(Completed, earlier, Some(d(2026, 6, 20)), today(), 7).unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedLate);
        assert_eq!(t.days_late, Some(5));
    }

    #[test]
    fn due_today_is_due_soon_with_zero_days_left_not_overdue() {
        let t = of(InProgress, today(), None).unwrap();
        assert_eq!(t.timeliness, Timeliness::DueSoon);
        assert_eq!(t.days_left, Some(0));
        assert_eq!(t.days_overdue, None);
    }

    #[test]
    fn due_yesterday_is_one_day_overdue() {
        let t = of(NotStarted, d(2026, 11, 24), None).unwrap();
        assert_eq!(t.timeliness, Timeliness::Overdue);
        assert_eq!(t.days_overdue, Some(1));
    }

    #[test]
    fn due_soon_window_is_inclusive_of_its_last_day() {
        assert_eq!(
            of(InProgress, d(2026, 12, 2), None).unwrap().timeliness,
            Timeliness::DueSoon
        );
        let t = of(InProgress, d(2026, 12, 3), None).unwrap();
        assert_eq!(t.timeliness, Timeliness::OnTrack);
        assert_eq!(t.days_left, Some(8));
    }

    #[test]
    fn a_zero_day_window_makes_only_today_due_soon() {
        let t = timeliness(
            InProgress,
            Deadline::fixed(d(2026, 11, 26)),
            None,
            today(),
            0,
        )
        .unwrap();
        assert_eq!(t.timeliness, Timeliness::OnTrack);
        let t = timeliness(InProgress, Deadline::fixed(today()), None, today(), 0).unwrap();
        assert_eq!(t.timeliness, Timeliness::DueSoon);
    }

    #[test]
    fn completed_on_the_due_date_is_on_time() {
        let due = d(2026, 6, 30);
        let t = of(Completed, due, Some(due)).unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedOnTime);
        assert_eq!(t.days_late, None);
    }

    #[test]
    fn completed_a_day_late_is_late_by_one() {
        let t = of(Completed, d(2026, 6, 30), Some(d(2026, 7, 1))).unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedLate);
        assert_eq!(t.days_late, Some(1));
    }

    #[test]
    fn reported_done_counts_as_done_by_its_report_date() {
        let t = of(ReportedDone, d(2026, 11, 20), Some(d(2026, 11, 19))).unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedOnTime);
        let t = of(ReportedDone, d(2026, 11, 20), Some(d(2026, 11, 22))).unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedLate);
    }

    #[test]
    fn done_tasks_do_not_become_overdue_as_time_passes() {
        let t = timeliness(
            Completed,
            Deadline::fixed(d(2020, 1, 1)),
            Some(d(2019, 12, 31)),
            d(2030, 1, 1),
            7,
        )
        .unwrap();
        assert_eq!(t.timeliness, Timeliness::CompletedOnTime);
    }

    #[test]
    fn cancelled_tasks_have_no_timeliness() {
        assert_eq!(of(Cancelled, d(2026, 1, 1), None), None);
        assert_eq!(of(Cancelled, d(2027, 1, 1), None), None);
    }

    #[test]
    fn done_without_a_date_is_judged_on_time_instead_of_panicking() {
        assert_eq!(
            of(Completed, d(2026, 1, 1), None).unwrap().timeliness,
            Timeliness::CompletedOnTime
        );
    }

    #[test]
    fn overdue_across_a_year_boundary_counts_calendar_days() {
        let t = timeliness(
            InProgress,
            Deadline::fixed(d(2025, 12, 31)),
            None,
            d(2026, 1, 2),
            7,
        )
        .unwrap();
        assert_eq!(t.days_overdue, Some(2));
    }

    #[test]
    fn time_zone_edge_at_2330_and_0030_vietnam_time() {
        use crate::clock::Clock;
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let due = d(2026, 3, 10);
        // 23:30 on the due date in Vietnam (16:30 UTC): still due today.
        let (clock, handle) = Clock::manual(
            tz,
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 10, 16, 30, 0)
                .unwrap(),
        );
        let t = timeliness(InProgress, Deadline::fixed(due), None, clock.today(), 7).unwrap();
        assert_eq!(t.timeliness, Timeliness::DueSoon);
        assert_eq!(t.days_left, Some(0));
        // 00:30 the next day in Vietnam (17:30 UTC, still the 10th in UTC): overdue by one.
        handle.set(
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 10, 17, 30, 0)
                .unwrap(),
        );
        let t = timeliness(InProgress, Deadline::fixed(due), None, clock.today(), 7).unwrap();
        assert_eq!(t.timeliness, Timeliness::Overdue);
        assert_eq!(t.days_overdue, Some(1));
    }

    #[test]
    fn age_buckets_are_strictly_greater_than() {
        assert_eq!(overdue_age_bucket(30), None);
        assert_eq!(overdue_age_bucket(31), Some(30));
        assert_eq!(overdue_age_bucket(60), Some(30));
        assert_eq!(overdue_age_bucket(61), Some(60));
        assert_eq!(overdue_age_bucket(121), Some(120));
    }
}
