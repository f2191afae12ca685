//! What a page does when it cannot go on (`PageError`): the login page that
//! comes back, the error page with the core error's status in the reader's
//! language and with their menu, a failed read as an error page rather than
//! an empty list; and the form refusals that go back where they came from.

use reqwest::{StatusCode, header::LOCATION};
use sea_orm::ConnectionTrait;

use crate::{helpers::*, pages_access::browser_for};

fn location(r: &reqwest::Response) -> String {
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

/// Whether the response sets a flash message of this kind (`ok` or `err`).
fn flashes(r: &reqwest::Response, kind: &str) -> bool {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with(&format!("dondoc_flash={kind}|")))
}

#[tokio::test]
async fn signing_in_returns_to_the_address_asked_for() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let anonymous = browser_for(&app, None).await;
    let r = anonymous
        .get(app.url("/tasks?department=TNMT&page=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        "/login?next=%2Ftasks%3Fdepartment%3DTNMT%26page%3D2"
    );
    // A form posted without a session goes the same way, and changes
    // nothing: back to the form's page after signing in, never to the
    // address it was posted to (which is no page: a 404).
    let r = anonymous
        .post(app.url("/tasks/1/update"))
        .form(&[("note", "không đăng nhập")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Ftasks%2F1");
    // Logging out without a session is just the login page.
    let r = anonymous.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(location(&r), "/login");
}

#[tokio::test]
async fn a_missing_task_is_the_404_page_in_the_readers_language_with_their_menu() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin = browser_for(&app, Some("admin")).await;
    let r = admin.get(app.url("/tasks/999999")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains("Không tìm thấy trang"), "{html}");
    assert!(
        html.contains("action=\"/logout\""),
        "the signed-in menu is there"
    );
    // An export that does not exist is the same page.
    let r = admin
        .get(app.url("/report/export.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Không tìm thấy trang"));
    // Read in English.
    admin.get(app.url("/lang/en")).send().await.unwrap();
    let r = admin.get(app.url("/tasks/999999")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("action=\"/logout\""));
}

#[tokio::test]
async fn a_failed_read_is_an_error_page_not_an_empty_list() {
    for app in spawn_apps().await {
        let admin = browser_for(&app, Some("admin")).await;
        for path in ["/tasks", "/tasks/new", "/overdue"] {
            let r = admin.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path} before the fault");
        }
        // The fields table goes away: every page that reads it fails.
        app.db
            .execute_unprepared("ALTER TABLE fields RENAME TO fields_gone")
            .await
            .unwrap();
        for path in ["/tasks", "/tasks/new", "/overdue"] {
            let r = admin.get(app.url(path)).send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{path} on {:?}",
                app.backend
            );
            let html = r.text().await.unwrap();
            assert!(html.contains("Có lỗi xảy ra"), "{path}: {html}");
            assert!(!html.contains("<table"), "{path}: no (empty) list is shown");
        }
    }
}

#[tokio::test]
async fn refused_forms_go_back_where_they_came_from() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin_token = app.login("admin").await;
    let picked = app.pick_task(&admin_token, "overdue").await;
    // A decision without the CSRF token returns to the page the form names.
    let leader = browser_for(&app, Some("chutich")).await;
    let back = format!("/tasks/{}", picked.id);
    let r = leader
        .post(app.url("/extensions/1/decision"))
        .form(&[("decision", "approve"), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), back);
    assert!(flashes(&r, "err"));
    // …never to another site.
    let r = leader
        .post(app.url("/extensions/1/decision"))
        .form(&[("decision", "approve"), ("back", "//evil.example/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/overdue");
    // The administration's gate comes before the form: a leader's post is
    // refused for the right, whatever the form holds.
    let r = leader
        .post(app.url("/admin/users"))
        .form(&[("username", "ke.gian")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Bạn không có quyền truy cập trang này")
    );
    // A rule the core refuses goes back with the reason; a missing right is
    // the 403 page.
    let staff = browser_for(&app, Some(&staff_of(&picked.unrelated))).await;
    let page = staff
        .get(app.url("/account/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let r = staff
        .post(app.url(&format!("/tasks/{}/confirm", picked.id)))
        .form(&[("decision", "accept"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = staff
        .post(app.url("/snapshots"))
        .form(&[("year", "năm nay"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/snapshots");
    assert!(flashes(&r, "err"));
}

/// The session's CSRF token, from a page's logout form.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

/// The extension ids and task links of the overdue page's pending list.
fn pending_on_page(html: &str) -> Vec<(i64, String)> {
    let mut found = Vec::new();
    let marker = "data-extension-id=\"";
    let mut rest = html;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let id: i64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let href = "<a href=\"";
        let link_at = rest.find(href).unwrap() + href.len();
        let link = &rest[link_at..];
        found.push((id, link[..link.find('"').unwrap()].to_string()));
    }
    found
}

#[tokio::test]
async fn the_overdue_page_lists_every_pending_extension_with_its_task() {
    for app in spawn_apps().await {
        let admin_token = app.login("admin").await;
        let picked = app.pick_task(&admin_token, "overdue").await;
        // A pending request from the lead department of a picked task (a
        // conflict: the task already has one).
        let lead = staff_of(&picked.lead);
        let lead_token = app.login(&lead).await;
        let r = app
            .post(
                &format!("/api/v1/tasks/{}/extensions", picked.id),
                Some(&lead_token),
                serde_json::json!({"requested_due_date": "2026-12-31", "reason": "Chờ số liệu"}),
            )
            .await;
        assert!(
            r.status().is_success() || r.status() == StatusCode::CONFLICT,
            "{:?}",
            r.text().await
        );
        for username in ["chutich", lead.as_str()] {
            let token = app.login(username).await;
            let pending = app
                .get_json("/api/v1/extensions?state=pending", &token)
                .await;
            let mut expected = Vec::new();
            for e in pending.as_array().unwrap() {
                let task_id = e["task_id"].as_i64().unwrap();
                let task = app.task(task_id, &admin_token).await;
                expected.push((e["id"].as_i64().unwrap(), task_id, task));
            }
            assert!(!expected.is_empty(), "{username} sees a pending request");
            let html = browser_for(&app, Some(username))
                .await
                .get(app.url("/overdue"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let shown = pending_on_page(&html);
            assert_eq!(
                shown,
                expected
                    .iter()
                    .map(|(id, task_id, _)| (*id, format!("/tasks/{task_id}")))
                    .collect::<Vec<_>>(),
                "{username} on {:?}",
                app.backend
            );
            for (_, _, task) in &expected {
                assert!(html.contains(task["code"].as_str().unwrap()));
            }
        }
    }
}
