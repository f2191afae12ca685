//! The digest jobs end to end: the tick enqueues, the worker delivers to a
//! real SMTP server, and what arrives is checked against the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{collections::BTreeMap, sync::Arc};

use dondoc_core::{
    Clock,
    domain::{Role, TaskStatus},
    entity::{notification, notification_task},
    followup::notifications::state,
    testing,
};
use dondoc_scheduler::{
    Context, Job, Worker,
    jobs::{run_now, tick},
    mailer::{FileMailer, SmtpMailer, sender},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::*;

/// Task codes per section heading, parsed from a digest's text part.
fn sections_of(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end();
        for heading in ["QUÁ HẠN", "ĐẾN HẠN HÔM NAY", "SẮP ĐẾN HẠN"] {
            if line.starts_with(&format!("{heading} ")) {
                current = Some(heading.to_string());
                out.entry(heading.to_string()).or_default();
            }
        }
        if let (Some(section), Some(rest)) = (&current, line.split_once(". ["))
            && rest.0.chars().all(|c| c.is_ascii_digit())
        {
            let code = rest.1.split(']').next().unwrap().to_string();
            out.get_mut(section).unwrap().push(code);
        }
    }
    out
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn k_departments_get_exactly_k_digests_with_their_own_tasks_and_a_rerun_sends_nothing() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let mut total_received = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let today = date(2026, 5, 18); // a Monday
        let d = |days: i64| today + chrono::Duration::days(days);
        let tnmt = add_department(
            db,
            "TNMT",
            "Phòng Tài nguyên và Môi trường",
            Some("tnmt@dondoc.test"),
        )
        .await;
        let tckh = add_department(
            db,
            "TCKH",
            "Phòng Tài chính - Kế hoạch",
            Some("tckh@dondoc.test"),
        )
        .await;
        let xa = add_department(
            db,
            "XA-TAN-THANH",
            "UBND xã Tân Thành",
            Some("tanthanh@dondoc.test"),
        )
        .await;
        let vp = add_department(db, "VP", "Văn phòng HĐND và UBND", Some("vp@dondoc.test")).await;
        let _nv = add_department(db, "NV", "Phòng Nội vụ", Some("nv@dondoc.test")).await;
        let ktht = add_department(
            db,
            "KTHT",
            "Phòng Kinh tế và Hạ tầng",
            Some("ktht@dondoc.test"),
        )
        .await;
        let cb_tnmt = add_user(
            db,
            "cb.tnmt",
            Role::Staff,
            Some(tnmt),
            Some("canbo.tnmt@dondoc.test"),
        )
        .await;
        add_user(db, "cb.tnmt2", Role::Staff, Some(tnmt), None).await;
        let ct = add_user(db, "ct", Role::Leader, None, Some("chutich@dondoc.test")).await;
        add_user(db, "pct", Role::Leader, None, None).await;

        let task = |code, title, department_id, due, status| NewTask {
            code,
            title,
            department_id,
            due,
            status,
            leader: None,
        };
        let t1 = add_task(
            db,
            NewTask {
                leader: Some(ct),
                ..task(
                    "MT-01",
                    "Đo đạc, cấp giấy chứng nhận quyền sử dụng đất đợt 1",
                    tnmt,
                    d(-20),
                    TaskStatus::InProgress,
                )
            },
        )
        .await;
        let t2 = add_task(
            db,
            task(
                "MT-02",
                "Kiểm kê đất đai năm 2026",
                tnmt,
                d(0),
                TaskStatus::NotStarted,
            ),
        )
        .await;
        let t3 = add_task(
            db,
            task(
                "MT-03",
                "Quy hoạch sử dụng đất giai đoạn 2026–2030",
                tnmt,
                d(5),
                TaskStatus::InProgress,
            ),
        )
        .await;
        add_task(
            db,
            task(
                "TC-01",
                "Dự toán ngân sách năm sau",
                tckh,
                d(-3),
                TaskStatus::InProgress,
            ),
        )
        .await;
        add_task(
            db,
            task(
                "XA-01",
                "Xây dựng nông thôn mới nâng cao",
                xa,
                d(7),
                TaskStatus::InProgress,
            ),
        )
        .await;
        add_task(
            db,
            task(
                "XA-02",
                "Đấu giá quyền sử dụng đất công",
                xa,
                d(8),
                TaskStatus::InProgress,
            ),
        )
        .await;
        add_task(
            db,
            task(
                "VP-01",
                "Cải cách hành chính",
                vp,
                d(30),
                TaskStatus::InProgress,
            ),
        )
        .await;
        add_task(
            db,
            task(
                "KT-01",
                "Nâng cấp đường Thủ Biên – Đất Cuốc",
                ktht,
                d(-10),
                TaskStatus::Completed,
            ),
        )
        .await;
        add_task(
            db,
            task("KT-02", "Sửa chữa cầu", ktht, d(-10), TaskStatus::Cancelled),
        )
        .await;
        add_task(
            db,
            task(
                "KT-03",
                "Lát vỉa hè",
                ktht,
                d(-10),
                TaskStatus::ReportedDone,
            ),
        )
        .await;

        let settings = Arc::new(settings(&t.url, sink.port));
        let (clock, hand) = Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
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

        // 07:00:05 — the department digest's occurrence is due.
        let reports = tick(&ctx).await;
        let dept = reports
            .iter()
            .find(|r| r.job == Job::DepartmentDigest)
            .unwrap();
        let run = dept.run.as_ref().expect("the 07:00 occurrence ran");
        assert_eq!((run.digests, run.enqueued), (3, 3), "{:?}", t.backend);
        assert!(
            reports
                .iter()
                .filter(|r| r.job != Job::DepartmentDigest)
                .all(|r| r.run.is_none())
        );
        let report = worker.drain().await.unwrap();
        assert_eq!(report.sent, 3, "{report:?}");

        let received: Vec<Received> = sink.received().into_iter().skip(total_received).collect();
        total_received += received.len();
        assert_eq!(received.len(), 3, "exactly K digests arrive");
        let by_dept: BTreeMap<String, &Received> = received
            .iter()
            .map(|r| (r.rcpt_tos[0].clone(), r))
            .collect();
        assert_eq!(
            by_dept.keys().cloned().collect::<Vec<_>>(),
            codes(&[
                "tanthanh@dondoc.test",
                "tckh@dondoc.test",
                "tnmt@dondoc.test"
            ])
        );

        let tnmt_mail = by_dept["tnmt@dondoc.test"];
        assert_eq!(
            tnmt_mail.rcpt_tos,
            codes(&["tnmt@dondoc.test", "canbo.tnmt@dondoc.test"])
        );
        assert_eq!(
            tnmt_mail.subject,
            "[Đôn đốc] Phòng Tài nguyên và Môi trường: 3 nhiệm vụ (1 quá hạn, 1 đến hạn hôm nay, 1 sắp đến hạn) — ngày 18/05/2026"
        );
        let text = tnmt_mail.text.as_deref().unwrap();
        assert_eq!(
            sections_of(text),
            BTreeMap::from([
                ("QUÁ HẠN".to_string(), codes(&["MT-01"])),
                ("ĐẾN HẠN HÔM NAY".to_string(), codes(&["MT-02"])),
                ("SẮP ĐẾN HẠN".to_string(), codes(&["MT-03"])),
            ])
        );
        for needle in [
            "Kính gửi: Phòng Tài nguyên và Môi trường",
            "[MT-01] Đo đạc, cấp giấy chứng nhận quyền sử dụng đất đợt 1",
            "Thời hạn: 28/04/2026 — quá hạn 20 ngày",
            "Quy hoạch sử dụng đất giai đoạn 2026–2030",
            &format!("http://dondoc.test/tasks/{t1}"),
            "Văn bản đôn đốc đã ban hành: chưa có",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let html = tnmt_mail.html.as_deref().unwrap();
        assert!(html.contains("Đo đạc, cấp giấy chứng nhận quyền sử dụng đất đợt 1"));
        assert!(html.contains(&format!("href=\"http://dondoc.test/tasks/{t3}\"")));

        assert_eq!(
            sections_of(by_dept["tckh@dondoc.test"].text.as_deref().unwrap()),
            BTreeMap::from([("QUÁ HẠN".to_string(), codes(&["TC-01"]))])
        );
        assert_eq!(
            sections_of(by_dept["tanthanh@dondoc.test"].text.as_deref().unwrap()),
            BTreeMap::from([("SẮP ĐẾN HẠN".to_string(), codes(&["XA-01"]))]),
            "due in exactly due_soon_days is reported; a day later is not"
        );

        // The outbox agrees with what arrived, and links the tasks.
        let rows = notification::Entity::find().all(db).await.unwrap();
        assert_eq!(rows.len(), 3);
        for row in &rows {
            assert_eq!(row.state, state::SENT);
            assert_eq!(row.last_smtp_code, Some(250));
            assert_eq!(row.attempts, 1);
            assert!(!row.ambiguous);
            let arrived = received
                .iter()
                .find(|r| r.message_id == row.message_id)
                .unwrap();
            assert_eq!(arrived.subject, row.subject);
        }
        let tnmt_row = rows
            .iter()
            .find(|r| r.idempotency_key == "department-digest:TNMT:2026-05-18")
            .unwrap();
        let mut linked: Vec<i64> = notification_task::Entity::find()
            .filter(notification_task::Column::NotificationId.eq(tnmt_row.id))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.task_id)
            .collect();
        linked.sort_unstable();
        assert_eq!(linked, vec![t1, t2, t3]);
        let last = dondoc_core::reports::overdue::last_notices(db, &[t1], None)
            .await
            .unwrap();
        assert_eq!(last.get(&t1).copied(), tnmt_row.sent_at);

        // Run again: by the tick a minute later, and by hand. Nothing new.
        hand.advance(chrono::Duration::minutes(1));
        let reports = tick(&ctx).await;
        assert!(reports.iter().all(|r| r.run.is_none()), "{reports:?}");
        let again = run_now(&ctx, Job::DepartmentDigest, Some(today))
            .await
            .unwrap();
        assert_eq!((again.enqueued, again.already_present), (0, 3));
        assert_eq!(worker.drain().await.unwrap().sent, 0);
        assert_eq!(sink.received().len(), total_received, "nothing new is sent");

        // A reminder letter for MT-01 (recorded 08/05, report back by
        // 15/05) that TNMT answered with a note on 13/05: the escalation says
        // so, by the reminder register's rule.
        {
            use dondoc_core::{
                domain::{DocumentKind, LinkRelation},
                entity::{document, document_task, task_history},
            };
            use sea_orm::{ActiveModelTrait, Set};
            let letter = document::ActiveModel {
                number: Set("125/UBND-VP".into()),
                kind: Set(DocumentKind::OfficialLetter),
                title: Set("V/v đôn đốc".into()),
                issued_on: Set(d(-10)),
                signer: Set("Chủ tịch".into()),
                report_back_on: Set(Some(d(-3))),
                created_by: Set(None),
                created_at: Set(vn(2026, 5, 8, 9, 0, 0)),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
            document_task::ActiveModel {
                document_id: Set(letter.id),
                task_id: Set(t1),
                relation: Set(LinkRelation::Reminds),
                linked_at: Set(Some(vn(2026, 5, 8, 9, 0, 0))),
            }
            .insert(db)
            .await
            .unwrap();
            task_history::ActiveModel {
                task_id: Set(t1),
                actor_id: Set(Some(cb_tnmt)),
                at: Set(vn(2026, 5, 13, 10, 0, 0)),
                action: Set("note".into()),
                note: Set(Some("Đang hoàn thiện hồ sơ".into())),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }

        // 07:30:05 — escalation (07:15) and the Monday leader digest (07:30).
        hand.set(vn(2026, 5, 18, 7, 30, 5));
        let reports = tick(&ctx).await;
        let ran: Vec<Job> = reports
            .iter()
            .filter(|r| r.run.is_some())
            .map(|r| r.job)
            .collect();
        assert_eq!(ran, vec![Job::Escalation, Job::LeaderDigest]);
        let report = worker.drain().await.unwrap();
        assert_eq!(
            report.sent, 2,
            "escalation and leader digest to ct: {report:?}"
        );
        let new: Vec<Received> = sink.received().into_iter().skip(total_received).collect();
        total_received += new.len();
        assert!(
            new.iter()
                .all(|r| r.rcpt_tos == codes(&["chutich@dondoc.test"]))
        );
        let escalation = new
            .iter()
            .find(|r| r.subject.contains("quá hạn từ 14 ngày"))
            .unwrap();
        assert_eq!(
            sections_of(escalation.text.as_deref().unwrap())["QUÁ HẠN"],
            codes(&["MT-01"])
        );
        assert!(
            escalation.text.as_deref().unwrap().contains(
                "yêu cầu báo cáo trước ngày 15/05/2026; đơn vị đã báo cáo lại ngày 13/05/2026."
            ),
            "{:?}",
            escalation.text
        );
        let weekly = new
            .iter()
            .find(|r| r.subject.starts_with("[Tổng hợp tuần]"))
            .unwrap();
        let weekly_text = weekly.text.as_deref().unwrap();
        assert!(
            weekly_text.contains("Phòng Tài nguyên và Môi trường (TNMT) — 1 nhiệm vụ quá hạn"),
            "{weekly_text}"
        );
        let tnmt_at = weekly_text.find("(TNMT)").unwrap();
        let tckh_at = weekly_text.find("(TCKH)").unwrap();
        assert!(
            tnmt_at < tckh_at,
            "the department with the oldest overdue task first"
        );

        // The leader without an address: recorded failed with the reason.
        let pct = notification::Entity::find()
            .filter(notification::Column::IdempotencyKey.eq("leader-digest:pct:2026-05-18"))
            .one(db)
            .await
            .unwrap()
            .expect("a notification nobody can receive is recorded, not skipped");
        assert_eq!(pct.state, state::FAILED);
        assert!(
            pct.last_error.as_deref().unwrap().contains("pct"),
            "{:?}",
            pct.last_error
        );
    }
}

#[tokio::test]
async fn the_demo_leaves_the_days_notices_as_readable_eml_files() {
    if support::python().is_none() {
        return;
    }
    for t in testing::databases().await {
        let db = &t.db;
        let out = tempfile::tempdir().unwrap();
        let mut settings = settings(&t.url, 25);
        settings.mail.file_dir = out.path().join("outbox");
        let settings = Arc::new(settings);
        let (clock, _hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        dondoc_seed::demo::seed(db, &clock, &settings)
            .await
            .unwrap();
        let ctx = Context::new(db.clone(), clock.clone(), settings.clone()).unwrap();
        let run = tick(&ctx).await.remove(0).run.unwrap();
        assert!(run.enqueued >= 5, "the demo has late departments: {run:?}");
        let mailer = FileMailer::new(
            settings.mail.file_dir.clone(),
            sender(&settings.mail).unwrap(),
        );
        let mut worker = Worker::new(db.clone(), clock, settings.mail.delivery.clone(), mailer);
        assert_eq!(worker.drain().await.unwrap().sent, run.enqueued);
        let files: Vec<_> = std::fs::read_dir(&settings.mail.file_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len() as u32, run.enqueued);
        let parsed = parse_eml(&files).unwrap();
        for mail in &parsed {
            assert!(mail.subject.starts_with("[Đôn đốc] "), "{}", mail.subject);
            assert!(
                mail.subject.ends_with("— ngày 18/05/2026"),
                "{}",
                mail.subject
            );
            let text = mail.text.as_deref().unwrap();
            assert!(text.contains("Kính gửi: "), "{text}");
            assert!(text.contains("UBND huyện Bắc Tân Uyên"));
            assert!(mail.html.as_deref().unwrap().contains("<html lang=\"vi\">"));
        }
        assert!(
            parsed
                .iter()
                .any(|m| m.text.as_deref().unwrap().contains("văn bản (số ")),
            "reminder documents already issued are listed"
        );
    }
}
