//! A calendar feed shows what its maker may see: when the maker moves to
//! another department or stops being a leader, the feed answers 404 — and
//! the maker can still find it (API and calendar page) and revoke it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{helpers::*, pages_access::browser_for};

async fn make_feed(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .post("/api/v1/calendar-feeds", Some(token), body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "POST {body}");
    r.json().await.unwrap()
}

async fn feed_status(app: &TestApp, url: &str) -> StatusCode {
    let path = url.split_once("/calendar/").unwrap().1;
    app.client
        .get(app.url(&format!("/calendar/{path}")))
        .send()
        .await
        .unwrap()
        .status()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_feed_stops_when_its_maker_loses_the_right_and_can_still_be_revoked() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        // A staff member's department feed; then they move to another department.
        let staff = app.login("cb.tckh").await;
        let made = make_feed(&app, &staff, json!({"scope": "department"})).await;
        let url = made["url"].as_str().unwrap().to_string();
        assert_eq!(feed_status(&app, &url).await, StatusCode::OK);
        let r = app
            .patch(
                "/api/v1/users/cb.tckh",
                Some(&admin),
                json!({"department": "TNMT"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(feed_status(&app, &url).await, StatusCode::NOT_FOUND);

        // A leader's own feed; then the leader is made staff.
        let leader = app.login("pct.kinhte").await;
        let leader_feed = make_feed(&app, &leader, json!({"scope": "leader"})).await;
        let leader_url = leader_feed["url"].as_str().unwrap().to_string();
        assert_eq!(feed_status(&app, &leader_url).await, StatusCode::OK);
        let r = app
            .patch(
                "/api/v1/users/pct.kinhte",
                Some(&admin),
                json!({"role": "staff", "department": "TNMT"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        assert_eq!(feed_status(&app, &leader_url).await, StatusCode::NOT_FOUND);

        // The maker still lists the stopped feed by API and revokes it.
        let staff = app.login("cb.tckh").await;
        let listed = app.get_json("/api/v1/calendar-feeds", &staff).await;
        let mine: Vec<&Value> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == made["id"])
            .collect();
        assert_eq!(mine.len(), 1, "{listed}");
        assert_eq!(mine[0]["stopped"], true);
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/calendar-feeds/{}", made["id"]),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let listed = app.get_json("/api/v1/calendar-feeds", &staff).await;
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["id"] != made["id"]),
            "{listed}"
        );
        // Someone else's stopped feed is still not theirs to revoke.
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/calendar-feeds/{}", leader_feed["id"]),
                Some(&staff),
                None,
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;

        // The former leader sees it on the calendar page, under "stopped", and revokes it there.
        let browser = browser_for(&app, Some("pct.kinhte")).await;
        let html = browser
            .get(app.url("/account/calendar"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"stopped-feeds\""), "{html}");
        assert!(html.contains("Lịch đã ngừng"), "{html}");
        let id = leader_feed["id"].as_i64().unwrap();
        assert!(html.contains(&format!("data-feed-id=\"{id}\"")), "{html}");
        // In English too.
        browser.get(app.url("/lang/en")).send().await.unwrap();
        let english = browser
            .get(app.url("/account/calendar"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(english.contains("Stopped feeds"), "{english}");
        let csrf = csrf_of(&html);
        let r = browser
            .post(app.url(&format!("/account/calendar/{id}/revoke")))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = browser
            .get(app.url("/account/calendar"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("id=\"stopped-feeds\""), "{html}");
    }
}
