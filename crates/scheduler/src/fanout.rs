//! Sending one message to the addresses still waiting for it, so that one
//! refused mailbox never keeps it from the others.
//!
//! The message first goes to every waiting address in one transaction (the
//! common case: one SMTP exchange). lettre gives up on the first refused
//! `RCPT`, and then the server holds nothing, so on a permanent refusal that
//! may be one recipient's the message is sent again to each address on its
//! own: each one's answer is then known and recorded.

use crate::{
    mailer::{Mailer, Outgoing, Receipt, SendError},
    refusal,
};

/// What the server answered, address by address.
#[derive(Debug, Default)]
pub struct Fanout {
    pub accepted: Vec<(String, Receipt)>,
    /// Refused permanently, each with the server's reply.
    pub refused: Vec<(String, SendError)>,
    /// A transient or configuration failure stopped the sending: the
    /// addresses not in `accepted` or `refused` are still waiting.
    pub stopped: Option<SendError>,
}

/// Sends `mail` to `waiting` (a subset of its recipients, or all of them).
pub async fn send_each<M: Mailer>(mailer: &M, mail: &Outgoing, waiting: &[String]) -> Fanout {
    let mut out = Fanout::default();
    if waiting.is_empty() {
        return out;
    }
    let all = waiting.len() == mail.recipients.len();
    let together = if all {
        mailer.send(mail).await
    } else {
        mailer.send_to(mail, waiting).await
    };
    match together {
        Ok(receipt) => {
            out.accepted = waiting
                .iter()
                .map(|a| (a.clone(), receipt.clone()))
                .collect();
        }
        Err(err @ SendError::Permanent { .. })
            if waiting.len() > 1 && refusal::is_recipient_level(&err) =>
        {
            for address in waiting {
                match mailer.send_to(mail, std::slice::from_ref(address)).await {
                    Ok(receipt) => out.accepted.push((address.clone(), receipt)),
                    Err(err @ SendError::Permanent { .. }) => {
                        out.refused.push((address.clone(), err))
                    }
                    Err(err) => {
                        out.stopped = Some(err);
                        break;
                    }
                }
            }
        }
        // The message or the sender is refused: the same for every address.
        Err(err @ SendError::Permanent { .. }) => {
            out.refused = waiting.iter().map(|a| (a.clone(), err.clone())).collect();
        }
        Err(err) => out.stopped = Some(err),
    }
    out
}
