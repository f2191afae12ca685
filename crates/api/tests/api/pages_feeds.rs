//! The calendar feed page and the recurrence forms, as a browser uses them
//! (session cookie + CSRF token in the form).

use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::helpers::*;

async fn browser_for(app: &TestApp, username: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
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
    client
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let r = client
        .get(app.url(path))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with a CSRF token")
        .to_string()
}

async fn post_form(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("Accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_calendar_page_makes_shows_once_and_revokes_a_feed() {
    for app in spawn_apps().await {
        let staff = browser_for(&app, "cb.tckh").await;
        let (status, html) = page(&app, &staff, "/account/calendar").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Lịch hạn nhiệm vụ (ICS)"));
        assert!(html.contains("Phòng Tài chính - Kế hoạch"));
        assert!(!html.contains("Phòng Tài nguyên và Môi trường"));
        assert!(html.contains("Chưa có đường dẫn."));
        let csrf = csrf_of(&html);

        // Without the CSRF token nothing is made.
        let r = post_form(
            &app,
            &staff,
            "/account/calendar",
            &[("scope", "department"), ("key", "TCKH")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let token = app.login("cb.tckh").await;
        assert!(
            app.get_json("/api/v1/calendar-feeds", &token)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );

        // With it, the page answers with the address, once.
        let r = post_form(
            &app,
            &staff,
            "/account/calendar",
            &[
                ("csrf_token", &csrf),
                ("scope", "department"),
                ("key", "TCKH"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("chỉ hiển thị một lần"));
        let url = html
            .split("id=\"feed-url\" class=\"wide\" readonly value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let path = url.split_once("/calendar/").unwrap().1.to_string();
        let r = app
            .client
            .get(app.url(&format!("/calendar/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, html) = page(&app, &staff, "/account/calendar").await;
        assert!(!html.contains(&path), "the token is shown only once");
        assert!(html.contains("Đang dùng, tạo lúc"));

        // Another department's feed cannot be revoked from here.
        let admin = app.login("admin").await;
        let r = app
            .post(
                "/api/v1/calendar-feeds",
                Some(&admin),
                json!({"scope": "department", "department": "TNMT"}),
            )
            .await;
        let other: Value = r.json().await.unwrap();
        let r = post_form(
            &app,
            &staff,
            &format!("/account/calendar/{}/revoke", other["id"]),
            &[("csrf_token", &csrf)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = post_form(
            &app,
            &staff,
            "/account/calendar",
            &[
                ("csrf_token", &csrf),
                ("scope", "department"),
                ("key", "TNMT"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Revoking its own: the address answers 404.
        let own = app.get_json("/api/v1/calendar-feeds", &token).await;
        let id = own[0]["id"].as_i64().unwrap();
        let r = post_form(
            &app,
            &staff,
            &format!("/account/calendar/{id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app
            .client
            .get(app.url(&format!("/calendar/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_task_page_sets_shows_and_stops_a_recurrence() {
    for app in spawn_apps().await {
        let admin_token = app.login("admin").await;
        let picked = app.pick_task(&admin_token, "overdue").await;
        let id = picked.id;
        let leader = browser_for(&app, "pct.quyhoach").await;
        let staff = browser_for(&app, &staff_of(&picked.lead)).await;

        let (status, html) = page(&app, &staff, &format!("/tasks/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("id=\"recurrence-form\""));
        let staff_csrf = csrf_of(&html);
        let r = post_form(
            &app,
            &staff,
            &format!("/tasks/{id}/recurrence"),
            &[
                ("csrf_token", &staff_csrf),
                ("recurrence_frequency", "monthly"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let (_, html) = page(&app, &leader, &format!("/tasks/{id}")).await;
        assert!(html.contains("id=\"recurrence-form\""));
        assert!(html.contains("Nhiệm vụ định kỳ"));
        let csrf = csrf_of(&html);
        // A day that is not a number is refused by name; nothing is set.
        let r = post_form(
            &app,
            &leader,
            &format!("/tasks/{id}/recurrence"),
            &[
                ("csrf_token", &csrf),
                ("recurrence_frequency", "monthly"),
                ("recurrence_day", "ba mươi"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let path = format!("/api/v1/tasks/{id}/recurrence");
        assert!(app.get_json(&path, &admin_token).await.is_null());
        let r = post_form(
            &app,
            &leader,
            &format!("/tasks/{id}/recurrence"),
            &[
                ("csrf_token", &csrf),
                ("recurrence_frequency", "monthly"),
                ("recurrence_day", "31"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let series = app.get_json(&path, &admin_token).await;
        assert_eq!(series["frequency"], "monthly");
        assert_eq!(series["day"], 31);
        let (_, html) = page(&app, &staff, &format!("/tasks/{id}")).await;
        assert!(html.contains("Hằng tháng, hạn ngày 31"));
        assert!(html.contains("id=\"occurrences\""));

        // "Does not recur" stops it.
        let r = post_form(
            &app,
            &leader,
            &format!("/tasks/{id}/recurrence"),
            &[("csrf_token", &csrf), ("recurrence_frequency", "")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.get_json(&path, &admin_token).await["active"], false);
        let (_, html) = page(&app, &leader, &format!("/tasks/{id}")).await;
        assert!(html.contains("Đã dừng, không giao kỳ mới."));
    }
}

#[tokio::test]
async fn the_new_task_form_assigns_a_recurring_task() {
    for app in spawn_apps().await {
        let leader = browser_for(&app, "pct.kinhte").await;
        let (status, html) = page(&app, &leader, "/tasks/new").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("name=\"recurrence_frequency\""));
        let csrf = csrf_of(&html);
        let r = post_form(
            &app,
            &leader,
            "/tasks/new",
            &[
                ("csrf_token", &csrf),
                ("year", "2026"),
                ("code", "BC-QUY-TC"),
                ("title", "Báo cáo quý về thu, chi ngân sách"),
                ("field", "finance"),
                ("lead_department", "TCKH"),
                ("due_date", "31/12/2026"),
                ("recurrence_frequency", "quarterly"),
                ("recurrence_day", "31"),
                ("recurrence_month", "3"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = location.trim_start_matches("/tasks/").parse().unwrap();
        let admin = app.login("admin").await;
        let series = app
            .get_json(&format!("/api/v1/tasks/{id}/recurrence"), &admin)
            .await;
        assert_eq!(series["frequency"], "quarterly");
        assert_eq!(series["next_due_date"], "2027-03-31");
        assert_eq!(series["occurrences"][0]["period"], "2026-Q4");
    }
}
