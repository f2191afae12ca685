//! Requests for explanation end to end, against a real SMTP server: the lead
//! department's staff receive the request once; a request unanswered after
//! its answer-by date appears in the leaders' digest (under the digest's own
//! once-a-day key, so a rerun sends nothing), and no longer once answered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use dondoc_core::{
    Clock,
    accounts::principal::{Principal, TokenKind},
    domain::{Role, TaskStatus},
    entity::notification,
    followup::explanations::{self, ExplanationAnswer, NewExplanation},
    testing,
};
use dondoc_scheduler::{
    Context, Job, Worker,
    jobs::run_now,
    mailer::{SmtpMailer, sender},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
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

const HEADING: &str = "YÊU CẦU GIẢI TRÌNH QUÁ HẠN CHƯA TRẢ LỜI";

#[tokio::test]
async fn an_unanswered_request_reaches_the_department_once_then_the_leaders_digest_once() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let tnmt = add_department(
            db,
            "TNMT",
            "Phòng Tài nguyên và Môi trường",
            Some("tnmt@dondoc.test"),
        )
        .await;
        let tckh = add_department(db, "TCKH", "Phòng Tài chính - Kế hoạch", None).await;
        let staff = add_user(
            db,
            "cb.tnmt",
            Role::Staff,
            Some(tnmt),
            Some("canbo.tnmt@dondoc.test"),
        )
        .await;
        add_user(
            db,
            "cb.tckh",
            Role::Staff,
            Some(tckh),
            Some("canbo.tckh@dondoc.test"),
        )
        .await;
        let ct = add_user(db, "ct", Role::Leader, None, Some("chutich@dondoc.test")).await;
        let task = add_task(
            db,
            NewTask {
                code: "MT-01",
                title: "Đo đạc, cấp giấy chứng nhận quyền sử dụng đất đợt 1",
                department_id: tnmt,
                due: date(2026, 5, 4),
                status: TaskStatus::InProgress,
                leader: Some(ct),
            },
        )
        .await;

        let settings = Arc::new(settings(&t.url, sink.port));
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 9, 0, 0));
        let ctx = Context::new(db.clone(), clock.clone(), settings.clone())
            .unwrap()
            .with_instance("i1");
        let mailer = SmtpMailer::new(&settings.mail.smtp, sender(&settings.mail).unwrap()).unwrap();
        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            mailer,
        );

        // Monday 18/05: the leader asks, answer by Wednesday 20/05.
        let leader = principal(ct, "ct", Role::Leader, None);
        let id = explanations::request(
            db,
            &clock,
            &settings,
            &leader,
            task,
            &NewExplanation {
                question: "Đề nghị giải trình lý do chậm đo đạc".into(),
                answer_by: "20/05/2026".into(),
            },
        )
        .await
        .unwrap();
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 1, "{:?} {report:?}", t.backend);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        let mail = &received[0];
        assert_eq!(
            mail.rcpt_tos,
            vec![
                "tnmt@dondoc.test".to_string(),
                "canbo.tnmt@dondoc.test".to_string()
            ],
            "the lead department only"
        );
        assert_eq!(
            mail.subject,
            "[Yêu cầu giải trình] Phòng Tài nguyên và Môi trường: nhiệm vụ MT-01 quá hạn — trả lời trước ngày 20/05/2026"
        );
        let text = mail.text.as_deref().unwrap();
        for needle in [
            "Kính gửi: Phòng Tài nguyên và Môi trường",
            "Đồng chí Nguyễn Văn ct yêu cầu đơn vị giải trình",
            "[MT-01] Đo đạc, cấp giấy chứng nhận quyền sử dụng đất đợt 1",
            "Thời hạn: 04/05/2026 — quá hạn 14 ngày",
            "Đề nghị giải trình lý do chậm đo đạc",
            &format!("http://dondoc.test/tasks/{task}"),
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let row = notification::Entity::find()
            .filter(notification::Column::IdempotencyKey.eq(format!("explanation-request:{id}")))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, "sent");
        assert_eq!(row.message_id, mail.message_id);

        // Wednesday 20/05, the answer-by day: not escalated yet.
        hand.set(vn(2026, 5, 20, 9, 0, 0));
        let run = run_now(&ctx, Job::LeaderDigest, Some(date(2026, 5, 20)))
            .await
            .unwrap();
        assert_eq!(run.enqueued, 1);
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        let text = received[0].text.as_deref().unwrap();
        assert!(!text.contains(HEADING), "{text}");

        // Thursday 21/05, unanswered: in the leader's digest, with the question.
        hand.set(vn(2026, 5, 21, 9, 0, 0));
        let run = run_now(&ctx, Job::LeaderDigest, Some(date(2026, 5, 21)))
            .await
            .unwrap();
        assert_eq!((run.digests, run.enqueued), (1, 1));
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        let digest = &received[0];
        assert_eq!(digest.rcpt_tos, vec!["chutich@dondoc.test".to_string()]);
        assert!(
            digest
                .subject
                .contains("1 yêu cầu giải trình quá hạn chưa trả lời"),
            "{}",
            digest.subject
        );
        let text = digest.text.as_deref().unwrap();
        for needle in [
            &format!("{HEADING} — 1 yêu cầu"),
            "Hạn trả lời: 20/05/2026 — quá hạn 1 ngày, chưa trả lời",
            "Nội dung yêu cầu (Nguyễn Văn ct): Đề nghị giải trình lý do chậm đo đạc",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        // Marked overdue in the list.
        let listed = explanations::list(
            db,
            &leader,
            &explanations::RawExplanationQuery {
                state: Some("overdue".into()),
            },
            date(2026, 5, 21),
        )
        .await
        .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].days_overdue, Some(1));

        // A rerun the same day sends nothing: the digest's key is once a day per leader.
        let again = run_now(&ctx, Job::LeaderDigest, Some(date(2026, 5, 21)))
            .await
            .unwrap();
        assert_eq!((again.enqueued, again.already_present), (0, 1));
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), seen, "nothing new is sent");

        // The department answers; the next digest no longer carries it.
        let answerer = principal(staff, "cb.tnmt", Role::Staff, Some((tnmt, "TNMT")));
        explanations::answer(
            db,
            &clock,
            &answerer,
            id,
            &ExplanationAnswer {
                answer: "Đã thuê đơn vị đo đạc, hoàn thành trước 30/05".into(),
                attachment_ids: Vec::new(),
            },
        )
        .await
        .unwrap();
        hand.set(vn(2026, 5, 22, 9, 0, 0));
        run_now(&ctx, Job::LeaderDigest, Some(date(2026, 5, 22)))
            .await
            .unwrap();
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<Received> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert!(!received[0].text.as_deref().unwrap().contains(HEADING));
        // Only one notice per request, ever.
        let notices = notification::Entity::find()
            .filter(notification::Column::Kind.eq("explanation-request"))
            .all(db)
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
    }
}

/// Records every message and refuses the first one transiently.
#[derive(Default)]
struct FlakyMailer {
    sent: std::sync::Mutex<Vec<dondoc_scheduler::Outgoing>>,
}

impl dondoc_scheduler::Mailer for FlakyMailer {
    async fn send(
        &self,
        mail: &dondoc_scheduler::Outgoing,
    ) -> Result<dondoc_scheduler::Receipt, dondoc_scheduler::SendError> {
        let mut sent = self.sent.lock().unwrap();
        sent.push(mail.clone());
        if sent.len() == 1 {
            return Err(dondoc_scheduler::SendError::Transient {
                code: Some(451),
                message: "451 try later".into(),
                ambiguous: false,
            });
        }
        Ok(dondoc_scheduler::Receipt {
            code: Some(250),
            reply: "250 ok".into(),
        })
    }

    fn describe(&self) -> String {
        "flaky".into()
    }
}

/// The notice is enqueued with its content in the request's transaction;
/// the worker renders its bodies once, before the first send, and stores
/// them, so the retry after a refusal sends the very same bytes.
#[tokio::test]
async fn the_notice_is_rendered_once_before_the_first_send_and_retried_unchanged() {
    for t in testing::databases().await {
        let db = &t.db;
        let tnmt = add_department(db, "TNMT", "Phòng <Tài nguyên>", Some("tnmt@dondoc.test")).await;
        let ct = add_user(db, "ct", Role::Leader, None, Some("chutich@dondoc.test")).await;
        let task = add_task(
            db,
            NewTask {
                code: "MT-01",
                title: "Đo đạc & cấp giấy",
                department_id: tnmt,
                due: date(2026, 5, 4),
                status: TaskStatus::InProgress,
                leader: Some(ct),
            },
        )
        .await;
        let settings = Arc::new(settings(&t.url, free_port()));
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 9, 0, 0));
        let id = explanations::request(
            db,
            &clock,
            &settings,
            &principal(ct, "ct", Role::Leader, None),
            task,
            &NewExplanation {
                question: "Vì sao <chậm>?".into(),
                answer_by: "20/05/2026".into(),
            },
        )
        .await
        .unwrap();
        let key = format!("explanation-request:{id}");
        let row = || async {
            notification::Entity::find()
                .filter(notification::Column::IdempotencyKey.eq(key.clone()))
                .one(db)
                .await
                .unwrap()
                .unwrap()
        };
        let queued = row().await;
        assert!(queued.payload.is_some(), "{:?}", t.backend);
        assert!(queued.body_text.is_empty() && queued.body_html.is_empty());

        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            FlakyMailer::default(),
        );
        let first = worker.drain().await.unwrap();
        assert_eq!((first.sent, first.retrying), (0, 1), "{:?}", t.backend);
        let stored = row().await;
        assert_eq!(
            stored.payload, None,
            "rendered once, then the payload is gone"
        );
        assert!(stored.body_text.contains("[MT-01] Đo đạc & cấp giấy"));
        assert!(stored.body_html.contains("Phòng &#60;Tài nguyên&#62;"));
        assert!(stored.body_html.contains("Vì sao &#60;chậm&#62;?"));

        hand.set(vn(2026, 5, 18, 12, 0, 0));
        let second = worker.drain().await.unwrap();
        assert_eq!(second.sent, 1, "{:?}", t.backend);
        let sent = worker.mailer().sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0], sent[1], "the retry sends identical content");
        assert_eq!(sent[1].text, stored.body_text);
        assert_eq!(sent[1].html, stored.body_html);
    }
}
