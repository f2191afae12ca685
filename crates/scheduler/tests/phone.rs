//! A digest is readable on a phone: the HTML part as a real SMTP server
//! received it (SQLite and PostgreSQL), opened in headless Chromium 390 px
//! wide, is one column of task cards, every value of the text part is in
//! it, and no element is wider than the screen. Screenshots go to
//! `target/screenshots/mail-digest-390-*.png`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../api/tests/support/browser.rs"]
#[allow(dead_code)]
mod browser;
mod support;

use std::sync::Arc;

use dondoc_core::{
    Clock,
    domain::{Role, TaskStatus},
    testing,
};
use dondoc_scheduler::{AnyMailer, Context, Job, Worker, jobs::tick_job};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use support::*;

const WIDTH: u32 = 390;

/// Every element's right edge beyond the viewport, and the page's width.
const OVERFLOW: &str = r#"
const width = document.documentElement.clientWidth;
const wide = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && (r.right > width + 1 || r.left < -1)) {
    wide.push(el.tagName + ' ' + (el.textContent || '').trim().slice(0, 40) + ' right=' + Math.round(r.right));
  }
}
return [width, document.documentElement.scrollWidth, wide];
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_reads_as_one_column_of_cards_on_a_390_px_phone() {
    let Some(sink) = SmtpSink::start(SinkOptions::default()) else {
        return;
    };
    let Some(b) = browser::browser().await else {
        return;
    };
    let client = &b.client;
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for t in testing::databases().await {
        let db = &t.db;
        let dept = add_department(
            db,
            "VHTT-KHCN",
            "Phòng Văn hóa, Thông tin, Khoa học và Công nghệ huyện Bắc Tân Uyên",
            Some("phongvanhoathongtinkhoahocvacongnghe@bactanuyen.binhduong.gov.vn"),
        )
        .await;
        add_user(
            db,
            "canbo1",
            Role::Staff,
            Some(dept),
            Some("canbo1@dondoc.test"),
        )
        .await;
        let leader = add_user(db, "pct", Role::Leader, None, Some("pct@dondoc.test")).await;
        let mut l: dondoc_core::entity::user::ActiveModel =
            dondoc_core::entity::user::Entity::find_by_id(leader)
                .one(db)
                .await
                .unwrap()
                .unwrap()
                .into();
        l.position = Set(Some("Phó Chủ tịch Ủy ban nhân dân huyện".into()));
        l.update(db).await.unwrap();
        for (code, title, due) in [
            (
                "NV-2026-VHTTKHCN-000123",
                "Triển khai xây dựng cơ sở dữ liệu số hóa di sản văn hóa vật thể và phi vật thể trên địa bàn huyện giai đoạn 2026–2030 (https://vanban.bactanuyen.binhduong.gov.vn/quyet-dinh-so-1234-qd-ubnd)",
                date(2026, 4, 2),
            ),
            (
                "NV-2026-VHTTKHCN-000124",
                "Tổ chức hội thi tuyên truyền chuyển đổi số cộng đồng",
                date(2026, 5, 18),
            ),
            (
                "NV-2026-VHTTKHCN-000125",
                "Báo cáo sơ kết công tác khoa học và công nghệ sáu tháng đầu năm",
                date(2026, 5, 21),
            ),
        ] {
            add_task(
                db,
                NewTask {
                    code,
                    title,
                    department_id: dept,
                    due,
                    status: TaskStatus::InProgress,
                    leader: Some(leader),
                },
            )
            .await;
        }
        let settings = settings(&t.url, sink.port);
        let (clock, _hand) =
            Clock::manual(settings.organization.timezone, vn(2026, 5, 18, 7, 0, 5));
        let ctx = Context::new(db.clone(), clock.clone(), Arc::new(settings.clone()))
            .unwrap()
            .with_instance("phone");
        tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        let mut worker = Worker::new(
            db.clone(),
            clock.clone(),
            settings.mail.delivery.clone(),
            AnyMailer::from_settings(&settings.mail).unwrap(),
        );
        assert_eq!(worker.drain().await.unwrap().sent, 1);
        let received: Vec<_> = sink.received().into_iter().skip(seen).collect();
        seen += received.len();
        assert_eq!(received.len(), 1);
        let html = received[0].html.clone().unwrap();
        let text = received[0].text.clone().unwrap();
        assert!(html.contains("name=\"viewport\""), "{html}");
        let path = dir.path().join(format!("digest-{:?}.html", t.backend));
        std::fs::write(&path, &html).unwrap();

        client.set_window_size(WIDTH, 900).await.unwrap();
        client
            .goto(&format!("file://{}", path.display()))
            .await
            .unwrap();
        let shown = browser::body_text(client).await;
        // The same content as the text part: each task's code, leader,
        // status and link.
        for needle in [
            "NV-2026-VHTTKHCN-000123",
            "Phó Chủ tịch Ủy ban nhân dân huyện",
            "quá hạn 46 ngày",
            "đến hạn hôm nay",
            "còn 3 ngày",
        ] {
            assert!(text.contains(needle), "text part lacks {needle:?}:\n{text}");
            assert!(
                shown.contains(needle),
                "the phone shows no {needle:?}:\n{shown}"
            );
        }
        let measured = client.execute(OVERFLOW, vec![]).await.unwrap();
        let viewport = measured[0].as_u64().unwrap();
        let scroll = measured[1].as_u64().unwrap();
        let wide = measured[2].as_array().unwrap();
        assert!(viewport <= u64::from(WIDTH), "viewport {viewport} px");
        // Cards: the header row is hidden and the cells stack.
        let header = client
            .execute(
                "return getComputedStyle(document.querySelector('table.tasks thead')).display",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(header.as_str(), Some("none"));
        let height = client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        client
            .set_window_size(WIDTH, height.clamp(900, 8_000) as u32)
            .await
            .unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(
            browser::screenshots_dir().join(format!("mail-digest-390-{:?}.png", t.backend)),
            png,
        )
        .unwrap();
        client.set_window_size(1280, 900).await.unwrap();
        assert!(
            wide.is_empty() && scroll <= viewport,
            "{:?}: wider than the {viewport} px screen (scroll width {scroll}): {wide:?}",
            t.backend
        );
    }
}
