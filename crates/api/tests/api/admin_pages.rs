//! The administration's pages on the demo, on SQLite and PostgreSQL:
//! accounts and units searched, sorted and paged on the server; edits
//! through the edit pages; a refused form shown again with what was typed
//! and the message beside the field; the password reset as one action that
//! forces a change at the next login; everyone but an administrator
//! refused. And the API's account fields match the page's.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::{helpers::*, pages_access::browser_for};

/// The session's CSRF token, from a page's logout form.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

async fn page(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The values of `data-{attr}="…"` in table order.
fn rows(html: &str, attr: &str) -> Vec<String> {
    let marker = format!("data-{attr}=\"");
    html.split(&marker)
        .skip(1)
        .map(|part| part[..part.find('"').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn accounts_are_searched_sorted_and_paged_on_the_server() {
    for app in spawn_apps().await {
        let admin = browser_for(&app, Some("admin")).await;
        // 35 demo accounts: 25 a page, sorted by username.
        let (status, html) = page(&admin, &app, "/admin/users").await;
        assert_eq!(status, StatusCode::OK, "{:?}", app.backend);
        let first = rows(&html, "username");
        assert_eq!(first.len(), 25);
        assert_eq!(first[0], "admin");
        assert!(html.contains("id=\"add-user\""), "add is at the top");
        assert!(html.find("id=\"add-user\"") < html.find("id=\"users-table\""));
        let (_, html2) = page(&admin, &app, "/admin/users?page=2").await;
        let second = rows(&html2, "username");
        assert_eq!(second.len(), 10);
        assert!(
            second.iter().all(|u| !first.contains(u)),
            "pages do not overlap"
        );
        // Without marks or case, in name or job title.
        let (_, html) = page(&admin, &app, "/admin/users?q=PHO+CHU+TICH").await;
        let mut found = rows(&html, "username");
        found.sort();
        assert_eq!(found, ["pct.kinhte", "pct.quyhoach", "pct.vanhoa"]);
        let (_, html) = page(&admin, &app, "/admin/users?q=my+hanh").await;
        assert_eq!(rows(&html, "username"), ["pct.vanhoa"]);
        // Sorted by full name, descending: folded, so "Đ…" is not last.
        let (_, html) = page(
            &admin,
            &app,
            "/admin/users?role=leader&sort=full_name&dir=desc",
        )
        .await;
        assert_eq!(
            rows(&html, "username"),
            ["chutich", "pct.quyhoach", "pct.vanhoa", "pct.kinhte"],
            "Trần, Phạm, Nguyễn, Lê"
        );
        assert!(html.contains("aria-sort=\"descending\""));
        // The heading now sorts ascending, keeping the filter.
        assert!(
            html.contains("href=\"/admin/users?role=leader&#38;sort=full_name&#38;dir=asc\""),
            "{html}"
        );
        // A bad parameter is said, not a crash.
        let (status, html) = page(&admin, &app, "/admin/users?sort=password_hash").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("flash-err") && html.contains("password_hash"));
        // Units: search and filter by kind.
        let (_, html) = page(&admin, &app, "/admin/departments?kind=commune&q=dat+cuoc").await;
        assert_eq!(rows(&html, "code"), ["XA-DAT-CUOC"]);
        let (_, html) = page(&admin, &app, "/admin/departments?sort=name&dir=desc").await;
        assert_eq!(
            rows(&html, "code").first().map(String::as_str),
            Some("VP"),
            "Văn phòng first by name descending"
        );
    }
}

#[tokio::test]
async fn an_account_is_edited_and_a_refused_form_keeps_what_was_typed() {
    for app in spawn_apps().await {
        let token = app.login("admin").await;
        let admin = browser_for(&app, Some("admin")).await;
        let (status, html) = page(&admin, &app, "/admin/users/cb.tnmt").await;
        assert_eq!(status, StatusCode::OK);
        let csrf = csrf_of(&html);
        // A staff account without a unit: refused, shown again (422) with the
        // typed name and job title, the message beside the unit.
        let r = admin
            .post(app.url("/admin/users/cb.tnmt"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("full_name", "Nguyễn Văn Mới"),
                ("position", "Phó Trưởng phòng"),
                ("email", "moi@example.vn"),
                ("role", "staff"),
                ("department", ""),
                ("active", "true"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            app.backend
        );
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Nguyễn Văn Mới\""), "typed name kept");
        assert!(
            html.contains("value=\"Phó Trưởng phòng\""),
            "typed title kept"
        );
        assert!(
            html.contains("id=\"department-error\""),
            "message beside the field"
        );
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"department-error\""));
        let stored = app.get_json("/api/v1/users/cb.tnmt", &token).await;
        assert_eq!(
            stored["full_name"], "Cán bộ Phòng Tài nguyên và Môi trường",
            "nothing saved"
        );
        // The same with a unit: saved, back on the edit page.
        let r = admin
            .post(app.url("/admin/users/cb.tnmt"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("full_name", "Nguyễn Văn Mới"),
                ("position", "Phó Trưởng phòng"),
                ("email", "moi@example.vn"),
                ("role", "leader"),
                ("department", "TNMT"),
                ("active", "true"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/admin/users/cb.tnmt");
        let stored = app.get_json("/api/v1/users/cb.tnmt", &token).await;
        assert_eq!(stored["full_name"], "Nguyễn Văn Mới");
        assert_eq!(stored["position"], "Phó Trưởng phòng");
        assert_eq!(stored["email"], "moi@example.vn");
        assert_eq!(stored["role"], "leader");
        // An administrator cannot lock their own account.
        let r = admin
            .post(app.url("/admin/users/admin"))
            .form(&[("csrf_token", csrf.as_str()), ("active", "false")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("id=\"active-error\""));
        // A new unit with a bad code: the form again, typed name kept.
        let r = admin
            .post(app.url("/admin/departments"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("code", "xã mới"),
                ("name", "UBND xã Mới"),
                ("kind", "commune"),
                ("email", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"UBND xã Mới\"") && html.contains("id=\"code-error\""));
        let r = admin
            .post(app.url("/admin/departments"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("code", "XA-MOI"),
                ("name", "UBND xã Mới"),
                ("kind", "commune"),
                ("email", "xamoi@example.vn"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Edited: renamed, another kind, deactivated.
        let r = admin
            .post(app.url("/admin/departments/XA-MOI"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("name", "Ban Mới"),
                ("kind", "agency"),
                ("email", ""),
                ("active", "false"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let unit = app.get_json("/api/v1/departments/XA-MOI", &token).await;
        assert_eq!(
            (
                &unit["name"],
                &unit["kind"],
                &unit["email"],
                &unit["active"]
            ),
            (
                &json!("Ban Mới"),
                &json!("agency"),
                &Value::Null,
                &json!(false)
            )
        );
        // Without the token nothing changes.
        let r = admin
            .post(app.url("/admin/departments/XA-MOI"))
            .form(&[("name", "Giả mạo")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let unit = app.get_json("/api/v1/departments/XA-MOI", &token).await;
        assert_eq!(unit["name"], "Ban Mới");
    }
}

#[tokio::test]
async fn a_password_reset_shows_a_temporary_password_once_and_forces_a_change() {
    for app in spawn_apps().await {
        let admin = browser_for(&app, Some("admin")).await;
        let (_, html) = page(&admin, &app, "/admin/users/cb.tnmt").await;
        let csrf = csrf_of(&html);
        // The staff member is signed in somewhere.
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        assert_eq!(page(&staff, &app, "/tasks").await.0, StatusCode::OK);
        let r = admin
            .post(app.url("/admin/users/cb.tnmt/password-reset"))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{:?}", app.backend);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        let marker = "id=\"temporary-password\">";
        let at = html.find(marker).expect("the password is shown") + marker.len();
        let password = html[at..at + html[at..].find('<').unwrap()].to_string();
        assert_eq!(password.len(), 14, "{password}");
        // Shown once: the edit page does not show it again.
        let (_, again) = page(&admin, &app, "/admin/users/cb.tnmt").await;
        assert!(!again.contains(&password));
        assert!(again.contains("id=\"must-change-note\""));
        // The old session is over; the old password no longer works.
        assert_eq!(page(&staff, &app, "/tasks").await.0, StatusCode::SEE_OTHER);
        let old = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "cb.tnmt", "password": app.settings.demo.staff_password}),
            )
            .await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        // The temporary one does, and the pages send its owner to change it.
        let fresh = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = fresh
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "cb.tnmt", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["user"]["must_change_password"], true, "{body}");
        let r = fresh.get(app.url("/tasks")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/account/password");
        // The API's reset does the same.
        let token = app.login("admin").await;
        let r = app
            .post(
                "/api/v1/users/pct.kinhte/password-reset",
                Some(&token),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["must_change_password"], true);
        assert_eq!(body["temporary_password"].as_str().unwrap().len(), 14);
        let user = app.get_json("/api/v1/users/pct.kinhte", &token).await;
        assert_eq!(user["must_change_password"], true);
    }
}

#[tokio::test]
async fn only_administrators_reach_the_administration() {
    for app in spawn_apps().await {
        let admin_token = app.login("admin").await;
        for username in ["chutich", "cb.tnmt"] {
            let client = browser_for(&app, Some(username)).await;
            for path in [
                "/admin/users",
                "/admin/users/new",
                "/admin/users/cb.tnmt",
                "/admin/departments",
                "/admin/departments/new",
                "/admin/departments/TNMT",
            ] {
                let (status, html) = page(&client, &app, path).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {username}");
                assert!(html.contains("Bạn không có quyền truy cập trang này"));
            }
            let (_, html) = page(&client, &app, "/dashboard").await;
            let csrf = csrf_of(&html);
            for (path, form) in [
                ("/admin/users/cb.tnmt", vec![("role", "admin")]),
                ("/admin/users/cb.tnmt/password-reset", vec![]),
                ("/admin/departments/TNMT", vec![("name", "Đổi tên")]),
                (
                    "/admin/departments",
                    vec![("code", "XA-X"), ("name", "X"), ("kind", "commune")],
                ),
            ] {
                let mut form = form;
                form.push(("csrf_token", csrf.as_str()));
                let r = client.post(app.url(path)).form(&form).send().await.unwrap();
                assert_eq!(
                    r.status(),
                    StatusCode::FORBIDDEN,
                    "POST {path} as {username}"
                );
            }
            let token = app.login(username).await;
            let r = app
                .post(
                    "/api/v1/users/cb.tnmt/password-reset",
                    Some(&token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        let user = app.get_json("/api/v1/users/cb.tnmt", &admin_token).await;
        assert_eq!(user["role"], "staff");
        assert_eq!(user["must_change_password"], false);
        let unit = app.get_json("/api/v1/departments/TNMT", &admin_token).await;
        assert_eq!(unit["name"], "Phòng Tài nguyên và Môi trường");
        let r = app
            .request(
                reqwest::Method::GET,
                "/api/v1/departments/XA-X",
                Some(&admin_token),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_api_edits_the_job_title_too() {
    for app in spawn_apps().await {
        let token = app.login("admin").await;
        let r = app
            .patch(
                "/api/v1/users/pct.vanhoa",
                Some(&token),
                json!({"position": "Phó Chủ tịch UBND huyện phụ trách văn hóa"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body["position"],
            "Phó Chủ tịch UBND huyện phụ trách văn hóa"
        );
        let r = app
            .patch(
                "/api/v1/users/pct.vanhoa",
                Some(&token),
                json!({"position": "x".repeat(121)}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["position"]);
        let r = app
            .patch(
                "/api/v1/users/pct.vanhoa",
                Some(&token),
                json!({"position": null}),
            )
            .await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["position"], Value::Null);
    }
}
