//! Attached files in real headless Chromium, on SQLite and PostgreSQL: staff
//! report done with the signed report's PDF attached in the same form; the
//! leader in charge sees it in the decision box at the top of the page,
//! opens it inline and confirms without leaving the page; an HTML file sent
//! with the report is refused with the reason beside the file input, the
//! typed result kept and nothing written.
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

        // Staff report done with a page of HTML named .pdf attached: the
        // form comes back with the reason beside the file input, the
        // result as typed, a word that the file must be chosen again — and
        // nothing written.
        login(b, &base, &staff, &app.settings.demo.staff_password).await;
        b.goto(&format!("{base}/tasks/{}", picked.id))
            .await
            .unwrap();
        assert_controls_labelled(b, "task page with attachments").await;
        let history_before = app.history_len(picked.id, &admin).await;
        let result = "Đã ban hành báo cáo số 215/BC-UBND";
        click(b, "#status option[value=reported_done]").await;
        type_into(b, "result_note", result).await;
        let file = expect_element(b, Locator::Id("update-files")).await;
        file.send_keys(&html_path.display().to_string())
            .await
            .unwrap();
        click(b, "#update-form button[type=submit]").await;
        let error = expect_element(b, Locator::Id("update-files-error")).await;
        let text = error.text().await.unwrap();
        assert!(text.contains("Không nhận tệp HTML"), "{text}");
        let again = expect_element(b, Locator::Id("update-files-again"))
            .await
            .text()
            .await
            .unwrap();
        assert!(again.contains("bao-cao.pdf"), "{again}");
        let kept = b
            .find(Locator::Id("result_note"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some(result));
        assert_eq!(
            app.get_json(&format!("/api/v1/tasks/{}/attachments", picked.id), &admin)
                .await,
            json!([])
        );
        assert_eq!(app.history_len(picked.id, &admin).await, history_before);
        assert_eq!(
            app.task(picked.id, &admin).await["status"],
            task["status"],
            "the report is not written without its file"
        );

        // Then the real report, in the same form: the draft kept the status
        // and the result; only the file is chosen again.
        let file = expect_element(b, Locator::Id("update-files")).await;
        file.send_keys(&pdf_path.display().to_string())
            .await
            .unwrap();
        click(b, "#update-form button[type=submit]").await;
        let mut status = Value::Null;
        for _ in 0..50 {
            status = app.task(picked.id, &admin).await["status"].clone();
            if status == "reported_done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(status, "reported_done");
        let list = expect_element(b, Locator::Id("attachment-list")).await;
        let listed = list.text().await.unwrap();
        assert!(listed.contains("Báo cáo kết quả.pdf"), "{listed}");
        assert!(listed.contains("Báo cáo hoàn thành"), "{listed}");
        assert!(b.find(Locator::Id("update-files-error")).await.is_err());
        let history = expect_element(
            b,
            Locator::Css("section[aria-labelledby=history-h] .evidence"),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(history.contains("Báo cáo kết quả.pdf"), "{history}");
        screenshot(b, "attachments-staff").await;
        logout(b).await;

        // The leader in charge: the decision box at the top shows the
        // report's evidence; it opens inline; confirmed on the same page.
        login(b, &base, &leader, &app.settings.demo.leader_password).await;
        b.goto(&format!("{base}/tasks/{}", picked.id))
            .await
            .unwrap();
        let evidence = expect_element(b, Locator::Css("#decision #report-evidence"))
            .await
            .text()
            .await
            .unwrap();
        assert!(evidence.contains("Minh chứng kèm báo cáo"), "{evidence}");
        assert!(evidence.contains("Báo cáo kết quả.pdf"), "{evidence}");
        let first: Value = b
            .execute(
                "const d = document.getElementById('decision'); \
                 return d !== null && d.getBoundingClientRect().top < window.innerHeight;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            first,
            json!(true),
            "the decision box is in the first screen"
        );
        let view = b
            .find(Locator::Css("#report-evidence a[href$='/view']"))
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
        // Opened inline, in a tab of its own: the task page stays.
        view.click().await.unwrap();
        let mut windows = Vec::new();
        for _ in 0..50 {
            windows = b.windows().await.unwrap();
            if windows.len() > 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(windows.len(), 2, "the file opens beside the task page");
        let task_window = b.window().await.unwrap();
        for w in windows {
            if w != task_window {
                b.switch_to_window(w).await.unwrap();
                b.close_window().await.unwrap();
            }
        }
        b.switch_to_window(task_window).await.unwrap();
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
