//! Password attempts are counted before the password is checked, in one
//! locked write: parallel guesses share the limit instead of each seeing
//! the same old count; the current password of a password change counts
//! with the logins.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_problem, spawn_apps};

#[tokio::test]
async fn parallel_wrong_logins_check_only_the_allowed_passwords() {
    for app in spawn_apps().await {
        let mut calls = Vec::new();
        for _ in 0..40 {
            let client = app.client.clone();
            let url = app.url("/api/v1/auth/login");
            calls.push(tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"username": "pct.vanhoa", "password": "sai-mat-khau"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut statuses = Vec::new();
        for call in calls {
            statuses.push(call.await.unwrap());
        }
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let throttled = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(
            (refused, throttled),
            (5, 35),
            "{:?}: {statuses:?}",
            app.backend
        );
        // The right password, sent after the burst, is throttled too.
        let right = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "pct.vanhoa", "password": app.settings.demo.leader_password}),
            )
            .await;
        expect_problem(right, StatusCode::TOO_MANY_REQUESTS).await;
    }
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_with_logins() {
    for app in spawn_apps().await {
        let token = app.login("cb.tnmt").await;
        let change = |current: &str| json!({"current_password": current, "new_password": "mat-khau-moi-2026-rat-dai"});
        // A success clears earlier misses: four wrong, one right login, four wrong again.
        for _ in 0..4 {
            let r = app
                .post("/api/v1/me/password", Some(&token), change("sai"))
                .await;
            let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(body["errors"][0]["code"], "wrong_password", "{body}");
        }
        app.login("cb.tnmt").await;
        for _ in 0..5 {
            let r = app
                .post("/api/v1/me/password", Some(&token), change("sai"))
                .await;
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        // The sixth guess is not checked, right or wrong, here or at the login.
        let right = change(&app.settings.demo.staff_password);
        let r = app
            .post("/api/v1/me/password", Some(&token), right.clone())
            .await;
        assert!(r.headers().get("retry-after").is_some());
        expect_problem(r, StatusCode::TOO_MANY_REQUESTS).await;
        let login = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "cb.tnmt", "password": app.settings.demo.staff_password}),
            )
            .await;
        expect_problem(login, StatusCode::TOO_MANY_REQUESTS).await;
        // Nothing changed: the old password is still the password.
        let me = app.get_json("/api/v1/me", &token).await;
        assert_eq!(me["username"], "cb.tnmt");
        // Other accounts are unaffected.
        app.login("cb.tckh").await;
    }
}
