//! The delivery worker: claim due notifications under a lease, send each
//! with no transaction open, finish it under the lease (the outbox protocol of
//! `docs/reliability.md`).
//!
//! Tests drive it step by step with [`Worker::try_deliver_one`] and a manual
//! clock; production calls [`Worker::drain`] from the scheduler loop or
//! `dondoc outbox deliver`.

use chrono::{DateTime, Utc};
use dondoc_core::{
    Clock,
    config::DeliverySettings,
    db::Db,
    followup::outbox::{self, ClaimedNotification, Fenced, Finish},
};
use rand::Rng;

use crate::{
    mailer::{Mailer, Outgoing, Receipt, SendError},
    render,
};

/// Identical permanent refusals in a row after which the worker treats the
/// server as refusing everything (e.g. the sender is rejected): it pauses
/// instead of failing every notification in the queue.
pub const REFUSALS_BEFORE_PAUSE: u32 = 3;

/// A name for this process, unique per start: `host:pid:random`.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "host".to_string());
    let tag: u32 = rand::rng().random();
    format!("{host}:{}:{:08x}", std::process::id(), tag)
}

/// What happened to one claimed notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        id: i64,
        /// Re-claimed after a lost lease or a dropped connection: the
        /// recipient may have it twice (same Message-ID).
        possibly_duplicated: bool,
    },
    Retrying {
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: String,
    },
    Failed {
        id: i64,
        reason: String,
    },
    /// Given back without spending the attempt (configuration failure).
    Released {
        id: i64,
    },
    /// Another worker holds it now; nothing was changed.
    LostLease {
        id: i64,
    },
}

/// One step of the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Delivered(Vec<Delivery>),
    /// Nothing is due.
    Empty,
    /// Delivery is paused after a configuration failure.
    Paused {
        until: DateTime<Utc>,
    },
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub sent: u32,
    pub possibly_duplicated: u32,
    pub retrying: u32,
    pub failed: u32,
    pub released: u32,
    pub lost_leases: u32,
    /// Failed because they were older than `max_age`.
    pub expired: u32,
    pub paused_until: Option<DateTime<Utc>>,
}

impl DrainReport {
    fn add(&mut self, d: &Delivery) {
        match d {
            Delivery::Sent {
                possibly_duplicated,
                ..
            } => {
                self.sent += 1;
                if *possibly_duplicated {
                    self.possibly_duplicated += 1;
                }
            }
            Delivery::Retrying { .. } => self.retrying += 1,
            Delivery::Failed { .. } => self.failed += 1,
            Delivery::Released { .. } => self.released += 1,
            Delivery::LostLease { .. } => self.lost_leases += 1,
        }
    }

    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} sent ({} possibly duplicated), {} to retry, {} failed ({} too old), {} released, {} lost leases",
            self.sent,
            self.possibly_duplicated,
            self.retrying,
            self.failed + self.expired,
            self.expired,
            self.released,
            self.lost_leases
        );
        if let Some(until) = self.paused_until {
            text.push_str(&format!("; delivery paused until {until}"));
        }
        text
    }
}

pub struct Worker<M> {
    db: Db,
    clock: Clock,
    config: DeliverySettings,
    mailer: M,
    id: String,
    paused_until: Option<DateTime<Utc>>,
    refusals: (Option<(Option<u16>, String)>, u32),
}

impl<M: Mailer> Worker<M> {
    pub fn new(db: Db, clock: Clock, config: DeliverySettings, mailer: M) -> Self {
        Self {
            db,
            clock,
            config,
            mailer,
            id: worker_id(),
            paused_until: None,
            refusals: (None, 0),
        }
    }

    /// Replaces the generated worker id (tests name their workers).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn mailer(&self) -> &M {
        &self.mailer
    }

    /// When delivery resumes after a configuration failure.
    pub fn paused_until(&self) -> Option<DateTime<Utc>> {
        self.paused_until.filter(|until| *until > self.clock.now())
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.config.lease_seconds.min(86_400) as i64)
    }

    fn max_age(&self) -> chrono::Duration {
        chrono::Duration::hours(self.config.max_age_hours.min(24 * 3650) as i64)
    }

    /// Claims and delivers at most one notification.
    pub async fn try_deliver_one(&mut self) -> dondoc_core::Result<Step> {
        self.step(1).await
    }

    /// Claims and delivers at most `mail.delivery.batch_size` notifications.
    pub async fn deliver_batch(&mut self) -> dondoc_core::Result<Step> {
        let n = u64::from(self.config.batch_size.max(1));
        self.step(n).await
    }

    /// Fails the notifications older than `max_age`, visibly.
    pub async fn expire(&mut self) -> dondoc_core::Result<u32> {
        let ids = outbox::fail_expired(&self.db, self.clock.now(), self.max_age()).await?;
        if !ids.is_empty() {
            metrics::counter!("dondoc_notifications_failed_total", "reason" => "max_age")
                .increment(ids.len() as u64);
            tracing::error!(
                count = ids.len(),
                ids = ?ids,
                max_age_hours = self.config.max_age_hours,
                "notifications still undelivered after mail.delivery.max_age_hours were marked failed"
            );
        }
        Ok(ids.len() as u32)
    }

    async fn step(&mut self, limit: u64) -> dondoc_core::Result<Step> {
        if let Some(until) = self.paused_until() {
            return Ok(Step::Paused { until });
        }
        let claimed =
            outbox::claim(&self.db, &self.id, self.clock.now(), self.lease(), limit).await?;
        if claimed.is_empty() {
            return Ok(Step::Empty);
        }
        let mut out = Vec::with_capacity(claimed.len());
        for c in &claimed {
            if let Some(until) = self.paused_until() {
                // A configuration failure earlier in this batch: give the rest back.
                out.push(
                    self.release(c, until, "delivery paused after a configuration failure")
                        .await?,
                );
                continue;
            }
            let now = self.clock.now();
            if now + self.lease() / 2 > c.locked_until {
                // A slow batch: too little of the lease is left to send this
                // one safely (another worker could take it over mid-send).
                // Give it back unspent; the next claim takes it afresh.
                out.push(
                    self.release(c, now, "lease running out before sending; given back")
                        .await?,
                );
                continue;
            }
            out.push(self.deliver_claimed(c).await?);
        }
        Ok(Step::Delivered(out))
    }

    /// Delivers until nothing is due (or delivery pauses).
    pub async fn drain(&mut self) -> dondoc_core::Result<DrainReport> {
        let mut report = DrainReport {
            expired: self.expire().await?,
            ..Default::default()
        };
        loop {
            match self.deliver_batch().await? {
                Step::Empty => break,
                Step::Paused { until } => {
                    report.paused_until = Some(until);
                    break;
                }
                Step::Delivered(list) => list.iter().for_each(|d| report.add(d)),
            }
        }
        Ok(report)
    }

    async fn release(
        &mut self,
        c: &ClaimedNotification,
        until: DateTime<Utc>,
        why: &str,
    ) -> dondoc_core::Result<Delivery> {
        let outcome = Finish::Release {
            code: None,
            error: why.to_string(),
            next_attempt_at: until,
        };
        Ok(
            match outbox::finish(&self.db, c, &self.id, &outcome, self.clock.now()).await? {
                Fenced::Applied => Delivery::Released { id: c.id },
                Fenced::LostLease => self.lost(c),
            },
        )
    }

    fn lost(&self, c: &ClaimedNotification) -> Delivery {
        metrics::counter!("dondoc_outbox_lost_leases_total").increment(1);
        tracing::warn!(
            notification = c.id,
            key = %c.idempotency_key,
            worker = %self.id,
            "lease lost before finishing: another worker re-claimed the notification; nothing was changed"
        );
        Delivery::LostLease { id: c.id }
    }

    /// Sends one claimed notification (no transaction is open) and finishes
    /// it under the lease.
    pub async fn deliver_claimed(
        &mut self,
        c: &ClaimedNotification,
    ) -> dondoc_core::Result<Delivery> {
        if c.ambiguous {
            metrics::counter!("dondoc_outbox_reclaimed_total").increment(1);
        }
        let rendered;
        let c = match &c.payload {
            None => c,
            Some(payload) => match self.render_and_store(c, payload).await? {
                Ok(with_bodies) => {
                    rendered = with_bodies;
                    &rendered
                }
                Err(delivery) => return Ok(delivery),
            },
        };
        let result = self.mailer.send(&Outgoing::from(c)).await;
        let now = self.clock.now();
        let (finish, delivery) = match self.judge(c, result, now) {
            Judged::Finish(finish, delivery) => (finish, delivery),
            Judged::Pause { code, message } => return self.pause(c, code, message).await,
        };
        match outbox::finish(&self.db, c, &self.id, &finish, now).await? {
            Fenced::LostLease => Ok(self.lost(c)),
            Fenced::Applied => {
                report(c, &delivery);
                Ok(delivery)
            }
        }
    }

    /// What to record for a send's result: how the attempt finishes and what
    /// the caller is told, or a pause when the server refuses everything.
    fn judge(
        &mut self,
        c: &ClaimedNotification,
        result: Result<Receipt, SendError>,
        now: DateTime<Utc>,
    ) -> Judged {
        let (finish, delivery) = match result {
            Ok(receipt) => {
                self.refusals = (None, 0);
                (
                    Finish::Sent {
                        code: receipt.code,
                        reply: receipt.reply,
                    },
                    Delivery::Sent {
                        id: c.id,
                        possibly_duplicated: c.ambiguous,
                    },
                )
            }
            Err(SendError::Transient {
                code,
                message,
                ambiguous,
            }) => {
                let jitter = rand::rng().random_range(-1.0..=1.0);
                let next = now
                    + outbox::backoff(
                        c.attempts,
                        self.config.base_backoff_secs,
                        self.config.max_backoff_secs,
                        jitter,
                    );
                if next >= c.created_at + self.max_age() {
                    let reason = format!(
                        "Không gửi được sau {} giờ / undelivered after {} h (mail.delivery.max_age_hours); last error: {message}",
                        self.config.max_age_hours, self.config.max_age_hours
                    );
                    (
                        Finish::Failed {
                            code,
                            error: reason.clone(),
                        },
                        Delivery::Failed { id: c.id, reason },
                    )
                } else {
                    (
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
            Err(SendError::Permanent { code, message }) => {
                let same = self.refusals.0.as_ref() == Some(&(code, message.clone()));
                self.refusals = (
                    Some((code, message.clone())),
                    if same { self.refusals.1 + 1 } else { 1 },
                );
                if self.refusals.1 >= REFUSALS_BEFORE_PAUSE {
                    let reason = format!(
                        "the server refused {} messages in a row with the same reply: {message}",
                        self.refusals.1
                    );
                    return Judged::Pause {
                        code,
                        message: reason,
                    };
                }
                (
                    Finish::Failed {
                        code,
                        error: message.clone(),
                    },
                    Delivery::Failed {
                        id: c.id,
                        reason: message,
                    },
                )
            }
            Err(SendError::Config { code, message }) => return Judged::Pause { code, message },
        };
        Judged::Finish(finish, delivery)
    }

    /// Renders a notification core enqueued with structured content and
    /// stores its bodies under the lease, before the first send: from then
    /// on it is like any other, and every attempt sends the same bytes. A
    /// payload that cannot be rendered fails the notification (it would
    /// fail again); a lost lease leaves it to the worker that holds it.
    async fn render_and_store(
        &mut self,
        c: &ClaimedNotification,
        payload: &str,
    ) -> dondoc_core::Result<Result<ClaimedNotification, Delivery>> {
        let (text, html) = match render::render_payload(&c.kind, &c.subject, payload) {
            Ok(bodies) => bodies,
            Err(reason) => {
                let outcome = Finish::Failed {
                    code: None,
                    error: reason.clone(),
                };
                let now = self.clock.now();
                return Ok(Err(
                    match outbox::finish(&self.db, c, &self.id, &outcome, now).await? {
                        Fenced::Applied => {
                            metrics::counter!("dondoc_notifications_failed_total", "reason" => "render")
                                .increment(1);
                            tracing::error!(notification = c.id, key = %c.idempotency_key, reason = %reason,
                                "notification cannot be rendered; failed");
                            Delivery::Failed { id: c.id, reason }
                        }
                        Fenced::LostLease => self.lost(c),
                    },
                ));
            }
        };
        Ok(
            match outbox::store_rendered(&self.db, c, &self.id, &text, &html).await? {
                Fenced::Applied => Ok(ClaimedNotification {
                    body_text: text,
                    body_html: html,
                    payload: None,
                    ..c.clone()
                }),
                Fenced::LostLease => Err(self.lost(c)),
            },
        )
    }

    async fn pause(
        &mut self,
        c: &ClaimedNotification,
        code: Option<u16>,
        message: String,
    ) -> dondoc_core::Result<Delivery> {
        let now = self.clock.now();
        let until = now
            + chrono::Duration::seconds(
                self.config.pause_on_config_error_secs.clamp(1, 86_400) as i64
            );
        self.paused_until = Some(until);
        metrics::counter!("dondoc_delivery_paused_total").increment(1);
        tracing::error!(
            transport = %self.mailer.describe(),
            code = ?code,
            error = %message,
            until = %until,
            "mail configuration failure: delivery paused, no attempts spent; check mail.* settings"
        );
        let outcome = Finish::Release {
            code,
            error: format!("configuration failure (delivery paused): {message}"),
            next_attempt_at: until,
        };
        Ok(
            match outbox::finish(&self.db, c, &self.id, &outcome, now).await? {
                Fenced::Applied => Delivery::Released { id: c.id },
                Fenced::LostLease => self.lost(c),
            },
        )
    }
}

/// How a send's result is recorded.
enum Judged {
    Finish(Finish, Delivery),
    /// The server refuses everything for now: pause, spend no attempt.
    Pause {
        code: Option<u16>,
        message: String,
    },
}

/// Metrics and logs for a finished attempt.
fn report(c: &ClaimedNotification, delivery: &Delivery) {
    match delivery {
        Delivery::Sent {
            possibly_duplicated,
            ..
        } => {
            metrics::counter!("dondoc_notifications_sent_total").increment(1);
            if *possibly_duplicated {
                tracing::warn!(notification = c.id, key = %c.idempotency_key,
                    "sent again after a lost lease or dropped connection: possibly duplicated (same Message-ID)");
            }
        }
        Delivery::Retrying {
            next_attempt_at,
            error,
            ..
        } => {
            metrics::counter!("dondoc_notifications_retried_total").increment(1);
            tracing::warn!(notification = c.id, attempt = c.attempts, next = %next_attempt_at,
                error = %error, "transient delivery failure; will retry");
        }
        Delivery::Failed { reason, .. } => {
            metrics::counter!("dondoc_notifications_failed_total", "reason" => "permanent")
                .increment(1);
            tracing::error!(notification = c.id, key = %c.idempotency_key, reason = %reason,
                "notification failed permanently");
        }
        Delivery::Released { .. } | Delivery::LostLease { .. } => {}
    }
}
