//! `dondoc scheduler`, `dondoc jobs …`, `dondoc outbox …`: the reminder
//! commands, wired to `dondoc-scheduler`.

use std::{future::Future, sync::Arc};

use chrono::NaiveDate;
use clap::Subcommand;
use dondoc_core::{Clock, Settings, db::Db, followup::outbox};
use dondoc_scheduler::{
    AnyMailer, Context, Job, Scheduler, Schedules, Worker, jobs::run_now, mailer::Mailer,
};

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Each job, its schedule, its next three run times and its last run.
    List,
    /// Run one job now (idempotent: what is already in the outbox is not enqueued again).
    Run {
        /// department-digest, escalation, leader-digest, deliver, or recurring
        /// (assign the occurrences of recurring tasks whose period has started).
        name: String,
        /// The day to build the digests for (default: today in organization.timezone).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Send every due notification once, then exit.
    Deliver,
    /// Put a failed notification back in the queue (after fixing the cause).
    Retry {
        /// The notification's id (see GET /api/v1/notifications).
        id: i64,
    },
}

/// Parses the schedules, so a bad cron expression stops start-up naming the job.
pub fn check_schedules(settings: &Settings) -> anyhow::Result<Schedules> {
    Ok(Schedules::from_settings(settings)?)
}

/// `dondoc scheduler`: the scheduler alone, until Ctrl-C.
pub async fn scheduler(db: Db, clock: Clock, settings: Arc<Settings>) -> anyhow::Result<()> {
    let scheduler = Scheduler::from_settings(db, clock, settings)?;
    println!(
        "dondoc scheduler đang chạy / is running (instance {}); Ctrl-C to stop",
        scheduler.context().instance
    );
    scheduler.run(shutdown_signal()).await;
    Ok(())
}

/// Starts the scheduler inside `serve` unless told not to; returns its task.
pub fn spawn_in_process(
    db: Db,
    clock: Clock,
    settings: Arc<Settings>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let scheduler = Scheduler::from_settings(db, clock, settings)?;
    Ok(tokio::spawn(scheduler.run(stop)))
}

async fn shutdown_signal() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

pub async fn jobs(
    command: JobsCommand,
    db: Db,
    clock: Clock,
    settings: Arc<Settings>,
) -> anyhow::Result<()> {
    match command {
        JobsCommand::List => list(db, clock, settings).await,
        JobsCommand::Run { name, today } => {
            let date = today
                .as_deref()
                .map(|text| {
                    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                        anyhow::anyhow!("--today: `{text}` is not a date in the form YYYY-MM-DD")
                    })
                })
                .transpose()?;
            if name.trim() == "recurring" {
                // Recurring tasks whose period has started (idempotent; the
                // scheduler also runs this every tick).
                let day = date.unwrap_or_else(|| clock.today());
                let run = dondoc_core::tasks::recurrence::run_due(&db, &clock, day).await?;
                println!("{day}: {}", run.describe());
                return Ok(());
            }
            let Some(job) = Job::parse(&name) else {
                anyhow::bail!(
                    "unknown job `{name}`; the jobs are: {}, recurring",
                    Job::names()
                );
            };
            if job == Job::Deliver {
                if date.is_some() {
                    anyhow::bail!("--today does not apply to `deliver`");
                }
                return deliver(db, clock, settings).await;
            }
            let ctx = Context::new(db, clock, settings)?;
            let run = run_now(&ctx, job, date).await?;
            println!("{}", run.describe());
            if run.enqueued > 0 {
                println!("Run `dondoc outbox deliver` (or let the scheduler) send them.");
            }
            Ok(())
        }
    }
}

async fn list(db: Db, clock: Clock, settings: Arc<Settings>) -> anyhow::Result<()> {
    let schedules = check_schedules(&settings)?;
    let tz = schedules.timezone();
    let now = clock.now();
    println!(
        "Time zone: {tz}; scheduler.enabled = {}\n",
        settings.scheduler.enabled
    );
    for job in schedules.iter() {
        println!("{}  \"{}\"", job.job, job.expression);
        println!("    {}", job.job.describe());
        let next: Vec<String> = job
            .next_runs(now, tz, 3)
            .into_iter()
            .map(|t| t.format("%a %Y-%m-%d %H:%M:%S %:z").to_string())
            .collect();
        println!("    next: {}", next.join(" | "));
        if job.job.digest().is_some() {
            match outbox::job_runs(&db, Some(job.job.name()), 1)
                .await?
                .first()
            {
                Some(last) => println!(
                    "    last: {} {} ({}{}) by {}",
                    last.scheduled_at
                        .with_timezone(&tz)
                        .format("%a %Y-%m-%d %H:%M:%S %:z"),
                    last.status,
                    last.enqueued
                        .map(|n| format!("{n} enqueued"))
                        .unwrap_or_default(),
                    last.detail
                        .as_deref()
                        .map(|d| format!("; {d}"))
                        .unwrap_or_default(),
                    last.instance
                ),
                None => println!("    last: never"),
            }
        }
    }
    Ok(())
}

async fn deliver(db: Db, clock: Clock, settings: Arc<Settings>) -> anyhow::Result<()> {
    let mailer = AnyMailer::from_settings(&settings.mail)?;
    let transport = mailer.describe();
    let mut worker = Worker::new(db, clock, settings.mail.delivery.clone(), mailer);
    let report = worker.drain().await?;
    println!("{transport}: {}", report.describe());
    Ok(())
}

pub async fn outbox_command(
    command: OutboxCommand,
    db: Db,
    clock: Clock,
    settings: Arc<Settings>,
) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Deliver => deliver(db, clock, settings).await,
        OutboxCommand::Retry { id } => {
            outbox::requeue(&db, id, clock.now()).await?;
            println!("Notification {id} is pending again; it goes out with the next delivery.");
            Ok(())
        }
    }
}
