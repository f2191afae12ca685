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
use std::sync::{
    Arc, Mutex, PoisonError,
    atomic::{AtomicBool, AtomicU32, Ordering},
};

use futures_util::StreamExt;

use rand::Rng;

use crate::{mailer::Mailer, render};

mod judge;

/// The default of `mail.delivery.refusals_before_pause`: refusals of the
/// same kind (code and enhanced status) in a row, each for a whole message,
/// after which the worker treats the server as refusing everything (the
/// sender is rejected, its directory is down): it pauses, and takes back
/// the refusals of the streak, instead of failing the whole queue.
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
    /// Failed by a refusal, then put back in the queue when the same refusal
    /// came for every message in a row (the server's, not the mailboxes').
    pub reopened: u32,
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
        if self.reopened > 0 {
            text.push_str(&format!(
                "; {} reopened after a wave of refusals",
                self.reopened
            ));
        }
        if let Some(until) = self.paused_until {
            text.push_str(&format!("; delivery paused until {until}"));
        }
        text
    }
}

/// Asks a worker to stop: the messages being sent are finished, the rest of
/// its claim is given back at once (another instance may take it), and no
/// new batch is claimed. Cheap to clone; any thread may call it.
#[derive(Debug, Clone, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopping(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

pub struct Worker<M> {
    db: Db,
    clock: Clock,
    config: DeliverySettings,
    mailer: M,
    id: String,
    // Shared by the messages sent at the same time: locked briefly, never
    // across an await.
    paused_until: Mutex<Option<DateTime<Utc>>>,
    refusals: Mutex<judge::Streak>,
    /// Notifications put back in the queue after a wave of refusals, since
    /// the last drain report.
    reopened: AtomicU32,
    stop: StopHandle,
}

impl<M: Mailer> Worker<M> {
    pub fn new(db: Db, clock: Clock, config: DeliverySettings, mailer: M) -> Self {
        Self {
            db,
            clock,
            config,
            mailer,
            id: worker_id(),
            paused_until: Mutex::new(None),
            refusals: Mutex::new(judge::Streak::default()),
            reopened: AtomicU32::new(0),
            stop: StopHandle::default(),
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

    /// The handle that stops this worker gracefully (see [`StopHandle`]).
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Messages sent at the same time (`mail.delivery.concurrency`).
    fn concurrency(&self) -> usize {
        self.config.concurrency.clamp(1, 64) as usize
    }

    pub fn mailer(&self) -> &M {
        &self.mailer
    }

    /// When delivery resumes after a configuration failure.
    pub fn paused_until(&self) -> Option<DateTime<Utc>> {
        let until = *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        until.filter(|until| *until > self.clock.now())
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

    /// Claims up to `limit` notifications and sends them
    /// `mail.delivery.concurrency` at a time, each with no transaction open,
    /// each judged and recorded as soon as its answer comes. A pause or a
    /// stop gives back what has not started yet.
    async fn step(&mut self, limit: u64) -> dondoc_core::Result<Step> {
        if let Some(until) = self.paused_until() {
            return Ok(Step::Paused { until });
        }
        if self.stop.is_stopping() {
            return Ok(Step::Empty);
        }
        let claimed =
            outbox::claim(&self.db, &self.id, self.clock.now(), self.lease(), limit).await?;
        if claimed.is_empty() {
            return Ok(Step::Empty);
        }
        // At most `concurrency` in flight; a slow one holds up no other.
        let this = &*self;
        let mut queue = claimed.iter().enumerate();
        let mut running = futures_util::stream::FuturesUnordered::new();
        for (i, c) in queue.by_ref().take(self.concurrency()) {
            running.push(this.numbered(i, c));
        }
        let mut done = Vec::with_capacity(claimed.len());
        while let Some((i, result)) = running.next().await {
            done.push((i, result?));
            if let Some((i, c)) = queue.next() {
                running.push(this.numbered(i, c));
            }
        }
        drop(running);
        done.sort_by_key(|(i, _)| *i);
        let out = done.into_iter().map(|(_, d)| d).collect();
        Ok(Step::Delivered(out))
    }

    async fn numbered(
        &self,
        i: usize,
        c: &ClaimedNotification,
    ) -> (usize, dondoc_core::Result<Delivery>) {
        (i, self.deliver_or_give_back(c).await)
    }

    /// One claimed notification, when a sending slot is free: given back if
    /// the worker is stopping, delivery paused meanwhile or too little of
    /// the lease is left; else sent, then judged.
    async fn deliver_or_give_back(&self, c: &ClaimedNotification) -> dondoc_core::Result<Delivery> {
        let now = self.clock.now();
        if self.stop.is_stopping() {
            // A graceful stop: nothing new starts; another instance (or
            // this one after its restart) takes it at once.
            return self.release(c, now, "stopping: given back unsent").await;
        }
        if let Some(until) = self.paused_until() {
            // A configuration failure earlier in this batch.
            return self
                .release(c, until, "delivery paused after a configuration failure")
                .await;
        }
        if now + self.lease() / 2 > c.locked_until {
            // A slow batch: too little of the lease is left to send this
            // one safely (another worker could take it over mid-send).
            // Give it back unspent; the next claim takes it afresh.
            return self
                .release(c, now, "lease running out before sending; given back")
                .await;
        }
        let sent = self.send_claimed(c).await?;
        self.settle(sent).await
    }

    /// Delivers until nothing is due (or delivery pauses).
    pub async fn drain(&mut self) -> dondoc_core::Result<DrainReport> {
        let mut report = DrainReport {
            expired: self.expire().await?,
            ..Default::default()
        };
        loop {
            if self.stop.is_stopping() {
                break;
            }
            match self.deliver_batch().await? {
                Step::Empty => break,
                Step::Paused { until } => {
                    report.paused_until = Some(until);
                    break;
                }
                Step::Delivered(list) => list.iter().for_each(|d| report.add(d)),
            }
        }
        report.reopened = self.reopened.swap(0, Ordering::SeqCst);
        Ok(report)
    }

    async fn release(
        &self,
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

    /// Renders a notification core enqueued with structured content and
    /// stores its bodies under the lease, before the first send: from then
    /// on it is like any other, and every attempt sends the same bytes. A
    /// payload that cannot be rendered fails the notification (it would
    /// fail again); a lost lease leaves it to the worker that holds it.
    async fn render_and_store(
        &self,
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

    /// Delivery is paused from `now` for `pause_on_config_error_secs`.
    fn mark_paused(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let until = now
            + chrono::Duration::seconds(
                self.config.pause_on_config_error_secs.clamp(1, 86_400) as i64
            );
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(until);
        until
    }

    async fn pause(
        &self,
        c: &ClaimedNotification,
        code: Option<u16>,
        message: String,
        reopen: Vec<i64>,
    ) -> dondoc_core::Result<Delivery> {
        let now = self.clock.now();
        let until = self.mark_paused(now);
        metrics::counter!("dondoc_delivery_paused_total").increment(1);
        tracing::error!(
            transport = %self.mailer.describe(),
            code = ?code,
            error = %message,
            until = %until,
            "mail configuration failure: delivery paused, no attempts spent; check mail.* settings"
        );
        if !reopen.is_empty() {
            let why = "Trả lại hàng đợi: máy chủ thư từ chối mọi thư / back in the queue: the mail server refused every message; ";
            let n = outbox::reopen_refused(&self.db, &reopen, until, why).await?;
            self.reopened.fetch_add(n as u32, Ordering::SeqCst);
            tracing::warn!(reopened = n, ids = ?reopen,
                "the same refusal came for every message in a row: the server's, not the mailboxes'; those notifications wait for it again");
        }
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
