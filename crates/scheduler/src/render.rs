//! Turning a digest into an email: a Vietnamese subject, a text part and an
//! HTML part, from templates compiled into the binary (askama; the HTML one
//! escapes every value). Rendered **once**, when the notification is
//! enqueued, and stored, so every retry sends the same content.
//!
//! Notifications core enqueues with structured content instead (a request
//! for explanation) are rendered by [`render_payload`] when the worker
//! first claims them, and stored before they are sent.
//!
//! The digests are in `digest`, the request-for-explanation notice in
//! `explanation`; both use the helpers here.

mod digest;
mod explanation;
mod fit;
mod notice;

pub use digest::{LEADER_OLDEST_SHOWN, render, to_notification};
pub use fit::{encoded_len, part_len};

use chrono::NaiveDate;
use dondoc_core::{
    Settings,
    followup::explanations::{self, ExplanationNotice},
};

/// What rendering needs from the configuration.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    pub organization: String,
    /// Without a trailing slash.
    pub public_url: String,
    pub due_soon_days: u32,
    pub escalate_after_days: u32,
    /// `mail.max_message_bytes`: no digest is rendered larger.
    pub max_message_bytes: usize,
}

impl RenderSettings {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            organization: settings.organization.name.clone(),
            public_url: settings.public_url().to_string(),
            due_soon_days: settings.policy.due_soon_days,
            escalate_after_days: settings.policy.escalate_after_days,
            max_message_bytes: settings.mail.max_message_bytes,
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `dd/mm/yyyy`, as Vietnamese documents write dates.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The text and HTML bodies of a notification core enqueued with
/// structured content (`payload`, JSON) rather than rendered, by its kind.
/// The error, a sentence for the operator, fails the notification: the same
/// payload would fail again.
pub fn render_payload(
    kind: &str,
    subject: &str,
    payload: &str,
) -> Result<(String, String), String> {
    let cannot =
        |why: String| format!("Không dựng được nội dung thư / cannot render the message: {why}");
    match kind {
        explanations::NOTIFICATION_KIND => {
            let notice: ExplanationNotice =
                serde_json::from_str(payload).map_err(|e| cannot(e.to_string()))?;
            explanation::render(subject, &notice).map_err(|e| cannot(e.to_string()))
        }
        dondoc_core::notices::mail::IMMEDIATE_KIND | dondoc_core::notices::mail::DIGEST_KIND => {
            let mail: dondoc_core::notices::mail::NoticeMail =
                serde_json::from_str(payload).map_err(|e| cannot(e.to_string()))?;
            let digest = kind == dondoc_core::notices::mail::DIGEST_KIND;
            notice::render(subject, &mail, digest).map_err(|e| cannot(e.to_string()))
        }
        other => Err(cannot(format!("no template for kind {other}"))),
    }
}
