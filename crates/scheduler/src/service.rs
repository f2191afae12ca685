//! The scheduler loop: every instance ticks the digest jobs every
//! `scheduler.tick_seconds` and drains the outbox on the `deliver` schedule
//! (and right after a tick enqueued something). No leader election: the
//! occurrence rows and the leases make it safe to run several.

use std::{future::Future, sync::Arc, time::Duration};

use dondoc_core::{Clock, Settings, db::Db};
use tokio::time::{Instant, sleep_until};

use crate::{
    jobs::{self, Context},
    mailer::{AnyMailer, Mailer},
    schedule::Job,
    worker::Worker,
};

pub struct Scheduler<M> {
    ctx: Context,
    worker: Worker<M>,
}

impl Scheduler<AnyMailer> {
    /// The production scheduler: schedules and mail transport from the
    /// configuration. A bad cron expression or sender stops here, naming it.
    pub fn from_settings(db: Db, clock: Clock, settings: Arc<Settings>) -> anyhow::Result<Self> {
        let ctx = Context::new(db.clone(), clock.clone(), settings.clone())?;
        let mailer = AnyMailer::from_settings(&settings.mail)?;
        let worker = Worker::new(db, clock, settings.mail.delivery.clone(), mailer)
            .with_id(ctx.instance.clone());
        Ok(Self { ctx, worker })
    }
}

impl<M: Mailer> Scheduler<M> {
    pub fn new(ctx: Context, worker: Worker<M>) -> Self {
        Self { ctx, worker }
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    pub fn worker_mut(&mut self) -> &mut Worker<M> {
        &mut self.worker
    }

    /// Runs until `shutdown` completes. Work in progress (one tick, one
    /// delivery round) is finished before returning, so no lease is left
    /// behind by a clean stop.
    pub async fn run(mut self, shutdown: impl Future<Output = ()> + Send) {
        let tick_every = Duration::from_secs(self.ctx.settings.scheduler.tick_seconds.max(1));
        tracing::info!(
            instance = %self.ctx.instance,
            transport = %self.worker.mailer().describe(),
            tick_seconds = tick_every.as_secs(),
            jobs = %self.ctx.schedules.iter().map(|j| format!("{}=\"{}\"", j.job, j.expression)).collect::<Vec<_>>().join(", "),
            "scheduler started"
        );
        tokio::pin!(shutdown);
        let mut next_tick = Instant::now();
        let mut next_delivery = Instant::now();
        loop {
            let wake = next_tick.min(next_delivery);
            tokio::select! {
                () = &mut shutdown => break,
                () = sleep_until(wake) => {}
            }
            let now = Instant::now();
            if now >= next_tick {
                let reports = jobs::tick(&self.ctx).await;
                jobs::recurring(&self.ctx).await;
                let notices = crate::notices::tick(&self.ctx).await;
                if notices != Default::default()
                    || reports
                        .iter()
                        .any(|r| r.run.as_ref().is_some_and(|run| run.enqueued > 0))
                {
                    next_delivery = now;
                }
                next_tick = Instant::now() + tick_every;
            }
            if Instant::now() >= next_delivery {
                match self.worker.drain().await {
                    Ok(report) => {
                        if report != Default::default() {
                            tracing::info!(worker = %self.worker.id(), "delivery: {}", report.describe());
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "delivery round failed; retrying at the next occurrence")
                    }
                }
                next_delivery = self.next_delivery();
            }
        }
        tracing::info!(instance = %self.ctx.instance, "scheduler stopped");
    }

    /// The next `deliver` occurrence, or the end of a pause if later.
    fn next_delivery(&self) -> Instant {
        let now = self.ctx.clock.now();
        let schedule = self.ctx.schedules.get(Job::Deliver);
        let mut at = schedule
            .after(now, self.ctx.schedules.timezone())
            .next()
            .unwrap_or(now + chrono::Duration::seconds(30));
        if let Some(until) = self.worker.paused_until()
            && until > at
        {
            at = until;
        }
        let wait = (at - now).to_std().unwrap_or(Duration::ZERO);
        Instant::now() + wait.max(Duration::from_millis(200))
    }
}
