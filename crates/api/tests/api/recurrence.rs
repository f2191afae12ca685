//! Recurring tasks through the API: set on create and edit, shown with the
//! task, next occurrence on confirmation, stopped, permissions.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn new_task(code: &str) -> Value {
    json!({
        "year": 2026,
        "code": code,
        "title": "Báo cáo tháng về công tác bồi thường, giải phóng mặt bằng",
        "field": "site_clearance",
        "lead_department": "TNMT",
        "coordinating_departments": ["TCKH"],
        "leader_in_charge": "pct.quyhoach",
        "due_date": "2026-10-31",
        "recurrence": {"frequency": "monthly", "day": 31}
    })
}

#[tokio::test]
async fn a_recurring_task_makes_its_next_occurrence_when_confirmed() {
    for app in spawn_apps().await {
        let leader = app.login("pct.quyhoach").await;
        let staff = app.login("cb.tnmt").await;
        let r = app
            .post("/api/v1/tasks", Some(&leader), new_task("BC-GPMB"))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let series = app
            .get_json(&format!("/api/v1/tasks/{id}/recurrence"), &staff)
            .await;
        assert_eq!(series["frequency"], "monthly");
        assert_eq!(series["day"], 31);
        assert_eq!(series["active"], true);
        assert_eq!(series["next_due_date"], "2026-11-30");
        assert_eq!(series["next_created_on"], "2026-11-01");
        assert_eq!(series["occurrences"].as_array().unwrap().len(), 1);
        assert_eq!(series["occurrences"][0]["period"], "2026-10");

        // Staff report, the leader confirms: November is assigned.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã gửi báo cáo"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&leader),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let series = app
            .get_json(&format!("/api/v1/tasks/{id}/recurrence"), &staff)
            .await;
        let occurrences = series["occurrences"].as_array().unwrap();
        assert_eq!(occurrences.len(), 2);
        assert_eq!(occurrences[1]["period"], "2026-11");
        assert_eq!(occurrences[1]["due_date"], "2026-11-30");
        assert_eq!(occurrences[1]["status"], "not_started");
        assert_eq!(occurrences[1]["code"], "BC-GPMB-2026-11");
        let next_id = occurrences[1]["task_id"].as_i64().unwrap();
        let next = app.task(next_id, &staff).await;
        assert_eq!(next["lead_department"]["code"], "TNMT");
        assert_eq!(next["coordinating_departments"][0]["code"], "TCKH");
        assert_eq!(next["leader_in_charge"]["username"], "pct.quyhoach");
        assert_eq!(next["field"], "site_clearance");
        let history = app
            .get_json(&format!("/api/v1/tasks/{next_id}/history"), &staff)
            .await;
        assert_eq!(history[0]["action"], "recurred");
        // The new occurrence shows the same series.
        let from_next = app
            .get_json(&format!("/api/v1/tasks/{next_id}/recurrence"), &staff)
            .await;
        assert_eq!(from_next["id"], series["id"]);

        // The rule changes (quarterly, last month of the quarter), then stops.
        let r = app
            .request(
                Method::PUT,
                &format!("/api/v1/tasks/{next_id}/recurrence"),
                Some(&leader),
                Some(json!({"frequency": "quarterly", "day": 31, "month": 3})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let changed: Value = r.json().await.unwrap();
        assert_eq!(changed["frequency"], "quarterly");
        assert_eq!(changed["next_due_date"], "2027-03-31");
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/tasks/{next_id}/recurrence"),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let stopped = app
            .get_json(&format!("/api/v1/tasks/{id}/recurrence"), &leader)
            .await;
        assert_eq!(stopped["active"], false);
        assert!(stopped["next_due_date"].is_null());
    }
}

#[tokio::test]
async fn recurrence_is_set_by_leaders_and_bad_rules_name_the_field() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("pct.quyhoach").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let outsider = app.login(&staff_of(&picked.unrelated)).await;
        let id = picked.id;
        let path = format!("/api/v1/tasks/{id}/recurrence");

        // No series yet.
        assert!(app.get_json(&path, &staff).await.is_null());
        let r = app.request(Method::GET, &path, Some(&outsider), None).await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = app
            .request(
                Method::PUT,
                &path,
                Some(&staff),
                Some(json!({"frequency": "monthly"})),
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = app
            .request(
                Method::PUT,
                &path,
                None,
                Some(json!({"frequency": "monthly"})),
            )
            .await;
        expect_problem(r, StatusCode::UNAUTHORIZED).await;
        let r = app
            .request(
                Method::PUT,
                &path,
                Some(&leader),
                Some(json!({"frequency": "weekly", "day": 0})),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            error_fields(&problem),
            ["recurrence.frequency", "recurrence.day"]
        );
        let r = app
            .request(Method::DELETE, &path, Some(&leader), None)
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
        let r = app
            .request(
                Method::PUT,
                "/api/v1/tasks/999999/recurrence",
                Some(&leader),
                Some(json!({"frequency": "monthly"})),
            )
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;

        // A bad rule on create assigns nothing.
        let mut body = new_task("BC-SAI");
        body["recurrence"] = json!({"frequency": "yearly", "month": 13});
        let r = app.post("/api/v1/tasks", Some(&leader), body).await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["recurrence.month"]);
        let found = app
            .get_json("/api/v1/tasks?q=BC-SAI&per_page=200", &admin)
            .await;
        assert_eq!(found["total"], 0);

        // A leader sets it (defaults from the due date).
        let r = app
            .request(
                Method::PUT,
                &path,
                Some(&leader),
                Some(json!({"frequency": "monthly"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let series: Value = r.json().await.unwrap();
        let due = picked.task["due_date"].as_str().unwrap();
        assert_eq!(
            series["day"].as_u64().unwrap(),
            due[8..].parse::<u64>().unwrap()
        );
        assert_eq!(app.get_json(&path, &staff).await["id"], series["id"]);
    }
}
