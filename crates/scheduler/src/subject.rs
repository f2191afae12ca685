//! The `Subject:` header of our mails.
//!
//! lettre writes an ASCII subject as it is and encodes only non-ASCII
//! words (RFC 2047). A subject built from a name someone typed can hold a
//! literal encoded-word — a department named `=?utf-8?b?...?=` — which every
//! mail client would then decode and show as different text than we wrote.
//! Such a subject is encoded whole, so clients show exactly our text.

use email_encoding::headers::{rfc2047, writer::EmailWriter};
use lettre::message::header::{Header, HeaderName, HeaderValue};

/// The subject as clients must show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(pub String);

/// Whether lettre's own encoding would leave something a client decodes.
fn looks_encoded(text: &str) -> bool {
    text.contains("=?")
}

impl Header for Subject {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Subject")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        if !looks_encoded(&self.0) {
            return HeaderValue::new(Self::name(), self.0.clone());
        }
        let mut encoded = String::new();
        // The line already holds "Subject: "; the writer folds after it.
        let written = {
            let mut writer = EmailWriter::new(&mut encoded, "Subject: ".len(), 0, false);
            rfc2047::encode(&self.0, &mut writer)
        };
        if written.is_err() {
            // Writing to a String cannot fail; should it, lettre's own encoding
            // is still a valid header.
            return HeaderValue::new(Self::name(), self.0.clone());
        }
        HeaderValue::dangerous_new_pre_encoded(Self::name(), self.0.clone(), encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::Headers;

    fn formatted(subject: &str) -> String {
        let mut headers = Headers::new();
        headers.set(Subject(subject.to_string()));
        headers.to_string()
    }

    #[test]
    fn a_literal_encoded_word_is_encoded_whole() {
        let out = formatted("[Đôn đốc] =?utf-8?b?SGFja2Vk?=");
        assert!(out.starts_with("Subject: =?utf-8?b?"), "{out}");
        assert!(!out.contains("SGFja2Vk?="), "{out}");
        let ascii = formatted("=?utf-8?q?x?= report");
        assert!(!ascii.contains("=?utf-8?q?x?="), "{ascii}");
        for line in out.split("\r\n") {
            assert!(line.len() <= 78, "{line}");
        }
    }

    #[test]
    fn an_ordinary_subject_is_left_to_lettre() {
        assert_eq!(formatted("Weekly digest"), "Subject: Weekly digest\r\n");
    }
}
