//! The checks serde cannot express: ranges, URL shapes, relations between
//! keys, and the placeholders a letter's texts may use.

use super::{MailTransport, Settings, redact_url};
use crate::error::{Error, Result};

/// The placeholders each letter text may use.
const LETTER_PLACEHOLDERS: &[(&str, &[&str])] = &[
    ("letters.subject", &["year"]),
    ("letters.opening", &["year", "department"]),
    ("letters.request", &["department", "report_back_date"]),
];

/// `{name}` placeholders of `text` that are not in `allowed`.
/// Bounds of `mail.max_message_bytes`: room for one task line at least,
/// and under the 10 MB of Postfix's default `message_size_limit`.
const MIN_MESSAGE_BYTES: usize = 32_000;
const MAX_MESSAGE_BYTES: usize = 9_000_000;

fn unknown_placeholders(text: &str, allowed: &[&str]) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            unknown.push("{".to_string());
            break;
        };
        let name = &after[..end];
        if !allowed.contains(&name) {
            unknown.push(format!("{{{name}}}"));
        }
        rest = &after[end + 1..];
    }
    unknown
}

impl Settings {
    /// Checks that serde cannot express: ranges, URL shapes, relations between keys.
    pub fn validate(&self) -> Result<()> {
        let url = self.database.url.trim();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(Error::config(
                "database.url",
                format!(
                    "`{}` is neither a sqlite: nor a postgres:// URL",
                    redact_url(url)
                ),
            ));
        }
        let public = self.server.public_url.trim();
        if !(public.starts_with("http://") || public.starts_with("https://")) {
            return Err(Error::config(
                "server.public_url",
                format!("`{public}` must start with http:// or https://"),
            ));
        }
        if self.policy.due_soon_days > 365 {
            return Err(Error::config(
                "policy.due_soon_days",
                "must be between 0 and 365",
            ));
        }
        if self.policy.escalate_after_days == 0 || self.policy.escalate_after_days > 3650 {
            return Err(Error::config(
                "policy.escalate_after_days",
                "must be between 1 and 3650",
            ));
        }
        if self.scheduler.tick_seconds == 0 || self.scheduler.tick_seconds > 3600 {
            return Err(Error::config(
                "scheduler.tick_seconds",
                "must be between 1 and 3600",
            ));
        }
        if self.attachments.max_bytes == 0 || self.attachments.max_bytes > 1024 * 1024 * 1024 {
            return Err(Error::config(
                "attachments.max_bytes",
                "must be between 1 and 1073741824 (1 GB)",
            ));
        }
        if self.server.body_limit_kb == 0 {
            return Err(Error::config("server.body_limit_kb", "must be at least 1"));
        }
        if self.auth.token_ttl_hours == 0 {
            return Err(Error::config("auth.token_ttl_hours", "must be at least 1"));
        }
        if self.auth.session_ttl_hours == 0 {
            return Err(Error::config(
                "auth.session_ttl_hours",
                "must be at least 1",
            ));
        }
        if self.mail.delivery.batch_size == 0 {
            return Err(Error::config(
                "mail.delivery.batch_size",
                "must be at least 1",
            ));
        }
        if !(1..=64).contains(&self.mail.delivery.concurrency) {
            return Err(Error::config(
                "mail.delivery.concurrency",
                "must be between 1 and 64",
            ));
        }
        if self.mail.delivery.lease_seconds < 10 {
            return Err(Error::config(
                "mail.delivery.lease_seconds",
                "must be at least 10 (longer than the slowest SMTP exchange)",
            ));
        }
        if self.mail.transport == MailTransport::Smtp && self.mail.smtp.host.trim().is_empty() {
            return Err(Error::config(
                "mail.smtp.host",
                "is required when mail.transport = \"smtp\"",
            ));
        }
        if !self.mail.from.contains('@') {
            return Err(Error::config(
                "mail.from",
                format!("`{}` is not an email address", self.mail.from),
            ));
        }
        if !(MIN_MESSAGE_BYTES..=MAX_MESSAGE_BYTES).contains(&self.mail.max_message_bytes) {
            return Err(Error::config(
                "mail.max_message_bytes",
                format!(
                    "must be between {MIN_MESSAGE_BYTES} and {MAX_MESSAGE_BYTES} bytes (most servers refuse more than 10 MB)"
                ),
            ));
        }
        let domain = self.mail.message_id_domain.trim();
        if !domain.is_empty()
            && !domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(Error::config(
                "mail.message_id_domain",
                format!("`{domain}` is not a domain name (letters, digits, dots and hyphens)"),
            ));
        }
        if self.log.format != "text" && self.log.format != "json" {
            return Err(Error::config("log.format", "must be \"text\" or \"json\""));
        }
        self.validate_letters()
    }

    fn validate_letters(&self) -> Result<()> {
        let l = &self.letters;
        if l.report_back_days == 0 || l.report_back_days > 365 {
            return Err(Error::config(
                "letters.report_back_days",
                "must be between 1 and 365",
            ));
        }
        if l.issuing_body.is_empty() {
            return Err(Error::config("letters.issuing_body", "must not be empty"));
        }
        for (key, value) in [
            ("letters.head_title", &l.head_title),
            ("letters.deputy_title", &l.deputy_title),
            ("letters.short_name", &l.short_name),
            ("letters.number_suffix", &l.number_suffix),
            ("letters.subject", &l.subject),
            ("letters.opening", &l.opening),
            ("letters.request", &l.request),
            ("letters.signer_authority", &l.signer_authority),
            ("letters.signer_title", &l.signer_title),
        ] {
            if value.trim().is_empty() {
                return Err(Error::config(key, "must not be empty"));
            }
        }
        for (key, allowed) in LETTER_PLACEHOLDERS {
            let text = match *key {
                "letters.subject" => &l.subject,
                "letters.opening" => &l.opening,
                _ => &l.request,
            };
            let unknown = unknown_placeholders(text, allowed);
            if !unknown.is_empty() {
                return Err(Error::config(
                    *key,
                    format!(
                        "unknown placeholder {}; allowed: {}",
                        unknown.join(", "),
                        allowed
                            .iter()
                            .map(|a| format!("{{{a}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for line in &l.copies_to {
            let unknown = unknown_placeholders(line, &["department"]);
            if !unknown.is_empty() {
                return Err(Error::config(
                    "letters.copies_to",
                    format!(
                        "unknown placeholder {}; allowed: {{department}}",
                        unknown.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}
