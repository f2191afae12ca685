//! The attachment forms of the pages, over HTTP with a cookie session: the
//! CSRF token inside the multipart form, the reason of a refusal beside the
//! file input, the download addresses and another department's 403.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    attachments::{count, multipart, pdf_bytes},
    helpers::{TestApp, spawn_apps, staff_of},
};

/// The pages' upload form: the CSRF token is checked in the multipart form,
/// a refusal returns to the task page with the reason, and the download
/// address refuses another department's staff with the 403 page.
#[tokio::test]
async fn the_page_form_checks_the_csrf_token_and_the_file() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let (staff, csrf) = session_with_csrf(&app, &staff_of(&picked.lead)).await;
        let form_path = app.url(&format!("/tasks/{}/attachments", picked.id));
        let pdf = pdf_bytes();
        for token in [None, Some("not-the-token")] {
            let mut fields = vec![("context", "report")];
            if let Some(t) = token {
                fields.push(("csrf_token", t));
            }
            let (content_type, body) = multipart(&fields, Some(("r.pdf", "application/pdf", &pdf)));
            let r = staff
                .post(&form_path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        assert_eq!(count(&app, "attachments").await, 0);

        // A script is refused: back to the page, the reason beside the input.
        let (content_type, body) = multipart(
            &[("context", "report"), ("csrf_token", &csrf)],
            Some(("r.pdf", "application/pdf", b"#!/bin/sh\necho hi\n")),
        );
        let r = staff
            .post(&form_path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.contains("attachment=refused"), "{location}");
        let page = staff
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"attachment-error\""),
            "no error beside the field"
        );
        assert!(page.contains("Không nhận tệp kịch bản"));
        assert_eq!(count(&app, "attachments").await, 0);

        // With the token, a real PDF is attached and listed on the page.
        let (content_type, body) = multipart(
            &[("context", "report"), ("csrf_token", &csrf)],
            Some(("bao-cao.pdf", "application/pdf", &pdf)),
        );
        let r = staff
            .post(&form_path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(count(&app, "attachments").await, 1);
        let page = staff
            .get(app.url(&format!("/tasks/{}", picked.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("bao-cao.pdf") && page.contains("/view"));
        let list = app
            .get_json(&format!("/api/v1/tasks/{}/attachments", picked.id), &admin)
            .await;
        let id = list[0]["id"].as_i64().unwrap();

        // The download address: the file for the department, 403 for another.
        let r = staff
            .get(app.url(&format!("/attachments/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let other =
            crate::pages_access::browser_for(&app, Some(&staff_of(&picked.unrelated))).await;
        for path in [
            format!("/attachments/{id}"),
            format!("/attachments/{id}/view"),
        ] {
            let r = other.get(app.url(&path)).send().await.unwrap();
            assert!(
                matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{path}: {}",
                r.status()
            );
            let text = r.text().await.unwrap();
            assert!(!text.starts_with("%PDF"), "{path} leaked the file");
        }
    }
}

/// A signed-in client (cookie session, no redirects followed) and its CSRF token.
async fn session_with_csrf(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let password = match username {
        "admin" => app.settings.demo.admin_password.clone(),
        u if u.starts_with("cb.") => app.settings.demo.staff_password.clone(),
        _ => app.settings.demo.leader_password.clone(),
    };
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    (client, body["csrf_token"].as_str().unwrap().to_string())
}
