//! sea-orm entities, one per table. They never leave `dondoc-core`: services
//! turn them into the read models and DTO-free views the other crates use.

pub mod attachment;
pub mod attachment_blob;
pub mod attachment_step;
pub mod auth_token;
pub mod calendar_feed;
pub mod delivery_attempt;
pub mod department;
pub mod department_alias;
pub mod document;
pub mod document_task;
pub mod explanation_request;
pub mod extension_request;
pub mod field;
pub mod form_draft;
pub mod login_failure;
pub mod meeting_snapshot;
pub mod notice_preference;
pub mod notification;
pub mod notification_task;
pub mod programme;
pub mod recurring_occurrence;
pub mod recurring_series;
pub mod schedule_fire;
pub mod task;
pub mod task_coordinator;
pub mod task_history;
pub mod task_state;
pub mod user;
pub mod workflow_notice;
