//! Notice mails in each recipient's language, against a real SMTP server
//! process: a report of completion on a task with no leader named reaches
//! both leaders at once, the English-speaking one in English and the other
//! in Vietnamese, one message each; the confirmation reaches an
//! English-speaking staff member in the next day's digest, in English.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use dondoc_core::{
    Clock,
    accounts::{
        principal::{Principal, TokenKind},
        users,
    },
    domain::{Language, Role, TaskStatus},
    notices::inbox,
    tasks::commands::{self, Decision, TaskPatch},
    testing,
};
use dondoc_scheduler::{
    Context, Worker,
    mailer::{SmtpMailer, sender},
    notices,
};
use support::*;

fn principal(
    user_id: i64,
    username: &str,
    role: Role,
    department: Option<(i64, &str)>,
    language: Language,
) -> Principal {
    Principal {
        user_id,
        username: username.to_string(),
        full_name: format!("Nguyễn Văn {username}"),
        role,
        department_id: department.map(|d| d.0),
        department_code: department.map(|d| d.1.to_string()),
        department_name: None,
        language,
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

/// The words of the Vietnamese mail that an English one must not have.
const VIETNAMESE_WORDS: [&str; 5] = [
    "Kính gửi",
    "Thư gửi tự động",
    "Mở nhiệm vụ",
    "báo cáo đã hoàn thành",
    "Thông báo ngày",
];

fn body(r: &Received) -> String {
    format!(
        "{}\n{}\n{}",
        r.subject,
        r.text.as_deref().unwrap_or(""),
        r.html.as_deref().unwrap_or("")
    )
}

// Longer than 100 lines: one story in order — two leaders told at once in their languages, then a digest in English.
#[tokio::test]
async fn each_person_reads_the_notice_mail_in_their_own_language() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let tnmt = add_department(db, "TNMT", "Phòng Tài nguyên và Môi trường", None).await;
        let staff = add_user(
            db,
            "cb.tnmt",
            Role::Staff,
            Some(tnmt),
            Some("cb.tnmt@dondoc.test"),
        )
        .await;
        let english = add_user(db, "pct", Role::Leader, None, Some("pct@dondoc.test")).await;
        let vietnamese = add_user(db, "ct", Role::Leader, None, Some("ct@dondoc.test")).await;
        let now = vn(2026, 5, 18, 9, 0, 0);
        users::set_own_language(db, now, english, Language::En)
            .await
            .unwrap();
        users::set_own_language(db, now, staff, Language::En)
            .await
            .unwrap();
        // No leader named: every active leader is told of the report.
        let task = add_task(
            db,
            NewTask {
                code: "MT-01",
                title: "Đo đạc, cấp giấy chứng nhận đợt 1",
                department_id: tnmt,
                due: date(2026, 6, 30),
                status: TaskStatus::InProgress,
                leader: None,
            },
        )
        .await;
        let settings = Arc::new(settings(&t.url, sink.port));
        let (clock, hand) = Clock::manual(settings.organization.timezone, now);
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
        let staff_p = principal(
            staff,
            "cb.tnmt",
            Role::Staff,
            Some((tnmt, "TNMT")),
            Language::En,
        );
        let ct_p = principal(vietnamese, "ct", Role::Leader, None, Language::Vi);
        inbox::set_preferences(db, &staff_p, &[("confirmed".into(), "digest".into())])
            .await
            .unwrap();

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
        // Two schedulers tick: one message per leader, each sent once.
        let first = notices::tick(&ctx).await;
        let second = notices::tick(&ctx2).await;
        assert_eq!(
            (first.immediate, second.immediate),
            (2, 0),
            "{:?}",
            t.backend
        );
        assert_eq!(worker.drain().await.unwrap().sent, 2);
        assert_eq!(notices::tick(&ctx).await.immediate, 0);
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 2, "{:?}", t.backend);
        let to = |address: &str| {
            let found: Vec<&Received> = received
                .iter()
                .filter(|r| r.rcpt_tos == vec![address.to_string()])
                .collect();
            assert_eq!(found.len(), 1, "one message to {address}");
            found[0]
        };

        let en = to("pct@dondoc.test");
        assert_eq!(
            en.subject,
            "[Reported done] MT-01: Đo đạc, cấp giấy chứng nhận đợt 1"
        );
        let text = en.text.as_deref().unwrap();
        for needle in [
            "To: Nguyễn Văn pct",
            "The task follow-up system informs you:",
            "Nguyễn Văn cb.tnmt reported the task done",
            "Comment: Đã cấp 120 giấy chứng nhận",
            "Choose how you receive notices:",
            &format!("http://dondoc.test/tasks/{task}"),
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let all = body(en);
        for word in VIETNAMESE_WORDS {
            assert!(!all.contains(word), "{word:?} in the English mail:\n{all}");
        }
        assert!(
            en.html.as_deref().unwrap().contains("<html lang=\"en\">"),
            "{all}"
        );

        let vi = to("ct@dondoc.test");
        assert_eq!(
            vi.subject,
            "[Báo cáo hoàn thành] MT-01: Đo đạc, cấp giấy chứng nhận đợt 1"
        );
        let text = vi.text.as_deref().unwrap();
        for needle in [
            "Kính gửi: Nguyễn Văn ct",
            "Nguyễn Văn cb.tnmt báo cáo đã hoàn thành nhiệm vụ",
            "Ý kiến: Đã cấp 120 giấy chứng nhận",
            "Thư gửi tự động",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        for word in ["To:", "reported", "Choose how"] {
            assert!(!text.contains(word), "{word:?} in the Vietnamese mail");
        }

        // The Vietnamese leader confirms; the English-speaking staff
        // member chose the digest: the next morning, in English.
        commands::confirm(
            db,
            &clock,
            &ct_p,
            task,
            Decision {
                accept: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        hand.set(vn(2026, 5, 19, 7, 5, 0));
        assert_eq!(notices::tick(&ctx).await.digests, 1);
        assert_eq!(notices::tick(&ctx2).await.digests, 0);
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        let digest = &received[0];
        assert_eq!(digest.rcpt_tos, vec!["cb.tnmt@dondoc.test".to_string()]);
        assert!(
            digest.subject.starts_with("Notices of 19/05/2026: 1 "),
            "{}",
            digest.subject
        );
        let text = digest.text.as_deref().unwrap();
        for needle in [
            "To: Nguyễn Văn cb.tnmt",
            "What happened on the tasks you follow on 19/05/2026 (1):",
            "Completion confirmed: [MT-01]",
            "Nguyễn Văn ct confirmed the task as completed.",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let all = body(digest);
        for word in VIETNAMESE_WORDS {
            assert!(
                !all.contains(word),
                "{word:?} in the English digest:\n{all}"
            );
        }
        assert_eq!(notices::tick(&ctx).await, Default::default());
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), seen);
    }
    sink.stop();
}
