//! Reading an SMTP refusal by its code and enhanced status (RFC 3463),
//! never by its text: real servers put the recipient in the text
//! (`550 5.1.1 <x@…>: Recipient address rejected`), so two refusals of the
//! same kind never read alike.

use crate::mailer::SendError;

/// An enhanced status code, `class.subject.detail` (e.g. `5.1.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Enhanced(pub u8, pub u16, pub u16);

impl std::fmt::Display for Enhanced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The first enhanced status code in a reply's text, if any.
pub fn enhanced_status(text: &str) -> Option<Enhanced> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']'))
        .find_map(|word| {
            let mut parts = word.split('.');
            let class: u8 = parts.next()?.parse().ok()?;
            let subject: u16 = parts.next()?.parse().ok()?;
            let detail: u16 = parts.next()?.parse().ok()?;
            let whole = parts.next().is_none();
            (whole && matches!(class, 2 | 4 | 5) && subject < 1000 && detail < 1000)
                .then_some(Enhanced(class, subject, detail))
        })
}

/// What a refusal is the same as: its code and enhanced status. Identical
/// kinds in a row across different messages mean the server refuses
/// everything, not one mailbox.
pub type RefusalKind = (Option<u16>, Option<Enhanced>);

pub fn kind(err: &SendError) -> RefusalKind {
    (err.code(), enhanced_status(err.message()))
}

/// Whether a permanent refusal concerns one recipient's mailbox (unknown
/// user, bad destination, mailbox disabled or full: `5.1.x` except the
/// sender's `5.1.7`/`5.1.8`, and `5.2.x`), as opposed to the message or the
/// sender (size, policy, `5.7.x`). Without an enhanced status, the classic
/// recipient codes 550, 551 and 553 are taken as the recipient's.
pub fn is_recipient_level(err: &SendError) -> bool {
    match enhanced_status(err.message()) {
        Some(Enhanced(5, 1, 7 | 8)) => false,
        Some(Enhanced(5, 1 | 2, _)) => true,
        Some(_) => false,
        None => matches!(err.code(), Some(550 | 551 | 553)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: u16, text: &str) -> SendError {
        SendError::Permanent {
            code: Some(code),
            message: text.to_string(),
        }
    }

    #[test]
    fn the_same_refusal_for_two_recipients_is_the_same_kind() {
        let a = refused(
            550,
            "permanent error (550): 5.1.1 <a@x.vn>: Recipient address rejected",
        );
        let b = refused(
            550,
            "permanent error (550): 5.1.1 <b@x.vn>: Recipient address rejected",
        );
        assert_eq!(kind(&a), kind(&b));
        assert_eq!(kind(&a), (Some(550), Some(Enhanced(5, 1, 1))));
        assert!(is_recipient_level(&a));
    }

    #[test]
    fn sender_policy_and_size_refusals_are_not_a_recipient_s() {
        for (code, text) in [
            (553, "5.7.1 <dondoc@x.vn>: Sender address rejected"),
            (550, "5.1.8 sender domain does not exist"),
            (552, "5.3.4 Message size exceeds fixed limit"),
            (554, "5.7.1 Relay access denied"),
        ] {
            assert!(!is_recipient_level(&refused(code, text)), "{text}");
        }
        assert!(is_recipient_level(&refused(552, "5.2.2 mailbox full")));
        assert!(is_recipient_level(&refused(550, "no such user")));
        assert!(!is_recipient_level(&refused(554, "transaction failed")));
    }

    #[test]
    fn version_numbers_and_addresses_are_not_enhanced_codes() {
        assert_eq!(enhanced_status("Postfix 3.7.10 says hello"), None);
        assert_eq!(enhanced_status("<a.b.c@x.vn> rejected"), None);
        assert_eq!(enhanced_status("4.7.0 try later"), Some(Enhanced(4, 7, 0)));
    }
}
