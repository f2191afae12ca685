//! Meeting snapshots and requests for explanation, through the API, on
//! SQLite and PostgreSQL: permissions, the workflow, snapshots that do not
//! move after later edits, comparisons, and one outbox notification per request.

use reqwest::{Client, Method, StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::helpers::*;

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_i64().unwrap())
        .collect()
}

fn department<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no department {code} in {list}"))
}

#[tokio::test]
async fn a_snapshot_does_not_move_after_later_edits_and_compares_right() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("pct.kinhte").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;

        // Who may: leaders and admins; not staff, not anonymous.
        let r = app
            .request(Method::GET, "/api/v1/snapshots", None, None)
            .await;
        expect_problem(r, StatusCode::UNAUTHORIZED).await;
        let r = app
            .request(Method::GET, "/api/v1/snapshots", Some(&staff), None)
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&staff),
                json!({"title": "Giao ban tuần 48"}),
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        // Bad input names the field.
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&leader),
                json!({"title": "   ", "year": 1900}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = error_fields(&problem);
        assert!(fields.contains(&"title".to_string()), "{problem}");
        assert!(fields.contains(&"year".to_string()), "{problem}");

        // Freeze, and compare with the live figures of the same moment.
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&leader),
                json!({"title": "Giao ban tuần 48", "year": 2026}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let first: Value = r.json().await.unwrap();
        let first_id = first["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/snapshots/{first_id}"));
        assert_eq!(first["title"], "Giao ban tuần 48");
        assert_eq!(first["taken_by"]["username"], "pct.kinhte");
        let live = app.get_json("/api/v1/stats?year=2026", &leader).await;
        assert_eq!(first["figures"]["overall"], live["overall"]);
        assert_eq!(first["figures"]["departments"], live["departments"]);
        let overdue = app.get_json("/api/v1/overdue?per_page=200", &leader).await;
        let listed: Vec<i64> = overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            ids(&first["overdue"]),
            listed,
            "the overdue list, oldest first"
        );
        assert_eq!(first["overdue_tasks"], json!(listed.len()));
        assert!(ids(&first["overdue"]).contains(&picked.id));
        let before_overdue = first["figures"]["overall"]["overdue"].as_i64().unwrap();
        let before_dept = department(&first["figures"]["departments"], &picked.lead)["overdue"]
            .as_i64()
            .unwrap();

        // Later, the lead department reports the task done.
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", picked.id),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã hoàn thành", "completed_on": "2026-11-24"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        // The snapshot is exactly as frozen.
        let again = app
            .get_json(&format!("/api/v1/snapshots/{first_id}"), &leader)
            .await;
        assert_eq!(again, first, "later edits do not change a snapshot");

        // Compared with now: one fewer overdue, in that department, and the task is no longer overdue.
        let c = app
            .get_json(
                &format!("/api/v1/snapshots/{first_id}/compare?to=now"),
                &leader,
            )
            .await;
        assert_eq!(c["from"]["id"], first_id);
        assert!(c["to"]["id"].is_null());
        assert_eq!(
            c["total"]["overdue"],
            json!({"before": before_overdue, "after": before_overdue - 1, "change": -1})
        );
        assert_eq!(c["total"]["completed"]["change"], 1);
        let d = department(&c["departments"], &picked.lead);
        assert_eq!(d["overdue"]["before"], before_dept);
        assert_eq!(d["overdue"]["change"], -1);
        assert_eq!(ids(&c["no_longer_overdue"]), vec![picked.id]);
        assert_eq!(
            c["no_longer_overdue"][0]["lead_department_code"],
            picked.lead
        );
        assert!(ids(&c["newly_overdue"]).is_empty());

        // A second snapshot; comparing the two gives the same answer, and the reverse the opposite.
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&admin),
                json!({"title": "Giao ban tuần 49"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let second: Value = r.json().await.unwrap();
        let second_id = second["id"].as_i64().unwrap();
        assert_eq!(second["year"], 2026, "defaults to the current year");
        let c2 = app
            .get_json(
                &format!("/api/v1/snapshots/{first_id}/compare?to={second_id}"),
                &leader,
            )
            .await;
        assert_eq!(c2["total"], c["total"]);
        assert_eq!(c2["departments"], c["departments"]);
        assert_eq!(ids(&c2["no_longer_overdue"]), vec![picked.id]);
        let back = app
            .get_json(
                &format!("/api/v1/snapshots/{second_id}/compare?to={first_id}"),
                &leader,
            )
            .await;
        assert_eq!(back["total"]["overdue"]["change"], 1);
        assert_eq!(ids(&back["newly_overdue"]), vec![picked.id]);

        // The list, newest first; unknown ids and bad `to` are refused by name.
        let list = app.get_json("/api/v1/snapshots", &leader).await;
        let listed: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert_eq!(listed, vec![second_id, first_id]);
        assert!(
            list[0].get("figures").is_none(),
            "the list carries no content"
        );
        let r = app
            .request(Method::GET, "/api/v1/snapshots/999999", Some(&leader), None)
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
        let r = app
            .request(
                Method::GET,
                &format!("/api/v1/snapshots/{first_id}/compare?to=abc"),
                Some(&leader),
                None,
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), vec!["to".to_string()]);
    }
}

#[tokio::test]
async fn explanation_requests_follow_the_permissions_and_the_workflow() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("pct.kinhte").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let lead = app.login(&staff_of(&picked.lead)).await;
        let coordinator = app.login(&staff_of(&picked.coordinator)).await;
        let unrelated = app.login(&staff_of(&picked.unrelated)).await;
        let path = format!("/api/v1/tasks/{}/explanations", picked.id);
        let history_before = app.history_len(picked.id, &admin).await;
        let ask =
            json!({"question": "Đề nghị giải trình lý do chậm tiến độ", "answer_by": "2026-11-30"});

        // Only leaders and admins ask.
        for token in [&lead, &coordinator, &unrelated] {
            let r = app.post(&path, Some(token), ask.clone()).await;
            expect_problem(r, StatusCode::FORBIDDEN).await;
        }
        let r = app.post(&path, None, ask.clone()).await;
        expect_problem(r, StatusCode::UNAUTHORIZED).await;
        // The answer-by date must be after today; the question is required.
        for (body, field) in [
            (
                json!({"question": "Vì sao?", "answer_by": "2026-11-25"}),
                "answer_by",
            ),
            (
                json!({"question": "Vì sao?", "answer_by": "hôm qua"}),
                "answer_by",
            ),
            (
                json!({"question": "  ", "answer_by": "2026-11-30"}),
                "question",
            ),
        ] {
            let r = app.post(&path, Some(&leader), body).await;
            let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error_fields(&problem), vec![field.to_string()], "{problem}");
        }
        // Only overdue tasks.
        let on_track = app.pick_task(&admin, "on_track").await;
        let r = app
            .post(
                &format!("/api/v1/tasks/{}/explanations", on_track.id),
                Some(&leader),
                ask.clone(),
            )
            .await;
        expect_problem(r, StatusCode::CONFLICT).await;
        let r = app
            .post(
                "/api/v1/tasks/999999/explanations",
                Some(&leader),
                ask.clone(),
            )
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;

        // The leader asks.
        let r = app.post(&path, Some(&leader), ask.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["state"], "open");
        assert_eq!(created["department"]["code"], picked.lead);
        assert_eq!(created["answer_by"], "2026-11-30");
        assert_eq!(created["requested_by"]["username"], "pct.kinhte");
        assert_eq!(app.history_len(picked.id, &admin).await, history_before + 1);
        // A second open request on the same task is refused.
        let r = app.post(&path, Some(&admin), ask.clone()).await;
        expect_problem(r, StatusCode::CONFLICT).await;

        // Exactly one notice, to the lead department's staff, linked to the task.
        let key = format!("explanation-request:{id}");
        let notices = app
            .get_json("/api/v1/notifications?kind=explanation-request", &leader)
            .await;
        let items = notices["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{:?}: {notices}", app.backend);
        let n = &items[0];
        assert_eq!(n["idempotency_key"], key);
        assert_eq!(n["state"], "pending");
        assert_eq!(n["department"], picked.lead);
        let recipients: Vec<String> = n["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect();
        assert!(
            recipients
                .iter()
                .any(|r| r.starts_with(&format!("{}@", staff_of(&picked.lead)))),
            "staff of the lead department: {recipients:?}"
        );
        assert!(
            recipients
                .iter()
                .all(|r| !r.starts_with(&format!("{}@", staff_of(&picked.unrelated))))
        );
        let subject = n["subject"].as_str().unwrap();
        assert!(subject.starts_with("[Yêu cầu giải trình]"), "{subject}");
        assert!(subject.contains("30/11/2026"), "{subject}");
        let of_task = app
            .get_json(
                &format!("/api/v1/notifications?task_id={}", picked.id),
                &leader,
            )
            .await;
        assert!(
            of_task["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["idempotency_key"] == key),
            "linked to the task"
        );

        // Reading: the lead and coordinating departments and leaders; not other staff.
        for token in [&lead, &coordinator, &leader, &admin] {
            let one = app
                .get_json(&format!("/api/v1/explanations/{id}"), token)
                .await;
            assert_eq!(one["question"], created["question"]);
            let list = app.get_json("/api/v1/explanations", token).await;
            assert!(
                list.as_array().unwrap().iter().any(|e| e["id"] == id),
                "{list}"
            );
            let of_task = app.get_json(&path, token).await;
            assert_eq!(of_task[0]["id"], id);
        }
        let r = app
            .request(
                Method::GET,
                &format!("/api/v1/explanations/{id}"),
                Some(&unrelated),
                None,
            )
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = app
            .request(Method::GET, &path, Some(&unrelated), None)
            .await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let list = app
            .get_json("/api/v1/explanations?state=all", &unrelated)
            .await;
        assert!(
            list.as_array().unwrap().iter().all(|e| e["id"] != id),
            "other departments do not see it"
        );
        let r = app
            .request(
                Method::GET,
                "/api/v1/explanations?state=maybe",
                Some(&leader),
                None,
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), vec!["state".to_string()]);

        // Answering: the lead department only.
        let answer_path = format!("/api/v1/explanations/{id}/answer");
        let answer = json!({"answer": "Do vướng mặt bằng; dự kiến hoàn thành trong tháng 12."});
        for (token, status) in [
            (&coordinator, StatusCode::FORBIDDEN),
            (&unrelated, StatusCode::FORBIDDEN),
            (&leader, StatusCode::FORBIDDEN),
        ] {
            let r = app.post(&answer_path, Some(token), answer.clone()).await;
            expect_problem(r, status).await;
        }
        let r = app
            .post(&answer_path, Some(&lead), json!({"answer": ""}))
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), vec!["answer".to_string()]);
        let r = app.post(&answer_path, Some(&lead), answer.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let answered: Value = r.json().await.unwrap();
        assert_eq!(answered["state"], "answered");
        assert_eq!(answered["answer"], answer["answer"]);
        assert_eq!(answered["answered_by"]["username"], staff_of(&picked.lead));
        let r = app.post(&answer_path, Some(&lead), answer.clone()).await;
        expect_problem(r, StatusCode::CONFLICT).await;

        // The answer is in the task history.
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        let last = history.as_array().unwrap().last().unwrap();
        assert_eq!(last["action"], "explanation_answered");
        assert_eq!(last["note"], answer["answer"]);
        // Answered requests leave the open list; a new request may be made.
        let open = app.get_json("/api/v1/explanations", &leader).await;
        assert!(open.as_array().unwrap().iter().all(|e| e["id"] != id));
        let answered_list = app
            .get_json("/api/v1/explanations?state=answered", &leader)
            .await;
        assert!(
            answered_list
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == id)
        );
        let r = app.post(&path, Some(&admin), ask.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let notices = app
            .get_json("/api/v1/notifications?kind=explanation-request", &leader)
            .await;
        assert_eq!(notices["total"], 2, "one notice per request");
    }
}

/// A cookie session, as a browser has after logging in (no redirects followed).
async fn session(app: &TestApp, username: &str) -> (Client, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let password = match username {
        "admin" => app.settings.demo.admin_password.clone(),
        u if u.starts_with("cb.") => app.settings.demo.staff_password.clone(),
        _ => app.settings.demo.leader_password.clone(),
    };
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    (client, csrf)
}

#[tokio::test]
async fn the_pages_forms_need_the_csrf_token_and_follow_the_policy() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin = app.login("admin").await;
    let picked = app.pick_task(&admin, "overdue").await;
    let (leader, leader_csrf) = session(&app, "chutich").await;
    let (staff, staff_csrf) = session(&app, &staff_of(&picked.lead)).await;
    let (other, other_csrf) = session(&app, &staff_of(&picked.unrelated)).await;
    assert!(
        !leader_csrf.is_empty(),
        "the login answer carries the CSRF token"
    );

    // Without the token: nothing is taken or asked.
    for token in ["", "not-the-token"] {
        let r = leader
            .post(app.url("/snapshots"))
            .form(&[("title", "Giao ban"), ("csrf_token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = leader
            .post(app.url(&format!("/tasks/{}/explanations", picked.id)))
            .form(&[
                ("question", "Vì sao chậm?"),
                ("answer_by", "30/11/2026"),
                ("csrf_token", token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.get_json("/api/v1/snapshots", &admin).await, json!([]));
    assert_eq!(
        app.get_json("/api/v1/explanations?state=all", &admin).await,
        json!([])
    );

    // Staff may not take snapshots, even with their token: the explaining 403 page.
    let r = staff
        .post(app.url("/snapshots"))
        .form(&[("title", "Giao ban"), ("csrf_token", staff_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_json("/api/v1/snapshots", &admin).await, json!([]));

    // With the token: the leader takes a snapshot and asks.
    let r = leader
        .post(app.url("/snapshots"))
        .form(&[
            ("title", "Giao ban <tuần> 48"),
            ("year", "2026"),
            ("csrf_token", leader_csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/snapshots/"), "{location}");
    let html = leader
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Giao ban &#60;tuần&#62; 48"),
        "titles are escaped"
    );
    assert!(!html.contains("Giao ban <tuần> 48"));
    let r = leader
        .post(app.url(&format!("/tasks/{}/explanations", picked.id)))
        .form(&[
            ("question", "Vì sao chậm?"),
            ("answer_by", "30/11/2026"),
            ("csrf_token", leader_csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let requests = app.get_json("/api/v1/explanations", &admin).await;
    assert_eq!(requests.as_array().unwrap().len(), 1);
    let id = requests[0]["id"].as_i64().unwrap();

    // Another department cannot answer (403 page); without the token nothing changes;
    // the lead department answers.
    let r = other
        .post(app.url(&format!("/explanations/{id}/answer")))
        .form(&[
            ("answer", "Không phải việc của tôi"),
            ("csrf_token", other_csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = staff
        .post(app.url(&format!("/explanations/{id}/answer")))
        .form(&[("answer", "Đã xong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json(&format!("/api/v1/explanations/{id}"), &admin)
            .await["state"],
        "open"
    );
    let r = staff
        .post(app.url(&format!("/explanations/{id}/answer")))
        .form(&[
            ("answer", "Đã xong"),
            ("back", &format!("/tasks/{}", picked.id)),
            ("csrf_token", staff_csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/tasks/{}", picked.id)
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/explanations/{id}"), &admin)
            .await["state"],
        "answered"
    );
}
