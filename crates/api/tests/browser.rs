//! End-to-end tests of the pages in real headless Chromium (Debian's
//! `chromium` + `chromium-driver`), driven over WebDriver. Skipped loudly
//! when Chromium is missing, and failed instead when DONDOC_TEST_REQUIRE
//! names `browser` (CI). Screenshots go to target/screenshots/.
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
async fn officials_use_the_pages_in_a_real_browser() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let staff_password = app.settings.demo.staff_password.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    let admin_password = app.settings.demo.admin_password.clone();
    let admin_token = app.login("admin").await;

    // ── Staff: only their department's tasks; one form updates a task; history shows it.
    login(b, &base, "cb.tnmt", &staff_password).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/tasks");
    let text = body_text(b).await;
    assert!(
        text.contains("Nhiệm vụ của đơn vị"),
        "staff landing page: {text}"
    );
    let shown: Vec<i64> = {
        let rows = b.find_all(Locator::Css("tr[data-task-id]")).await.unwrap();
        let mut ids = Vec::new();
        for row in rows {
            ids.push(
                row.attr("data-task-id")
                    .await
                    .unwrap()
                    .unwrap()
                    .parse()
                    .unwrap(),
            );
        }
        ids
    };
    let staff_token = app.login("cb.tnmt").await;
    let api = app
        .get_json("/api/v1/tasks?per_page=200", &staff_token)
        .await;
    let mut expected: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let mut seen = shown.clone();
    expected.sort_unstable();
    seen.sort_unstable();
    assert_eq!(
        seen, expected,
        "the page lists exactly the department's tasks"
    );
    // Overdue first: the first row is overdue.
    let first = b.find(Locator::Css("tr[data-task-id]")).await.unwrap();
    assert!(
        first
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("row-overdue")
    );
    assert_controls_labelled(b, "/tasks").await;

    let led_overdue = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["lead_department"]["code"] == "TNMT" && t["timeliness"] == "overdue")
        .unwrap()
        .clone();
    let task_id = led_overdue["id"].as_i64().unwrap();
    b.goto(&format!("{base}/tasks/{task_id}")).await.unwrap();
    screenshot(b, "task-page").await;
    assert_controls_labelled(b, "/tasks/{id}").await;
    let progress = b.find(Locator::Id("progress")).await.unwrap();
    progress.clear().await.unwrap();
    progress.send_keys("77").await.unwrap();
    b.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("Đã làm việc với UBND xã, hoàn thiện hồ sơ")
        .await
        .unwrap();
    b.find(Locator::Css("#update-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let text = body_text(b).await;
    assert!(text.contains("Đã lưu thay đổi."), "{text}");
    assert!(text.contains("77%"), "{text}");
    let history = b
        .find(Locator::Css(".timeline"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Đã làm việc với UBND xã, hoàn thiện hồ sơ"),
        "{history}"
    );
    assert!(history.contains("77"), "{history}");
    assert_eq!(
        app.task(task_id, &admin_token).await["progress"],
        77,
        "the change was stored"
    );

    // Another department's task: an explaining 403 page, no form.
    let other = app
        .get_json("/api/v1/tasks?department=TCKH&per_page=200", &admin_token)
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            !t["coordinating_departments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "TNMT")
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("{base}/tasks/{other}")).await.unwrap();
    let text = body_text(b).await;
    assert!(
        text.contains("Bạn không có quyền truy cập trang này"),
        "{text}"
    );
    assert!(b.find(Locator::Id("update-form")).await.is_err());
    // Posting the form anyway changes nothing.
    let version_before = app.task(other, &admin_token).await["version"].clone();
    let _ = b
        .execute(
            "const f = document.createElement('form'); f.method='post'; f.action=arguments[0];\
             const p = document.createElement('input'); p.name='progress'; p.value='99'; f.appendChild(p);\
             document.body.appendChild(f); f.submit();",
            vec![json!(format!("/tasks/{other}/update"))],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.task(other, &admin_token).await["version"],
        version_before
    );

    // The language switch is remembered.
    b.goto(&format!("{base}/tasks")).await.unwrap();
    b.find(Locator::Css("a.lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css("html[lang=en]")).await;
    b.goto(&format!("{base}/overdue")).await.unwrap();
    assert!(body_text(b).await.contains("Overdue tasks"));
    b.find(Locator::Css("a.lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css("html[lang=vi]")).await;
    logout(b).await;

    // ── Leader: the overdue list with the demo's count; approving an extension removes the task from it.
    login(b, &base, "chutich", &leader_password).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/dashboard");
    screenshot(b, "dashboard").await;
    assert!(
        b.find(Locator::Css("svg.chart")).await.is_ok(),
        "the dashboard has its SVG chart"
    );
    b.goto(&format!("{base}/overdue")).await.unwrap();
    // The count reflects the staff update above (still overdue: 16).
    let total = b
        .find(Locator::Id("overdue-total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "16");
    screenshot(b, "overdue-list").await;
    assert_controls_labelled(b, "/overdue").await;
    let mt03 = app.get_json("/api/v1/tasks?q=MT-03", &admin_token).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let row = b
        .find(Locator::XPath(
            "//tr[@data-extension-id][.//a[contains(@href, '/tasks/') and contains(., 'MT-03')]]",
        ))
        .await
        .unwrap();
    row.find(Locator::Css("button[value=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let total = b
        .find(Locator::Id("overdue-total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "15");
    assert!(
        b.find(Locator::Css(&format!("tr[data-task-id='{mt03}']")))
            .await
            .is_err(),
        "MT-03 left the list"
    );
    logout(b).await;

    // ── Admin: an import file with one bad row is refused whole; a good one imports every row.
    login(b, &base, "admin", &admin_password).await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("chuong-trinh-loi.csv");
    std::fs::write(
        &bad,
        "PHỤ LỤC\nMã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn\n\
         N27-01,Rà soát quy hoạch sử dụng đất,environment,TNMT,,31/03/2027\n\
         N27-02,Đấu giá đất công xã Tân Mỹ,environment,XA-TAN-MY,TNMT,30/02/2027\n\
         N27-03,Giải ngân vốn đầu tư công,finance,TCKH,BQLDA,15/12/2027\n",
    )
    .unwrap();
    b.goto(&format!("{base}/admin/import")).await.unwrap();
    assert_controls_labelled(b, "/admin/import").await;
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .send_keys("2027")
        .await
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&bad.display().to_string())
        .await
        .unwrap();
    b.find(Locator::Css("#import-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let problems = expect_element(b, Locator::Id("import-problems"))
        .await
        .text()
        .await
        .unwrap();
    assert!(problems.contains("Dòng 4, cột Thời hạn"), "{problems}");
    assert_eq!(
        app.get_json("/api/v1/tasks?year=2027", &admin_token).await["total"],
        0,
        "nothing imported"
    );

    let good = dir.path().join("chuong-trinh-2027.csv");
    std::fs::write(
        &good,
        std::fs::read_to_string(&bad)
            .unwrap()
            .replace("30/02/2027", "28/02/2027"),
    )
    .unwrap();
    b.goto(&format!("{base}/admin/import")).await.unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .send_keys("2027")
        .await
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&good.display().to_string())
        .await
        .unwrap();
    b.find(Locator::Css("#import-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let preview = expect_element(b, Locator::Id("import-preview"))
        .await
        .text()
        .await
        .unwrap();
    assert!(preview.contains("Đấu giá đất công xã Tân Mỹ"), "{preview}");
    b.find(Locator::Id("import-confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = expect_element(b, Locator::Id("import-result"))
        .await
        .text()
        .await
        .unwrap();
    assert!(result.contains('3'), "{result}");
    assert_eq!(
        app.get_json("/api/v1/tasks?year=2027", &admin_token).await["total"],
        3
    );

    // ── A title with <script> is shown as text, never run.
    let created = app
        .post(
            "/api/v1/tasks",
            Some(&admin_token),
            json!({"year": 2027, "code": "XSS-1", "title": "<script>window.__xss = 1</script> Kiểm tra <b>đậm</b>",
                   "field": "administration", "lead_department": "VP", "due_date": "2027-06-30"}),
        )
        .await;
    let xss_id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("{base}/tasks/{xss_id}")).await.unwrap();
    let heading = b
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.contains("<script>window.__xss = 1</script>"),
        "{heading}"
    );
    assert!(heading.contains("<b>đậm</b>"), "{heading}");
    let ran: serde_json::Value = b
        .execute("return typeof window.__xss", vec![])
        .await
        .unwrap();
    assert_eq!(ran, json!("undefined"));
    b.goto(&format!("{base}/tasks?year=2027")).await.unwrap();
    let ran: serde_json::Value = b
        .execute("return typeof window.__xss", vec![])
        .await
        .unwrap();
    assert_eq!(ran, json!("undefined"));

    browser.client.clone().close().await.unwrap();
}
