//! dondoc-core: the domain rules and persistence of dondoc. No HTTP, no SMTP.
//!
//! Folders name features, and imports between them run one way:
//! `accounts` and `org` are the base; `tasks` builds on them; `documents`,
//! `followup`, `reports` and `feeds` build on `tasks`.

pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod messages;

pub use clock::Clock;
pub use config::Settings;
pub use error::{Error, FieldError, Result};
pub use messages::Msg;

pub mod accounts;
pub mod attachments;
pub mod backup;
pub mod documents;
pub mod feeds;
pub mod followup;
pub mod notices;
pub mod org;
pub mod reports;
pub mod tasks;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
