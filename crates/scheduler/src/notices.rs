//! Mailing the workflow notices (`dondoc_core::notices`), every tick: the
//! notices chosen "at once" go into the outbox as soon as they exist; those
//! chosen for the digest go out once a day, with the department digest's
//! occurrence, one message per person. Both are insert-or-ignore on their
//! idempotency keys, so several instances and reruns add nothing.

use chrono::Duration;
use dondoc_core::notices::mail;

use crate::{jobs::Context, mailer, schedule::Job};

/// Notices enqueued per transaction at most (a tick takes the rest next).
const IMMEDIATE_BATCH: u64 = 500;

/// What one tick enqueued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeRun {
    pub immediate: u32,
    pub digests: u32,
}

/// Enqueues the notices due for mail; a failure is logged and retried at
/// the next tick (nothing is linked until its notification exists).
pub async fn tick(ctx: &Context) -> NoticeRun {
    let mut run = NoticeRun::default();
    let domain = match mailer::sender(&ctx.settings.mail) {
        Ok(from) => mailer::message_domain(&from),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "notices: no sender address");
            return run;
        }
    };
    let now = ctx.clock.now();
    match mail::enqueue_immediate(
        &ctx.db,
        now,
        ctx.clock.today(),
        &ctx.settings,
        &domain,
        IMMEDIATE_BATCH,
    )
    .await
    {
        Ok(n) => run.immediate = n,
        Err(err) => {
            metrics::counter!("dondoc_job_errors_total", "job" => "notices").increment(1);
            tracing::error!(error = %format!("{err:#}"), "notices: enqueueing failed; retried at the next tick");
        }
    }
    // The digest goes with the latest department digest occurrence of the
    // past day: the notices made until then.
    let schedule = ctx.schedules.get(Job::DepartmentDigest);
    let (fires, _) = schedule.between(now - Duration::days(1), now, ctx.schedules.timezone(), 1);
    if let Some(at) = fires.last() {
        let date = ctx.date_of(*at);
        match mail::enqueue_digests(&ctx.db, now, date, *at, &ctx.settings, &domain).await {
            Ok(n) => run.digests = n,
            Err(err) => {
                metrics::counter!("dondoc_job_errors_total", "job" => "notices").increment(1);
                tracing::error!(error = %format!("{err:#}"), "notice digests failed; retried at the next tick");
            }
        }
    }
    if run != NoticeRun::default() {
        tracing::info!(
            instance = %ctx.instance,
            immediate = run.immediate,
            digests = run.digests,
            "workflow notices enqueued"
        );
    }
    run
}
