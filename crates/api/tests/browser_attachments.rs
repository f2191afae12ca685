//! Attached files in real headless Chromium, on SQLite and PostgreSQL: staff
//! attach the completion report's PDF on the task page; the leader in
//! charge sees it, opens it inline and confirms without leaving the page;
//! an HTML file is refused with the reason beside the file input.
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
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// What the browser gets for `path` with its own session: status and headers.
async fn fetch_in_page(b: &fantoccini::Client, path: &str) -> Value {
    b.execute_async(
        "const done = arguments[arguments.length - 1];\
         fetch(arguments[0], {credentials: 'same-origin'}).then(r => done({\
           status: r.status,\
           disposition: r.headers.get('content-disposition'),\
           type: r.headers.get('content-type'),\
           nosniff: r.headers.get('x-content-type-options')\
         })).catch(e => done({error: String(e)}));",
        vec![json!(path)],
    )
    .await
    .unwrap()
}

// Longer than 100 lines: one person after another on the same task, as the
// story goes (staff attach, the leader opens and confirms, refusals).
#[tokio::test]
async fn staff_attach_the_report_and_the_leader_opens_it_and_confirms() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    for database in dondoc_core::testing::databases().await {
        let app = spawn_on(database, true).await;
        let base = app.base.clone();
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let task = app.task(picked.id, &admin).await;
        let leader = task["leader_in_charge"]["username"]
            .as_str()
            .expect("the task has a leader in charge")
            .to_string();
        let staff = staff_of(&picked.lead);
        let folder = tempfile::tempdir().unwrap();
        let pdf_path = folder.path().join("Báo cáo kết quả.pdf");
        std::fs::write(&pdf_path, PDF).unwrap();
        let html_path = folder.path().join("bao-cao.pdf");
        std::fs::write(&html_path, b"<!DOCTYPE html><script>alert(1)</script>").unwrap();

        // Staff: a page of HTML named .pdf is refused, the reason beside the input.
        login(b, &base, &staff, &app.settings.demo.staff_password).await;
        b.goto(&format!("{base}/tasks/{}", picked.id))
            .await
            .unwrap();
        assert_controls_labelled(b, "task page with attachments").await;
        let file = expect_element(b, Locator::Id("attachment-file")).await;
        file.send_keys(&html_path.display().to_string())
            .await
            .unwrap();
        b.find(Locator::Css("#attachment-context option[value=report]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        click(b, "#attachment-form button[type=submit]").await;
        let error = expect_element(b, Locator::Id("attachment-error")).await;
        let text = error.text().await.unwrap();
        assert!(text.contains("Không nhận tệp HTML"), "{text}");
        assert_eq!(
            app.get_json(&format!("/api/v1/tasks/{}/attachments", picked.id), &admin)
                .await,
            json!([])
        );

        // Then the real report.
        let file = expect_element(b, Locator::Id("attachment-file")).await;
        file.send_keys(&pdf_path.display().to_string())
            .await
            .unwrap();
        b.find(Locator::Css("#attachment-context option[value=report]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        click(b, "#attachment-form button[type=submit]").await;
        let list = expect_element(b, Locator::Id("attachment-list")).await;
        let listed = list.text().await.unwrap();
        assert!(listed.contains("Báo cáo kết quả.pdf"), "{listed}");
        assert!(listed.contains("Báo cáo hoàn thành"), "{listed}");
        assert!(b.find(Locator::Id("attachment-error")).await.is_err());
        screenshot(b, "attachments-staff").await;
        let staff_token = app.login(&staff).await;
        let response = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&staff_token),
                json!({"status": "reported_done", "result_note": "Đã ban hành báo cáo số 215/BC-UBND"}),
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        logout(b).await;

        // The leader in charge: sees it, opens it inline, confirms on the same page.
        login(b, &base, &leader, &app.settings.demo.leader_password).await;
        b.goto(&format!("{base}/tasks/{}", picked.id))
            .await
            .unwrap();
        let listed = expect_element(b, Locator::Id("attachment-list"))
            .await
            .text()
            .await
            .unwrap();
        assert!(listed.contains("Báo cáo kết quả.pdf"), "{listed}");
        let view = b
            .find(Locator::Css("#attachment-list a[id^=view-]"))
            .await
            .unwrap();
        let href = view.attr("href").await.unwrap().unwrap();
        assert!(href.ends_with("/view"), "{href}");
        let answer = fetch_in_page(b, &href).await;
        assert_eq!(answer["status"], 200, "{answer}");
        assert_eq!(answer["type"], "application/pdf", "{answer}");
        assert_eq!(answer["nosniff"], "nosniff", "{answer}");
        assert!(
            answer["disposition"]
                .as_str()
                .unwrap()
                .starts_with("inline;"),
            "{answer}"
        );
        let download = b
            .find(Locator::Css("#attachment-list a[id^=download-]"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let answer = fetch_in_page(b, &download).await;
        assert!(
            answer["disposition"]
                .as_str()
                .unwrap()
                .starts_with("attachment;"),
            "{answer}"
        );
        screenshot(b, "attachments-leader").await;
        click(b, "button[name=decision][value=accept]").await;
        let mut status = Value::Null;
        for _ in 0..50 {
            status = app.task(picked.id, &admin).await["status"].clone();
            if status == "completed" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(status, "completed");
        logout(b).await;

        // Staff of another department: the file is refused to them.
        login(
            b,
            &base,
            &staff_of(&picked.unrelated),
            &app.settings.demo.staff_password,
        )
        .await;
        let answer = fetch_in_page(b, &href).await;
        assert!(
            matches!(answer["status"].as_u64(), Some(403 | 404)),
            "{answer}"
        );
        logout(b).await;
    }
}
