//! A series' rule: how often, on which day, in which month of the period;
//! the periods and due dates it gives, and the form a person fills in.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    entity::recurring_series,
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
};

/// How often a series recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }

    /// Months per period.
    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Yearly => 12,
        }
    }
}

/// When occurrences are due: `day` of the month (clamped to its last day),
/// in `month` of the period (quarterly 1–3, yearly 1–12, monthly 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    pub day: u32,
    pub month: u32,
}

/// The last day of a month.
pub fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

/// `day` of the month, or the month's last day if it has fewer days
/// (31 → 30 in April, 28 or 29 in February).
pub fn clamp_day(year: i32, month: u32, day: u32) -> NaiveDate {
    let day = day.clamp(1, last_day_of_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

fn add_months(start: NaiveDate, months: u32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MAX)
}

impl Rule {
    /// The first day of the period `day` falls in.
    pub fn period_start(&self, day: NaiveDate) -> NaiveDate {
        let months = self.frequency.months();
        let month0 = day.month0() / months * months;
        NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
    }

    /// The first day of the period after the one starting `start`.
    pub fn next_period(&self, start: NaiveDate) -> NaiveDate {
        add_months(self.period_start(start), self.frequency.months())
    }

    /// The due date of the occurrence of the period starting `start`.
    pub fn due_in(&self, start: NaiveDate) -> NaiveDate {
        let start = self.period_start(start);
        let offset = match self.frequency {
            Frequency::Monthly => 0,
            Frequency::Quarterly => self.month.clamp(1, 3) - 1,
            Frequency::Yearly => self.month.clamp(1, 12) - 1,
        };
        let month_start = add_months(start, offset);
        clamp_day(month_start.year(), month_start.month(), self.day)
    }

    /// A period's short name, used in occurrence codes: `2026-12`, `2026-Q4`, `2026`.
    pub fn period_key(&self, start: NaiveDate) -> String {
        let start = self.period_start(start);
        match self.frequency {
            Frequency::Monthly => format!("{}-{:02}", start.year(), start.month()),
            Frequency::Quarterly => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Frequency::Yearly => start.year().to_string(),
        }
    }

    /// The rule in words ("Hằng quý, hạn ngày 15 tháng thứ 2 của quý").
    pub fn describe(&self, lang: Lang) -> String {
        describe(self.frequency, self.day, self.month, lang)
    }

    pub(super) fn of(series: &recurring_series::Model) -> Self {
        Rule {
            frequency: Frequency::parse(&series.frequency).unwrap_or(Frequency::Monthly),
            day: series.day_of_month.clamp(1, 31) as u32,
            month: series.month.clamp(1, 12) as u32,
        }
    }
}

/// What a client sends to make a task recur.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceInput {
    /// `monthly`, `quarterly` or `yearly`.
    pub frequency: String,
    /// Day of the month the occurrences are due (1–31; a shorter month uses
    /// its last day). Default: the task's due day.
    pub day: Option<i64>,
    /// Quarterly: month of the quarter (1–3); yearly: the month (1–12).
    /// Default: from the task's due date.
    pub month: Option<i64>,
}

impl RecurrenceInput {
    /// The rule, with defaults taken from `due` (the task's due date).
    pub fn parse(&self, due: NaiveDate) -> Result<Rule> {
        let mut errors = Vec::new();
        let frequency = Frequency::parse(&self.frequency);
        if frequency.is_none() {
            errors.push(FieldError::new(
                "recurrence.frequency",
                "invalid_choice",
                Msg::InvalidFrequency,
            ));
        }
        let day = self.day.unwrap_or(i64::from(due.day()));
        if !(1..=31).contains(&day) {
            errors.push(FieldError::new(
                "recurrence.day",
                "out_of_range",
                Msg::DueDayRange,
            ));
        }
        let frequency = frequency.unwrap_or(Frequency::Monthly);
        let (default_month, max_month) = match frequency {
            Frequency::Monthly => (1, 1),
            Frequency::Quarterly => (i64::from(due.month0() % 3 + 1), 3),
            Frequency::Yearly => (i64::from(due.month()), 12),
        };
        let month = match frequency {
            Frequency::Monthly => 1,
            _ => self.month.unwrap_or(default_month),
        };
        if !(1..=max_month).contains(&month) {
            errors.push(FieldError::new(
                "recurrence.month",
                "out_of_range",
                Msg::MonthRange { max: max_month },
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(Rule {
            frequency,
            day: day as u32,
            month: month as u32,
        })
    }
}

/// A rule in words, from its parts (`recurrence-*` in `tasks.ftl`).
pub fn describe(frequency: Frequency, day: u32, month: u32, lang: Lang) -> String {
    let key = match frequency {
        Frequency::Monthly => "recurrence-monthly",
        Frequency::Quarterly => "recurrence-quarterly",
        Frequency::Yearly => "recurrence-yearly",
    };
    dondoc_i18n::text_with(lang, key, &[("day", day.into()), ("month", month.into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn month_ends_clamp() {
        let rule = Rule {
            frequency: Frequency::Monthly,
            day: 31,
            month: 1,
        };
        assert_eq!(rule.due_in(d(2026, 4, 1)), d(2026, 4, 30));
        assert_eq!(rule.due_in(d(2026, 2, 1)), d(2026, 2, 28));
        assert_eq!(rule.due_in(d(2028, 2, 1)), d(2028, 2, 29));
        assert_eq!(rule.due_in(d(2026, 1, 1)), d(2026, 1, 31));
        assert_eq!(clamp_day(2100, 2, 29), d(2100, 2, 28));
    }

    #[test]
    fn periods_follow_the_frequency() {
        let monthly = Rule {
            frequency: Frequency::Monthly,
            day: 20,
            month: 1,
        };
        assert_eq!(monthly.period_start(d(2026, 11, 20)), d(2026, 11, 1));
        assert_eq!(monthly.next_period(d(2026, 12, 1)), d(2027, 1, 1));
        assert_eq!(monthly.period_key(d(2026, 12, 1)), "2026-12");
        let quarterly = Rule {
            frequency: Frequency::Quarterly,
            day: 31,
            month: 3,
        };
        assert_eq!(quarterly.period_start(d(2026, 8, 15)), d(2026, 7, 1));
        assert_eq!(quarterly.next_period(d(2026, 10, 1)), d(2027, 1, 1));
        assert_eq!(quarterly.due_in(d(2026, 4, 1)), d(2026, 6, 30));
        assert_eq!(quarterly.period_key(d(2026, 10, 1)), "2026-Q4");
        let yearly = Rule {
            frequency: Frequency::Yearly,
            day: 29,
            month: 2,
        };
        assert_eq!(yearly.due_in(d(2027, 1, 1)), d(2027, 2, 28));
        assert_eq!(yearly.due_in(d(2028, 1, 1)), d(2028, 2, 29));
        assert_eq!(yearly.next_period(d(2027, 1, 1)), d(2028, 1, 1));
    }

    #[test]
    fn input_defaults_come_from_the_due_date_and_bad_values_name_the_field() {
        let due = d(2026, 11, 20);
        let rule = RecurrenceInput {
            frequency: "quarterly".into(),
            ..Default::default()
        }
        .parse(due)
        .unwrap_or(Rule {
            frequency: Frequency::Monthly,
            day: 0,
            month: 0,
        });
        assert_eq!(
            (rule.frequency, rule.day, rule.month),
            (Frequency::Quarterly, 20, 2)
        );
        let err = RecurrenceInput {
            frequency: "weekly".into(),
            day: Some(32),
            month: None,
        }
        .parse(due);
        match err {
            Err(Error::Validation(fields)) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(names, ["recurrence.frequency", "recurrence.day"]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
