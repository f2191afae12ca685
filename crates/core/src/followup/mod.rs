//! Follow-up: deciding which reminders are due (working days, the reminder
//! policy, recipients), requests for explanation, and the outbox that
//! carries every e-mail the system decides to send.

pub mod explanations;
pub mod notifications;
pub mod outbox;
pub mod recipients;
pub mod reminders;
pub mod snapshot;
pub mod working_days;
