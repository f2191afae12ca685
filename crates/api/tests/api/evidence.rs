//! Evidence through the JSON API, on SQLite and PostgreSQL: files uploaded
//! earlier are tied to the extension request, the explanation answer and
//! the report they are named in (`attachment_ids`), shown with their step;
//! a file of another person or already tied is refused naming
//! `attachment_ids[N]`, and then nothing is written.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    attachments::{pdf_bytes, upload},
    helpers::{TestApp, error_fields, expect_problem, spawn_apps, staff_of, today},
};

async fn uploaded(app: &TestApp, task_id: i64, token: &str, name: &str) -> i64 {
    let pdf = pdf_bytes();
    let response = upload(
        app,
        &format!("/api/v1/tasks/{task_id}/attachments"),
        token,
        &[],
        Some((name, "application/pdf", &pdf)),
    )
    .await;
    let status = response.status();
    let view: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert!(view["step"].is_null(), "{view}");
    view["id"].as_i64().unwrap()
}

// Longer than 100 lines: the three steps of one task in turn, with the
// refusals between them.
#[tokio::test]
async fn earlier_uploads_go_with_the_step_that_names_them() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let coordinator = app.login(&staff_of(&picked.coordinator)).await;
        let for_extension = uploaded(&app, picked.id, &staff, "Tờ trình gia hạn.pdf").await;
        let for_answer = uploaded(&app, picked.id, &staff, "Giải trình.pdf").await;
        let for_report = uploaded(&app, picked.id, &staff, "Báo cáo.pdf").await;
        let theirs = uploaded(&app, picked.id, &coordinator, "Phối hợp.pdf").await;

        // The extension request carries its file.
        let due = picked.task["due_date"].as_str().unwrap();
        let later =
            chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap() + Duration::days(60);
        let response = app
            .post(
                &format!("/api/v1/tasks/{}/extensions", picked.id),
                Some(&staff),
                json!({"requested_due_date": later.to_string(), "reason": "Chờ thẩm định", "attachment_ids": [for_extension]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let request: Value = response.json().await.unwrap();
        let file = app
            .get_json(&format!("/api/v1/attachments/{for_extension}"), &admin)
            .await;
        assert_eq!(
            file["step"]["extension_request_id"], request["id"],
            "{file}"
        );
        assert!(file["step"]["history_id"].as_i64().is_some(), "{file}");

        // The answer to a request for explanation carries its file.
        let response = app
            .post(
                &format!("/api/v1/tasks/{}/explanations", picked.id),
                Some(&admin),
                json!({"question": "Vì sao chậm?", "answer_by": (today() + Duration::days(7)).to_string()}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let explanation: Value = response.json().await.unwrap();
        let id = explanation["id"].as_i64().unwrap();
        let response = app
            .post(
                &format!("/api/v1/explanations/{id}/answer"),
                Some(&staff),
                json!({"answer": "Chờ kết quả đo đạc", "attachment_ids": [for_answer]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let file = app
            .get_json(&format!("/api/v1/attachments/{for_answer}"), &admin)
            .await;
        assert_eq!(file["step"]["explanation_request_id"], id, "{file}");

        // Another person's upload, or one already tied: refused by place,
        // and the report is not written.
        let history_before = app.history_len(picked.id, &admin).await;
        for (ids, field) in [
            (json!([for_report, theirs]), "attachment_ids[1]"),
            (json!([for_answer, for_report]), "attachment_ids[0]"),
            (json!([for_report, 987_654]), "attachment_ids[1]"),
        ] {
            let response = app
                .patch(
                    &format!("/api/v1/tasks/{}", picked.id),
                    Some(&staff),
                    json!({"status": "reported_done", "result_note": "Đã xong", "attachment_ids": ids}),
                )
                .await;
            let body = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error_fields(&body), [field], "{body}");
        }
        assert_eq!(app.history_len(picked.id, &admin).await, history_before);
        assert_eq!(
            app.task(picked.id, &admin).await["status"],
            picked.task["status"]
        );
        let file = app
            .get_json(&format!("/api/v1/attachments/{for_report}"), &admin)
            .await;
        assert!(file["step"].is_null(), "{file}");

        // The report with its own upload: tied to the report's entry.
        let response = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã ban hành báo cáo 215/BC-UBND", "attachment_ids": [for_report]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        let reported = history
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["action"] == "reported_done")
            .expect("the report's entry")
            .clone();
        let file = app
            .get_json(&format!("/api/v1/attachments/{for_report}"), &admin)
            .await;
        assert_eq!(file["step"]["history_id"], reported["id"], "{file}");
        assert!(file["step"]["extension_request_id"].is_null(), "{file}");
        let listed = app
            .get_json(&format!("/api/v1/tasks/{}/attachments", picked.id), &admin)
            .await;
        let theirs_listed = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == theirs)
            .unwrap()
            .clone();
        assert!(theirs_listed["step"].is_null(), "{theirs_listed}");
    }
}
