//! Nothing typed is lost (issue 16): a refused form comes back with every
//! value and the message beside the field; a form sent after the session
//! expired goes to the login page, which returns to the form's page (never
//! a 404) with the values filled in, for the same person only; a
//! completion report must state a new result; the leader's decision is the
//! first thing on a reported task's page; a confirmation says so.

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::helpers::*;

fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

pub(crate) fn between<'a>(html: &'a str, start: &str) -> &'a str {
    html.split(start)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// A browser that signs in through the login page (a session, not an API token).
pub(crate) async fn sign_in(app: &TestApp, client: Option<Client>, username: &str) -> Client {
    let client = client.unwrap_or_else(|| {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    });
    let password = if username.starts_with("cb.") {
        app.settings.demo.staff_password.clone()
    } else {
        app.settings.demo.leader_password.clone()
    };
    let html = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&html, "name=\"login_csrf\" value=\"").to_string();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password.as_str()),
            ("login_csrf", token.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {username}");
    client
}

pub(crate) async fn page(client: &Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Posts a form of the task page with the page's tokens; returns the response.
async fn post(
    client: &Client,
    app: &TestApp,
    task: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = page(client, app, &format!("/tasks/{task}")).await;
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
    client
        .post(app.url(&format!("/tasks/{task}/{action}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn flash_of(r: &reqwest::Response) -> (bool, String) {
    let cookie = set_cookie(r, "dondoc_flash").unwrap_or_default();
    let value = cookie
        .trim_start_matches("dondoc_flash=")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let (kind, text) = value.split_once('|').unwrap_or(("", ""));
    let text = reqwest::Url::parse(&format!("http://flash/?m={text}"))
        .unwrap()
        .query_pairs()
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    (kind == "ok", text)
}

async fn new_task(app: &TestApp, leader: &str, code: &str) -> i64 {
    let r = app
        .post(
            "/api/v1/tasks",
            Some(leader),
            json!({"year": 2026, "code": code, "title": format!("Nhiệm vụ {code}"),
                   "field": "finance", "lead_department": "TCKH", "due_date": "2026-12-20"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

// Longer than 100 lines: one task's report is refused, kept, corrected and
// then decided on, each step building on the one before.
#[tokio::test]
async fn a_refused_form_comes_back_with_what_was_typed_and_the_message_beside_the_field() {
    for (app, hand) in spawn_clocked(morning(2026, 12, 1)).await {
        let leader_token = app.login("chutich").await;
        let id = new_task(&app, &leader_token, "GL-1").await;
        hand.set(morning(2026, 12, 3));
        let staff = sign_in(&app, None, "cb.tckh").await;
        // A first result note: "still two households to go".
        let r = post(
            &staff,
            &app,
            id,
            "update",
            &[
                ("progress", "60"),
                ("result_note", "Còn 02 hộ hẹn bàn giao"),
            ],
        )
        .await;
        assert!(flash_of(&r).0);
        let history = app.history_len(id, &leader_token).await;

        // Reporting done with the old result (as the pre-filled field has
        // it) is refused, and nothing typed is lost.
        let r = post(
            &staff,
            &app,
            id,
            "update",
            &[
                ("status", "reported_done"),
                ("progress", "100"),
                ("result_note", "Còn 02 hộ hẹn bàn giao"),
                ("completed_on", "2026-12-02"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/tasks/{id}"));
        let (ok, text) = flash_of(&r);
        assert!(!ok);
        assert!(text.contains("Kết quả thực hiện"), "{text}");
        assert!(
            text.contains("phải khác ghi chú kết quả lần trước"),
            "{text}"
        );
        assert!(
            set_cookie(&r, "dondoc_draft").is_some(),
            "the draft is kept"
        );
        let task = app.task(id, &leader_token).await;
        assert_eq!(task["status"], "in_progress");
        assert_eq!(app.history_len(id, &leader_token).await, history);
        let html = page(&staff, &app, &format!("/tasks/{id}")).await;
        assert!(
            html.contains("<p class=\"field-error\" id=\"result_note-error\">Kết quả báo cáo hoàn thành phải khác"),
            "the message is beside the field: {html}"
        );
        assert!(html.contains("value=\"reported_done\" selected"), "{html}");
        assert!(html.contains("value=\"100\""));
        assert!(html.contains("value=\"2026-12-02\""));
        // Shown once: the next visit shows the task as it is.
        let again = page(&staff, &app, &format!("/tasks/{id}")).await;
        assert!(!again.contains("field-error"), "{again}");
        assert!(again.contains("value=\"60\""));

        // A new result is taken.
        let r = post(
            &staff,
            &app,
            id,
            "update",
            &[
                ("status", "reported_done"),
                ("progress", "100"),
                ("result_note", "Đã bàn giao đủ 12 hộ"),
            ],
        )
        .await;
        assert!(flash_of(&r).0, "{:?}", flash_of(&r));
        assert_eq!(app.task(id, &leader_token).await["status"], "reported_done");

        // The leader: the decision box is the first thing on the page.
        let leader = sign_in(&app, None, "chutich").await;
        let html = page(&leader, &app, &format!("/tasks/{id}")).await;
        let decision = html.find("id=\"decision\"").expect("the decision box");
        let details = html.find("id=\"details-h\"").unwrap();
        assert!(decision < details, "the decision comes before the details");
        // Returning without a reason: the message names "Ý kiến", as labelled.
        let r = post(
            &leader,
            &app,
            id,
            "confirm",
            &[("decision", "return"), ("note", " ")],
        )
        .await;
        let (ok, text) = flash_of(&r);
        assert!(!ok);
        assert!(text.contains("Ý kiến:"), "{text}");
        assert!(!text.contains("Ghi chú"), "{text}");
        let html = page(&leader, &app, &format!("/tasks/{id}")).await;
        assert!(html.contains("id=\"confirm-note-error\""), "{html}");
        // Confirming says so.
        let r = post(
            &leader,
            &app,
            id,
            "confirm",
            &[("decision", "accept"), ("note", "Đạt")],
        )
        .await;
        assert_eq!(flash_of(&r), (true, "Đã xác nhận hoàn thành.".to_string()));
        assert_eq!(app.task(id, &leader_token).await["status"], "completed");
    }
}

// Longer than 100 lines: one browser's session expires, another person
// signs in on it, then the author; each step depends on the one before.
#[tokio::test]
async fn a_form_sent_after_the_session_expired_is_kept_for_its_author_only() {
    for (app, hand) in spawn_clocked(morning(2026, 12, 1)).await {
        let leader_token = app.login("chutich").await;
        let id = new_task(&app, &leader_token, "HH-1").await;
        let staff = sign_in(&app, None, "cb.tckh").await;
        let html = page(&staff, &app, &format!("/tasks/{id}")).await;
        let csrf = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let history = app.history_len(id, &leader_token).await;

        // The person types a long note; meanwhile the session expires.
        let ttl = i64::from(app.settings.auth.session_ttl_hours);
        hand.set(morning(2026, 12, 1) + Duration::hours(ttl + 1));
        let note =
            "Đã họp với 12 hộ dân, thống nhất phương án bồi thường; chờ quyết định phê duyệt.";
        let r = staff
            .post(app.url(&format!("/tasks/{id}/update")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("progress", "70"),
                ("note", note),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/login?next=%2Ftasks%2F{id}"));
        assert!(set_cookie(&r, "dondoc_draft").is_some());
        assert_eq!(
            app.history_len(id, &leader_token).await,
            history,
            "nothing saved"
        );
        let login = page(&staff, &app, &format!("/login?next=%2Ftasks%2F{id}")).await;
        assert!(login.contains("Phiên đăng nhập đã hết hạn"), "{login}");

        // Someone else signs in on this browser: they do not see it.
        let other = sign_in(&app, Some(staff.clone()), "cb.tnmt").await;
        let html = page(&other, &app, &format!("/tasks/{id}")).await;
        assert!(!html.contains(note));
        // The author signs in again: back on the task page (not a 404),
        // the note filled in, ready to be sent.
        let html = page(&other, &app, "/tasks").await;
        let csrf_other = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let r = other
            .post(app.url("/logout"))
            .form(&[("csrf_token", csrf_other.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/login");
        let staff = sign_in(&app, Some(other), "cb.tckh").await;
        let r = staff
            .get(app.url(&format!("/tasks/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains(note), "{html}");
        assert!(html.contains("id=\"draft-restored\""));
        assert!(html.contains("value=\"70\""));
        // Sent again, it is saved.
        let r = post(
            &staff,
            &app,
            id,
            "update",
            &[("progress", "70"), ("note", note)],
        )
        .await;
        assert!(flash_of(&r).0);
        let task = app.task(id, &leader_token).await;
        assert_eq!(task["progress"], 70);

        // A post without any session of this browser is not kept.
        let stranger = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        let r = stranger
            .post(app.url(&format!("/tasks/{id}/update")))
            .form(&[("csrf_token", csrf.as_str()), ("note", "giả mạo")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), format!("/login?next=%2Ftasks%2F{id}"));
        assert!(set_cookie(&r, "dondoc_draft").is_none());
    }
}

#[tokio::test]
async fn a_refused_new_task_keeps_every_field() {
    for (app, _hand) in spawn_clocked(morning(2026, 12, 1)).await {
        let leader = sign_in(&app, None, "chutich").await;
        let html = page(&leader, &app, "/tasks/new").await;
        let csrf = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let r = leader
            .post(app.url("/tasks/new"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("year", "2026"),
                ("code", "MOI-01"),
                ("title", "Rà soát hồ sơ đất công"),
                ("field", "finance"),
                ("lead_department", "TNMT"),
                ("coordinating_departments", "TCKH"),
                ("due_date", "31/02/2026"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/tasks/new");
        let (ok, text) = flash_of(&r);
        assert!(!ok && text.contains("Thời hạn"), "{text}");
        assert!(text.contains("dd/mm/yyyy"), "{text}");
        let html = page(&leader, &app, "/tasks/new").await;
        assert!(html.contains("value=\"MOI-01\""));
        assert!(html.contains(">Rà soát hồ sơ đất công</textarea>"));
        assert!(html.contains("value=\"TNMT\" selected"), "{html}");
        assert!(html.contains("value=\"TCKH\" checked"));
        assert!(html.contains("id=\"due_date-error\""));
    }
}

/// A step form with files (multipart): a refused file comes back with the
/// text kept and the reason beside the file input, nothing written; the
/// same form sent after the session expired keeps the text, and the page
/// says the files must be chosen again.
#[tokio::test]
async fn a_step_form_with_files_keeps_the_text_and_asks_for_the_files_again() {
    for (app, hand) in spawn_clocked(morning(2026, 12, 1)).await {
        let leader_token = app.login("chutich").await;
        let id = new_task(&app, &leader_token, "HH-2").await;
        let staff = sign_in(&app, None, "cb.tckh").await;
        let html = page(&staff, &app, &format!("/tasks/{id}")).await;
        assert!(html.contains("enctype=\"multipart/form-data\""));
        let csrf = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let history = app.history_len(id, &leader_token).await;
        let note = "Đã họp thẩm định, kèm biên bản.";
        let send = |client: &Client, file: (&str, &[u8])| {
            let (content_type, body) = crate::attachments::multipart_files(
                &[("csrf_token", csrf.as_str()), ("note", note)],
                "files",
                &[file],
            );
            client
                .post(app.url(&format!("/tasks/{id}/update")))
                .header("content-type", content_type)
                .body(body)
        };

        // A page of HTML named .pdf: refused beside the input, text kept.
        let r = send(&staff, ("bien-ban.pdf", b"<!DOCTYPE html><p>x</p>"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!flash_of(&r).0);
        let html = page(&staff, &app, &format!("/tasks/{id}")).await;
        assert!(html.contains("id=\"update-files-error\""), "{html}");
        assert!(html.contains("Không nhận tệp HTML"));
        assert!(html.contains(note));
        assert!(html.contains("id=\"update-files-again\""));
        assert_eq!(app.history_len(id, &leader_token).await, history);
        assert_eq!(crate::attachments::count(&app, "attachments").await, 0);

        // The session expires while a real file is chosen: the login page,
        // then the form with the note, asking for the file again.
        let ttl = i64::from(app.settings.auth.session_ttl_hours);
        hand.set(morning(2026, 12, 1) + Duration::hours(ttl + 1));
        let pdf = crate::attachments::pdf_bytes();
        let r = send(&staff, ("bien-ban.pdf", &pdf)).send().await.unwrap();
        assert_eq!(location(&r), format!("/login?next=%2Ftasks%2F{id}"));
        assert!(set_cookie(&r, "dondoc_draft").is_some());
        let staff = sign_in(&app, Some(staff), "cb.tckh").await;
        let html = page(&staff, &app, &format!("/tasks/{id}")).await;
        assert!(html.contains(note), "{html}");
        let again = html
            .split("id=\"update-files-again\">")
            .nth(1)
            .expect("the page asks for the file again");
        assert!(
            again.split("</p>").next().unwrap().contains("bien-ban.pdf"),
            "{again}"
        );
        assert_eq!(app.history_len(id, &leader_token).await, history);
        assert_eq!(crate::attachments::count(&app, "attachments").await, 0);
    }
}
