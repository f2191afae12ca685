//! What the edge refuses before anything is read or stored: redirect
//! targets that leave the site, and control characters in the URL, JSON
//! bodies and page forms (the anonymous login included).

use reqwest::{Method, StatusCode, header::LOCATION};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{helpers::*, pages_access::browser_for};

fn location(r: &reqwest::Response) -> String {
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

fn sets_session(r: &reqwest::Response) -> bool {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("dondoc_session=") && !c.starts_with("dondoc_session=;"))
}

/// The login page's double-submit token (its cookie is in `client`'s store).
async fn login_token(app: &TestApp, client: &reqwest::Client) -> String {
    let html = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"login_csrf\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn redirects_never_leave_the_site_and_never_fail() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    // Logging in with a hostile `next`: the session starts, and the browser goes home.
    for next in [
        "/\t/127.0.0.1:1/",
        "/\\evil.example",
        "//evil.example/",
        "/%09/evil.example/",
        "/%5cevil.example",
        "/tasks\r\nSet-Cookie: x=y",
        "https://evil.example/",
    ] {
        let anonymous = browser_for(&app, None).await;
        let token = login_token(&app, &anonymous).await;
        let r = anonymous
            .post(app.url("/login"))
            .form(&[
                ("username", "admin"),
                ("password", app.settings.demo.admin_password.as_str()),
                ("login_csrf", token.as_str()),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
        assert!(sets_session(&r), "{next:?}: the session cookie is set");
        // Signed in, the login page sends the same `next` home too.
        let r = anonymous
            .get(app.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
    }
    // A good `next` still works.
    let anonymous = browser_for(&app, None).await;
    let token = login_token(&app, &anonymous).await;
    let r = anonymous
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", app.settings.demo.admin_password.as_str()),
            ("login_csrf", token.as_str()),
            ("next", "/tasks?department=TNMT"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/tasks?department=TNMT");
    // A form's `back` and the language switch's referrer stay on the site.
    let leader = browser_for(&app, Some("chutich")).await;
    for back in ["/\\evil.example", "/\t/evil.example", "/%5Cevil.example"] {
        let r = leader
            .post(app.url("/extensions/1/decision"))
            .form(&[("decision", "approve"), ("back", back)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/overdue", "{back:?}");
    }
    let host = app.base.trim_start_matches("http://").to_string();
    for (referer, expected) in [
        (format!("http://{host}/tasks?page=2"), "/tasks?page=2"),
        (format!("http://{host}/\\evil.example"), "/"),
        (format!("http://{host}/%09/evil.example"), "/"),
    ] {
        let r = leader
            .get(app.url("/lang/en"))
            .header("referer", referer.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), expected, "{referer}");
    }
}

#[tokio::test]
async fn control_characters_are_refused_naming_the_field() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let history = app.history_len(picked.id, &admin).await;
        // A JSON body: the field is named, nothing is stored.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&staff),
                json!({"progress": 40, "note": "trước\u{0}sau"}),
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .ends_with("invalid_characters"),
            "{body}"
        );
        assert_eq!(error_fields(&body), vec!["note".to_string()], "{body}");
        assert_eq!(body["errors"][0]["code"], "invalid_characters");
        assert_eq!(app.history_len(picked.id, &admin).await, history);
        // Tabs and line breaks are text.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&staff),
                json!({"note": "dòng một\r\n\tdòng hai"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        // The anonymous login, by JSON.
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "admin\u{0}", "password": "x"}),
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["username".to_string()]);
        // The URL: a query parameter by its name, the path as `path`.
        let r = app
            .request(Method::GET, "/api/v1/tasks?q=a%00b", Some(&admin), None)
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["q".to_string()]);
        let r = app
            .request(
                Method::GET,
                "/api/v1/departments/TN%00MT",
                Some(&admin),
                None,
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["path".to_string()]);
        // Page forms, the anonymous login among them: 422 naming the field.
        let anonymous = browser_for(&app, None).await;
        let token = login_token(&app, &anonymous).await;
        let r = anonymous
            .post(app.url("/login"))
            .form(&[
                ("username", "admin\u{0}"),
                ("password", "x"),
                ("login_csrf", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!sets_session(&r));
        let html = r.text().await.unwrap();
        assert!(html.contains("ký tự điều khiển"), "{html}");
        let browser = browser_for(&app, Some(&staff_of(&picked.lead))).await;
        let page = browser
            .get(app.url(&format!("/tasks/{}", picked.id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let r = browser
            .post(app.url(&format!("/tasks/{}/update", picked.id)))
            .form(&[("note", "a\u{1b}[31mb"), ("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("ký tự điều khiển"), "{html}");
        assert_eq!(app.history_len(picked.id, &admin).await, history + 1);
        // A page URL with a control character: the error page, not a 500.
        let r = browser
            .get(app.url("/tasks?q=%00"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("ký tự điều khiển"));
    }
}

#[tokio::test]
async fn a_nul_reaching_postgresql_is_the_inputs_fault() {
    for app in spawn_apps().await {
        let statement = dondoc_core::db::statement(
            &app.db,
            "SELECT CAST(? AS TEXT) AS t",
            vec!["a\u{0}b".into()],
        );
        let result = app.db.query_one_raw(statement).await;
        if app.backend == dondoc_core::testing::Backend::Postgres {
            let err = dondoc_core::Error::from(result.unwrap_err());
            let problem: Value = match err {
                dondoc_core::Error::Validation(fields) => {
                    json!(fields.iter().map(|f| f.code.clone()).collect::<Vec<_>>())
                }
                other => panic!("not a refusal of the input: {other:?}"),
            };
            assert_eq!(problem, json!(["invalid_characters"]));
        } else {
            // SQLite stores a NUL; the edge is what keeps it out.
            assert!(result.is_ok());
        }
    }
}
