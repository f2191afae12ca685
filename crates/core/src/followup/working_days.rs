//! Working days: weekends and the configured public holidays are days off,
//! when no digest is due — except the compensatory working days (ngày làm
//! bù), weekend days worked in exchange for a day off around a holiday.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::config::CalendarSettings;

/// Working days: Monday to Friday, except public holidays, plus the
/// compensatory working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    working_days: BTreeSet<NaiveDate>,
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
            working_days: BTreeSet::new(),
        }
    }

    /// With compensatory working days (ngày làm bù).
    pub fn with_working_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.working_days = days.into_iter().collect();
        self
    }

    pub fn from_settings(settings: &CalendarSettings) -> Self {
        Self::new(settings.holidays.iter().copied())
            .with_working_days(settings.working_days.iter().copied())
    }

    /// The year after `today`'s when it has no public holiday listed: the
    /// list must be completed (Tết moves every year), else digests would go
    /// out on Tết. Checked at start-up and shown on the admin page.
    pub fn next_year_unlisted(&self, today: NaiveDate) -> Option<i32> {
        let next = today.year() + 1;
        (!self.holidays.iter().any(|d| d.year() == next)).then_some(next)
    }

    /// `None` on a working day, else why not.
    pub fn day_off(&self, day: NaiveDate) -> Option<DayOff> {
        if self.working_days.contains(&day) {
            None
        } else if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
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
    fn a_compensatory_saturday_is_a_working_day() {
        let cal = Calendar::new([d(2027, 2, 5)]).with_working_days([d(2027, 1, 30)]);
        assert!(cal.is_working_day(d(2027, 1, 30)));
        assert_eq!(cal.day_off(d(2027, 1, 23)), Some(DayOff::Weekend));
        assert_eq!(cal.day_off(d(2027, 2, 5)), Some(DayOff::Holiday));
    }

    #[test]
    fn a_missing_holiday_list_for_next_year_is_noticed() {
        let cal = Calendar::new([d(2026, 1, 1), d(2027, 1, 1)]);
        assert_eq!(cal.next_year_unlisted(d(2026, 12, 3)), None);
        assert_eq!(cal.next_year_unlisted(d(2027, 3, 1)), Some(2028));
    }
}
