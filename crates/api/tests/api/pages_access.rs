//! Every page × every role, compared with the permission policy: who gets
//! the page, who gets the explaining 403 page, who is sent to log in. And
//! forms without the CSRF token change nothing.

use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::helpers::*;

pub async fn browser_for(app: &TestApp, username: Option<&str>) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    if let Some(username) = username {
        let password = match username {
            "admin" => app.settings.demo.admin_password.clone(),
            u if u.starts_with("cb.") => app.settings.demo.staff_password.clone(),
            _ => app.settings.demo.leader_password.clone(),
        };
        let r = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    client
}

#[tokio::test]
async fn every_page_for_every_role() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin_token = app.login("admin").await;
    let picked = app.pick_task(&admin_token, "overdue").await;
    let own = picked.id;
    let lead_staff = staff_of(&picked.lead);
    let other_staff = staff_of(&picked.unrelated);

    // (path, admin, leader, staff of the lead department, staff of another department)
    let pages: Vec<(String, [u16; 4])> = vec![
        ("/dashboard".into(), [200, 200, 200, 200]),
        ("/tasks".into(), [200, 200, 200, 200]),
        (format!("/tasks/{own}"), [200, 200, 200, 403]),
        ("/tasks/new".into(), [200, 200, 403, 403]),
        ("/overdue".into(), [200, 200, 200, 200]),
        ("/documents".into(), [200, 200, 200, 200]),
        ("/documents/new".into(), [200, 200, 403, 403]),
        // The former annual report leads to the review (staff: the dashboard).
        ("/report".into(), [303, 303, 303, 303]),
        ("/report/export.csv".into(), [200, 200, 200, 200]),
        ("/report/export.xlsx".into(), [200, 200, 200, 200]),
        ("/letters".into(), [200, 200, 403, 403]),
        (format!("/letters/{}", picked.lead), [200, 200, 403, 403]),
        ("/register".into(), [200, 200, 200, 200]),
        ("/review".into(), [200, 200, 403, 403]),
        ("/snapshots".into(), [200, 200, 403, 403]),
        ("/snapshots/999999".into(), [404, 404, 403, 403]),
        ("/explanations".into(), [200, 200, 200, 200]),
        ("/admin".into(), [200, 403, 403, 403]),
        ("/admin/import".into(), [200, 403, 403, 403]),
        ("/tasks/999999".into(), [404, 404, 404, 404]),
    ];
    let roles = [
        Some("admin"),
        Some("chutich"),
        Some(lead_staff.as_str()),
        Some(other_staff.as_str()),
    ];
    for (i, role) in roles.iter().enumerate() {
        let client = browser_for(&app, *role).await;
        for (path, expected) in &pages {
            let r = client
                .get(app.url(path))
                .header("Accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), expected[i], "{path} as {role:?}");
            if r.status() == StatusCode::FORBIDDEN {
                let html = r.text().await.unwrap();
                assert!(
                    html.contains("Bạn không có quyền truy cập trang này"),
                    "{path}: the 403 page explains"
                );
            }
        }
    }
    // Anonymous: every page sends to the login page, keeping where they were going.
    let anonymous = browser_for(&app, None).await;
    for (path, _) in &pages {
        let r = anonymous
            .get(app.url(path))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/login?next="), "{path} → {location}");
    }
    // The login page itself is open, and never redirects off-site afterwards.
    let r = anonymous
        .get(app.url("/login?next=//evil.example/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("name=\"next\" value=\"/\""),
        "an off-site next is dropped"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin_token = app.login("admin").await;
    let picked = app.pick_task(&admin_token, "overdue").await;
    let staff = browser_for(&app, Some(&staff_of(&picked.lead))).await;
    let before = app.task(picked.id, &admin_token).await;
    for token in [None, Some("not-the-token")] {
        let mut form = vec![
            ("progress", "99".to_string()),
            ("note", "giả mạo".to_string()),
        ];
        if let Some(t) = token {
            form.push(("csrf_token", t.to_string()));
        }
        let r = staff
            .post(app.url(&format!("/tasks/{}/update", picked.id)))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let after = app.task(picked.id, &admin_token).await;
    assert_eq!(before["version"], after["version"]);
    // Admin forms too.
    let admin = browser_for(&app, Some("admin")).await;
    let users_before = app
        .get_json("/api/v1/users", &admin_token)
        .await
        .as_array()
        .unwrap()
        .len();
    let r = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("username", "ke.gian"),
            ("full_name", "Kẻ gian"),
            ("role", "admin"),
            ("password", "mat-khau-rat-dai"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json("/api/v1/users", &admin_token)
            .await
            .as_array()
            .unwrap()
            .len(),
        users_before
    );
}

#[tokio::test]
async fn security_headers_and_cookie_flags() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    let headers = r.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "admin", "password": app.settings.demo.admin_password}),
        )
        .await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // No page includes inline script (the CSP would block it anyway).
    let client = browser_for(&app, Some("admin")).await;
    for path in [
        "/dashboard",
        "/tasks",
        "/overdue",
        "/documents",
        "/review",
        "/admin",
        "/admin/import",
    ] {
        let html = client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<script"), "{path} has a script tag");
        assert!(!html.contains(" style=\""), "{path} has an inline style");
        let body: Value = Value::String(html);
        assert!(body.as_str().unwrap().contains("lang=\"vi\""));
    }
}

#[tokio::test]
async fn staff_exports_contain_only_their_department() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let staff = browser_for(&app, Some("cb.tnmt")).await;
    let csv = staff
        .get(app.url("/report/export.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Phòng Tài nguyên và Môi trường"));
    assert!(
        !csv.contains("Phòng Tài chính - Kế hoạch"),
        "another department leaked into a staff export"
    );
}
