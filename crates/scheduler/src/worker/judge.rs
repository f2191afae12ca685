//! Sending a claimed notification to the addresses still waiting for it and
//! judging what the server answered: sent (to every address that accepts
//! it), retry, failed, or pause.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use dondoc_core::followup::outbox::{
    self, AddressOutcome, ClaimedNotification, Fenced, Finish, recipient_outcome,
};
use rand::Rng;

use super::{Delivery, Worker, report};
use crate::{
    fanout::{self, Fanout},
    mailer::{Mailer, Outgoing, SendError},
    refusal::{self, RefusalKind},
};

/// Whole-message refusals of one kind in a row, and the notifications they
/// failed (taken back if the streak turns out to be the server's).
#[derive(Debug, Default)]
pub(super) struct Streak {
    kind: Option<RefusalKind>,
    failed: Vec<i64>,
}

impl Streak {
    fn reset(&mut self) {
        *self = Self::default();
    }

    /// Counts a notification nobody accepted; returns the streak's length.
    fn push(&mut self, kind: RefusalKind, id: i64) -> u32 {
        if self.kind != Some(kind) {
            self.kind = Some(kind);
            self.failed.clear();
        }
        self.failed.push(id);
        self.failed.len() as u32
    }
}

/// How a send's result is recorded.
enum Judged {
    Finish(Finish, Delivery),
    /// The server refuses everything for now: pause, spend no attempt, and
    /// put back the notifications the streak failed.
    Pause {
        code: Option<u16>,
        message: String,
        reopen: Vec<i64>,
    },
}

fn normalised(address: &str) -> String {
    address.trim().to_lowercase()
}

fn address_outcomes(fan: &Fanout) -> Vec<AddressOutcome> {
    let accepted = fan
        .accepted
        .iter()
        .map(|(address, receipt)| AddressOutcome {
            address: address.clone(),
            outcome: recipient_outcome::SENT,
            smtp_code: receipt.code,
            reply: receipt.reply.clone(),
            mailbox_refused: false,
        });
    let refused = fan.refused.iter().map(|(address, err)| AddressOutcome {
        address: address.clone(),
        outcome: recipient_outcome::REFUSED,
        smtp_code: err.code(),
        reply: err.message().to_string(),
        mailbox_refused: refusal::is_recipient_level(err),
    });
    accepted.chain(refused).collect()
}

/// A claimed notification after its send: either already finished
/// (rendering failed, lease lost) or the server's answers, to judge.
pub(super) enum Sent {
    Done(Delivery),
    Answered {
        c: Box<ClaimedNotification>,
        fan: Fanout,
        delivered_before: bool,
        refused_before: BTreeSet<String>,
    },
}

impl<M: Mailer> Worker<M> {
    /// Sends one claimed notification (no transaction is open) to each of
    /// its addresses that has not taken it yet and is not refused for good,
    /// records each address's answer, and finishes the row under the lease.
    pub async fn deliver_claimed(&self, c: &ClaimedNotification) -> dondoc_core::Result<Delivery> {
        let sent = self.send_claimed(c).await?;
        self.settle(sent).await
    }

    /// The sending half of [`Worker::deliver_claimed`]: shared access only,
    /// so that several run at once.
    pub(super) async fn send_claimed(&self, c: &ClaimedNotification) -> dondoc_core::Result<Sent> {
        if c.ambiguous {
            metrics::counter!("dondoc_outbox_reclaimed_total").increment(1);
        }
        let c = match &c.payload {
            None => c.clone(),
            Some(payload) => match self.render_and_store(c, payload).await? {
                Ok(with_bodies) => with_bodies,
                Err(delivery) => return Ok(Sent::Done(delivery)),
            },
        };
        let delivered = outbox::delivered_to(&self.db, c.id).await?;
        let refused = outbox::refused_among(&self.db, &c.recipients).await?;
        let waiting: Vec<String> = c
            .recipients
            .iter()
            .filter(|a| !delivered.contains(&normalised(a)) && !refused.contains(&normalised(a)))
            .cloned()
            .collect();
        if !refused.is_empty() {
            tracing::warn!(notification = c.id, left_out = ?refused,
                "addresses the mail server refused before are left out until they are changed (or `dondoc outbox retry`)");
        }
        let fan = fanout::send_each(&self.mailer, &Outgoing::from(&c), &waiting).await;
        let now = self.clock.now();
        outbox::record_addresses(&self.db, c.id, &address_outcomes(&fan), now).await?;
        for (address, err) in &fan.refused {
            tracing::error!(notification = c.id, key = %c.idempotency_key, address = %address,
                code = ?err.code(), reply = %err.message(),
                "the mail server refused this address permanently");
        }
        Ok(Sent::Answered {
            c: Box::new(c),
            fan,
            delivered_before: !delivered.is_empty(),
            refused_before: refused,
        })
    }

    /// The judging half: what the answers mean, recorded under the lease.
    /// A message nobody accepted after delivery paused (sent at the same
    /// time as the one that made it pause) goes back in the queue with the
    /// streak's, instead of failing for good.
    pub(super) async fn settle(&self, sent: Sent) -> dondoc_core::Result<Delivery> {
        let (c, fan, delivered_before, refused) = match sent {
            Sent::Done(delivery) => return Ok(delivery),
            Sent::Answered {
                c,
                fan,
                delivered_before,
                refused_before,
            } => (c, fan, delivered_before, refused_before),
        };
        let c = c.as_ref();
        let paused_before = self.paused_until();
        let now = self.clock.now();
        let (finish, delivery) = match self.judge(c, &fan, delivered_before, &refused, now) {
            Judged::Finish(finish, delivery) => (finish, delivery),
            Judged::Pause {
                code,
                message,
                reopen,
            } => return self.pause(c, code, message, reopen).await,
        };
        match outbox::finish(&self.db, c, &self.id, &finish, now).await? {
            Fenced::LostLease => Ok(self.lost(c)),
            Fenced::Applied => {
                // Also a pause decided while this message was on the wire (a
                // concurrent send's answer completed the wave): this refusal
                // belongs to the same wave.
                let paused = paused_before.or_else(|| self.paused_until());
                if let (Some(until), Delivery::Failed { .. }, true) =
                    (paused, &delivery, fan.accepted.is_empty())
                {
                    self.streak().reset();
                    let why = "Trả lại hàng đợi: máy chủ thư từ chối mọi thư / back in the queue: the mail server refused every message; ";
                    // Reported as given back (never as failed), so not
                    // counted among the reopened failures either.
                    outbox::reopen_refused(&self.db, &[c.id], until, why).await?;
                    return Ok(Delivery::Released { id: c.id });
                }
                report(c, &delivery);
                Ok(delivery)
            }
        }
    }

    /// What to record for the answers: sent as soon as one address has the
    /// message and none is waiting, retry while some wait after a transient
    /// failure, failed when every address refused it — or a pause when the
    /// server refuses everything.
    fn streak(&self) -> std::sync::MutexGuard<'_, Streak> {
        self.refusals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn judge(
        &self,
        c: &ClaimedNotification,
        fan: &Fanout,
        delivered_before: bool,
        refused_before: &BTreeSet<String>,
        now: DateTime<Utc>,
    ) -> Judged {
        match &fan.stopped {
            Some(SendError::Config { code, message }) => {
                return Judged::Pause {
                    code: *code,
                    message: message.clone(),
                    reopen: Vec::new(),
                };
            }
            Some(SendError::Transient {
                code,
                message,
                ambiguous,
            }) => {
                if !fan.accepted.is_empty() {
                    self.streak().reset();
                }
                return self.retry(c, *code, message.clone(), *ambiguous, now);
            }
            Some(SendError::Permanent { .. }) | None => {}
        }
        if delivered_before || !fan.accepted.is_empty() {
            self.streak().reset();
            let (code, mut reply) = match fan.accepted.last() {
                Some((_, receipt)) => (receipt.code, receipt.reply.clone()),
                None => (
                    None,
                    "already delivered to every address that accepts it".to_string(),
                ),
            };
            for (address, err) in &fan.refused {
                reply.push_str(&format!("; refused {address}: {}", err.message()));
            }
            return Judged::Finish(
                Finish::Sent { code, reply },
                Delivery::Sent {
                    id: c.id,
                    possibly_duplicated: c.ambiguous,
                },
            );
        }
        let Some((_, first)) = fan.refused.first() else {
            let reason = format!(
                "Mọi địa chỉ đã bị máy chủ thư từ chối trước đó / every address was refused by the mail server before: {}",
                refused_before
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return failed(c, None, reason);
        };
        let mut refusals = self.streak();
        let streak = refusals.push(refusal::kind(first), c.id);
        if streak >= self.config.refusals_before_pause.max(1) {
            // This one included: it is given back, and its refusals forgotten.
            let reopen = std::mem::take(&mut refusals.failed);
            refusals.reset();
            // Marked paused before the lock is let go, so that a refusal
            // judged next (sent at the same time) joins this wave instead of
            // starting a new streak and failing; `pause` sets the final end.
            self.mark_paused(now);
            drop(refusals);
            return Judged::Pause {
                code: first.code(),
                message: format!(
                    "the server refused {streak} messages in a row the same way ({}): {}",
                    refusal::enhanced_status(first.message())
                        .map_or_else(|| format!("{:?}", first.code()), |e| e.to_string()),
                    first.message()
                ),
                reopen,
            };
        }
        let error = if fan.refused.len() == 1 {
            first.message().to_string()
        } else {
            fan.refused
                .iter()
                .map(|(address, err)| format!("{address}: {}", err.message()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        failed(c, first.code(), error)
    }

    /// A transient failure: retry with backoff, unless that would take the
    /// notification past `max_age`.
    fn retry(
        &self,
        c: &ClaimedNotification,
        code: Option<u16>,
        message: String,
        ambiguous: bool,
        now: DateTime<Utc>,
    ) -> Judged {
        let jitter = rand::rng().random_range(-1.0..=1.0);
        let next = now
            + outbox::backoff(
                c.attempts,
                self.config.base_backoff_secs,
                self.config.max_backoff_secs,
                jitter,
            );
        if next >= c.created_at + self.max_age() {
            let hours = self.config.max_age_hours;
            let reason = format!(
                "Không gửi được sau {hours} giờ / undelivered after {hours} h (mail.delivery.max_age_hours); last error: {message}"
            );
            return failed(c, code, reason);
        }
        Judged::Finish(
            Finish::Retry {
                code,
                error: message.clone(),
                next_attempt_at: next,
                ambiguous,
            },
            Delivery::Retrying {
                id: c.id,
                next_attempt_at: next,
                error: message,
            },
        )
    }
}

fn failed(c: &ClaimedNotification, code: Option<u16>, reason: String) -> Judged {
    Judged::Finish(
        Finish::Failed {
            code,
            error: reason.clone(),
        },
        Delivery::Failed { id: c.id, reason },
    )
}
