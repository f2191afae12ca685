//! The one source of "now" and "today". Rules never read the system clock;
//! they receive a date from here, so every boundary is testable.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;

#[derive(Clone, Debug)]
pub struct Clock {
    tz: Tz,
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    /// The real clock.
    System,
    /// *Today* is pinned (`clock.today` in config, for demos and tests); now
    /// is the real time moved onto that day (see [`Clock::now`]).
    PinnedToday(NaiveDate),
    /// A clock tests move by hand.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn system(tz: Tz) -> Self {
        Self {
            tz,
            source: Source::System,
        }
    }

    pub fn pinned_today(tz: Tz, today: NaiveDate) -> Self {
        Self {
            tz,
            source: Source::PinnedToday(today),
        }
    }

    /// A clock that only moves when the returned handle says so.
    pub fn manual(tz: Tz, now: DateTime<Utc>) -> (Self, ManualClock) {
        let cell = Arc::new(Mutex::new(now));
        (
            Self {
                tz,
                source: Source::Manual(cell.clone()),
            },
            ManualClock(cell),
        )
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Now, in UTC, truncated to milliseconds so every stored timestamp has
    /// the same textual width on SQLite (and therefore sorts correctly).
    ///
    /// With a pinned day, now is the real time shifted by whole days so that
    /// it falls on the pinned day: what is recorded "now" then belongs to
    /// *today*, as the figures and the register expect. The shift is fixed
    /// per process at first use, so time never runs backwards within a
    /// process (past local midnight it simply runs on into the next day).
    pub fn now(&self) -> DateTime<Utc> {
        let now = match &self.source {
            Source::System => Utc::now(),
            Source::PinnedToday(day) => {
                let real = Utc::now();
                real + pinned_shift(*day, real.with_timezone(&self.tz).date_naive())
            }
            Source::Manual(cell) => *cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
        now.trunc_subsecs(3)
    }

    /// Today's date in the office's time zone.
    pub fn today(&self) -> NaiveDate {
        match &self.source {
            Source::PinnedToday(day) => *day,
            _ => self.now().with_timezone(&self.tz).date_naive(),
        }
    }
}

/// The whole days between the real date and the pinned one, computed once
/// per process and pinned day.
fn pinned_shift(day: NaiveDate, real_today: NaiveDate) -> chrono::Duration {
    static SHIFTS: Mutex<Vec<(NaiveDate, chrono::Duration)>> = Mutex::new(Vec::new());
    let mut shifts = SHIFTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, shift)) = shifts.iter().find(|(d, _)| *d == day) {
        return *shift;
    }
    let shift = chrono::Duration::days((day - real_today).num_days());
    shifts.push((day, shift));
    shift
}

/// The handle tests use to move a manual clock.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn set(&self, now: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = now;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_follows_the_office_time_zone_not_utc() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        // 16:30 UTC = 23:30 in Vietnam: still the 10th.
        let (clock, handle) =
            Clock::manual(tz, Utc.with_ymd_and_hms(2026, 3, 10, 16, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
        // 17:30 UTC = 00:30 on the 11th in Vietnam, while UTC is still on the 10th.
        handle.set(Utc.with_ymd_and_hms(2026, 3, 10, 17, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 11).unwrap());
    }

    #[test]
    fn pinned_today_ignores_the_real_date_and_now_falls_on_it() {
        let day = NaiveDate::from_ymd_opt(2021, 12, 2).unwrap();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let clock = Clock::pinned_today(tz, day);
        assert_eq!(clock.today(), day);
        let first = clock.now();
        assert_eq!(first.with_timezone(&tz).date_naive(), day);
        assert!(
            Clock::pinned_today(tz, day).now() >= first,
            "never runs backwards"
        );
    }

    #[test]
    fn now_is_truncated_to_milliseconds() {
        let (clock, _) = Clock::manual(
            chrono_tz::UTC,
            Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap(),
        );
        assert_eq!(clock.now().timestamp_subsec_nanos(), 123_000_000);
    }
}
