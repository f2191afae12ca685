//! The meeting-snapshot and explanation-request pages in real headless
//! Chromium (same set-up as `browser.rs`: skipped loudly without Chromium,
//! failed when DONDOC_TEST_REQUIRE names `browser`). Screenshots for the
//! user guide go to target/screenshots/.
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
async fn leaders_freeze_figures_ask_for_explanations_and_departments_answer() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let staff_password = app.settings.demo.staff_password.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    let admin_token = app.login("admin").await;
    let overdue_total = app
        .get_json("/api/v1/overdue?per_page=1", &admin_token)
        .await["total"]
        .as_i64()
        .unwrap();
    let task = app
        .get_json(
            "/api/v1/tasks?department=TNMT&timeliness=overdue&per_page=200",
            &admin_token,
        )
        .await["items"][0]
        .clone();
    let task_id = task["id"].as_i64().unwrap();
    let task_code = task["code"].as_str().unwrap().to_string();

    // ── The leader freezes the figures before the weekly meeting.
    login(b, &base, "chutich", &leader_password).await;
    b.goto(&format!("{base}/snapshots")).await.unwrap();
    assert!(body_text(b).await.contains("Ảnh chụp số liệu giao ban"));
    assert_controls_labelled(b, "/snapshots").await;
    type_into(b, "snapshot-title", "Giao ban tuần 48").await;
    click(b, "#snapshot-form button[type=submit]").await;
    expect_element(b, Locator::Css(".flash-ok")).await;
    assert!(
        wait_for_path(b, |p| p.starts_with("/snapshots/")).await,
        "taking a snapshot shows it"
    );
    let snapshot_path = b.current_url().await.unwrap().path().to_string();
    let frozen = b
        .find(Locator::Id("snapshot-overdue"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let year_overdue =
        app.get_json("/api/v1/stats?year=2026", &admin_token).await["overall"]["overdue"]
            .as_i64()
            .unwrap();
    assert_eq!(frozen, year_overdue.to_string());
    let rows = b
        .find_all(Locator::Css("table.snapshot-overdue tr[data-task-id]"))
        .await
        .unwrap();
    assert_eq!(rows.len() as i64, overdue_total, "the frozen overdue list");
    assert_eq!(
        b.find(Locator::Id("snapshot-title"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Giao ban tuần 48"
    );
    assert_controls_labelled(b, "/snapshots/{id}").await;
    screenshot(b, "snapshot").await;

    // ── The leader asks the lead department to explain an overdue task.
    b.goto(&format!("{base}/tasks/{task_id}")).await.unwrap();
    expect_element(b, Locator::Id("explanation-form")).await;
    assert_controls_labelled(b, "/tasks/{id} (leader)").await;
    // An answer-by date that is not after today is refused, by name.
    type_into(b, "question", "Đề nghị giải trình lý do chậm tiến độ").await;
    type_into(b, "answer_by", "25/11/2026").await;
    click(b, "#explanation-form button[type=submit]").await;
    expect_element(b, Locator::Css(".flash-err")).await;
    assert!(
        body_text(b)
            .await
            .contains("Hạn trả lời phải sau ngày hôm nay")
    );
    type_into(b, "question", "Đề nghị giải trình lý do chậm tiến độ").await;
    type_into(b, "answer_by", "30/11/2026").await;
    click(b, "#explanation-form button[type=submit]").await;
    expect_element(b, Locator::Css(".flash-ok")).await;
    let section = b
        .find(Locator::Id("explanations"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(section.contains("Chờ giải trình"), "{section}");
    assert!(section.contains("30/11/2026"), "{section}");
    assert!(
        b.find(Locator::Id("explanation-form")).await.is_err(),
        "one open request at a time"
    );
    let notices = app
        .get_json(
            "/api/v1/notifications?kind=explanation-request",
            &admin_token,
        )
        .await;
    assert_eq!(notices["total"], 1, "the department is notified once");
    screenshot(b, "explanation-request").await;
    b.goto(&format!("{base}/explanations")).await.unwrap();
    let listed = b
        .find(Locator::Css("#explanations tr[data-explanation-id]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains(&task_code), "{listed}");
    assert_controls_labelled(b, "/explanations").await;
    screenshot(b, "explanations-list").await;
    logout(b).await;

    // ── The lead department answers on the task page.
    login(b, &base, "cb.tnmt", &staff_password).await;
    b.goto(&format!("{base}/tasks/{task_id}")).await.unwrap();
    let answer_box = expect_element(b, Locator::Css("form.explanation-answer textarea")).await;
    assert!(
        b.find(Locator::Id("explanation-form")).await.is_err(),
        "staff do not ask"
    );
    answer_box
        .send_keys("Do vướng mặt bằng tại 2 hộ dân; dự kiến hoàn thành 15/12/2026.")
        .await
        .unwrap();
    click(b, "form.explanation-answer button[type=submit]").await;
    expect_element(b, Locator::Css(".flash-ok")).await;
    let section = b
        .find(Locator::Id("explanations"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(section.contains("Đã giải trình"), "{section}");
    let history = b
        .find(Locator::Css(".timeline"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Do vướng mặt bằng tại 2 hộ dân"),
        "{history}"
    );
    screenshot(b, "explanation-answer").await;
    logout(b).await;

    // Later the department reports the task done …
    let staff_token = app.login("cb.tnmt").await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{task_id}"),
            Some(&staff_token),
            json!({"status": "reported_done", "result_note": "Đã hoàn thành", "completed_on": "2026-11-25"}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);

    // … the snapshot still shows what was quoted, and the comparison with now shows the change.
    login(b, &base, "chutich", &leader_password).await;
    b.goto(&format!("{base}{snapshot_path}")).await.unwrap();
    assert_eq!(
        b.find(Locator::Id("snapshot-overdue"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        frozen,
        "later edits do not change the snapshot"
    );
    click(b, "#compare-form button[type=submit]").await;
    assert!(wait_for_path(b, |p| p.ends_with("/compare")).await);
    let gone = expect_element(b, Locator::Id("no-longer-overdue"))
        .await
        .text()
        .await
        .unwrap();
    assert!(gone.contains(&task_code), "{gone}");
    let totals = b
        .find(Locator::Id("comparison-totals"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(totals.contains("−1"), "{totals}");
    screenshot(b, "snapshot-compare").await;
    logout(b).await;
}
