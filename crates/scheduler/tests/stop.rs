//! Delivery sends several messages at once, and stops gracefully: against a
//! real SMTP server process (each message answered after a delay) on SQLite
//! and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Settings,
    db::Db,
    entity::notification,
    followup::{
        notifications::state,
        outbox::{self, NewNotification},
    },
    testing,
};
use dondoc_scheduler::{AnyMailer, Context, Scheduler, Worker};
use sea_orm::EntityTrait;
use support::*;

fn note(i: usize) -> NewNotification {
    NewNotification {
        idempotency_key: format!("stop:{i}"),
        kind: "department-digest".into(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec![format!("dv{i}@dondoc.test")],
        subject: format!("Nhắc việc {i}"),
        body_text: "Kính gửi".into(),
        body_html: "<p>Kính gửi</p>".into(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

async fn enqueue(db: &Db, clock: &Clock, n: usize) {
    for i in 0..n {
        outbox::enqueue(db, clock.now(), &note(i), "dondoc.test")
            .await
            .unwrap();
    }
}

fn worker(db: &Db, clock: &Clock, settings: &Settings) -> Worker<AnyMailer> {
    Worker::new(
        db.clone(),
        clock.clone(),
        settings.mail.delivery.clone(),
        AnyMailer::from_settings(&settings.mail).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_go_out_several_at_a_time() {
    // Each message waits 200 ms for its answer: one at a time, 24 take
    // 4.8 s; four at a time, about 1.2 s.
    let Some(sink) = SmtpSink::start(SinkOptions {
        delay_ms: 200,
        ..Default::default()
    }) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let mut settings = settings(&t.url, sink.port);
        settings.mail.delivery.concurrency = 4;
        settings.mail.delivery.batch_size = 24;
        let (clock, _hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        enqueue(&t.db, &clock, 24).await;
        let mut worker = worker(&t.db, &clock, &settings);
        let started = Instant::now();
        let report = worker.drain().await.unwrap();
        let took = started.elapsed();
        assert_eq!(report.sent, 24, "{:?} {report:?}", t.backend);
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        assert_eq!(received.len(), 24);
        // When each message arrived (before its 200 ms answer): one at a
        // time, two arrivals are always 200 ms apart or more; several at a
        // time, many are closer. The run's total time is not asserted: the
        // machine may be busy.
        let at: Vec<f64> = std::fs::read_to_string(&sink.log)
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"event\": \"received\""))
            .skip(seen)
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["at"]
                    .as_f64()
                    .unwrap()
            })
            .collect();
        seen += received.len();
        let overlapping = at.windows(2).filter(|w| w[1] - w[0] < 0.15).count();
        assert!(
            overlapping >= 12,
            "{:?}: only {overlapping} of 23 arrivals overlapped an answer ({took:?} in all)",
            t.backend
        );
        println!(
            "{:?}: 24 messages answered in 200 ms each, delivered in {took:?}",
            t.backend
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_finishes_the_messages_in_flight_and_gives_back_the_rest() {
    let Some(sink) = SmtpSink::start(SinkOptions {
        delay_ms: 300,
        ..Default::default()
    }) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let mut settings = settings(&t.url, sink.port);
        settings.mail.delivery.concurrency = 2;
        settings.mail.delivery.batch_size = 40;
        let (clock, _hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        enqueue(db, &clock, 40).await;
        let ctx = Context::new(db.clone(), clock.clone(), Arc::new(settings.clone()))
            .unwrap()
            .with_instance("stop");
        let scheduler = Scheduler::new(ctx, worker(db, &clock, &settings).with_id("stopping"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(scheduler.run(async move {
            let _ = rx.await;
        }));
        // A few messages out (2 at a time, 300 ms each), most still queued.
        let deadline = Instant::now() + Duration::from_secs(20);
        while sink.received().len() < seen + 2 {
            assert!(Instant::now() < deadline, "nothing was sent");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let asked = Instant::now();
        let before = sink.received().len() - seen;
        tx.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the scheduler stops without draining the queue")
            .unwrap();
        let took = asked.elapsed();
        // The whole queue would take 40 × 300 ms / 2 = 6 s; only the two
        // messages being sent when asked are finished.
        assert!(
            took < Duration::from_millis(5_000),
            "{:?}: stop took {took:?}",
            t.backend
        );
        let rows = notification::Entity::find().all(db).await.unwrap();
        let sent = rows.iter().filter(|r| r.state == state::SENT).count();
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        // Every message the server took is recorded sent: none was cut off.
        assert_eq!(sent, received.len(), "{:?}", t.backend);
        assert!(
            (2..40).contains(&sent) && sent <= before + 2,
            "{:?}: {sent} sent, {before} received when asked to stop",
            t.backend
        );
        // The rest are back in the queue, unclaimed, their attempt unspent,
        // ready for the next start or another instance.
        for r in rows.iter().filter(|r| r.state != state::SENT) {
            assert_eq!(r.state, state::PENDING, "{:?} {r:?}", t.backend);
            assert_eq!(r.locked_until, None, "{r:?}");
            assert_eq!(r.attempts, 0, "{r:?}");
            assert!(r.next_attempt_at <= clock.now(), "{r:?}");
        }
        println!(
            "{:?}: stopped {took:?} after asked, {sent} sent, {} given back",
            t.backend,
            rows.len() - sent
        );
    }
}
