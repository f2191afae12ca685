//! Bad input anywhere gets problem+json naming what is wrong, and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn bad_bodies_are_refused_field_by_field() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let path = format!("/api/v1/tasks/{}", picked.id);
        let before = app.task(picked.id, &admin).await["version"].clone();
        let cases: Vec<(Value, &str)> = vec![
            (json!({"progress": "abc"}), "progress"),
            (json!({"progress": 101}), "progress"),
            (json!({"progress": -1}), "progress"),
            (json!({"progress": 50.5}), "progress"),
            (json!({"status": "done"}), "status"),
            (
                json!({"completed_on": "2021-02-30", "status": "reported_done", "note": "x"}),
                "completed_on",
            ),
            (
                json!({"completed_on": "2099-01-01", "status": "reported_done", "note": "x"}),
                "completed_on",
            ),
            (json!({"colour": "red"}), "colour"),
            (json!({"note": 5}), "note"),
        ];
        for (body, field) in cases {
            let r = app.patch(&path, Some(&staff), body.clone()).await;
            let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(
                error_fields(&problem).iter().any(|f| f == field),
                "{body} should name {field}: {problem}"
            );
        }
        // A leader's bad due date.
        let r = app
            .patch(&path, Some(&admin), json!({"due_date": "30/02/2026"}))
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), vec!["due_date".to_string()]);
        // Nothing changed.
        assert_eq!(app.task(picked.id, &admin).await["version"], before);

        // Malformed JSON, wrong content type, oversized body.
        let r = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&staff)
            .header("content-type", "application/json")
            .body("{\"progress\": ")
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::BAD_REQUEST).await;
        let r = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&staff)
            .header("content-type", "text/plain")
            .body("progress=5")
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        let huge = "x".repeat(1024 * 1024);
        let r = app.patch(&path, Some(&staff), json!({"note": huge})).await;
        expect_problem(r, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert_eq!(app.task(picked.id, &admin).await["version"], before);

        // Bad query strings are named too.
        let r = app
            .request(
                Method::GET,
                "/api/v1/tasks?per_page=500&due_from=yesterday&timeliness=late",
                Some(&staff),
                None,
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = error_fields(&problem);
        for f in ["per_page", "due_from", "timeliness"] {
            assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
        }
        // A document with bad links names each one.
        let r = app
            .post(
                "/api/v1/documents",
                Some(&admin),
                json!({"number": "", "kind": "memo", "title": "x", "issued_on": "2026-13-01", "signer": "A",
                       "links": [{"task_id": 999999, "relation": "reminds"}, {"task_id": picked.id, "relation": "nags"}]}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = error_fields(&problem);
        for f in [
            "number",
            "kind",
            "issued_on",
            "links[0].task_id",
            "links[1].relation",
        ] {
            assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
        }
    }
}

#[tokio::test]
async fn sql_and_html_payloads_are_stored_and_returned_verbatim() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let payload = "<script>alert('x')</script>'; DROP TABLE tasks; -- \"Đất Cuốc\" %_\\";
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&admin),
                json!({"note": payload, "title": payload}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let task = app.task(picked.id, &admin).await;
        assert_eq!(task["title"], payload);
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["note"] == payload)
        );
        // The tasks table is still there, and a search with LIKE wildcards finds only what it says.
        let all = app.get_json("/api/v1/tasks?per_page=1", &admin).await;
        assert_eq!(all["total"], 96);
        let found = app
            .get_json("/api/v1/tasks?q=drop%20table%20tasks", &admin)
            .await;
        assert_eq!(found["total"], 1);
        // LIKE wildcards typed by a user are matched literally.
        let wild = app.get_json("/api/v1/tasks?q=a_b", &admin).await;
        assert_eq!(wild["total"], 0);
        let percent = app.get_json("/api/v1/tasks?q=100%25", &admin).await;
        assert_eq!(
            percent["total"],
            app.get_json("/api/v1/tasks?q=100", &admin).await["total"]
        );
    }
}

#[tokio::test]
async fn unknown_routes_ids_and_languages() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let r = app
            .request(Method::GET, "/api/v1/nothing-here", Some(&admin), None)
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
        let r = app
            .request(Method::GET, "/api/v1/tasks/999999", Some(&admin), None)
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
        let r = app
            .request(Method::GET, "/api/v1/tasks/abc", Some(&admin), None)
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
        // Vietnamese by default, English on request.
        let r = app.request(Method::GET, "/api/v1/me", None, None).await;
        let vi = expect_problem(r, StatusCode::UNAUTHORIZED).await;
        assert_eq!(vi["title"], "Chưa đăng nhập");
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .header("Accept-Language", "en-US,en;q=0.9")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers().get("content-language").unwrap(), "en");
        let en = expect_problem(r, StatusCode::UNAUTHORIZED).await;
        assert_eq!(en["title"], "Not authenticated");
        let r = app
            .client
            .patch(app.url("/api/v1/tasks/1"))
            .bearer_auth(&admin)
            .header("Accept-Language", "en")
            .json(&json!({"progress": 500}))
            .send()
            .await
            .unwrap();
        let en = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(en["errors"][0]["message"], "is out of range");
    }
}
