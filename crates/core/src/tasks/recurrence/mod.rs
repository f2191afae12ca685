//! Recurring tasks (nhiệm vụ định kỳ): a monthly report due on the 20th, a
//! quarterly review, a yearly plan. A series holds the rule; each
//! occurrence is an ordinary task (own due date, own status) linked to the
//! series for one period.
//!
//! The next occurrence is made when the current one is confirmed completed
//! (in the confirming transaction) or when its period starts (the
//! scheduler's `run_due`, idempotent). Either way the period is *claimed*
//! first — a row unique per (series, period) inserted with
//! `ON CONFLICT DO NOTHING` — so two instances, a rerun or a completion
//! racing the job never create the same occurrence twice.
//!
//! Files: `rule` (the pure date arithmetic of a rule, and its input),
//! `series` (reading and changing a task's series) and `occurrences`
//! (claiming a period and making its task, on completion or when due).

mod occurrences;
mod rule;
mod series;

pub use occurrences::{RecurrenceRun, on_completed, run_due};
pub use rule::{Frequency, RecurrenceInput, Rule, clamp_day, describe, last_day_of_month};
pub use series::{OccurrenceView, SeriesView, create_task, for_task, set, set_in, stop};
