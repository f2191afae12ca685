//! The notices bell and a deputy leader's own view in real headless
//! Chromium, as in `browser.rs` (skipped loudly without Chromium, failed
//! when DONDOC_TEST_REQUIRE names `browser`): staff report a task done, the
//! leader in charge sees the bell's number go up, opens the notice, lands
//! on the task, and the number goes down. Screenshots go to
//! target/screenshots/.
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

async fn bell_count(b: &fantoccini::Client) -> i64 {
    match b.find(Locator::Id("notice-count")).await {
        Ok(e) => e.text().await.unwrap().trim().parse().unwrap(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn the_leader_in_charge_hears_of_a_report_through_the_bell() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let admin = app.login("admin").await;
    let page = app
        .get_json(
            "/api/v1/tasks?leader=pct.kinhte&status=in_progress,not_started&per_page=1",
            &admin,
        )
        .await;
    let task = page["items"][0].clone();
    let id = task["id"].as_i64().unwrap();
    let code = task["code"].as_str().unwrap().to_string();
    let lead = task["lead_department"]["code"]
        .as_str()
        .unwrap()
        .to_string();

    login(b, &base, "pct.kinhte", &app.settings.demo.leader_password).await;
    b.goto(&format!("{base}/dashboard")).await.unwrap();
    // A deputy's landing page: his own tasks, one click from the whole.
    let current = expect_element(b, Locator::Css("#view-switch a.current")).await;
    assert_eq!(current.text().await.unwrap(), "Nhiệm vụ tôi phụ trách");
    let before = bell_count(b).await;

    let staff = app.login(&staff_of(&lead)).await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{id}"),
            Some(&staff),
            json!({"status": "reported_done", "result_note": "Đã hoàn thành, báo cáo số 7/BC"}),
        )
        .await;
    assert_eq!(r.status(), 200);

    b.refresh().await.unwrap();
    assert_eq!(bell_count(b).await, before + 1);
    click(b, "#notice-bell").await;
    assert!(wait_for_path(b, |p| p == "/notices").await);
    let first = expect_element(b, Locator::Css("#notices tbody tr.notice-unread")).await;
    let text = first.text().await.unwrap();
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("báo cáo đã hoàn thành"), "{text}");
    screenshot(b, "notices").await;
    b.find(Locator::Css("#notices tbody tr.notice-unread button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(wait_for_path(b, |p| p == format!("/tasks/{id}")).await);
    assert_eq!(bell_count(b).await, before);

    // The mail choices page: every control labelled.
    b.goto(&format!("{base}/notices/preferences"))
        .await
        .unwrap();
    assert_controls_labelled(b, "/notices/preferences").await;
    // One click to the whole organisation.
    b.goto(&format!("{base}/dashboard")).await.unwrap();
    click(b, "#view-switch a:not(.current)").await;
    let current = expect_element(b, Locator::Css("#view-switch a.current")).await;
    assert_eq!(current.text().await.unwrap(), "Toàn cơ quan");
}
