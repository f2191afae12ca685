//! The status workflow, history, extensions and optimistic concurrency.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn staff_reports_done_leader_confirms_and_history_records_everything() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let leader = app.login("pct.quyhoach").await;
        let id = picked.id;
        let history_before = app.history_len(id, &admin).await;

        // Progress and a note.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"progress": 85, "note": "Đã hoàn thành 85% khối lượng"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["progress"], 85);
        assert_eq!(body["status"], "in_progress");

        // Reporting done with no result at all (none sent, none on the task) is refused, naming the field.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"result_note": ""}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error_fields(&problem).contains(&"result_note".to_string()));

        // With a result and a date it is accepted; progress becomes 100. The
        // day that counts is the day of the report, recorded by the server;
        // the earlier day the department declares waits for a leader.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã ban hành quyết định phê duyệt", "completed_on": "2026-11-24"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "reported_done");
        assert_eq!(body["progress"], 100);
        assert_eq!(body["completed_on"], "2026-11-25");
        assert_eq!(body["reported_on"], "2026-11-25");
        assert_eq!(body["declared_completed_on"], "2026-11-24");
        assert_eq!(body["timeliness"], "completed_late");
        // It left the overdue list.
        let overdue = app.get_json("/api/v1/overdue?per_page=200", &leader).await;
        assert!(
            overdue["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["id"] != id)
        );

        // Staff cannot confirm their own report; the leader returns it with a reason.
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&staff),
                json!({"accept": true}),
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&leader),
                json!({"accept": false}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error_fields(&problem).contains(&"note".to_string()));
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&leader),
                json!({"accept": false, "note": "Thiếu biên bản nghiệm thu"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "in_progress");
        assert!(body["completed_on"].is_null());

        // Reported again and confirmed.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "note": "Đã bổ sung biên bản"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&leader),
                json!({"accept": true, "note": "Đồng ý"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "completed");

        // A completed task cannot be re-opened by staff, only by a leader.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "in_progress"}),
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;

        // History: who, what, old → new, note — every step, in order.
        let history = app
            .get_json(&format!("/api/v1/tasks/{id}/history"), &staff)
            .await;
        let entries = history.as_array().unwrap();
        assert!(
            entries.len() >= history_before + 6,
            "{} entries",
            entries.len()
        );
        let actions: Vec<&str> = entries[history_before..]
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for expected in ["updated", "reported_done", "returned", "confirmed"] {
            assert!(
                actions.contains(&expected),
                "{expected} missing from {actions:?}"
            );
        }
        let progress = entries[history_before..]
            .iter()
            .find(|e| e["field"] == "progress")
            .unwrap();
        assert_eq!(progress["new_value"], "85");
        assert_eq!(progress["actor"]["username"], staff_of(&picked.lead));
        let returned = entries.iter().find(|e| e["action"] == "returned").unwrap();
        assert_eq!(returned["note"], "Thiếu biên bản nghiệm thu");
        assert_eq!(returned["old_value"], "reported_done");
        assert_eq!(returned["new_value"], "in_progress");
    }
}

#[tokio::test]
async fn an_approved_extension_moves_the_due_date_and_keeps_the_original() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let leader = app.login("chutich").await;
        let id = picked.id;
        let before = app.task(id, &admin).await;
        let original = before["original_due_date"].clone();
        let due = before["due_date"].as_str().unwrap().to_string();

        // Not later than the current due date, and no reason: both named.
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/extensions"),
                Some(&staff),
                json!({"requested_due_date": due, "reason": ""}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = error_fields(&problem);
        assert!(
            fields.contains(&"requested_due_date".to_string())
                && fields.contains(&"reason".to_string()),
            "{fields:?}"
        );

        let stats_before = app.get_json("/api/v1/stats?year=2026", &leader).await;
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/extensions"),
                Some(&staff),
                json!({"requested_due_date": "2026-12-31", "reason": "Chờ UBND tỉnh phê duyệt"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let ext: Value = r.json().await.unwrap();
        assert_eq!(ext["state"], "pending");
        // One pending request at a time.
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/extensions"),
                Some(&staff),
                json!({"requested_due_date": "2027-01-31", "reason": "Lần hai"}),
            )
            .await;
        expect_problem(r, StatusCode::CONFLICT).await;
        // The leader sees it pending.
        let pending = app
            .get_json("/api/v1/extensions?state=pending", &leader)
            .await;
        assert!(
            pending
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == ext["id"])
        );

        let r = app
            .post(
                &format!("/api/v1/extensions/{}/decision", ext["id"]),
                Some(&leader),
                json!({"approve": true, "note": "Đồng ý"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let after = app.task(id, &admin).await;
        assert_eq!(after["due_date"], "2026-12-31");
        assert_eq!(after["original_due_date"], original);
        assert_eq!(after["extended"], true);
        assert_eq!(after["timeliness"], "on_track");
        // It left the overdue list, and the figures moved by one.
        let overdue = app.get_json("/api/v1/overdue?per_page=200", &leader).await;
        assert!(
            overdue["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["id"] != id)
        );
        let stats_after = app.get_json("/api/v1/stats?year=2026", &leader).await;
        assert_eq!(
            stats_after["overall"]["overdue"].as_i64().unwrap(),
            stats_before["overall"]["overdue"].as_i64().unwrap() - 1
        );
        // Deciding twice is a conflict.
        let r = app
            .post(
                &format!("/api/v1/extensions/{}/decision", ext["id"]),
                Some(&leader),
                json!({"approve": false, "note": "x"}),
            )
            .await;
        expect_problem(r, StatusCode::CONFLICT).await;
        // Both steps are in the history.
        let history = app
            .get_json(&format!("/api/v1/tasks/{id}/history"), &admin)
            .await;
        let actions: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"extension_requested") && actions.contains(&"extension_approved")
        );

        // Finishing before the new date (but after the original) is "on time after extension".
        let r = app
            .patch(&format!("/api/v1/tasks/{id}"), Some(&staff), json!({"status": "reported_done", "result_note": "Xong", "completed_on": "2026-11-25"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let stats_done = app.get_json("/api/v1/stats?year=2026", &leader).await;
        assert_eq!(
            stats_done["overall"]["completed_on_time_after_extension"]
                .as_i64()
                .unwrap(),
            stats_before["overall"]["completed_on_time_after_extension"]
                .as_i64()
                .unwrap()
                + 1
        );
    }
}

#[tokio::test]
async fn two_updates_from_the_same_version_one_wins_one_gets_412() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let leader = app.login("chutich").await;
        let id = picked.id;
        let version = app.task(id, &admin).await["version"].as_i64().unwrap();
        let path = format!("/api/v1/tasks/{id}");
        let first = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&staff)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({"progress": 70}))
            .send();
        let second = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&leader)
            .json(&json!({"progress": 75, "version": version}))
            .send();
        let (a, b) = tokio::join!(first, second);
        let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "{:?}", app.backend);
        let after = app.task(id, &admin).await;
        assert_eq!(after["version"].as_i64().unwrap(), version + 1);
        // A stale version later is also refused, with problem+json.
        let r = app
            .patch(
                &path,
                Some(&staff),
                json!({"progress": 80, "version": version}),
            )
            .await;
        expect_problem(r, StatusCode::PRECONDITION_FAILED).await;
    }
}

#[tokio::test]
async fn leaders_assign_tasks_and_record_reminder_documents() {
    for app in spawn_apps().await {
        let leader = app.login("pct.quyhoach").await;
        let r = app
            .post(
                "/api/v1/tasks",
                Some(&leader),
                json!({
                    "year": 2026, "code": "GPMB-99", "title": "Bồi thường, hỗ trợ tái định cư dự án đường ĐT.746",
                    "field": "Bồi thường, giải phóng mặt bằng", "lead_department": "TTPTQD",
                    "coordinating_departments": ["TNMT", "XA-TAN-LAP"], "leader_in_charge": "pct.quyhoach",
                    "due_date": "2026-12-15"
                }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let task: Value = r.json().await.unwrap();
        assert_eq!(task["field"], "site_clearance");
        assert_eq!(task["status"], "not_started");
        assert_eq!(
            task["coordinating_departments"].as_array().unwrap().len(),
            2
        );
        // The same code again in the same year is refused.
        let r = app
            .post(
                "/api/v1/tasks",
                Some(&leader),
                json!({"year": 2026, "code": "GPMB-99", "title": "x", "field": "finance", "lead_department": "TCKH", "due_date": "2026-12-15"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error_fields(&problem).contains(&"code".to_string()));

        // A reminder document linked to the task counts on it.
        let r = app
            .post(
                "/api/v1/documents",
                Some(&leader),
                json!({"number": "3700/UBND-VP", "kind": "official_letter", "title": "V/v đôn đốc bồi thường đường ĐT.746",
                       "issued_on": "2026-11-24", "signer": "Phạm Minh Trí", "links": [{"task_id": task["id"], "relation": "reminds"}]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["links"][0]["task_code"], "GPMB-99");
        let again = app.task(task["id"].as_i64().unwrap(), &leader).await;
        assert_eq!(again["reminder_documents"], 1);
        assert!(
            again["documents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["number"] == "3700/UBND-VP" && d["relation"] == "reminds")
        );
        let list = app
            .get_json(
                &format!("/api/v1/documents?task_id={}&relation=reminds", task["id"]),
                &leader,
            )
            .await;
        assert_eq!(list["total"], 1);
    }
}

#[tokio::test]
async fn reporting_done_keeps_the_written_result_and_closes_a_pending_extension() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let pending = app
            .get_json("/api/v1/extensions?state=pending", &leader)
            .await;
        // MT-10 is due soon and has a pending extension request in the demo.
        let mt10 = app.get_json("/api/v1/tasks?q=MT-10", &leader).await["items"][0].clone();
        let id = mt10["id"].as_i64().unwrap();
        assert!(
            pending
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["task_id"] == id)
        );
        assert!(
            !mt10["result_note"].as_str().unwrap_or("").is_empty(),
            "the demo task has a result written"
        );
        let staff = app
            .login(&staff_of(mt10["lead_department"]["code"].as_str().unwrap()))
            .await;
        // The result written earlier is not a report of completion (issue
        // 16): a report states a new result.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done"}),
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["result_note"], "{body}");
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": mt10["result_note"]}),
            )
            .await;
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã nghiệm thu, bàn giao"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let task: Value = r.json().await.unwrap();
        assert_eq!(task["status"], "reported_done");
        assert_eq!(task["result_note"], "Đã nghiệm thu, bàn giao");
        let ext = task["extension_requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["task_id"] == id)
            .unwrap()
            .clone();
        assert_eq!(ext["state"], "withdrawn");
        let pending = app
            .get_json("/api/v1/extensions?state=pending", &leader)
            .await;
        assert!(
            !pending
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["task_id"] == id)
        );
        let history = app
            .get_json(&format!("/api/v1/tasks/{id}/history"), &leader)
            .await;
        let reported = history
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "reported_done")
            .unwrap();
        assert_eq!(
            reported["note"], "Đã nghiệm thu, bàn giao",
            "the history of the report carries its result"
        );
    }
}
