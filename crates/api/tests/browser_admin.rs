//! The administration and the printed overdue list, in real headless
//! Chromium on the demo: an administrator finds an account by a name typed
//! without marks, sorts by a heading, edits the job title (a refused save
//! keeps what was typed, the message beside the field), resets the
//! password in one click, and its owner must change it at sign-in. Then
//! the overdue page printed by Chromium's own print to PDF (DevTools
//! `Page.printToPDF`, honouring the page's CSS size as the print dialog
//! does) is A4 landscape, at most two pages, with the heading, the date and
//! page numbers — read back with poppler's `pdfinfo` and `pdftotext`.
//! Same set-up as `browser.rs` (skipped loudly without Chromium, failed
//! when DONDOC_TEST_REQUIRE names `browser`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use std::process::Command;

use browser_support::*;
use fantoccini::{Client, Locator};
use helpers::*;
use serde_json::{Value, json};

async fn text_of(b: &Client, css: &str) -> String {
    // Waits for the element: after a click the next page may still be loading.
    expect_element(b, Locator::Css(css))
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_string()
}

async fn value_of(b: &Client, id: &str) -> String {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn usernames(b: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for row in b.find_all(Locator::Css("tr[data-username]")).await.unwrap() {
        out.push(row.attr("data-username").await.unwrap().unwrap());
    }
    out
}

async fn select(b: &Client, id: &str, value: &str) {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_administrator_finds_edits_and_resets_an_account() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    login(b, &base, "admin", &app.settings.demo.admin_password).await;

    b.goto(&format!("{base}/admin")).await.unwrap();
    expect_element(b, Locator::Id("admin-sections")).await;
    assert_controls_labelled(b, "/admin").await;
    screenshot(b, "admin-hub").await;
    click(b, "#section-departments > a").await;
    assert!(wait_for_path(b, |p| p == "/admin/departments").await);
    expect_element(b, Locator::Id("departments-table")).await;
    assert_controls_labelled(b, "/admin/departments").await;
    screenshot(b, "admin-departments").await;
    b.goto(&format!("{base}/admin")).await.unwrap();
    click(b, "#section-users > a").await;
    assert!(wait_for_path(b, |p| p == "/admin/users").await);
    expect_element(b, Locator::Id("users-table")).await;
    assert_controls_labelled(b, "/admin/users").await;
    screenshot(b, "admin-users").await;

    // Search without marks, then sort by a heading.
    type_into(b, "q", "pho chu tich").await;
    click(b, "form[role=search] button[type=submit]").await;
    expect_element(b, Locator::Css("#table-total")).await;
    let mut found = usernames(b).await;
    found.sort();
    assert_eq!(found, ["pct.kinhte", "pct.quyhoach", "pct.vanhoa"]);
    click(b, "th[data-sort=full_name] a").await;
    expect_element(
        b,
        Locator::Css("th[data-sort=full_name][aria-sort=ascending]"),
    )
    .await;
    // Lê, Nguyễn, Phạm.
    assert_eq!(
        usernames(b).await,
        ["pct.kinhte", "pct.vanhoa", "pct.quyhoach"]
    );
    assert_eq!(value_of(b, "q").await, "pho chu tich", "the search stays");

    // Edit: a staff role without a unit is refused; what was typed stays.
    click(b, "tr[data-username='pct.vanhoa'] td a").await;
    assert!(wait_for_path(b, |p| p == "/admin/users/pct.vanhoa").await);
    assert_controls_labelled(b, "/admin/users/pct.vanhoa").await;
    let title = "Phó Chủ tịch UBND huyện phụ trách văn hóa – xã hội";
    type_into(b, "position", title).await;
    select(b, "role", "staff").await;
    click(b, "#save-user").await;
    let error = expect_element(b, Locator::Id("department-error")).await;
    assert!(!error.text().await.unwrap().is_empty());
    assert_eq!(value_of(b, "position").await, title, "typed title kept");
    assert_eq!(value_of(b, "role").await, "staff", "chosen role kept");
    screenshot(b, "admin-user-refused").await;
    select(b, "role", "leader").await;
    click(b, "#save-user").await;
    expect_element(b, Locator::Css(".flash-ok")).await;
    assert_eq!(value_of(b, "position").await, title);

    // One click resets the password; it is shown once.
    click(b, "#reset-password").await;
    let password = text_of(b, "#temporary-password").await;
    assert_eq!(password.len(), 14, "{password}");
    screenshot(b, "admin-user-reset").await;
    logout(b).await;

    // Its owner signs in with it and must change it first.
    login(b, &base, "pct.vanhoa", &password).await;
    assert!(
        wait_for_path(b, |p| p == "/account/password").await,
        "sent to change the password"
    );
    type_into(b, "current_password", &password).await;
    type_into(b, "new_password", "mat-khau-moi-cua-toi-2026").await;
    click(b, "form[action='/account/password'] button[type=submit]").await;
    assert!(wait_for_path(b, |p| p != "/account/password").await);
    b.goto(&format!("{base}/tasks")).await.unwrap();
    assert!(
        wait_for_path(b, |p| p == "/tasks").await,
        "free to work now"
    );
}

/// Chromium's print to PDF through DevTools, with the page's CSS size.
async fn print_to_pdf(browser: &Browser) -> Vec<u8> {
    let session = browser.client.session_id().await.unwrap().unwrap();
    let response: Value = reqwest::Client::new()
        .post(format!(
            "{}/session/{session}/goog/cdp/execute",
            browser.driver_url
        ))
        .json(&json!({
            "cmd": "Page.printToPDF",
            "params": {"preferCSSPageSize": true, "printBackground": true}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = response["value"]["data"]
        .as_str()
        .unwrap_or_else(|| panic!("no PDF: {response}"));
    use base64_decode::decode;
    decode(data)
}

/// A small base64 decoder (the standard alphabet), to read DevTools' PDF.
mod base64_decode {
    pub fn decode(text: &str) -> Vec<u8> {
        let value = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                _ => panic!("not base64: {c}"),
            }
        };
        let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
        for chunk in bytes.chunks(4) {
            let digits: Vec<u32> = chunk
                .iter()
                .take_while(|c| **c != b'=')
                .map(|c| value(*c))
                .collect();
            let mut n = 0u32;
            for (i, d) in digits.iter().enumerate() {
                n |= d << (18 - 6 * i);
            }
            let take = digits.len().saturating_sub(1);
            for i in 0..take {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    }
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(output.status.success(), "{tool} failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_overdue_list_prints_on_two_a4_landscape_pages_at_most() {
    let Some(browser) = browser().await else {
        return;
    };
    if find_binary(&["/usr/bin/pdfinfo"]).is_none()
        || find_binary(&["/usr/bin/pdftotext"]).is_none()
    {
        dondoc_core::testing::skip(
            "browser",
            "poppler-utils (pdfinfo, pdftotext) is not installed",
        );
        return;
    }
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    login(b, &base, "chutich", &app.settings.demo.leader_password).await;
    b.goto(&format!("{base}/overdue")).await.unwrap();
    let total = text_of(b, "#overdue-total").await;
    let mut codes = Vec::new();
    for cell in b
        .find_all(Locator::Css("tr[data-task-id] td.code"))
        .await
        .unwrap()
    {
        codes.push(cell.text().await.unwrap().trim().to_string());
    }
    let pdf = print_to_pdf(&browser).await;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let path = screenshots_dir().join("overdue-print.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let path = path.display().to_string();

    let info = poppler("pdfinfo", &[&path]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&pages), "{pages} pages:\n{info}");
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    // A4 is 595 × 842 points; landscape puts the long side across.
    assert!(
        size.contains("841.92 x 594.96") && size.contains("A4"),
        "{size}"
    );

    let text = poppler("pdftotext", &["-layout", &path, "-"]);
    assert!(
        text.contains("Danh sách nhiệm vụ quá hạn"),
        "the heading:\n{text}"
    );
    assert!(text.contains("In ngày 25/11/2026"), "the date:\n{text}");
    // "n / N" at the foot of each page (pdftotext may drop the spaces).
    let numbers: Vec<String> = text
        .lines()
        .map(|l| l.replace(' ', ""))
        .filter(|l| l.contains('/') && l.chars().all(|c| c.is_ascii_digit() || c == '/'))
        .collect();
    let expected: Vec<String> = (1..=pages).map(|n| format!("{n}/{pages}")).collect();
    assert_eq!(numbers, expected, "page numbers:\n{text}");
    // A table, not phone cards: one line carries a task's code, due date and days.
    assert!(
        text.lines()
            .any(|l| l.contains("MT-13") && l.contains("02/06/2026") && l.contains("176 ngày")),
        "rows are table rows:\n{text}"
    );
    // Every overdue task of the demo is on paper; the menu and filters are not.
    assert_eq!(codes.len().to_string(), total, "the page lists them all");
    for code in &codes {
        assert!(text.contains(code.as_str()), "{code} printed");
    }
    assert!(
        !text.contains("Bỏ lọc") && !text.contains("Đăng xuất"),
        "{text}"
    );
}
