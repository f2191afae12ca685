//! Counting: the figures of a group of tasks, overall and per department,
//! field and leader. Pure: it takes standings (and the reminder documents
//! already attributed) and returns numbers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::figure::{Class, Figure, Standing};

/// The figures of one group of tasks. Each count is the number of tasks for
/// which [`Figure::matches`] holds; see `docs/figures.md` for each one in a
/// sentence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Figures {
    pub total: i64,
    pub counted: i64,
    pub cancelled: i64,
    pub completed: i64,
    pub completed_on_time: i64,
    pub completed_on_time_after_extension: i64,
    pub completed_late: i64,
    pub awaiting_confirmation: i64,
    pub open: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub overdue: i64,
    pub overdue_over_30_days: i64,
    pub overdue_over_60_days: i64,
    pub overdue_over_120_days: i64,
    pub due_soon: i64,
    pub on_track: i64,
    pub extended: i64,
    /// Reminder documents (văn bản đôn đốc) issued in the period, by the
    /// as-of day, linked to these tasks; each document counted once.
    pub reminder_documents: i64,
    /// Notices (e-mails) delivered in the period — not a count of tasks.
    pub notices_sent: i64,
    /// completed / counted, in percent with one decimal.
    pub completion_rate: f64,
}

impl Figures {
    pub fn get(&self, figure: Figure) -> i64 {
        match figure {
            Figure::Total => self.total,
            Figure::Counted => self.counted,
            Figure::Cancelled => self.cancelled,
            Figure::Completed => self.completed,
            Figure::CompletedOnTime => self.completed_on_time,
            Figure::CompletedOnTimeAfterExtension => self.completed_on_time_after_extension,
            Figure::CompletedLate => self.completed_late,
            Figure::AwaitingConfirmation => self.awaiting_confirmation,
            Figure::Open => self.open,
            Figure::NotStarted => self.not_started,
            Figure::InProgress => self.in_progress,
            Figure::Overdue => self.overdue,
            Figure::OverdueOver30Days => self.overdue_over_30_days,
            Figure::OverdueOver60Days => self.overdue_over_60_days,
            Figure::OverdueOver120Days => self.overdue_over_120_days,
            Figure::DueSoon => self.due_soon,
            Figure::OnTrack => self.on_track,
            Figure::Extended => self.extended,
        }
    }

    fn slot(&mut self, figure: Figure) -> &mut i64 {
        match figure {
            Figure::Total => &mut self.total,
            Figure::Counted => &mut self.counted,
            Figure::Cancelled => &mut self.cancelled,
            Figure::Completed => &mut self.completed,
            Figure::CompletedOnTime => &mut self.completed_on_time,
            Figure::CompletedOnTimeAfterExtension => &mut self.completed_on_time_after_extension,
            Figure::CompletedLate => &mut self.completed_late,
            Figure::AwaitingConfirmation => &mut self.awaiting_confirmation,
            Figure::Open => &mut self.open,
            Figure::NotStarted => &mut self.not_started,
            Figure::InProgress => &mut self.in_progress,
            Figure::Overdue => &mut self.overdue,
            Figure::OverdueOver30Days => &mut self.overdue_over_30_days,
            Figure::OverdueOver60Days => &mut self.overdue_over_60_days,
            Figure::OverdueOver120Days => &mut self.overdue_over_120_days,
            Figure::DueSoon => &mut self.due_soon,
            Figure::OnTrack => &mut self.on_track,
            Figure::Extended => &mut self.extended,
        }
    }

    /// Counts one task in every figure it belongs to.
    pub fn add(&mut self, standing: &Standing) {
        for figure in Figure::ALL {
            if figure.matches(standing) {
                *self.slot(*figure) += 1;
            }
        }
    }

    /// Sets the completion rate from the counts.
    pub fn finish(&mut self) {
        self.completion_rate = rate_percent(self.completed, self.counted);
    }

    /// The rate in tenths of a percent (725 = 72.5 %), rounded half up.
    pub fn completion_permille(&self) -> i64 {
        if self.counted > 0 {
            (self.completed * 1000 + self.counted / 2) / self.counted
        } else {
            0
        }
    }

    /// The completion rate as people write it: "72,5" in Vietnamese, "72.5"
    /// in English, "100" in both.
    pub fn rate(&self, lang: crate::messages::Lang) -> String {
        let separator = match lang {
            crate::messages::Lang::Vi => ',',
            crate::messages::Lang::En => '.',
        };
        permille_text(self.completion_permille(), separator)
    }
}

fn rate_percent(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        ((part as f64) * 1000.0 / (whole as f64)).round() / 10.0
    } else {
        0.0
    }
}

fn permille_text(permille: i64, separator: char) -> String {
    if permille % 10 == 0 {
        (permille / 10).to_string()
    } else {
        format!("{}{separator}{}", permille / 10, permille % 10)
    }
}

/// How many tasks stand in each [`Class`]: counting a task is one
/// increment; the figures are expanded from the classes at the end.
#[derive(Debug, Clone)]
pub struct ClassCounts(Box<[u32; Class::COUNT]>);

impl Default for ClassCounts {
    fn default() -> Self {
        Self(Box::new([0; Class::COUNT]))
    }
}

impl ClassCounts {
    pub fn add(&mut self, class: Class) {
        if let Some(n) = self.0.get_mut(class.index()) {
            *n += 1;
        }
    }

    /// Takes back one [`ClassCounts::add`] of `class`.
    pub fn remove(&mut self, class: Class) {
        if let Some(n) = self.0.get_mut(class.index()) {
            *n = n.saturating_sub(1);
        }
    }

    /// No task counted.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }

    /// The figures of the counted tasks (reminder documents and notices
    /// are not counts of tasks and stay zero).
    pub fn figures(&self) -> Figures {
        let mut out = Figures::default();
        for class in Class::all() {
            let n = i64::from(self.0[class.index()]);
            if n == 0 {
                continue;
            }
            let standing = class.representative();
            for figure in Figure::ALL {
                if figure.matches(&standing) {
                    *out.slot(*figure) += n;
                }
            }
        }
        out
    }
}

/// Figures per key (a department id, a field code, a leader), in key order.
#[derive(Debug, Clone)]
pub struct Grouped<K: Ord> {
    pub groups: BTreeMap<K, Figures>,
}

impl<K: Ord> Default for Grouped<K> {
    fn default() -> Self {
        Self {
            groups: BTreeMap::new(),
        }
    }
}

impl<K: Ord> Grouped<K> {
    pub fn add(&mut self, key: K, standing: &Standing) {
        self.groups.entry(key).or_default().add(standing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TaskStatus;

    #[test]
    fn every_figure_reads_back_what_was_counted() {
        let s = Standing {
            status: TaskStatus::Cancelled,
            timeliness: None,
            extended: false,
        };
        let mut f = Figures::default();
        f.add(&s);
        f.add(&s);
        for figure in Figure::ALL {
            let expected = i64::from(figure.matches(&s)) * 2;
            assert_eq!(f.get(*figure), expected, "{figure:?}");
        }
    }

    #[test]
    fn rates_are_written_the_vietnamese_way() {
        assert_eq!(permille_text(1000, ','), "100");
        assert_eq!(permille_text(729, ','), "72,9");
        assert_eq!(permille_text(729, '.'), "72.9");
    }

    #[test]
    fn rates_round_half_up_to_one_decimal() {
        let f = Figures {
            completed: 66,
            counted: 96,
            ..Default::default()
        };
        assert_eq!(f.rate(crate::messages::Lang::Vi), "68,8");
        assert_eq!(f.rate(crate::messages::Lang::En), "68.8");
        let f = Figures {
            completed: 2,
            counted: 2,
            ..Default::default()
        };
        assert_eq!(f.rate(crate::messages::Lang::Vi), "100");
    }
}
