//! What each person keeps as theirs (issues 15 and 16): the account's
//! language (set by an admin through the API or the edit page, by the
//! person on the notice choices page or with the header's switch; the
//! pages open in it at login), the unit's name in the header instead of its
//! code, and the view (own tasks, whole organisation) kept when the year
//! changes.

use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::json;

use crate::{helpers::*, pages_access::browser_for};

fn between<'a>(html: &'a str, start: &str) -> &'a str {
    html.split(start)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn password_of(app: &TestApp, username: &str) -> String {
    match username {
        "admin" => app.settings.demo.admin_password.clone(),
        u if u.starts_with("cb.") => app.settings.demo.staff_password.clone(),
        _ => app.settings.demo.leader_password.clone(),
    }
}

/// Logs in with the login page's form; returns the browser and the answer's
/// `lang` cookie.
async fn page_login(app: &TestApp, username: &str) -> (Client, Option<String>) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let html = page(&client, app, "/login").await;
    let token = between(&html, "name=\"login_csrf\" value=\"").to_string();
    let password = password_of(app, username);
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
    let lang = set_cookie(&r, "lang");
    (client, lang)
}

async fn page(client: &Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn language_of(app: &TestApp, admin: &str, username: &str) -> String {
    app.get_json(&format!("/api/v1/users/{username}"), admin)
        .await["language"]
        .as_str()
        .unwrap()
        .to_string()
}

// Longer than 100 lines: the language's whole round — API, login, switch, choices page, edit page.
#[tokio::test]
async fn an_accounts_language_is_kept_and_the_pages_follow_it() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "vi");

        // The admin sets it through the API; a bad one is named.
        let r = app
            .patch(
                "/api/v1/users/cb.tnmt",
                Some(&admin),
                json!({"language": "fr"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), vec!["language".to_string()]);
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "vi");
        let r = app
            .patch(
                "/api/v1/users/cb.tnmt",
                Some(&admin),
                json!({"language": "en"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{:?}", app.backend);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["language"], "en");
        let staff = app.login("cb.tnmt").await;
        assert_eq!(app.get_json("/api/v1/me", &staff).await["language"], "en");

        // At login the pages take the account's language.
        let (browser, lang) = page_login(&app, "cb.tnmt").await;
        assert!(
            lang.as_deref().is_some_and(|c| c.starts_with("lang=en")),
            "{lang:?}"
        );
        let html = page(&browser, &app, "/tasks").await;
        assert!(html.contains("<html lang=\"en\">"), "{:?}", app.backend);

        // A link from another site switches the pages but not the account.
        let r = browser
            .get(app.url("/lang/vi"))
            .header("Sec-Fetch-Site", "cross-site")
            .header("Referer", "https://elsewhere.example/page")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "en");
        // The header's switch, on this site's page, stores it on the account.
        let r = browser
            .get(app.url("/lang/vi"))
            .header("Referer", app.url("/tasks"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "vi");
        let (_, lang) = page_login(&app, "cb.tnmt").await;
        assert!(
            lang.as_deref().is_some_and(|c| c.starts_with("lang=vi")),
            "{lang:?}"
        );

        // The notice choices page: the language beside the mail choices.
        let html = page(&browser, &app, "/notices/preferences").await;
        assert!(html.contains("id=\"language\""), "the language box");
        assert!(html.contains("<option value=\"vi\" lang=\"vi\" selected>"));
        let csrf = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let r = browser
            .post(app.url("/notices/preferences"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("confirmed", "digest"),
                ("language", "xx"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"language-error\""), "named beside it");
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "vi");
        let r = browser
            .post(app.url("/notices/preferences"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("confirmed", "digest"),
                ("language", "en"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(set_cookie(&r, "lang").is_some_and(|c| c.starts_with("lang=en")));
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "en");
        let choices = app.get_json("/api/v1/notices/preferences", &staff).await;
        let confirmed = choices
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "confirmed")
            .unwrap()
            .clone();
        assert_eq!(confirmed["mail"], "digest", "saved together");

        // The admin's edit page shows and changes it.
        let (admin_browser, _) = page_login(&app, "admin").await;
        let html = page(&admin_browser, &app, "/admin/users/cb.tnmt").await;
        assert!(
            html.contains("<option value=\"en\" lang=\"en\" selected>"),
            "the edit page shows the account's language"
        );
        let csrf = between(&html, "name=\"csrf_token\" value=\"").to_string();
        let r = admin_browser
            .post(app.url("/admin/users/cb.tnmt"))
            .form(&[("csrf_token", csrf.as_str()), ("language", "vi")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(language_of(&app, &admin, "cb.tnmt").await, "vi");
    }
}

#[tokio::test]
async fn the_header_names_the_unit_and_shortens_a_long_name() {
    for app in spawn_apps().await {
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        let html = page(&staff, &app, "/tasks").await;
        assert!(
            html.contains(
                "id=\"header-unit\" title=\"Phòng Tài nguyên và Môi trường\">Phòng Tài nguyên và Môi trường</span>"
            ),
            "{:?}",
            app.backend
        );
        assert!(!html.contains("· TNMT<"), "the bare code");
        // The staff dashboard's heading names the unit too.
        let html = page(&staff, &app, "/dashboard").await;
        assert!(html.contains(" · Phòng Tài nguyên và Môi trường</h1>"));
        assert!(!html.contains(" · TNMT</h1>"));

        // A very long name is cut with an ellipsis, whole in the title.
        let admin = app.login("admin").await;
        let long = "Phòng Tài nguyên và Môi trường kiêm Văn phòng Đăng ký đất đai huyện";
        let r = app
            .patch(
                "/api/v1/departments/TNMT",
                Some(&admin),
                json!({"name": long}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = page(&staff, &app, "/tasks").await;
        let shown = html
            .split(&format!("id=\"header-unit\" title=\"{long}\">"))
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_else(|| panic!("the whole name in the title, {:?}", app.backend));
        assert!(shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() <= 34, "{shown}");
        assert!(long.starts_with(shown.trim_end_matches('…')), "{shown}");
    }
}

#[tokio::test]
async fn the_year_forms_keep_the_view_chosen() {
    for app in spawn_apps().await {
        let leader = app.login("pct.kinhte").await;
        let stats = app.get_json("/api/v1/stats", &leader).await;
        let year = stats["year"].as_i64().unwrap();
        let whole = stats["overall"]["total"].as_i64().unwrap();
        let browser = browser_for(&app, Some("pct.kinhte")).await;
        let year_form = |html: &str| -> String {
            html.split("id=\"year-form\"")
                .nth(1)
                .and_then(|rest| rest.split("</form>").next())
                .unwrap_or_else(|| panic!("no year form"))
                .to_string()
        };

        // His own tasks by default: the year form sends them again.
        let html = page(&browser, &app, "/dashboard").await;
        assert!(
            year_form(&html).contains("name=\"leader\" value=\"pct.kinhte\""),
            "{:?}",
            app.backend
        );
        // The whole organisation, then another year by the form: still whole.
        let html = page(&browser, &app, "/dashboard?scope=all").await;
        let form = year_form(&html);
        assert!(form.contains("name=\"scope\" value=\"all\""), "{form}");
        assert!(!form.contains("name=\"leader\""), "{form}");
        let html = page(&browser, &app, &format!("/dashboard?scope=all&year={year}")).await;
        assert!(html.contains("id=\"view-switch\""));
        assert!(
            html.contains("aria-current=\"true\" class=\"current\">Toàn cơ quan<"),
            "the whole organisation stays chosen"
        );
        let total = html
            .split("data-figure=\"total\"><span class=\"value\"")
            .nth(1)
            .and_then(|rest| rest.split('>').nth(1))
            .and_then(|rest| rest.split('<').next())
            .map(|n| n.trim().parse::<i64>().unwrap());
        assert_eq!(total, Some(whole));

        // The overdue list and the task list keep it in their forms too.
        let html = page(&browser, &app, "/overdue?scope=all").await;
        assert!(html.contains("<input type=\"hidden\" name=\"scope\" value=\"all\">"));
        let html = page(&browser, &app, "/tasks?scope=all").await;
        assert!(html.contains("<input type=\"hidden\" name=\"scope\" value=\"all\">"));

        // Staff's led/supported choice stays in the task list's form.
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        let html = page(
            &staff,
            &app,
            "/tasks?department=TNMT&involvement=coordinating",
        )
        .await;
        assert!(
            html.contains("<input type=\"hidden\" name=\"involvement\" value=\"coordinating\">")
        );
        assert!(html.contains("<input type=\"hidden\" name=\"department\" value=\"TNMT\">"));
    }
}

#[tokio::test]
async fn the_openapi_document_names_the_accounts_language() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, false).await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Language"]["enum"], json!(["vi", "en"]));
    for name in ["UserView", "UpdateUser"] {
        let language = &schemas[name]["properties"]["language"];
        assert!(
            language
                .to_string()
                .contains("#/components/schemas/Language"),
            "{name}.language: {language}"
        );
    }
}
