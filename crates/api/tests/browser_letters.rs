//! Reminder letters, the reminder register and the review in real headless
//! Chromium: a leader opens each page, clicks each download (the file must
//! land in the browser's download folder), records an issued letter with
//! the form and a reminder document by hand (days typed into their date
//! pickers), and the pages are photographed for the user guide
//! (target/screenshots/; docs/screenshots/ too with DONDOC_SCREENSHOTS).
//! Skipped loudly when Chromium is missing; failed instead when
//! DONDOC_TEST_REQUIRE names `browser`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use fantoccini::{Client, Locator};
use helpers::*;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use browser_support::{
    body_text, browser, expect_element, login, making_guide_screenshots, screenshots_dir, type_into,
};

/// A full-page desktop capture.
async fn screenshot(b: &Client, name: &str) {
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
    // From the top, even when a field lower down has the focus.
    b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    let png = b.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join(format!("{name}.png")), &png).unwrap();
    if making_guide_screenshots() {
        // These are the user guides' pictures of the same names.
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::write(docs.join(format!("{name}.png")), png).unwrap();
    }
    b.set_window_size(1280, 900).await.unwrap();
}

/// Types the day `dd/mm/yyyy` into the date picker `id` as a person does:
/// focused, the picker starts at its first part and moves on when a part
/// is full. Its parts come in the order of the browser's locale (day first
/// in Vietnamese, month first in American English), so they are typed in
/// that order. Returns the value the form will send.
async fn type_into_picker(b: &Client, id: &str, day: &str) -> String {
    let field = b.find(Locator::Id(id)).await.unwrap();
    assert_eq!(
        field.attr("type").await.unwrap().as_deref(),
        Some("date"),
        "{id}"
    );
    let order: Vec<String> = serde_json::from_value(
        b.execute(
            "document.getElementById(arguments[0]).focus(); \
             return new Intl.DateTimeFormat().formatToParts(new Date(2026, 11, 10)) \
               .map(p => p.type).filter(t => t === 'day' || t === 'month' || t === 'year');",
            vec![serde_json::json!(id)],
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let [d, m, y] = day.split('/').collect::<Vec<_>>()[..] else {
        panic!("{day} is not dd/mm/yyyy")
    };
    let keys: String = order
        .iter()
        .map(|part| match part.as_str() {
            "day" => d,
            "month" => m,
            _ => y,
        })
        .collect();
    field.send_keys(&keys).await.unwrap();
    field.prop("value").await.unwrap().unwrap_or_default()
}

/// Clicks a link and waits (15 s at most) for a complete file ending in
/// `extension` to appear in the download folder; returns its bytes.
async fn click_download(b: &Client, dir: &Path, css: &str, extension: &str) -> Vec<u8> {
    let before: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
    for _ in 0..150 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let found = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| !before.contains(p) && p.to_string_lossy().ends_with(extension));
        if let Some(path) = found {
            // Let Chromium finish writing (it renames from .crdownload when done).
            tokio::time::sleep(Duration::from_millis(300)).await;
            return std::fs::read(path).unwrap();
        }
    }
    panic!("clicking {css} downloaded no {extension} file");
}

#[tokio::test]
async fn a_leader_drafts_records_and_reviews_in_a_real_browser() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let dir = browser.downloads.path();
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    login(b, &base, "chutich", &leader_password).await;

    // The overdue page offers a letter per department.
    b.goto(&format!("{base}/overdue")).await.unwrap();
    let compose = b.find(Locator::Css("a.compose-letter")).await.unwrap();
    let href = compose.attr("href").await.unwrap().unwrap();
    let code = href.trim_start_matches("/letters/").to_string();
    assert!(body_text(b).await.contains("Soạn công văn đôn đốc"));

    // The letters page; every draft at once.
    b.goto(&format!("{base}/letters")).await.unwrap();
    assert!(body_text(b).await.contains("Soạn công văn đôn đốc"));
    screenshot(b, "letters").await;
    let zip = click_download(b, dir, "#download-all", ".zip").await;
    assert!(zip.starts_with(b"PK"));

    // One department's draft: preview, .docx, then record the issued letter.
    b.goto(&format!("{base}{href}")).await.unwrap();
    let text = body_text(b).await;
    assert!(text.contains("Dự thảo công văn đôn đốc gửi"), "{text}");
    let rows = b
        .find_all(Locator::Css("#letter-tasks tr[data-task-id]"))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    let docx = click_download(b, dir, "#download-docx", ".docx").await;
    assert!(docx.starts_with(b"PK"));
    screenshot(b, "letter-draft").await;
    // The report-back day through its picker, typed as a person would.
    assert_eq!(
        type_into_picker(b, "report_back_on", "10/12/2026").await,
        "2026-12-10"
    );
    b.find(Locator::Id("number"))
        .await
        .unwrap()
        .send_keys("1234")
        .await
        .unwrap();
    b.find(Locator::Css("#record-letter button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if b.current_url().await.unwrap().path() == "/register" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = body_text(b).await;
    assert!(
        text.contains("Đã vào sổ công văn đôn đốc") && text.contains("1234/UBND-VP"),
        "{text}"
    );
    let recorded = b
        .find(Locator::XPath(
            "//tr[@data-document-id][.//strong[text()='1234/UBND-VP']]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(recorded.contains("10/12/2026"), "{recorded}");
    assert!(
        b.current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or("")
            .contains(&code)
    );

    // The register, whole year, and its spreadsheet.
    b.goto(&format!("{base}/register?year=2026")).await.unwrap();
    let entries = b
        .find_all(Locator::Css("#register tr[data-document-id]"))
        .await
        .unwrap();
    assert_eq!(
        entries.len(),
        26,
        "25 demo letters and the one just recorded"
    );
    screenshot(b, "register").await;
    let xlsx = click_download(b, dir, "#register-xlsx", ".xlsx").await;
    assert!(xlsx.starts_with(b"PK"));

    // The review: the paragraph, the tables, both exports.
    b.goto(&format!("{base}/review?year=2026")).await.unwrap();
    let paragraph = b
        .find(Locator::Id("review-paragraph"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        paragraph.starts_with(
            "Trong Chương trình làm việc năm 2026, UBND huyện đã đề ra 96 nội dung trọng tâm"
        ),
        "{paragraph}"
    );
    assert!(
        paragraph.contains("đã ban hành 26 văn bản đôn đốc"),
        "{paragraph}"
    );
    screenshot(b, "review").await;
    let docx = click_download(b, dir, "#review-docx", ".docx").await;
    assert!(docx.starts_with(b"PK"));
    let xlsx = click_download(b, dir, "#review-xlsx", ".xlsx").await;
    assert!(xlsx.starts_with(b"PK"));

    // A reminder document recorded by hand: both days through their pickers.
    b.goto(&format!("{base}/documents/new")).await.unwrap();
    type_into(b, "number", "55/UBND-VP").await;
    assert_eq!(
        type_into_picker(b, "issued_on", "20/11/2026").await,
        "2026-11-20"
    );
    assert_eq!(
        type_into_picker(b, "report_back_on", "01/12/2026").await,
        "2026-12-01"
    );
    let first = b.find(Locator::Css("input[name=task_ids]")).await.unwrap();
    if first.prop("checked").await.unwrap().as_deref() != Some("true") {
        first.click().await.unwrap();
    }
    screenshot(b, "document-new").await;
    b.find(Locator::Css("#document-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/documents");
    assert!(body_text(b).await.contains("55/UBND-VP"));
    screenshot(b, "documents").await;
    let token = app.login("chutich").await;
    let docs = app.get_json("/api/v1/documents?per_page=200", &token).await;
    let doc = docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["number"] == "55/UBND-VP")
        .cloned()
        .unwrap();
    assert_eq!(doc["issued_on"], "2026-11-20");
    assert_eq!(doc["report_back_on"], "2026-12-01");
}
