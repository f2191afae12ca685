//! The browser tests' harness: headless Chromium (Debian's `chromium` +
//! `chromium-driver`) driven over WebDriver, and the steps every page test
//! takes (log in, wait, read, capture). Shared by every `browser*.rs`.
//! Skipped loudly when Chromium is missing, failed instead when
//! DONDOC_TEST_REQUIRE names `browser`.

use std::{
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    /// Where Chromium saves what a test downloads.
    pub downloads: tempfile::TempDir,
    /// chromedriver's address, for commands fantoccini does not wrap
    /// (Chromium's DevTools, e.g. printing to PDF).
    pub driver_url: String,
}

impl Drop for Browser {
    /// chromedriver runs in a process group of its own, and Chromium's
    /// processes join it: killing the group leaves no browser behind, even
    /// when a test panics before closing its session.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub fn find_binary(names: &[&str]) -> Option<PathBuf> {
    names.iter().map(PathBuf::from).find(|p| p.exists())
}

pub async fn browser() -> Option<Browser> {
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
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--lang=vi-VN", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.path().display())],
            "prefs": {
                "download.default_directory": downloads.path().display().to_string(),
                "download.prompt_for_download": false,
                "safebrowsing.enabled": false
            }
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
                    downloads,
                    driver_url: url,
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

pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn login(b: &Client, base: &str, username: &str, password: &str) {
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
pub async fn expect_element(b: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
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
pub async fn wait_for_path(b: &Client, ok: impl Fn(&str) -> bool) -> bool {
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

pub async fn logout(b: &Client) {
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

pub async fn body_text(b: &Client) -> String {
    b.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn screenshot(b: &Client, name: &str) {
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
pub async fn assert_controls_labelled(b: &Client, page: &str) {
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

pub async fn click(b: &Client, css: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Types `text` into the field `id`. A date picker (`type=date`) is set
/// to the day `text` names as a person reads it (dd/mm/yyyy): how a
/// picker takes keystrokes depends on the browser's locale.
pub async fn type_into(b: &Client, id: &str, text: &str) {
    let field = b.find(Locator::Id(id)).await.unwrap();
    if field.attr("type").await.unwrap().as_deref() == Some("date") {
        let iso = match text.split('/').collect::<Vec<_>>()[..] {
            [d, m, y] => format!("{y}-{m:0>2}-{d:0>2}"),
            _ => text.to_string(),
        };
        b.execute(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); \
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(id), json!(iso)],
        )
        .await
        .unwrap();
        return;
    }
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Elements that stick out of the window sideways (the page would scroll
/// horizontally), ignoring what a scrolling box or a hidden ancestor
/// contains and what is deliberately placed off-screen (skip link,
/// visually hidden headings). Each as `tag#id.class (left–right)`.
pub async fn overflowing(b: &Client) -> Vec<String> {
    let found: serde_json::Value = b
        .execute(
            r#"const w = document.documentElement.clientWidth;
               const out = [];
               if (document.documentElement.scrollWidth > w + 1) {
                 out.push('document ' + document.documentElement.scrollWidth + ' > ' + w);
               }
               const clipped = (e) => {
                 for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                   const s = getComputedStyle(p);
                   if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
                 }
                 return false;
               };
               for (const e of document.body.querySelectorAll('*')) {
                 const r = e.getBoundingClientRect();
                 if (r.width === 0 || r.height === 0) continue;
                 if (r.right <= 1 || r.width <= 1) continue;
                 if (r.right > w + 1 || r.left < -1) {
                   if (clipped(e)) continue;
                   out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                     (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '') +
                     ' (' + Math.round(r.left) + '–' + Math.round(r.right) + ')');
                 }
               }
               return out.slice(0, 20);"#,
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Visible buttons, menu links and form fields smaller than a finger
/// (44 px high), each as `tag#id (height)`.
pub async fn small_targets(b: &Client) -> Vec<String> {
    let found: serde_json::Value = b
        .execute(
            r#"const out = [];
               const sel = 'button, .button, .nav a, .who a, .menu-button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not(.menu-toggle), select';
               for (const e of document.querySelectorAll(sel)) {
                 const r = e.getBoundingClientRect();
                 if (r.width === 0 || r.height === 0) continue;
                 if (r.height < 43.5) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.textContent || e.name || '').trim().slice(0, 30) + '" (' + r.height.toFixed(1) + ')');
               }
               return out.slice(0, 20);"#,
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Saves a PNG of the window into `docs/screenshots/NAME.png` when
/// DONDOC_SCREENSHOTS is set (the user guides' pictures are made so).
pub async fn guide_screenshot(b: &Client, name: &str) {
    if !making_guide_screenshots() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = b.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Whether the user guides' pictures are being made (DONDOC_SCREENSHOTS).
pub fn making_guide_screenshots() -> bool {
    std::env::var_os("DONDOC_SCREENSHOTS").is_some()
}

/// As `guide_screenshot`, the whole page at 1280 px wide (the window grown
/// to the page's height, as `screenshot` does); the window is 1280 × 900
/// afterwards.
pub async fn guide_page(b: &Client, name: &str) {
    if !making_guide_screenshots() {
        return;
    }
    b.set_window_size(1280, 900).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let full: serde_json::Value = b
        .execute(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)",
            vec![],
        )
        .await
        .unwrap();
    let height = full.as_u64().unwrap_or(900).clamp(900, 6000) as u32;
    b.set_window_size(1280, height).await.unwrap();
    b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    guide_screenshot(b, name).await;
    b.set_window_size(1280, 900).await.unwrap();
}
