//! Workflow notices: being told when the other side acts on a task.
//!
//! A step of the workflow that someone else should know about — a report of
//! completion, a confirmation or a return, an extension asked or decided, an
//! explanation asked or answered, a due date moved, a task assigned — gives
//! one notice per person concerned, written by `derive` in the transaction
//! that records the step in the task history (so no step is announced
//! twice, and none is lost). Each notice is shown in the app (the bell) and,
//! as its recipient chose for that kind of notice, mailed through the outbox
//! at once, in a daily digest, or not at all (`mail`).
//!
//! Who is told:
//! - reported done, extension requested, explanation answered: the leader in
//!   charge of the task (every active leader when none is named); the
//!   answer also goes to whoever asked the question;
//! - confirmed, returned, extension decided, due date changed, explanation
//!   asked: the lead department's staff;
//! - assigned: the staff of each department newly given the task (lead or
//!   coordinating).
//!
//! Nobody is told about their own step.

pub mod derive;
pub mod inbox;
pub mod mail;
#[cfg(test)]
mod tests;

/// The kinds of notice (stored in `workflow_notices.kind`).
pub mod kind {
    pub const REPORTED_DONE: &str = "reported_done";
    pub const CONFIRMED: &str = "confirmed";
    pub const RETURNED: &str = "returned";
    pub const EXTENSION_REQUESTED: &str = "extension_requested";
    pub const EXTENSION_DECIDED: &str = "extension_decided";
    pub const EXPLANATION_ASKED: &str = "explanation_asked";
    pub const EXPLANATION_ANSWERED: &str = "explanation_answered";
    pub const DUE_DATE_CHANGED: &str = "due_date_changed";
    pub const ASSIGNED: &str = "assigned";
    pub const ALL: [&str; 9] = [
        REPORTED_DONE,
        CONFIRMED,
        RETURNED,
        EXTENSION_REQUESTED,
        EXTENSION_DECIDED,
        EXPLANATION_ASKED,
        EXPLANATION_ANSWERED,
        DUE_DATE_CHANGED,
        ASSIGNED,
    ];

    /// The request for explanation is already mailed to the department by
    /// its own notice: this kind is shown in the app only.
    pub fn mailable(kind: &str) -> bool {
        kind != EXPLANATION_ASKED
    }
}

/// How a person wants a kind of notice by e-mail (in the app always).
pub mod mail_mode {
    pub const IMMEDIATE: &str = "immediate";
    pub const DIGEST: &str = "digest";
    pub const NONE: &str = "none";
    pub const ALL: [&str; 3] = [IMMEDIATE, DIGEST, NONE];
    /// Without a choice: at once.
    pub const DEFAULT: &str = IMMEDIATE;
}
