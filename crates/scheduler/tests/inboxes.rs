//! Reminders reach every inbox, against a real SMTP server process on SQLite
//! and PostgreSQL: one dead staff mailbox over two days, a wave of 451 then
//! 550 naming the recipient then recovery, an outage across midnight, and a
//! fresh install started before the schedule. The oracle is the server's
//! log: which address got which digest, how many times.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{collections::BTreeMap, sync::Arc};

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Settings,
    db::Db,
    domain::{Role, TaskStatus},
    entity::notification,
    followup::notifications::state,
    followup::outbox::{self, NewNotification},
    testing,
};
use dondoc_scheduler::{AnyMailer, Context, Job, Worker, jobs::tick_job};
use sea_orm::{EntityTrait, QueryOrder};
use support::*;

/// A department (its own address and two staff, one of whom may have a
/// dead mailbox) leading one task overdue since 2026-05-04.
async fn department_with_staff(db: &Db, staff_a: &str) -> i64 {
    let id = add_department(
        db,
        "TNMT",
        "Phòng Tài nguyên và Môi trường",
        Some("tnmt@dondoc.test"),
    )
    .await;
    add_user(db, "canbo1", Role::Staff, Some(id), Some(staff_a)).await;
    add_user(
        db,
        "canbo2",
        Role::Staff,
        Some(id),
        Some("canbo2@dondoc.test"),
    )
    .await;
    add_task(
        db,
        NewTask {
            code: "MT-01",
            title: "Đo đạc đất",
            department_id: id,
            due: date(2026, 5, 4),
            status: TaskStatus::InProgress,
            leader: None,
        },
    )
    .await;
    id
}

fn settings_for(url: &str, port: u16) -> Settings {
    let mut settings = settings(url, port);
    settings.mail.reply_to = "Văn phòng <vanphong@dondoc.test>".into();
    settings
}

fn context(db: &Db, settings: &Settings, clock: &Clock) -> Context {
    Context::new(db.clone(), clock.clone(), Arc::new(settings.clone()))
        .unwrap()
        .with_instance("i1")
}

fn worker(db: &Db, clock: &Clock, settings: &Settings) -> Worker<AnyMailer> {
    Worker::new(
        db.clone(),
        clock.clone(),
        settings.mail.delivery.clone(),
        AnyMailer::from_settings(&settings.mail).unwrap(),
    )
}

async fn rows(db: &Db) -> Vec<notification::Model> {
    notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// How many copies of each message each address got.
fn copies(received: &[Received]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for r in received {
        for to in &r.rcpt_tos {
            *out.entry((to.clone(), r.message_id.clone())).or_default() += 1;
        }
    }
    out
}

/// The addresses that got something, each with how many messages.
fn per_address(received: &[Received]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in received {
        for to in &r.rcpt_tos {
            *out.entry(to.clone()).or_default() += 1;
        }
    }
    out
}

#[tokio::test]
async fn one_dead_staff_mailbox_never_silences_the_department_over_two_days() {
    let Some(sink) = SmtpSink::start(SinkOptions {
        reject: vec![("chet@dondoc.test".into(), 550)],
        ..Default::default()
    }) else {
        return;
    };
    let mut seen = 0;
    let mut refused_seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        department_with_staff(db, "chet@dondoc.test").await;
        let settings = settings_for(&t.url, sink.port);
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        let ctx = context(db, &settings, &clock);
        let mut worker = worker(db, &clock, &settings);
        let mut refusals_by_day = Vec::new();
        for (day, today) in [(18, "2026-05-18"), (19, "2026-05-19")] {
            hand.set(vn(2026, 5, day, 7, 0, 5));
            let run = tick_job(&ctx, Job::DepartmentDigest)
                .await
                .unwrap()
                .run
                .unwrap();
            assert_eq!(run.enqueued, 1, "{:?} {today}", t.backend);
            let report = worker.drain().await.unwrap();
            assert_eq!(
                (report.sent, report.failed),
                (1, 0),
                "{:?} {today} {report:?}",
                t.backend
            );
            let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
            seen += received.len();
            assert_eq!(
                per_address(&received),
                BTreeMap::from([
                    ("canbo2@dondoc.test".to_string(), 1),
                    ("tnmt@dondoc.test".to_string(), 1)
                ]),
                "{:?} {today}: every accepting inbox gets exactly one digest",
                t.backend
            );
            assert!(
                received
                    .iter()
                    .all(|r| r.text.as_deref().unwrap().contains("MT-01"))
            );
            assert!(
                received
                    .iter()
                    .all(|r| r.auto_submitted == "auto-generated")
            );
            assert!(
                received
                    .iter()
                    .all(|r| r.reply_to.contains("vanphong@dondoc.test"))
            );
            let refusals = refused_rcpts(&sink.log);
            refusals_by_day.push(refusals[refused_seen..].to_vec());
            refused_seen = refusals.len();
        }
        // The dead mailbox was tried on the first day only (with the others,
        // then on its own), and is shown.
        assert!(
            !refusals_by_day[0].is_empty()
                && refusals_by_day[0].iter().all(|a| a == "chet@dondoc.test"),
            "{refusals_by_day:?}"
        );
        assert!(
            refusals_by_day[1].is_empty(),
            "{:?} {refusals_by_day:?}",
            t.backend
        );
        let shown = outbox::refused_addresses(db).await.unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].address, "chet@dondoc.test");
        assert_eq!(shown[0].smtp_code, Some(550));
        assert!(
            shown[0].reply.contains("Recipient address rejected"),
            "{}",
            shown[0].reply
        );
        let all = rows(db).await;
        assert!(all.iter().all(|r| r.state == state::SENT), "{all:?}");
        assert!(all[0].last_error.is_none());
        let delivered = outbox::delivered_to(db, all[0].id).await.unwrap();
        assert_eq!(
            delivered.len(),
            2,
            "each address's answer is recorded: {delivered:?}"
        );
    }
}

fn note(key: &str, to: &str) -> NewNotification {
    NewNotification {
        idempotency_key: key.to_string(),
        kind: "department-digest".to_string(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec![to.to_string()],
        subject: format!("[Đôn đốc] thử nghiệm {key}"),
        body_text: "Kính gửi: đơn vị\n".to_string(),
        body_html: "<p>Kính gửi: đơn vị</p>".to_string(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

#[tokio::test]
async fn a_wave_of_451_then_550_naming_the_recipient_then_recovery_delivers_all_twenty() {
    let dir = tempfile::tempdir().unwrap();
    let mode = dir.path().join("mode");
    let Some(sink) = SmtpSink::start(SinkOptions {
        mode_file: Some(mode.clone()),
        ..Default::default()
    }) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let settings = settings_for(&t.url, sink.port);
        let t0 = vn(2026, 5, 18, 7, 0, 30);
        let (clock, hand) = Clock::manual(settings.organization.timezone, t0);
        for i in 0..20 {
            let n = note(&format!("k{i}"), &format!("dv{i}@dondoc.test"));
            outbox::enqueue(db, t0, &n, "dondoc.test").await.unwrap();
        }
        let mut worker = worker(db, &clock, &settings);

        std::fs::write(&mode, "451").unwrap();
        let report = worker.drain().await.unwrap();
        assert_eq!(report.retrying, 20, "{:?} {report:?}", t.backend);

        std::fs::write(&mode, "550").unwrap();
        hand.advance(chrono::Duration::minutes(3));
        let report = worker.drain().await.unwrap();
        assert!(report.paused_until.is_some(), "{:?} {report:?}", t.backend);
        // Every refusal of the wave that was recorded failed is given back
        // (with several sends at once, one refused while the pause was being
        // decided is given back directly, as released); none stays failed,
        // as the next check shows.
        assert!(
            report.failed <= report.reopened,
            "{:?} {report:?}",
            t.backend
        );
        let all = rows(db).await;
        assert!(
            all.iter().all(|r| r.state == state::PENDING),
            "{:?}: a wave of the same refusal is the server's, nothing fails: {all:?}",
            t.backend
        );
        assert!(outbox::refused_addresses(db).await.unwrap().is_empty());

        std::fs::write(&mode, "accept").unwrap();
        hand.advance(chrono::Duration::minutes(6));
        let report = worker.drain().await.unwrap();
        assert_eq!(
            (report.sent, report.failed),
            (20, 0),
            "{:?} {report:?}",
            t.backend
        );
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        let per = per_address(&received);
        assert_eq!(per.len(), 20);
        assert!(per.values().all(|n| *n == 1), "{per:?}");
    }
}

#[tokio::test]
async fn an_outage_across_midnight_sends_only_the_newest_digest() {
    let port = free_port();
    for t in testing::databases().await {
        let db = &t.db;
        department_with_staff(db, "canbo1@dondoc.test").await;
        let settings = settings_for(&t.url, port);
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        let ctx = context(db, &settings, &clock);
        let mut worker = worker(db, &clock, &settings);
        // Monday: the mail server is down.
        tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(worker.drain().await.unwrap().retrying, 1);
        // Still down on Tuesday at 07:00, when Tuesday's digest is made.
        hand.set(vn(2026, 5, 19, 7, 0, 5));
        tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        let all = rows(db).await;
        assert_eq!(all[0].state, state::SUPERSEDED, "{:?}", t.backend);
        assert!(all[0].last_error.as_deref().unwrap().contains("2026-05-19"));
        // Back at 08:00.
        let Some(sink) = SmtpSink::start_on(port, SinkOptions::default(), None) else {
            return;
        };
        hand.set(vn(2026, 5, 19, 8, 0, 0));
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 1, "{:?} {report:?}", t.backend);
        let received = sink.received();
        assert_eq!(received.len(), 1, "one digest, the newest");
        assert_eq!(received[0].message_id, rows(db).await[1].message_id);
        assert!(copies(&received).values().all(|n| *n == 1));
        let text = received[0].text.as_deref().unwrap();
        assert!(text.contains("19/05/2026"), "{text}");
        sink.stop();
    }
}

#[tokio::test]
async fn a_fresh_install_started_before_the_schedule_sends_only_todays_digest() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        department_with_staff(db, "canbo1@dondoc.test").await;
        let settings = settings_for(&t.url, sink.port);
        // Tuesday 06:30: Monday's 07:00 is within the catch-up window.
        let (clock, hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 5, 19, 6, 30, 0));
        let ctx = context(db, &settings, &clock);
        let mut worker = worker(db, &clock, &settings);
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert!(report.run.is_none(), "{:?} {report:?}", t.backend);
        assert!(rows(db).await.is_empty());
        hand.set(vn(2026, 5, 19, 7, 0, 5));
        let run = tick_job(&ctx, Job::DepartmentDigest)
            .await
            .unwrap()
            .run
            .unwrap();
        assert_eq!((run.date, run.enqueued), (date(2026, 5, 19), 1));
        assert_eq!(worker.drain().await.unwrap().sent, 1);

        // Down from Tuesday 08:00 to Thursday 06:30: Wednesday's is not sent
        // late, Thursday's is.
        hand.set(vn(2026, 5, 21, 6, 30, 0));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert!(report.run.is_none());
        assert_eq!(report.coalesced, 1);
        hand.set(vn(2026, 5, 21, 7, 0, 5));
        tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let keys: Vec<String> = rows(db)
            .await
            .into_iter()
            .map(|r| r.idempotency_key)
            .collect();
        assert_eq!(
            keys,
            [
                "department-digest:TNMT:2026-05-19",
                "department-digest:TNMT:2026-05-21"
            ],
            "{:?}",
            t.backend
        );
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 2, "one digest a working day");
    }
}
