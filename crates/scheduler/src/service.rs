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

    /// Runs until `shutdown` completes. A tick in progress is finished; a
    /// delivery round in progress finishes the messages being sent and
    /// gives back the rest of its claim unsent, so a clean stop leaves no
    /// lease behind and does not wait for the whole queue.
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
                // Shutdown is watched during delivery too: the messages being
                // sent are finished, the rest of the claim is given back,
                // and the queue is left for the next start (or another
                // instance) instead of being drained first.
                let stop = self.worker.stop_handle();
                let mut stopping = false;
                let result = {
                    let drain = self.worker.drain();
                    tokio::pin!(drain);
                    tokio::select! {
                        result = &mut drain => result,
                        () = &mut shutdown => {
                            stopping = true;
                            stop.stop();
                            tracing::info!(instance = %self.ctx.instance,
                                "stopping: finishing the messages being sent, giving back the rest");
                            drain.await
                        }
                    }
                };
                match result {
                    Ok(report) => {
                        if report != Default::default() {
                            tracing::info!(worker = %self.worker.id(), "delivery: {}", report.describe());
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "delivery round failed; retrying at the next occurrence")
                    }
                }
                if stopping {
                    break;
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
