//! Calendar feeds and recurring tasks in real headless Chromium, as in
//! `browser.rs` (same set-up: skipped loudly without Chromium, failed when
//! DONDOC_TEST_REQUIRE names `browser`). Screenshots for the user guide go
//! to target/screenshots/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use browser_support::*;
use fantoccini::Locator;
use helpers::*;
use serde_json::json;

#[tokio::test]
async fn officials_subscribe_to_deadlines_and_assign_a_recurring_task() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let staff_password = app.settings.demo.staff_password.clone();
    let leader_password = app.settings.demo.leader_password.clone();

    // ── Staff: the department's private calendar address, shown once.
    login(b, &base, "cb.tckh", &staff_password).await;
    b.find(Locator::Css("a[href='/account/calendar']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(wait_for_path(b, |p| p == "/account/calendar").await);
    let text = body_text(b).await;
    assert!(text.contains("Lịch hạn nhiệm vụ (ICS)"), "{text}");
    assert!(text.contains("Phòng Tài chính - Kế hoạch"), "{text}");
    assert_controls_labelled(b, "/account/calendar").await;
    b.find(Locator::Css("#feeds button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field = expect_element(b, Locator::Id("feed-url")).await;
    let url = field.prop("value").await.unwrap().unwrap();
    assert!(url.contains("/calendar/") && url.ends_with(".ics"), "{url}");
    screenshot(b, "calendar-feed").await;
    let path = url.split_once("/calendar/").unwrap().1;
    let response = app
        .client
        .get(app.url(&format!("/calendar/{path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let ics = response.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(
        ics.contains("[QUÁ HẠN "),
        "the department has overdue tasks"
    );
    // Reloaded, the page no longer shows the address; regenerating revokes it.
    b.goto(&format!("{base}/account/calendar")).await.unwrap();
    assert!(!body_text(b).await.contains(path));
    b.find(Locator::Css("#feeds button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Id("feed-url")).await;
    let old = app
        .client
        .get(app.url(&format!("/calendar/{path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 404);
    logout(b).await;

    // ── Leader: a monthly report due on the 31st, assigned from the form.
    login(b, &base, "pct.kinhte", &leader_password).await;
    b.goto(&format!("{base}/tasks/new")).await.unwrap();
    assert_controls_labelled(b, "/tasks/new").await;
    for (id, value) in [
        ("code", "BC-THANG-TC"),
        ("title", "Báo cáo tháng tình hình thu, chi ngân sách huyện"),
        ("due_date", "31/10/2026"),
        ("recurrence_day", "31"),
    ] {
        // The due date is a date picker: `type_into` sets it to that day.
        type_into(b, id, value).await;
    }
    for css in [
        "#field option[value=finance]",
        "#lead_department option[value=TCKH]",
        "#leader_in_charge option[value='pct.kinhte']",
        "#recurrence_frequency option[value=monthly]",
    ] {
        b.find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    b.find(Locator::Css(
        "form[action='/tasks/new'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let task_path = b.current_url().await.unwrap().path().to_string();
    let task_id: i64 = task_path.trim_start_matches("/tasks/").parse().unwrap();
    let text = body_text(b).await;
    assert!(text.contains("Hằng tháng, hạn ngày 31"), "{text}");
    assert!(text.contains("30/11/2026"), "next due date clamped: {text}");

    // The department reports it done and the leader confirms on the page:
    // November's occurrence appears in the series.
    let staff_token = app.login("cb.tckh").await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{task_id}"),
            Some(&staff_token),
            json!({"status": "reported_done", "result_note": "Đã gửi báo cáo tháng 10"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    b.goto(&format!("{base}{task_path}")).await.unwrap();
    b.find(Locator::Css(
        "form[action$='/confirm'] button[value=accept]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let series = b
        .find(Locator::Id("occurrences"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(series.contains("BC-THANG-TC-2026-11"), "{series}");
    assert!(series.contains("30/11/2026"), "{series}");
    assert_controls_labelled(b, "/tasks/{id}").await;
    screenshot(b, "recurring-task").await;
    // The new occurrence's page shows the same series.
    b.find(Locator::Css("#occurrences a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(wait_for_path(b, |p| p != task_path && p.starts_with("/tasks/")).await);
    let text = body_text(b).await;
    assert!(text.contains("BC-THANG-TC-2026-11"), "{text}");
    assert!(text.contains("Chưa thực hiện"), "{text}");
    logout(b).await;
}
