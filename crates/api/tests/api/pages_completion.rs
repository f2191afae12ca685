//! The task page's completion facts through the web forms: the day of the
//! report is the server's, a department declares an earlier day (and can
//! withdraw or change it), a leader accepts it only with a reason, the due
//! date of a reported task cannot move (a clean message, not an error
//! page), and a leader's later due date is an extension.

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages_access::browser_for;

fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

fn between<'a>(html: &'a str, start: &str) -> &'a str {
    html.split(start)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

/// Sends a form of the task page (with its token and version); returns the
/// flash it leaves: (ok, text).
async fn send(
    client: &Client,
    app: &TestApp,
    task: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> (bool, String) {
    let html = client
        .get(app.url(&format!("/tasks/{task}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form: Vec<(String, String)> = vec![
        (
            "csrf_token".into(),
            between(&html, "name=\"csrf_token\" value=\"").to_string(),
        ),
        (
            "version".into(),
            between(&html, "name=\"version\" value=\"").to_string(),
        ),
    ];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r = client
        .post(app.url(&format!("/tasks/{task}/{action}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action} {fields:?}");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("dondoc_flash="))
        .unwrap_or("")
        .to_string();
    let value = cookie
        .trim_start_matches("dondoc_flash=")
        .split(';')
        .next()
        .unwrap_or("");
    let (kind, text) = value.split_once('|').unwrap_or(("", ""));
    let text: String = form_urlencoded_decode(text);
    (kind == "ok", text)
}

/// The flash cookie's text (URL-encoded by the server).
fn form_urlencoded_decode(text: &str) -> String {
    reqwest::Url::parse(&format!("http://flash/?m={text}"))
        .unwrap()
        .query_pairs()
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn page(client: &Client, app: &TestApp, task: i64) -> String {
    client
        .get(app.url(&format!("/tasks/{task}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn declared_day_due_date_and_extension_through_the_forms() {
    for (app, hand) in spawn_clocked(morning(2026, 12, 1)).await {
        let leader_token = app.login("chutich").await;
        let create = |code: &'static str| {
            let app = &app;
            let token = leader_token.clone();
            async move {
                let r = app
                    .post(
                        "/api/v1/tasks",
                        Some(&token),
                        json!({"year": 2026, "code": code, "title": format!("Nhiệm vụ {code}"),
                               "field": "finance", "lead_department": "TCKH", "due_date": "2026-12-20"}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::CREATED);
                r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
            }
        };
        let id = create("HT-1").await;
        let other = create("HT-2").await;
        hand.set(morning(2026, 12, 10));
        let staff = browser_for(&app, Some("cb.tckh")).await;
        let chutich = browser_for(&app, Some("chutich")).await;

        // Reported on the 10th, declaring the 5th: the 10th counts until accepted.
        let (ok, _) = send(
            &staff,
            &app,
            id,
            "update",
            &[
                ("status", "reported_done"),
                ("progress", "100"),
                ("result_note", "Đã ban hành kế hoạch"),
                ("completed_on", "05/12/2026"),
            ],
        )
        .await;
        assert!(ok);
        let task = app.task(id, &leader_token).await;
        assert_eq!(task["reported_on"], "2026-12-10");
        assert_eq!(task["completed_on"], "2026-12-10");
        assert_eq!(task["declared_completed_on"], "2026-12-05");
        let html = page(&staff, &app, id).await;
        assert!(html.contains("Đơn vị khai hoàn thành ngày 05/12/2026, chờ lãnh đạo chấp nhận"));
        assert!(html.contains("id=\"completed_on\" name=\"completed_on\""));
        assert!(
            html.contains("value=\"2026-12-05\""),
            "a date picker takes yyyy-mm-dd"
        );

        // Emptying the field withdraws the declaration; a new day re-declares.
        let fields = [
            ("status", "reported_done"),
            ("progress", "100"),
            ("result_note", "Đã ban hành kế hoạch"),
        ];
        let mut withdraw = fields.to_vec();
        withdraw.push(("completed_on", ""));
        assert!(send(&staff, &app, id, "update", &withdraw).await.0);
        let task = app.task(id, &leader_token).await;
        assert!(task["declared_completed_on"].is_null(), "{task}");
        assert_eq!(task["completed_on"], "2026-12-10");
        let mut redeclare = fields.to_vec();
        redeclare.push(("completed_on", "06/12/2026"));
        assert!(send(&staff, &app, id, "update", &redeclare).await.0);
        assert_eq!(
            app.task(id, &leader_token).await["declared_completed_on"],
            "2026-12-06"
        );

        // The leader: no due-date field on a reported task, and a forged
        // change is refused with the reason as a message.
        let html = page(&chutich, &app, id).await;
        assert!(html.contains("id=\"due-locked\""));
        assert!(!html.contains("id=\"due_date\""));
        assert!(html.contains("id=\"accept_completed_on\""));
        let (ok, text) = send(&chutich, &app, id, "update", &[("due_date", "31/12/2026")]).await;
        assert!(!ok);
        assert!(text.contains("thời hạn không thay đổi được"), "{text}");
        assert_eq!(app.task(id, &leader_token).await["due_date"], "2026-12-20");

        // Accepting the declared day needs a reason.
        let (ok, text) = send(
            &chutich,
            &app,
            id,
            "confirm",
            &[
                ("decision", "accept"),
                ("accept_completed_on", "on"),
                ("note", ""),
            ],
        )
        .await;
        assert!(!ok);
        assert!(text.contains("phải nêu lý do"), "{text}");
        assert_eq!(app.task(id, &leader_token).await["status"], "reported_done");
        let (ok, _) = send(
            &chutich,
            &app,
            id,
            "confirm",
            &[
                ("decision", "accept"),
                ("accept_completed_on", "on"),
                ("note", "Có biên bản bàn giao ngày 06/12"),
            ],
        )
        .await;
        assert!(ok);
        let task = app.task(id, &leader_token).await;
        assert_eq!(task["status"], "completed");
        assert_eq!(task["completed_on"], "2026-12-06");
        let html = page(&chutich, &app, id).await;
        assert!(html.contains("Chấp nhận ngày hoàn thành đơn vị khai"));
        assert!(!html.contains("id=\"accept_completed_on\""));

        // A leader's later due date on an open task is an extension.
        let html = page(&chutich, &app, other).await;
        assert!(html.contains("Gia hạn đến ngày"));
        assert!(
            send(
                &chutich,
                &app,
                other,
                "update",
                &[("due_date", "31/12/2026")]
            )
            .await
            .0
        );
        let task = app.task(other, &leader_token).await;
        assert_eq!(task["due_date"], "2026-12-31");
        assert_eq!(task["original_due_date"], "2026-12-20");
        assert_eq!(task["extended"], true);
    }
}
