//! Bounded size: at 100,000 synthetic tasks every digest of a day (the
//! department digests, the escalations, the leader digest) is rendered under
//! `mail.max_message_bytes`, and a real SMTP server process with Postfix's
//! default 10 MB limit accepts every one of them — on SQLite and
//! PostgreSQL. The test prints the largest message's size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use dondoc_core::{Clock, entity::notification, followup::notifications::state, testing};
use dondoc_scheduler::{AnyMailer, Context, Job, Worker, run_now};
use dondoc_seed::synthetic::{self, SyntheticSpec};
use sea_orm::EntityTrait;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_100k_tasks_every_digest_fits_the_cap_and_a_10_mb_server_takes_them_all() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let mut settings = settings(&t.url, sink.port);
        settings.mail.delivery.concurrency = 4;
        settings.mail.delivery.batch_size = 50;
        let cap = settings.mail.max_message_bytes;
        assert_eq!(cap, 2_000_000, "the default cap");
        // Wednesday 25 November 2026, a working day.
        let (clock, _hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 11, 25, 7, 40, 0));
        let summary = synthetic::seed(
            db,
            &clock,
            &settings,
            SyntheticSpec {
                tasks: 100_000,
                departments: 40,
                years: 1,
                seed: 14,
            },
        )
        .await
        .unwrap();
        assert!(summary.counts.overdue > 5_000, "{}", summary.describe());
        let ctx = Context::new(db.clone(), clock.clone(), Arc::new(settings.clone()))
            .unwrap()
            .with_instance("size");
        for job in [Job::DepartmentDigest, Job::Escalation, Job::LeaderDigest] {
            let run = run_now(&ctx, job, Some(date(2026, 11, 25))).await.unwrap();
            assert!(run.enqueued > 0, "{:?} {job}: {run:?}", t.backend);
        }
        let rows = notification::Entity::find().all(db).await.unwrap();
        let largest_body = rows
            .iter()
            .map(|r| {
                dondoc_scheduler::render::part_len(&r.body_text)
                    + dondoc_scheduler::render::part_len(&r.body_html)
            })
            .max()
            .unwrap();
        assert!(largest_body < cap, "{largest_body}");
        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            AnyMailer::from_settings(&settings.mail).unwrap(),
        );
        let report = worker.drain().await.unwrap();
        let errors: Vec<_> = notification::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|r| r.last_error)
            .collect();
        assert_eq!(
            (report.sent as usize, report.failed, report.retrying),
            (rows.len(), 0, 0),
            "{:?}: {report:?} {errors:?}",
            t.backend
        );
        let rows = notification::Entity::find().all(db).await.unwrap();
        let not_sent: Vec<_> = rows
            .iter()
            .filter(|r| r.state != state::SENT)
            .map(|r| (&r.idempotency_key, &r.state, &r.last_error))
            .collect();
        assert!(not_sent.is_empty(), "{not_sent:?}");
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), rows.len(), "{:?}", t.backend);
        let largest = received.iter().max_by_key(|r| r.size).unwrap();
        let leaders: Vec<_> = received
            .iter()
            .filter(|r| r.subject.starts_with("[Tổng hợp tuần]"))
            .collect();
        let leader = leaders.iter().map(|r| r.size).max().unwrap();
        for r in &leaders {
            // A summary: at most the 3 oldest tasks of each of the 40 departments.
            let lines = r
                .text
                .as_deref()
                .unwrap()
                .matches("Xem và cập nhật:")
                .count();
            assert!(lines <= 3 * 40, "{lines} task lines in a leader digest");
        }
        let truncated = received
            .iter()
            .filter(|r| !r.subject.starts_with("[Tổng hợp tuần]"))
            .filter(|r| {
                r.text
                    .as_deref()
                    .unwrap_or_default()
                    .contains("nhiệm vụ khác — xem tất cả")
            })
            .count();
        println!(
            "{:?}, {} tasks ({} overdue): {} messages; largest {} bytes ({}); largest leader digest {} bytes; {} list only part of their tasks; cap {cap} bytes",
            t.backend,
            summary.counts.tasks,
            summary.counts.overdue,
            received.len(),
            largest.size,
            largest.subject,
            leader,
            truncated,
        );
        assert!(largest.size <= cap, "{} > {cap}", largest.size);
        assert!(
            leader < cap / 4,
            "the leader digest is a summary: {leader} bytes"
        );
        assert!(
            truncated > 0,
            "some digest at 100k tasks (an escalation) is cut to the cap"
        );
    }
}
