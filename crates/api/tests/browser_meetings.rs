//! The meeting-snapshot and explanation-request pages in real headless
//! Chromium (same set-up as `browser.rs`: skipped loudly without Chromium,
//! failed when DONDOC_TEST_REQUIRE names `browser`). Screenshots for the
//! user guide go to target/screenshots/.
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

async fn click(b: &Client, css: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_into(b: &Client, id: &str, text: &str) {
    let field = b.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

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
