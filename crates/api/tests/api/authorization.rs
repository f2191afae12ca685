//! Every mutating endpoint × {admin, leader, staff of the lead department,
//! staff of a coordinating department, staff of an unrelated department,
//! anonymous}: the status code, and that a refused request changed nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Admin,
    Leader,
    LeadStaff,
    CoordStaff,
    OtherStaff,
    Anonymous,
}

const EVERYONE: [Who; 6] = [
    Who::Admin,
    Who::Leader,
    Who::LeadStaff,
    Who::CoordStaff,
    Who::OtherStaff,
    Who::Anonymous,
];

struct Actors {
    admin: String,
    leader: String,
    lead: String,
    coord: String,
    other: String,
}

impl Actors {
    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Admin => Some(&self.admin),
            Who::Leader => Some(&self.leader),
            Who::LeadStaff => Some(&self.lead),
            Who::CoordStaff => Some(&self.coord),
            Who::OtherStaff => Some(&self.other),
            Who::Anonymous => None,
        }
    }
}

/// A fingerprint of everything a refused request must leave untouched.
async fn fingerprint(app: &TestApp, admin: &str, task_id: i64) -> Value {
    let task = app.task(task_id, admin).await;
    json!({
        "version": task["version"],
        "status": task["status"],
        "progress": task["progress"],
        "due_date": task["due_date"],
        "history": app.history_len(task_id, admin).await,
        "extensions": task["extension_requests"].as_array().unwrap().len(),
        "tasks": app.get_json("/api/v1/tasks?per_page=1", admin).await["total"],
        "documents": app.get_json("/api/v1/documents?per_page=1", admin).await["total"],
        "departments": app.get_json("/api/v1/departments?include_inactive=true", admin).await.as_array().unwrap().len(),
        "users": app.get_json("/api/v1/users", admin).await.as_array().unwrap().len(),
    })
}

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    body: Box<dyn Fn(u32) -> Value>,
    allowed: &'static [Who],
}

#[tokio::test]
async fn every_mutating_endpoint_for_every_role() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let actors = Actors {
            leader: app.login("chutich").await,
            lead: app.login(&staff_of(&picked.lead)).await,
            coord: app.login(&staff_of(&picked.coordinator)).await,
            other: app.login(&staff_of(&picked.unrelated)).await,
            admin: admin.clone(),
        };
        let id = picked.id;
        // A reported-done task led by the same department, for /confirm.
        let reported = app
            .get_json("/api/v1/tasks?status=reported_done&per_page=200", &admin)
            .await["items"][0]["id"]
            .as_i64()
            .unwrap();
        let reported_lead = app.task(reported, &admin).await["lead_department"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let reported_lead_token = app.login(&staff_of(&reported_lead)).await;

        let cases = vec![
            Case {
                name: "update progress",
                method: Method::PATCH,
                path: format!("/api/v1/tasks/{id}"),
                body: Box::new(|n| json!({"progress": 10 + n})),
                allowed: &[Who::Admin, Who::Leader, Who::LeadStaff],
            },
            Case {
                name: "add a note",
                method: Method::PATCH,
                path: format!("/api/v1/tasks/{id}"),
                body: Box::new(|n| json!({"note": format!("Ghi chú {n}")})),
                allowed: &[Who::Admin, Who::Leader, Who::LeadStaff, Who::CoordStaff],
            },
            Case {
                name: "change the due date",
                method: Method::PATCH,
                path: format!("/api/v1/tasks/{id}"),
                body: Box::new(|n| json!({"due_date": format!("2026-12-{:02}", 10 + n)})),
                allowed: &[Who::Admin, Who::Leader],
            },
            Case {
                name: "assign a task",
                method: Method::POST,
                path: "/api/v1/tasks".into(),
                body: Box::new(|n| {
                    json!({"year": 2026, "code": format!("MOI-{n}"), "title": "Nhiệm vụ mới", "field": "finance",
                           "lead_department": "TCKH", "due_date": "2026-12-31"})
                }),
                allowed: &[Who::Admin, Who::Leader],
            },
            Case {
                name: "request an extension",
                method: Method::POST,
                path: format!("/api/v1/tasks/{id}/extensions"),
                // Each allowed request must be decided before the next, see below.
                body: Box::new(
                    |n| json!({"requested_due_date": format!("2027-01-{:02}", 10 + n), "reason": "Cần thêm thời gian"}),
                ),
                allowed: &[Who::Admin, Who::LeadStaff],
            },
            Case {
                name: "record a document",
                method: Method::POST,
                path: "/api/v1/documents".into(),
                body: Box::new(move |n| {
                    json!({"number": format!("{}/UBND-VP", 900 + n), "kind": "official_letter", "title": "V/v đôn đốc",
                           "issued_on": "2026-11-20", "signer": "Chủ tịch", "links": [{"task_id": id, "relation": "reminds"}]})
                }),
                allowed: &[Who::Admin, Who::Leader],
            },
            Case {
                name: "create a department",
                method: Method::POST,
                path: "/api/v1/departments".into(),
                body: Box::new(
                    |n| json!({"code": format!("PHONG-{n}"), "name": format!("Phòng mới {n}"), "kind": "office"}),
                ),
                allowed: &[Who::Admin],
            },
            Case {
                name: "change a department",
                method: Method::PATCH,
                path: "/api/v1/departments/TNMT".into(),
                body: Box::new(|n| json!({"email": format!("tnmt{n}@bactanuyen.example")})),
                allowed: &[Who::Admin],
            },
            Case {
                name: "create a user",
                method: Method::POST,
                path: "/api/v1/users".into(),
                body: Box::new(|n| {
                    json!({"username": format!("moi{n}"), "full_name": "Người mới", "role": "staff",
                           "department": "TNMT", "password": "mat-khau-du-dai"})
                }),
                allowed: &[Who::Admin],
            },
            Case {
                name: "change a user",
                method: Method::PATCH,
                path: "/api/v1/users/cb.vhtt".into(),
                body: Box::new(|n| json!({"full_name": format!("Cán bộ văn hóa {n}")})),
                allowed: &[Who::Admin],
            },
        ];

        for case in &cases {
            for (n, who) in EVERYONE.iter().enumerate() {
                let before = fingerprint(&app, &admin, id).await;
                let response = app
                    .request(
                        case.method.clone(),
                        &case.path,
                        actors.token(*who),
                        Some((case.body)(n as u32)),
                    )
                    .await;
                let status = response.status();
                if case.allowed.contains(who) {
                    assert!(
                        status.is_success(),
                        "{}: {who:?} got {status} ({:?})",
                        case.name,
                        app.backend
                    );
                    if case.name == "request an extension" {
                        // Decide it, so the next allowed actor may ask again.
                        let body: Value = response.json().await.unwrap();
                        let ext = body["id"].as_i64().unwrap();
                        let decided = app
                            .post(
                                &format!("/api/v1/extensions/{ext}/decision"),
                                Some(&actors.leader),
                                json!({"approve": false, "note": "Chưa đủ căn cứ"}),
                            )
                            .await;
                        assert_eq!(decided.status(), StatusCode::OK);
                    }
                } else {
                    let expected = if *who == Who::Anonymous {
                        StatusCode::UNAUTHORIZED
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    expect_problem(response, expected).await;
                    let after = fingerprint(&app, &admin, id).await;
                    assert_eq!(
                        before, after,
                        "{}: refused {who:?} changed something ({:?})",
                        case.name, app.backend
                    );
                }
            }
        }

        // Confirm / return a reported-done task: leaders and admins only.
        for (who, token) in [
            (Who::LeadStaff, Some(reported_lead_token.as_str())),
            (Who::OtherStaff, Some(actors.other.as_str())),
            (Who::Anonymous, None),
        ] {
            let before = app.task(reported, &admin).await["version"].clone();
            let response = app
                .post(
                    &format!("/api/v1/tasks/{reported}/confirm"),
                    token,
                    json!({"accept": true}),
                )
                .await;
            let expected = if who == Who::Anonymous {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            expect_problem(response, expected).await;
            assert_eq!(app.task(reported, &admin).await["version"], before);
        }
        let response = app
            .post(
                &format!("/api/v1/tasks/{reported}/confirm"),
                Some(&actors.leader),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);

        // Deciding extensions: leaders and admins only.
        let pending = app
            .post(
                &format!("/api/v1/tasks/{id}/extensions"),
                Some(&actors.lead),
                json!({"requested_due_date": "2027-02-01", "reason": "Chờ ý kiến của Sở"}),
            )
            .await;
        assert_eq!(pending.status(), StatusCode::CREATED);
        let ext = pending.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        for (who, token) in [
            (Who::LeadStaff, Some(actors.lead.as_str())),
            (Who::CoordStaff, Some(actors.coord.as_str())),
            (Who::Anonymous, None),
        ] {
            let response = app
                .post(
                    &format!("/api/v1/extensions/{ext}/decision"),
                    token,
                    json!({"approve": true}),
                )
                .await;
            let expected = if who == Who::Anonymous {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            expect_problem(response, expected).await;
        }
        let response = app
            .post(
                &format!("/api/v1/extensions/{ext}/decision"),
                Some(&admin),
                json!({"approve": true}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn staff_cannot_read_or_find_other_departments_tasks() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let other = app.login(&staff_of(&picked.unrelated)).await;
        // Direct reads are refused.
        for path in [
            format!("/api/v1/tasks/{}", picked.id),
            format!("/api/v1/tasks/{}/history", picked.id),
        ] {
            let response = app.request(Method::GET, &path, Some(&other), None).await;
            expect_problem(response, StatusCode::FORBIDDEN).await;
        }
        // Lists only ever contain their own department's tasks, whatever the filter says.
        let own_code = picked.unrelated.clone();
        for query in [
            "",
            "?per_page=200",
            &format!("?department={}&per_page=200", picked.lead),
            "?q=xa&per_page=200",
            "?timeliness=overdue&per_page=200",
        ] {
            let page = app.get_json(&format!("/api/v1/tasks{query}"), &other).await;
            for item in page["items"].as_array().unwrap() {
                let involved = item["lead_department"]["code"] == own_code.as_str()
                    || item["coordinating_departments"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|d| d["code"] == own_code.as_str());
                assert!(
                    involved,
                    "staff of {own_code} saw task {} via `{query}`",
                    item["code"]
                );
            }
        }
        // The overdue list and stats are limited to their department.
        let overdue = app.get_json("/api/v1/overdue?per_page=200", &other).await;
        for item in overdue["items"].as_array().unwrap() {
            let involved = item["lead_department"]["code"] == own_code.as_str()
                || item["coordinating_departments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == own_code.as_str());
            assert!(involved);
        }
        let stats = app.get_json("/api/v1/stats?year=2026", &other).await;
        assert_eq!(stats["department"], own_code.as_str());
        assert!(
            stats["departments"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["code"] == own_code.as_str())
        );
        // Notifications and users are not for staff.
        for path in ["/api/v1/notifications", "/api/v1/users"] {
            let response = app.request(Method::GET, path, Some(&other), None).await;
            expect_problem(response, StatusCode::FORBIDDEN).await;
        }
        // Asking for another day's overdue list is a leader's right.
        let response = app
            .request(
                Method::GET,
                "/api/v1/overdue?as_of=2026-01-01",
                Some(&other),
                None,
            )
            .await;
        expect_problem(response, StatusCode::FORBIDDEN).await;
    }
}

#[tokio::test]
async fn a_trusted_token_is_forgotten_by_the_write_that_revokes_it() {
    // Trust a token for a minute: only the revoking write can end it early.
    for app in spawn_apps_with(|s| s.server.auth_trust_ms = 60_000).await {
        let admin = app.login("admin").await;
        let token = app.login("cb.tnmt").await;
        for _ in 0..3 {
            assert_eq!(
                app.get_json("/api/v1/me", &token).await["username"],
                "cb.tnmt"
            );
        }
        let out = app
            .post("/api/v1/auth/logout", Some(&token), json!({}))
            .await;
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        let after = app
            .request(Method::GET, "/api/v1/me", Some(&token), None)
            .await;
        expect_problem(after, StatusCode::UNAUTHORIZED).await;

        // An admin deactivating a user ends the user's trusted token at once.
        let token = app.login("cb.tckh").await;
        assert_eq!(
            app.get_json("/api/v1/me", &token).await["username"],
            "cb.tckh"
        );
        let off = app
            .patch(
                "/api/v1/users/cb.tckh",
                Some(&admin),
                json!({"active": false}),
            )
            .await;
        assert!(off.status().is_success(), "{}", off.status());
        let after = app
            .request(Method::GET, "/api/v1/me", Some(&token), None)
            .await;
        expect_problem(after, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn login_logout_and_throttling() {
    for app in spawn_apps().await {
        // Wrong password and unknown user look the same.
        let wrong = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "admin", "password": "sai-mat-khau"}),
            )
            .await;
        let wrong_body = expect_problem(wrong, StatusCode::UNAUTHORIZED).await;
        let unknown = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "khong-co-ai", "password": "sai-mat-khau"}),
            )
            .await;
        let unknown_body = expect_problem(unknown, StatusCode::UNAUTHORIZED).await;
        assert_eq!(wrong_body, unknown_body);

        // The token works, /me names the user, logout revokes it.
        let token = app.login("cb.tnmt").await;
        let me = app.get_json("/api/v1/me", &token).await;
        assert_eq!(me["username"], "cb.tnmt");
        assert_eq!(me["department"], "TNMT");
        assert!(me.get("password_hash").is_none());
        let out = app
            .post("/api/v1/auth/logout", Some(&token), json!({}))
            .await;
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        let after = app
            .request(Method::GET, "/api/v1/me", Some(&token), None)
            .await;
        expect_problem(after, StatusCode::UNAUTHORIZED).await;

        // Five failures in a minute lock the account out for a while, even with the right password.
        for _ in 0..5 {
            let r = app
                .post(
                    "/api/v1/auth/login",
                    None,
                    json!({"username": "pct.vanhoa", "password": "sai"}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        let locked = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "pct.vanhoa", "password": app.settings.demo.leader_password}),
            )
            .await;
        assert!(locked.headers().get("retry-after").is_some());
        expect_problem(locked, StatusCode::TOO_MANY_REQUESTS).await;
        // Other accounts are unaffected.
        app.login("pct.kinhte").await;
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_to_write() {
    for app in spawn_apps().await {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let login: Value = client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "chutich", "password": app.settings.demo.leader_password}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let csrf = login["csrf_token"].as_str().unwrap().to_string();
        // Reads work with the cookie alone.
        let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        // A write with the cookie but without the token is refused.
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let refused = client
            .patch(app.url(&format!("/api/v1/tasks/{}", picked.id)))
            .json(&json!({"note": "từ trang khác"}))
            .send()
            .await
            .unwrap();
        expect_problem(refused, StatusCode::FORBIDDEN).await;
        let accepted = client
            .patch(app.url(&format!("/api/v1/tasks/{}", picked.id)))
            .header("X-CSRF-Token", csrf)
            .json(&json!({"note": "từ trang của mình"}))
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), StatusCode::OK);
    }
}
