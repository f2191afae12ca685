//! Running the digest jobs: on a cron occurrence (the tick) or by hand.
//! Jobs only *enqueue*; delivery is the worker's.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use dondoc_core::{
    Clock, Settings,
    db::Db,
    followup::outbox::{self, NewNotification, Occurrence, OccurrenceOutcome, fire_status},
    followup::{
        reminders::{self, DigestKind, LetterReply},
        snapshot,
        working_days::{Calendar, DayOff},
    },
};
use lettre::Address;

use crate::{
    mailer,
    render::{self, RenderSettings},
    schedule::{Job, ScheduleError, Schedules},
    worker::worker_id,
};

/// At most this many missed occurrences are examined per tick (the most
/// recent ones); older ones are only counted in the log.
const MAX_OCCURRENCES_PER_TICK: usize = 1000;

/// Everything a job needs, built once at start-up.
#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub schedules: Arc<Schedules>,
    /// This instance's name, recorded on the occurrences it runs.
    pub instance: String,
    render: RenderSettings,
    calendar: Calendar,
    message_domain: String,
}

/// Start-up errors of the scheduler: each names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("{0}")]
    Mail(String),
}

impl Context {
    pub fn new(db: Db, clock: Clock, settings: Arc<Settings>) -> Result<Self, SetupError> {
        let schedules = Schedules::from_settings(&settings)?;
        let from = mailer::sender(&settings.mail).map_err(|e| SetupError::Mail(e.to_string()))?;
        mailer::reply_to(&settings.mail).map_err(|e| SetupError::Mail(e.to_string()))?;
        let calendar = Calendar::from_settings(&settings.calendar);
        if let Some(year) = calendar.next_year_unlisted(clock.today()) {
            tracing::warn!(
                year,
                "calendar.holidays lists no public holiday (Tết included) for next year: add them, or digests will go out on holidays"
            );
        }
        Ok(Self {
            render: RenderSettings::from_settings(&settings),
            calendar,
            message_domain: message_id_domain(&settings.mail, &from),
            schedules: Arc::new(schedules),
            instance: worker_id(),
            db,
            clock,
            settings,
        })
    }

    /// Replaces the generated instance name (tests name their instances).
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = instance.into();
        self
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The date a cron occurrence is about: `clock.today` when pinned,
    /// else the occurrence's local date.
    pub fn date_of(&self, fire_at: DateTime<Utc>) -> NaiveDate {
        self.settings.clock.today.unwrap_or_else(|| {
            fire_at
                .with_timezone(&self.schedules.timezone())
                .date_naive()
        })
    }
}

/// The domain of Message-IDs: `mail.message_id_domain`, else `mail.from`'s.
fn message_id_domain(
    settings: &dondoc_core::config::MailSettings,
    from: &lettre::message::Mailbox,
) -> String {
    let configured = settings.message_id_domain();
    if configured.is_empty() {
        mailer::message_domain(from)
    } else {
        configured
    }
}

/// What one run of a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: Job,
    /// The day the digests are about.
    pub date: NaiveDate,
    pub fire_at: DateTime<Utc>,
    /// Not a working day: nothing was due.
    pub day_off: Option<DayOff>,
    /// Digests the policy decided on.
    pub digests: usize,
    /// Of those, newly put in the outbox.
    pub enqueued: u32,
    /// Of those, already in the outbox (a rerun).
    pub already_present: u32,
    /// Of those, recorded failed because nobody can receive them.
    pub undeliverable: usize,
    /// Another instance had recorded this occurrence: nothing was done here.
    pub lost_race: bool,
}

impl JobRun {
    pub fn describe(&self) -> String {
        if self.lost_race {
            return format!(
                "{} {}: already run by another instance",
                self.job, self.date
            );
        }
        if let Some(day_off) = self.day_off {
            return format!(
                "{} {}: không phải ngày làm việc / not a working day ({}): nothing to send",
                self.job,
                self.date,
                day_off.describe()
            );
        }
        format!(
            "{} {}: {} digests due, {} newly enqueued, {} already in the outbox, {} without a recipient (recorded failed)",
            self.job,
            self.date,
            self.digests,
            self.enqueued,
            self.already_present,
            self.undeliverable
        )
    }
}

/// Keeps the addresses lettre accepts; reports the others.
fn valid_addresses(addresses: &[String]) -> (Vec<String>, Vec<String>) {
    addresses
        .iter()
        .cloned()
        .partition(|a| a.trim().parse::<Address>().is_ok())
}

/// The notifications `kind` would enqueue for `date`, rendered.
pub async fn build_notifications(
    ctx: &Context,
    kind: DigestKind,
    date: NaiveDate,
) -> anyhow::Result<(Vec<NewNotification>, Option<DayOff>)> {
    if let Some(day_off) = ctx.calendar.day_off(date) {
        return Ok((Vec::new(), Some(day_off)));
    }
    // Open tasks due further ahead than any digest looks are not read.
    let horizon = ctx.settings.policy.due_soon_days.max(6);
    let snapshot = snapshot::snapshot_within(&ctx.db, date, Some(horizon)).await?;
    let mut digests =
        reminders::digests(kind, &snapshot, date, &ctx.calendar, &ctx.settings.policy);
    drop(snapshot);
    if kind == DigestKind::Escalation {
        mark_replies(ctx, &mut digests).await?;
    }
    // Rendering is pure and, at national scale, a thousand long emails:
    // spread it over the cores, off the async workers.
    let settings = ctx.render.clone();
    let out = tokio::task::spawn_blocking(move || render_all(&digests, &settings))
        .await
        .map_err(|err| anyhow::anyhow!("rendering failed: {err}"))??;
    Ok((out, None))
}

/// Escalations say whether the department answered the last reminder
/// letter of each task, by the reminder register's rule.
async fn mark_replies(ctx: &Context, digests: &mut [reminders::Digest]) -> anyhow::Result<()> {
    let lines = || {
        digests
            .iter()
            .flat_map(|d| d.sections.iter().flat_map(|s| s.lines.iter()))
    };
    let letters: Vec<i64> = lines()
        .filter_map(|l| l.reminder_documents.last())
        .map(|r| r.document_id)
        .collect();
    let answers = dondoc_core::documents::register::answers(
        &ctx.db,
        &letters,
        ctx.schedules.timezone(),
        ctx.settings.letters.report_back_days,
    )
    .await?;
    let tz = ctx.schedules.timezone();
    for line in digests
        .iter_mut()
        .flat_map(|d| d.sections.iter_mut().flat_map(|s| s.lines.iter_mut()))
    {
        let task_id = line.task_id;
        if let Some(last) = line.reminder_documents.last_mut() {
            last.reply = match answers.get(&(last.document_id, task_id)) {
                Some(at) => LetterReply::Answered {
                    on: at.with_timezone(&tz).date_naive(),
                },
                None => LetterReply::NotAnswered,
            };
        }
    }
    Ok(())
}

/// Renders every digest, in order, on up to as many threads as cores.
fn render_all(
    digests: &[reminders::Digest],
    settings: &RenderSettings,
) -> anyhow::Result<Vec<NewNotification>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = digests.len().div_ceil(threads).max(1);
    let parts: Vec<anyhow::Result<Vec<NewNotification>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = digests
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|d| render_one(d, settings)).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a rendering thread panicked")))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(digests.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

fn render_one(
    digest: &reminders::Digest,
    settings: &RenderSettings,
) -> anyhow::Result<NewNotification> {
    let (valid, invalid) = valid_addresses(&digest.addresses);
    if !invalid.is_empty() {
        tracing::warn!(key = %digest.idempotency_key, invalid = ?invalid,
            "ignoring recipient addresses that are not valid email addresses");
    }
    let undeliverable = match (&digest.undeliverable, valid.is_empty()) {
        (Some(reason), _) => Some(reason.clone()),
        (None, true) => Some(format!(
            "Không có địa chỉ email hợp lệ / no valid email address (invalid: {})",
            invalid.join(", ")
        )),
        (None, false) => None,
    };
    Ok(render::to_notification(
        digest,
        settings,
        valid,
        undeliverable,
    )?)
}

async fn run(
    ctx: &Context,
    job: Job,
    date: NaiveDate,
    fire_at: DateTime<Utc>,
    status: &str,
    coalesced: &[DateTime<Utc>],
    skipped: &[DateTime<Utc>],
) -> anyhow::Result<JobRun> {
    let Some(kind) = job.digest() else {
        anyhow::bail!("`{job}` is not a digest job");
    };
    let (notifications, day_off) = build_notifications(ctx, kind, date).await?;
    let undeliverable = notifications
        .iter()
        .filter(|n| n.undeliverable.is_some())
        .count();
    let detail = day_off.map(|d| format!("not a working day: {}", d.describe()));
    let occurrence = Occurrence {
        schedule_key: job.name(),
        fire_at,
        status,
        created_by: &ctx.instance,
        coalesced,
        skipped,
        detail,
    };
    let outcome = outbox::run_occurrence(
        &ctx.db,
        ctx.clock.now(),
        &occurrence,
        &notifications,
        &ctx.message_domain,
    )
    .await?;
    let mut result = JobRun {
        job,
        date,
        fire_at,
        day_off,
        digests: notifications.len(),
        enqueued: 0,
        already_present: 0,
        undeliverable,
        lost_race: false,
    };
    match outcome {
        OccurrenceOutcome::Ran {
            enqueued,
            already_present,
        } => {
            result.enqueued = enqueued;
            result.already_present = already_present;
            metrics::counter!("dondoc_notifications_enqueued_total", "kind" => kind.as_str())
                .increment(u64::from(enqueued));
            metrics::counter!("dondoc_job_runs_total", "job" => job.name(), "status" => status.to_string())
                .increment(1);
            if undeliverable > 0 {
                metrics::counter!("dondoc_notifications_failed_total", "reason" => "no_recipient")
                    .increment(undeliverable as u64);
                tracing::error!(job = %job, date = %date, count = undeliverable,
                    "digests without any valid recipient were recorded as failed notifications");
            }
            tracing::info!(job = %job, date = %date, fire_at = %fire_at, instance = %ctx.instance,
                digests = result.digests, enqueued, already_present, "job ran");
        }
        OccurrenceOutcome::AlreadyRecorded => {
            result.lost_race = true;
            tracing::debug!(job = %job, fire_at = %fire_at, "occurrence already run by another instance");
        }
    }
    Ok(result)
}

/// Runs a job now, by hand (`dondoc jobs run`): for `date`, or today.
/// Idempotent: what is already in the outbox is not enqueued again. The run
/// is recorded as `manual` and does not move the cron schedule.
pub async fn run_now(ctx: &Context, job: Job, date: Option<NaiveDate>) -> anyhow::Result<JobRun> {
    let date = date.unwrap_or_else(|| ctx.clock.today());
    let mut started = ctx.clock.now();
    // A manual run is recorded under the time it started; two started in the
    // same millisecond take the next free one (the outbox keys, not this
    // row, keep a manual run from enqueueing twice).
    for _ in 0..1000 {
        let run = run(ctx, job, date, started, fire_status::MANUAL, &[], &[]).await?;
        if !run.lost_race {
            return Ok(run);
        }
        started += chrono::Duration::milliseconds(1);
    }
    anyhow::bail!("could not record the manual run of {job}")
}

/// What a tick found for one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub job: Job,
    /// The occurrence that was run (or lost to another instance).
    pub run: Option<JobRun>,
    /// Missed occurrences covered by that run.
    pub coalesced: usize,
    /// Missed occurrences too old to catch up.
    pub skipped: usize,
}

/// Looks for due occurrences of one digest job and runs the newest, once.
///
/// Occurrences after the last recorded one up to now are due (on a first
/// start, only the latest within `max_catchup_hours`). Those older than the window are
/// recorded `skipped` (loudly); the others but the newest are `coalesced`;
/// the newest runs — all in the run's transaction. An earlier day's digest
/// is never sent late: when the newest is an earlier day's, today's
/// occurrence covers it if one is still to come today ([`stale`]), else the
/// catch-up run is about today.
pub async fn tick_job(ctx: &Context, job: Job) -> anyhow::Result<TickReport> {
    let mut report = TickReport {
        job,
        run: None,
        coalesced: 0,
        skipped: 0,
    };
    if job.digest().is_none() {
        return Ok(report);
    }
    let now = ctx.clock.now();
    let window =
        chrono::Duration::hours(ctx.settings.scheduler.max_catchup_hours.min(24 * 3650) as i64);
    let window_start = now - window;
    let last = outbox::last_fire_at(&ctx.db, job.name()).await?;
    let start = last.unwrap_or(window_start);
    let schedule = ctx.schedules.get(job);
    // On a first start nothing was missed (there was no scheduler): only the
    // latest occurrence within the window runs — today's digest for a fresh
    // install — and earlier ones are not recorded at all.
    let cap = if last.is_some() {
        MAX_OCCURRENCES_PER_TICK
    } else {
        1
    };
    let (due, dropped) = schedule.between(start, now, ctx.schedules.timezone(), cap);
    let dropped = if last.is_some() { dropped } else { 0 };
    if due.is_empty() {
        return Ok(report);
    }
    if dropped > 0 {
        tracing::error!(job = %job, dropped, "more missed occurrences than are recorded; the oldest were not even recorded as skipped");
    }
    let (skipped, recent): (Vec<_>, Vec<_>) = due.into_iter().partition(|at| *at < window_start);
    report.skipped = skipped.len();
    if !skipped.is_empty() {
        metrics::counter!("dondoc_job_occurrences_skipped_total", "job" => job.name())
            .increment(skipped.len() as u64);
        tracing::error!(
            job = %job,
            count = skipped.len(),
            first = %skipped[0],
            last = %skipped[skipped.len() - 1],
            max_catchup_hours = ctx.settings.scheduler.max_catchup_hours,
            "missed occurrences older than scheduler.max_catchup_hours were SKIPPED, not run"
        );
    }
    let Some((&newest, older)) = recent.split_last() else {
        outbox::record_skipped(&ctx.db, now, job.name(), &skipped, &ctx.instance).await?;
        return Ok(report);
    };
    let today = ctx.date_of(now);
    if ctx.date_of(newest) != today {
        if last.is_none() || later_today(ctx, job, now) {
            return stale(ctx, job, now, last.is_some(), &recent, &skipped, report).await;
        }
        // No occurrence of this job is left today (a weekly digest missed on
        // its day): the catch-up sends today's digest, about today.
        report.coalesced = older.len();
        report.run = Some(catch_up_today(ctx, job, today, newest, older, &skipped).await?);
        return Ok(report);
    }
    report.coalesced = older.len();
    if !older.is_empty() {
        tracing::warn!(job = %job, missed = older.len(), run = %newest,
            "catching up missed occurrences with one run");
    }
    let run = run(
        ctx,
        job,
        ctx.date_of(newest),
        newest,
        fire_status::ENQUEUED,
        older,
        &skipped,
    )
    .await?;
    if run.lost_race {
        report.coalesced = 0;
        report.skipped = 0;
    }
    report.run = Some(run);
    Ok(report)
}

/// Whether `job` has an occurrence later today (office time zone).
fn later_today(ctx: &Context, job: Job, now: DateTime<Utc>) -> bool {
    let tz = ctx.schedules.timezone();
    let today = now.with_timezone(&tz).date_naive();
    ctx.schedules
        .get(job)
        .after(now, tz)
        .next()
        .is_some_and(|at| at.with_timezone(&tz).date_naive() == today)
}

async fn catch_up_today(
    ctx: &Context,
    job: Job,
    today: NaiveDate,
    newest: DateTime<Utc>,
    older: &[DateTime<Utc>],
    skipped: &[DateTime<Utc>],
) -> anyhow::Result<JobRun> {
    tracing::warn!(job = %job, missed = older.len() + 1, run = %newest,
        "catching up missed occurrences with one run, about today");
    run(
        ctx,
        job,
        today,
        newest,
        fire_status::ENQUEUED,
        older,
        skipped,
    )
    .await
}

/// The newest due occurrence is an earlier day's: its digest would be out of
/// date (days overdue counted to that day) and followed by today's, so it
/// is not run. On a first start nothing is recorded and today's occurrence
/// is awaited; after downtime the missed occurrences are recorded
/// `coalesced` (today's run covers them) — or `skipped` beyond the window.
async fn stale(
    ctx: &Context,
    job: Job,
    now: DateTime<Utc>,
    recorded_before: bool,
    recent: &[DateTime<Utc>],
    skipped: &[DateTime<Utc>],
    mut report: TickReport,
) -> anyhow::Result<TickReport> {
    if !recorded_before {
        tracing::info!(job = %job, "first start: an earlier day's occurrence is not caught up; waiting for today's");
        return Ok(report);
    }
    outbox::record_skipped(&ctx.db, now, job.name(), skipped, &ctx.instance).await?;
    let new = outbox::record_passed(
        &ctx.db,
        now,
        job.name(),
        recent,
        fire_status::COALESCED,
        "an earlier day's occurrence: only today's digest is sent",
        &ctx.instance,
    )
    .await?;
    report.coalesced = new as usize;
    tracing::warn!(job = %job, missed = recent.len(),
        "missed occurrences of earlier days are not caught up: the next occurrence sends today's digest");
    Ok(report)
}

/// Recurring tasks whose next period has started get their occurrence
/// (`dondoc_core::tasks::recurrence::run_due`). Run every tick: it is idempotent
/// and safe on several instances at once (one claim per series and period).
pub async fn recurring(ctx: &Context) -> Option<dondoc_core::tasks::recurrence::RecurrenceRun> {
    let today = ctx.clock.today();
    match dondoc_core::tasks::recurrence::run_due(&ctx.db, &ctx.clock, today).await {
        Ok(run) => {
            if !run.created.is_empty() || run.failed > 0 {
                metrics::counter!("dondoc_recurring_occurrences_created_total")
                    .increment(run.created.len() as u64);
                tracing::info!(instance = %ctx.instance, date = %today, "{}", run.describe());
            }
            Some(run)
        }
        Err(err) => {
            metrics::counter!("dondoc_job_errors_total", "job" => "recurring").increment(1);
            tracing::error!(error = %format!("{err:#}"), "recurring tasks job failed; it will be tried again at the next tick");
            None
        }
    }
}

/// One tick over every digest job. A failing job is logged and does not
/// stop the others; its occurrence stays due and is tried again next tick.
pub async fn tick(ctx: &Context) -> Vec<TickReport> {
    let mut out = Vec::new();
    for job in Job::ALL {
        if job.digest().is_none() {
            continue;
        }
        match tick_job(ctx, job).await {
            Ok(report) => out.push(report),
            Err(err) => {
                metrics::counter!("dondoc_job_errors_total", "job" => job.name()).increment(1);
                tracing::error!(job = %job, error = %format!("{err:#}"), "job failed; it will be tried again at the next tick");
            }
        }
    }
    out
}
