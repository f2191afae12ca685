//! Calendar feeds and recurring tasks in real headless Chromium, as in
//! `browser.rs` (same set-up: skipped loudly without Chromium, failed when
//! DONDOC_TEST_REQUIRE names `browser`). Screenshots for the user guide go
//! to target/screenshots/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::*;
use serde_json::json;

struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    names.iter().map(PathBuf::from).find(|p| p.exists())
}

async fn browser() -> Option<Browser> {
    let Some(chromium) = find_binary(&[
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]) else {
        dondoc_core::testing::skip(
            "browser",
            "Chromium is not installed (apt-get install chromium chromium-driver)",
        );
        return None;
    };
    let Some(chromedriver) =
        find_binary(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
    else {
        dondoc_core::testing::skip(
            "browser",
            "chromedriver is not installed (apt-get install chromium-driver)",
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--lang=vi-VN", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = String::new();
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(err) => {
                last_error = err.to_string();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("could not start a Chromium session: {last_error}");
}

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn login(b: &Client, base: &str, username: &str, password: &str) {
    b.goto(&format!("{base}/login")).await.unwrap();
    b.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    b.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        wait_for_path(b, |p| !p.starts_with("/login")).await,
        "login as {username} did not leave the login page: {}",
        body_text(b).await
    );
}

/// Waits for an element; on failure shows what the page says instead.
async fn expect_element(b: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
    match b
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(locator)
        .await
    {
        Ok(e) => e,
        Err(err) => panic!(
            "{err}: waited for {locator:?} on {}:\n{}",
            b.current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default(),
            body_text(b).await
        ),
    }
}

/// Polls the current URL until its path satisfies `ok` (10 s at most).
async fn wait_for_path(b: &Client, ok: impl Fn(&str) -> bool) -> bool {
    for _ in 0..100 {
        if let Ok(url) = b.current_url().await
            && ok(url.path())
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn logout(b: &Client) {
    b.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        wait_for_path(b, |p| p == "/login").await,
        "logout did not reach the login page"
    );
}

async fn body_text(b: &Client) -> String {
    b.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn screenshot(b: &Client, name: &str) {
    for (label, width, height) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        b.set_window_size(width, height).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        // A full-page capture: grow the window to the page's height.
        let full: serde_json::Value = b
            .execute("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)", vec![])
            .await
            .unwrap();
        let full_height = full
            .as_u64()
            .unwrap_or(u64::from(height))
            .clamp(u64::from(height), 6000) as u32;
        b.set_window_size(width, full_height).await.unwrap();
        let png = b.screenshot().await.unwrap();
        std::fs::write(screenshots_dir().join(format!("{name}-{label}.png")), png).unwrap();
    }
    b.set_window_size(1280, 900).await.unwrap();
}

/// Every visible form control has a label a screen reader announces.
async fn assert_controls_labelled(b: &Client, page: &str) {
    let unlabelled: serde_json::Value = b
        .execute(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]),select,textarea'))\
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))\
               .map(e => e.name || e.id)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, json!([]), "unlabelled controls on {page}");
}

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
        let input = b.find(Locator::Id(id)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
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
