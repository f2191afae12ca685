//! dondoc-core: the domain rules and persistence of dondoc. No HTTP, no SMTP.

pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod export;

pub use clock::Clock;
pub use config::Settings;
pub use error::{Error, FieldError, Result};
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod demo;
pub mod departments;
pub mod documents;
pub mod docx;
pub mod explanations;
pub mod history;
pub mod import;
pub mod letters;
pub mod notifications;
pub mod outbox;
pub mod overdue;
pub mod policy;
pub mod programmes;
pub mod recurrence;
pub mod register;
pub mod reminders;
pub mod review;
pub mod secrets;
pub mod snapshots;
pub mod stats;
pub mod synthetic;
pub mod tasks;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod users;
