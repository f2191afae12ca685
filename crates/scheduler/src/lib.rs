//! dondoc-scheduler: the cron jobs that enqueue reminders, and the outbox
//! worker that delivers them with lettre.
//!
//! - [`schedule`]: the jobs and their cron expressions (office time zone);
//! - [`jobs`]: a tick (due occurrences, catch-up, race arbitration) and
//!   manual runs; jobs only *enqueue*, through `dondoc_core::followup::outbox`;
//! - [`render`]: the Vietnamese emails (askama templates, compiled in);
//! - [`mailer`]: the `Mailer` trait and the smtp / file / log transports;
//! - [`fanout`]: one message to each waiting address, a refused one never
//!   blocking the others; [`refusal`]: SMTP refusals by code and enhanced
//!   status;
//! - [`worker`]: claim under a lease, send outside any transaction, fenced
//!   finish, backoff, pause on configuration failures;
//! - [`notices`]: the workflow notices into the outbox, at once or daily;
//! - [`service`]: the loop `dondoc scheduler` and `dondoc serve` run.
//!
//! The policy (who gets what, when) is `dondoc_core::followup::reminders`.

pub mod fanout;
pub mod jobs;
pub mod mailer;
pub mod notices;
pub mod refusal;
pub mod render;
pub mod schedule;
pub mod service;
pub mod subject;
pub mod worker;

pub use jobs::{Context, JobRun, TickReport, run_now, tick, tick_job};
pub use mailer::{AnyMailer, Mailer, Outgoing, Receipt, SendError};
pub use schedule::{Job, ScheduleError, Schedules};
pub use service::Scheduler;
pub use worker::{Delivery, DrainReport, Step, StopHandle, Worker};
