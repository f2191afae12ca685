//! Delivery against a real SMTP server process: outages, refusals, dropped
//! connections, configuration failures, and two schedulers on one database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, NaiveDate, Utc};
use dondoc_core::{
    Clock, Settings,
    db::{self, Db},
    domain::{Role, TaskStatus},
    entity::{notification, schedule_fire},
    followup::notifications::state,
    followup::outbox::{self, NewNotification},
    testing,
};
use dondoc_scheduler::{
    Context, Job, Worker,
    jobs::tick,
    mailer::{SmtpMailer, sender},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use support::*;

fn note(key: &str, to: &str) -> NewNotification {
    NewNotification {
        idempotency_key: key.to_string(),
        kind: "department-digest".to_string(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec![to.to_string()],
        subject: format!("[Đôn đốc] thử nghiệm {key}"),
        body_text: "Kính gửi: đơn vị\nQuá hạn 3 ngày\n".to_string(),
        body_html: "<p>Kính gửi: đơn vị</p>".to_string(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

async fn enqueue(db: &Db, now: DateTime<Utc>, notes: &[NewNotification]) {
    for n in notes {
        outbox::enqueue(db, now, n, "dondoc.test").await.unwrap();
    }
}

fn smtp_worker(db: &Db, clock: &Clock, settings: &Settings) -> Worker<SmtpMailer> {
    let mailer = SmtpMailer::new(&settings.mail.smtp, sender(&settings.mail).unwrap()).unwrap();
    Worker::new(
        db.clone(),
        clock.clone(),
        settings.mail.delivery.clone(),
        mailer,
    )
}

async fn rows(db: &Db) -> Vec<notification::Model> {
    notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await
        .unwrap()
}

fn count_by_message_id(received: &[Received]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in received {
        *out.entry(r.message_id.clone()).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn smtp_down_then_up_keeps_them_pending_with_backoff_then_delivers_each_once() {
    if python().is_none() {
        return;
    }
    for t in testing::databases().await {
        let db = &t.db;
        let port = free_port();
        let settings = settings(&t.url, port);
        let t0 = vn(2026, 5, 18, 7, 0, 30);
        let (clock, hand) = Clock::manual(settings.organization.timezone, t0);
        let notes: Vec<_> = (0..4)
            .map(|i| note(&format!("k{i}"), &format!("dv{i}@dondoc.test")))
            .collect();
        enqueue(db, t0, &notes).await;
        let mut worker = smtp_worker(db, &clock, &settings);

        // Nobody listens: every one stays pending, one attempt spent, retried in 60 s ± 20 %.
        let report = worker.drain().await.unwrap();
        assert_eq!(
            (report.sent, report.retrying),
            (0, 4),
            "{:?} {report:?}",
            t.backend
        );
        for row in rows(db).await {
            assert_eq!(row.state, state::PENDING);
            assert_eq!(row.attempts, 1);
            let wait = (row.next_attempt_at - t0).num_milliseconds();
            assert!(
                (48_000..=72_000).contains(&wait),
                "first retry after {wait} ms"
            );
            assert!(row.last_error.is_some());
            assert!(
                !row.ambiguous,
                "a refused connection cannot have delivered anything"
            );
        }
        assert_eq!(
            worker.drain().await.unwrap(),
            Default::default(),
            "not before next_attempt_at"
        );

        // Still down at the second attempt: the delay doubles.
        hand.advance(chrono::Duration::seconds(73));
        let t1 = clock.now();
        assert_eq!(worker.drain().await.unwrap().retrying, 4);
        for row in rows(db).await {
            assert_eq!(row.attempts, 2);
            let wait = (row.next_attempt_at - t1).num_milliseconds();
            assert!(
                (96_000..=144_000).contains(&wait),
                "second retry after {wait} ms"
            );
        }

        // The server comes up: all delivered, once.
        let sink = SmtpSink::start_on(port, SinkOptions::default(), None).unwrap();
        hand.advance(chrono::Duration::seconds(145));
        assert_eq!(worker.drain().await.unwrap().sent, 4);
        assert_eq!(worker.drain().await.unwrap(), Default::default());
        let received = sink.received();
        let counts = count_by_message_id(&received);
        assert_eq!(counts.len(), 4);
        assert!(counts.values().all(|n| *n == 1), "{counts:?}");
        for row in rows(db).await {
            assert_eq!(row.state, state::SENT);
            assert_eq!(row.attempts, 3);
            assert!(counts.contains_key(&row.message_id));
            let trail = outbox::attempts(db, row.id).await.unwrap();
            assert_eq!(
                trail.iter().map(|a| a.outcome.as_str()).collect::<Vec<_>>(),
                vec!["retry", "retry", "sent"]
            );
        }
        sink.stop();
    }
}

#[tokio::test]
async fn a_550_for_one_recipient_fails_that_one_with_the_reply_and_delivers_the_rest() {
    let Some(sink) = SmtpSink::start(SinkOptions {
        reject: vec![("khongco@dondoc.test".into(), 550)],
        ..Default::default()
    }) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let settings = settings(&t.url, sink.port);
        let t0 = vn(2026, 5, 18, 7, 0, 30);
        let (clock, _hand) = Clock::manual(settings.organization.timezone, t0);
        enqueue(
            db,
            t0,
            &[
                note("a", "a@dondoc.test"),
                note("bad", "khongco@dondoc.test"),
                note("c", "c@dondoc.test"),
            ],
        )
        .await;
        let mut worker = smtp_worker(db, &clock, &settings);
        let report = worker.drain().await.unwrap();
        assert_eq!((report.sent, report.failed), (2, 1), "{report:?}");
        assert_eq!(
            worker.drain().await.unwrap(),
            Default::default(),
            "a permanent failure is not retried"
        );
        let all = rows(db).await;
        let bad = all.iter().find(|r| r.idempotency_key == "bad").unwrap();
        assert_eq!(bad.state, state::FAILED);
        assert_eq!(bad.last_smtp_code, Some(550));
        let error = bad.last_error.as_deref().unwrap();
        assert!(error.contains("Recipient address rejected"), "{error}");
        assert!(
            all.iter()
                .filter(|r| r.idempotency_key != "bad")
                .all(|r| r.state == state::SENT)
        );
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 2);
        assert!(
            received
                .iter()
                .all(|r| r.rcpt_tos[0] != "khongco@dondoc.test")
        );
    }
}

#[tokio::test]
async fn a_connection_dropped_before_the_reply_is_retried_and_the_duplicate_is_flagged() {
    let Some(sink) = SmtpSink::start(SinkOptions {
        drop_after_data: vec!["rot@dondoc.test".into()],
        ..Default::default()
    }) else {
        return;
    };
    // The server drops the first message for that address only once in its
    // life, so one database is enough here.
    let t = testing::sqlite().await;
    let db = &t.db;
    let settings = settings(&t.url, sink.port);
    let t0 = vn(2026, 5, 18, 7, 0, 30);
    let (clock, hand) = Clock::manual(settings.organization.timezone, t0);
    enqueue(
        db,
        t0,
        &[note("rot", "rot@dondoc.test"), note("ok", "ok@dondoc.test")],
    )
    .await;
    let mut worker = smtp_worker(db, &clock, &settings);
    let report = worker.drain().await.unwrap();
    assert_eq!((report.sent, report.retrying), (1, 1), "{report:?}");
    hand.advance(chrono::Duration::seconds(73));
    let report = worker.drain().await.unwrap();
    assert_eq!(
        (report.sent, report.possibly_duplicated),
        (1, 1),
        "{report:?}"
    );
    let counts = count_by_message_id(&sink.received());
    let all = rows(db).await;
    let rot = all.iter().find(|r| r.idempotency_key == "rot").unwrap();
    let ok = all.iter().find(|r| r.idempotency_key == "ok").unwrap();
    assert_eq!(
        counts[&rot.message_id], 2,
        "received twice, with the same Message-ID"
    );
    assert!(rot.ambiguous, "and flagged");
    assert_eq!(rot.state, state::SENT);
    assert_eq!(counts[&ok.message_id], 1);
    assert!(!ok.ambiguous);
}

#[tokio::test]
async fn configuration_failures_pause_delivery_without_spending_attempts() {
    // 1. Credentials the server cannot take (it offers no AUTH).
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    for t in testing::databases().await {
        let db = &t.db;
        let mut settings = settings(&t.url, sink.port);
        settings.mail.smtp.username = "dondoc".into();
        settings.mail.smtp.password = "sai-mat-khau".into();
        let t0 = vn(2026, 5, 18, 7, 0, 30);
        let (clock, hand) = Clock::manual(settings.organization.timezone, t0);
        enqueue(
            db,
            t0,
            &[note("a", "a@dondoc.test"), note("b", "b@dondoc.test")],
        )
        .await;
        let mut worker = smtp_worker(db, &clock, &settings);
        let report = worker.drain().await.unwrap();
        assert_eq!(report.released, 2, "{:?} {report:?}", t.backend);
        assert_eq!(
            report.paused_until,
            Some(t0 + chrono::Duration::seconds(300))
        );
        for row in rows(db).await {
            assert_eq!((row.state.as_str(), row.attempts), ("pending", 0));
            assert!(row.last_error.unwrap().contains("configuration failure"));
        }
        hand.advance(chrono::Duration::seconds(60));
        assert!(
            worker.drain().await.unwrap().paused_until.is_some(),
            "still paused"
        );
        assert!(sink.received().is_empty());
    }

    // 2. The server refuses every message (the sender is rejected).
    let Some(refusing) = SmtpSink::start(SinkOptions {
        refuse_sender: Some(553),
        ..Default::default()
    }) else {
        return;
    };
    let t = testing::sqlite().await;
    let db = &t.db;
    let mut settings = settings(&t.url, refusing.port);
    // One at a time, so that the counts below are exact (sent at the same
    // time, the messages in flight when the pause comes are reopened too:
    // the end state, all six waiting, is the same).
    settings.mail.delivery.concurrency = 1;
    let t0 = vn(2026, 5, 18, 7, 0, 30);
    let (clock, _hand) = Clock::manual(settings.organization.timezone, t0);
    let notes: Vec<_> = (0..6)
        .map(|i| note(&format!("r{i}"), &format!("r{i}@dondoc.test")))
        .collect();
    enqueue(db, t0, &notes).await;
    let mut worker = smtp_worker(db, &clock, &settings);
    let report = worker.drain().await.unwrap();
    let limit = dondoc_scheduler::worker::REFUSALS_BEFORE_PAUSE;
    assert_eq!(report.failed, limit - 1, "{report:?}");
    assert_eq!(report.released, 6 - (limit - 1), "{report:?}");
    assert!(report.paused_until.is_some());
    let pending = rows(db)
        .await
        .into_iter()
        .filter(|r| r.state == state::PENDING)
        .count() as u32;
    // The same refusal for every message is the server's: the ones failed
    // before the pause go back in the queue too, so that once the server
    // accepts again everything is delivered.
    assert_eq!(report.reopened, limit - 1, "{report:?}");
    assert_eq!(pending, 6, "all wait for the fix");
}

#[tokio::test]
async fn two_schedulers_on_one_database_run_each_occurrence_once_and_deliver_each_notification_once()
 {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let settings = Arc::new(settings(&t.url, sink.port));
        for (i, code) in ["TNMT", "TCKH", "NNPTNT", "VHTT", "YT"].iter().enumerate() {
            let id = add_department(
                db,
                code,
                &format!("Phòng {code}"),
                Some(&format!("{}@dondoc.test", code.to_lowercase())),
            )
            .await;
            add_user(db, &format!("cb{i}"), Role::Staff, Some(id), None).await;
            add_task(
                db,
                NewTask {
                    code: &format!("NV-{i}"),
                    title: "Nhiệm vụ quá hạn",
                    department_id: id,
                    due: date(2026, 5, 1),
                    status: TaskStatus::InProgress,
                    leader: None,
                },
            )
            .await;
        }
        // Two instances: their own pools, their own names, the same time.
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 1));
        let mut instances = Vec::new();
        for name in ["node-a", "node-b"] {
            let pool = db::connect(&testing::database_settings(&t.url))
                .await
                .unwrap();
            let ctx = Context::new(pool.clone(), clock.clone(), settings.clone())
                .unwrap()
                .with_instance(name);
            let worker = smtp_worker(&pool, &clock, &settings).with_id(name);
            instances.push((ctx, worker));
        }
        let days = [date(2026, 5, 18), date(2026, 5, 19), date(2026, 5, 20)];
        for day in days {
            hand.set(vn(2026, 5, 18, 7, 0, 1) + (day - date(2026, 5, 18)));
            let (b, a) = instances.split_at_mut(1);
            let (ra, rb) = tokio::join!(tick(&a[0].0), tick(&b[0].0));
            let winners: u32 = ra
                .iter()
                .chain(rb.iter())
                .filter(|r| r.job == Job::DepartmentDigest)
                .filter_map(|r| r.run.as_ref())
                .filter(|run| !run.lost_race)
                .map(|run| run.enqueued)
                .sum();
            assert_eq!(
                winners, 5,
                "{:?} {day}: one instance enqueued the 5 digests",
                t.backend
            );
            let (da, db_) = tokio::join!(a[0].1.drain(), b[0].1.drain());
            assert_eq!(da.unwrap().sent + db_.unwrap().sent, 5);
        }
        let fires = schedule_fire::Entity::find()
            .filter(schedule_fire::Column::ScheduleKey.eq("department-digest"))
            .all(db)
            .await
            .unwrap();
        assert_eq!(fires.len(), 3, "one row per occurrence");
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        let counts = count_by_message_id(&received);
        assert_eq!(counts.len(), 15, "5 departments × 3 days");
        assert!(
            counts.values().all(|n| *n == 1),
            "each delivered exactly once: {counts:?}"
        );
        let all = rows(db).await;
        assert_eq!(all.len(), 15);
        assert!(
            all.iter()
                .all(|r| r.state == state::SENT && r.attempts == 1 && !r.ambiguous)
        );
    }
}

/// A transport that takes 40 s per message (on the manual clock).
struct SlowMailer(dondoc_core::clock::ManualClock);

impl dondoc_scheduler::Mailer for SlowMailer {
    async fn send(
        &self,
        _mail: &dondoc_scheduler::Outgoing,
    ) -> Result<dondoc_scheduler::Receipt, dondoc_scheduler::SendError> {
        self.0.advance(chrono::Duration::seconds(40));
        Ok(dondoc_scheduler::Receipt {
            code: Some(250),
            reply: "250 ok".into(),
        })
    }

    fn describe(&self) -> String {
        "slow".into()
    }
}

#[tokio::test]
async fn a_slow_batch_gives_back_what_it_can_no_longer_send_under_its_lease() {
    for t in testing::databases().await {
        let db = &t.db;
        let mut settings = settings(&t.url, 25);
        settings.mail.delivery.batch_size = 3;
        // One at a time: each send starts only after the previous one took
        // 40 s of the lease (at the same time, all would start at once).
        settings.mail.delivery.concurrency = 1;
        let t0 = vn(2026, 5, 18, 7, 0, 30);
        let (clock, hand) = Clock::manual(settings.organization.timezone, t0);
        let notes: Vec<_> = (0..3)
            .map(|i| note(&format!("s{i}"), &format!("s{i}@dondoc.test")))
            .collect();
        enqueue(db, t0, &notes).await;
        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            SlowMailer(hand.clone()),
        );
        // Lease 60 s: after one 40-second send, less than half is left.
        match worker.deliver_batch().await.unwrap() {
            dondoc_scheduler::Step::Delivered(list) => {
                assert!(
                    matches!(list[0], dondoc_scheduler::Delivery::Sent { .. }),
                    "{list:?}"
                );
                assert!(
                    list[1..]
                        .iter()
                        .all(|d| matches!(d, dondoc_scheduler::Delivery::Released { .. })),
                    "{list:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let given_back: Vec<_> = rows(db)
            .await
            .into_iter()
            .filter(|r| r.state == state::PENDING)
            .collect();
        assert_eq!(given_back.len(), 2, "{:?}", t.backend);
        assert!(given_back.iter().all(|r| r.attempts == 0 && !r.ambiguous));
        // The next rounds send them, one lease each.
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 2, "{report:?}");
    }
}
