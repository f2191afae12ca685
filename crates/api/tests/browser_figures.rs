//! Every number opens its tasks, in real headless Chromium on the demo:
//! clicking a dashboard card, a chart bar, a cell of the first quarter's
//! review and a snapshot's card opens a list whose total is the number and
//! whose banner names the same scope; the list downloads as .xlsx; the
//! overdue page stays compact. Same set-up as `browser.rs` (skipped loudly
//! without Chromium, failed when DONDOC_TEST_REQUIRE names `browser`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use std::time::Duration;

use browser_support::*;
use fantoccini::{Client, Locator};
use helpers::*;
use serde_json::json;

async fn text_of(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .text()
        .await
        .unwrap()
        .trim()
        .to_string()
}

/// Clicks the number at `css`, then checks the list it opens: its total is
/// the number and its banner names `scope`.
async fn open_number(b: &Client, css: &str, number: i64, scope: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        wait_for_path(b, |p| p == "/tasks").await,
        "{css} opens the list"
    );
    expect_element(b, Locator::Id("list-total")).await;
    let total: i64 = text_of(b, "#list-total").await.parse().unwrap();
    assert_eq!(total, number, "{css}: the list's total is the number");
    let banner = text_of(b, "#list-banner").await;
    // The list may add the row's department or field between the parts.
    for part in scope.split(" — ") {
        assert!(banner.contains(part), "{css}: {banner:?} names {scope:?}");
    }
    assert!(
        banner.ends_with(&format!(": {number} nhiệm vụ")),
        "{banner}"
    );
}

async fn page_height(b: &Client) -> u64 {
    b.execute(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)",
        vec![],
    )
    .await
    .unwrap()
    .as_u64()
    .unwrap()
}

#[tokio::test]
async fn numbers_open_their_tasks_in_the_browser() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    let leader = app.login("chutich").await;
    login(b, &base, "chutich", &leader_password).await;

    // Dashboard cards.
    let today_scope = "Chương trình năm 2026 — tính đến hôm nay";
    for figure in [
        "overdue",
        "completed_on_time_after_extension",
        "not_started",
    ] {
        b.goto(&format!("{base}/dashboard?year=2026"))
            .await
            .unwrap();
        assert!(text_of(b, "#figures-scope").await.contains(today_scope));
        let css = format!(".figure-cards a[data-figure={figure}]");
        let number: i64 = text_of(b, &format!("{css} .value")).await.parse().unwrap();
        open_number(b, &css, number, today_scope).await;
    }
    // A chart bar opens its department's overdue tasks.
    b.goto(&format!("{base}/dashboard?year=2026"))
        .await
        .unwrap();
    let bar = b.find(Locator::Css("a.chart-bar")).await.unwrap();
    let title = bar
        .find(Locator::Css("title"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    let number: i64 = title
        .rsplit_once(": ")
        .and_then(|(_, n)| n.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    b.execute(
        "document.querySelector('a.chart-bar').dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}))",
        vec![],
    )
    .await
    .unwrap();
    assert!(
        wait_for_path(b, |p| p == "/tasks").await,
        "the bar opens the list"
    );
    expect_element(b, Locator::Id("list-total")).await;
    assert_eq!(text_of(b, "#list-total").await, number.to_string());

    // The first quarter's review, as of its last day: a department's overdue cell.
    let q1_scope =
        "Chương trình năm 2026 — hạn ban đầu đến 31/03/2026 — tính đến hết ngày 31/03/2026";
    b.goto(&format!("{base}/review?year=2026&quarter=1"))
        .await
        .unwrap();
    assert!(text_of(b, "#figures-scope").await.contains(q1_scope));
    let cell = "table.figures[data-dimension=department] tr[data-key] td:nth-child(9) a";
    let number: i64 = text_of(b, cell).await.parse().unwrap();
    open_number(b, cell, number, q1_scope).await;
    let cell = "table.figures[data-dimension=field] tr[data-key] td:nth-child(3) a";
    b.goto(&format!("{base}/review?year=2026&quarter=1"))
        .await
        .unwrap();
    let number: i64 = text_of(b, cell).await.parse().unwrap();
    open_number(b, cell, number, q1_scope).await;

    // The list as .xlsx.
    b.find(Locator::Id("list-export"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut downloaded = false;
    for _ in 0..75 {
        downloaded = std::fs::read_dir(browser.downloads.path())
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".xlsx"));
        if downloaded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(downloaded, "the list downloads as .xlsx");

    // A snapshot's card opens the tasks as they stood when it was taken.
    let r = app
        .post(
            "/api/v1/snapshots",
            Some(&leader),
            json!({"title": "Giao ban", "year": 2026}),
        )
        .await;
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("{base}/snapshots/{id}")).await.unwrap();
    let scope = text_of(b, "#figures-scope").await;
    assert!(
        scope.starts_with("Chương trình năm 2026 — tính đến "),
        "{scope}"
    );
    let number: i64 = text_of(b, "#snapshot-overdue").await.parse().unwrap();
    open_number(
        b,
        ".figure-cards a[data-figure=overdue]",
        number,
        "Chương trình năm 2026 — tính đến",
    )
    .await;

    // The overdue page stays compact on a desktop.
    b.set_window_size(1280, 900).await.unwrap();
    b.goto(&format!("{base}/overdue")).await.unwrap();
    expect_element(b, Locator::Id("overdue-total")).await;
    let height = page_height(b).await;
    println!("overdue page at 1280 px: {height} px");
    b.set_window_size(1280, u32::try_from(height).unwrap())
        .await
        .unwrap();
    let png = b.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join("overdue-compact.png"), png).unwrap();
    // 2,506 px when the page was made compact; the leader's own-view
    // switch and the export and print links added a row since.
    assert!(height < 2750, "the overdue page is {height} px high");
}
