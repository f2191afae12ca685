//! Working days: weekends and the configured public holidays are days off,
//! when no digest is due.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::config::CalendarSettings;

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
}
