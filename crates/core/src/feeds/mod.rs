//! Calendar feeds: a private iCalendar address per department or leader.

pub mod ics;
pub mod manage;
