//! Workflow notices end to end, against a real SMTP server process: a
//! report of completion reaches the leader in charge once (in the app and
//! by mail); a confirmation reaches the lead department's staff as each
//! chose — in the next day's digest, or in the app only; reruns and a
//! second scheduler add nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use dondoc_core::{
    Clock,
    accounts::principal::{Principal, TokenKind},
    domain::{Role, TaskStatus},
    entity::{notification, workflow_notice},
    notices::{
        inbox::{self, RawNoticeQuery},
        mail,
    },
    tasks::commands::{self, Decision, TaskPatch},
    testing,
};
use dondoc_scheduler::{
    Context, Worker,
    mailer::{SmtpMailer, sender},
    notices,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::*;

fn principal(
    user_id: i64,
    username: &str,
    role: Role,
    department: Option<(i64, &str)>,
) -> Principal {
    Principal {
        user_id,
        username: username.to_string(),
        full_name: format!("Nguyễn Văn {username}"),
        role,
        department_id: department.map(|d| d.0),
        department_code: department.map(|d| d.1.to_string()),
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

// Longer than 100 lines: one story told in order — report, mail at once, confirm, digest the next day, reruns.
#[tokio::test]
async fn notices_reach_the_right_inbox_once_as_each_person_chose() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let tnmt = add_department(db, "TNMT", "Phòng Tài nguyên và Môi trường", None).await;
        let tckh = add_department(db, "TCKH", "Phòng Tài chính - Kế hoạch", None).await;
        let staff = add_user(
            db,
            "cb.tnmt",
            Role::Staff,
            Some(tnmt),
            Some("cb.tnmt@dondoc.test"),
        )
        .await;
        let quiet = add_user(
            db,
            "cb2.tnmt",
            Role::Staff,
            Some(tnmt),
            Some("cb2.tnmt@dondoc.test"),
        )
        .await;
        let other = add_user(
            db,
            "cb.tckh",
            Role::Staff,
            Some(tckh),
            Some("cb.tckh@dondoc.test"),
        )
        .await;
        let pct = add_user(db, "pct", Role::Leader, None, Some("pct@dondoc.test")).await;
        let ct = add_user(db, "ct", Role::Leader, None, Some("ct@dondoc.test")).await;
        let task = add_task(
            db,
            NewTask {
                code: "MT-01",
                title: "Đo đạc, cấp giấy chứng nhận đợt 1",
                department_id: tnmt,
                due: date(2026, 6, 30),
                status: TaskStatus::InProgress,
                leader: Some(pct),
            },
        )
        .await;
        let settings = Arc::new(settings(&t.url, sink.port));
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 9, 0, 0));
        let ctx = Context::new(db.clone(), clock.clone(), settings.clone())
            .unwrap()
            .with_instance("i1");
        let ctx2 = Context::new(db.clone(), clock.clone(), settings.clone())
            .unwrap()
            .with_instance("i2");
        let mailer = SmtpMailer::new(&settings.mail.smtp, sender(&settings.mail).unwrap()).unwrap();
        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            mailer,
        );
        let staff_p = principal(staff, "cb.tnmt", Role::Staff, Some((tnmt, "TNMT")));
        let quiet_p = principal(quiet, "cb2.tnmt", Role::Staff, Some((tnmt, "TNMT")));
        let other_p = principal(other, "cb.tckh", Role::Staff, Some((tckh, "TCKH")));
        let pct_p = principal(pct, "pct", Role::Leader, None);
        let ct_p = principal(ct, "ct", Role::Leader, None);

        // The department's choices: one wants the digest, one no mail.
        inbox::set_preferences(db, &staff_p, &[("confirmed".into(), "digest".into())])
            .await
            .unwrap();
        inbox::set_preferences(db, &quiet_p, &[("confirmed".into(), "none".into())])
            .await
            .unwrap();
        // A bad choice is refused naming the kind, and changes nothing.
        let refused =
            inbox::set_preferences(db, &quiet_p, &[("confirmed".into(), "hourly".into())])
                .await
                .unwrap_err();
        assert!(format!("{refused}").contains("confirmed"), "{refused}");

        // Staff report done: the leader in charge is told, nobody else.
        commands::update(
            db,
            &clock,
            &staff_p,
            task,
            TaskPatch {
                status: Some("reported_done".into()),
                result_note: Some("Đã cấp 120 giấy chứng nhận".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            inbox::unread_count(db, &pct_p).await.unwrap(),
            1,
            "{:?}",
            t.backend
        );
        assert_eq!(inbox::unread_count(db, &ct_p).await.unwrap(), 0);
        assert_eq!(
            inbox::unread_count(db, &staff_p).await.unwrap(),
            0,
            "not told of one's own step"
        );
        let listed = inbox::list(db, &pct_p, &RawNoticeQuery::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].kind, "reported_done");
        assert_eq!(listed.items[0].task_code, "MT-01");

        // Two schedulers tick: one message in the outbox, sent once.
        let first = notices::tick(&ctx).await;
        let second = notices::tick(&ctx2).await;
        assert_eq!((first.immediate, second.immediate), (1, 0));
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 1, "{report:?}");
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].rcpt_tos, vec!["pct@dondoc.test".to_string()]);
        assert_eq!(
            received[0].subject,
            "[Báo cáo hoàn thành] MT-01: Đo đạc, cấp giấy chứng nhận đợt 1"
        );
        let text = received[0].text.as_deref().unwrap();
        for needle in [
            "Kính gửi: Nguyễn Văn pct",
            "Nguyễn Văn cb.tnmt báo cáo đã hoàn thành nhiệm vụ",
            "Đã cấp 120 giấy chứng nhận",
            &format!("http://dondoc.test/tasks/{task}"),
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let row = notification::Entity::find()
            .filter(notification::Column::Kind.eq(mail::IMMEDIATE_KIND))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, "sent");
        assert_eq!(row.user_id, Some(pct));
        // Rerun: nothing more.
        assert_eq!(notices::tick(&ctx).await.immediate, 0);
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), seen);

        // The leader confirms: the department's staff are told in the app;
        // by mail only in the digest, and not before the next one.
        commands::confirm(
            db,
            &clock,
            &pct_p,
            task,
            Decision {
                accept: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(inbox::unread_count(db, &staff_p).await.unwrap(), 1);
        assert_eq!(inbox::unread_count(db, &quiet_p).await.unwrap(), 1);
        assert_eq!(
            inbox::unread_count(db, &other_p).await.unwrap(),
            0,
            "another department"
        );
        let run = notices::tick(&ctx).await;
        assert_eq!(
            (run.immediate, run.digests),
            (0, 0),
            "today's digest went at 07:00"
        );
        assert_eq!(worker.drain().await.unwrap().sent, 0);

        // Tuesday 07:00 has passed: one digest, to the one who chose it.
        hand.set(vn(2026, 5, 19, 7, 5, 0));
        assert_eq!(notices::tick(&ctx).await.digests, 1);
        assert_eq!(notices::tick(&ctx2).await.digests, 0);
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        assert_eq!(
            received[0].rcpt_tos,
            vec!["cb.tnmt@dondoc.test".to_string()]
        );
        assert!(
            received[0]
                .subject
                .starts_with("Thông báo ngày 19/05/2026: 1 việc"),
            "{}",
            received[0].subject
        );
        let text = received[0].text.as_deref().unwrap();
        assert!(
            text.contains("Nguyễn Văn pct xác nhận nhiệm vụ đã hoàn thành"),
            "{text}"
        );
        let quiet_rows = workflow_notice::Entity::find()
            .filter(workflow_notice::Column::UserId.eq(quiet))
            .all(db)
            .await
            .unwrap();
        assert_eq!(quiet_rows.len(), 1);
        assert_eq!(
            (quiet_rows[0].mail.as_str(), quiet_rows[0].notification_id),
            ("none", None)
        );
        // Reruns add nothing.
        assert_eq!(notices::tick(&ctx).await, Default::default());
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), seen);
        assert_eq!(
            notification::Entity::find()
                .filter(notification::Column::Kind.is_in([mail::IMMEDIATE_KIND, mail::DIGEST_KIND]))
                .count(db)
                .await
                .unwrap(),
            2
        );

        // Read: the bell goes down, one by one or all at once; someone
        // else's notice is not found.
        let id = inbox::list(db, &staff_p, &RawNoticeQuery::default())
            .await
            .unwrap()
            .items[0]
            .id;
        assert!(
            inbox::mark_read(db, clock.now(), &other_p, id)
                .await
                .is_err()
        );
        assert_eq!(
            inbox::mark_read(db, clock.now(), &staff_p, id)
                .await
                .unwrap(),
            task
        );
        assert_eq!(inbox::unread_count(db, &staff_p).await.unwrap(), 0);
        assert_eq!(
            inbox::mark_all_read(db, clock.now(), &quiet_p)
                .await
                .unwrap(),
            1
        );
        assert_eq!(inbox::unread_count(db, &quiet_p).await.unwrap(), 0);
    }
    sink.stop();
}
