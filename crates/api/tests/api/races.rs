//! A double click, or thirty, leaves one pending request per task: the
//! check for a pending request and the insert run under the task's row
//! lock, so parallel submits queue and all but the first find it.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps, staff_of};

/// Sends `body` to `path` `n` times at once; the statuses, in any order.
async fn post_parallel(app: &TestApp, path: &str, token: &str, body: Value, n: usize) -> Vec<u16> {
    let mut calls = Vec::new();
    for _ in 0..n {
        let request = app
            .client
            .post(app.url(path))
            .bearer_auth(token)
            .json(&body);
        calls.push(tokio::spawn(async move {
            request.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.await.unwrap());
    }
    statuses
}

fn tally(statuses: &[u16]) -> HashMap<u16, usize> {
    let mut out = HashMap::new();
    for s in statuses {
        *out.entry(*s).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn thirty_parallel_explanation_requests_make_one_request_and_one_mail() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("pct.kinhte").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let path = format!("/api/v1/tasks/{}/explanations", picked.id);
        let ask = json!({"question": "Vì sao chậm tiến độ?", "answer_by": "2026-11-30"});
        let statuses = post_parallel(&app, &path, &leader, ask, 30).await;
        assert_eq!(
            tally(&statuses),
            HashMap::from([(201, 1), (409, 29)]),
            "{:?}",
            app.backend
        );
        let notices = app
            .get_json("/api/v1/notifications?kind=explanation-request", &leader)
            .await;
        let items = notices["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{:?}: {notices}", app.backend);
        let requests = app
            .get_json(&format!("/api/v1/tasks/{}/explanations", picked.id), &admin)
            .await;
        assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    }
}

#[tokio::test]
async fn parallel_extension_requests_leave_one_pending_per_task() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("chutich").await;
        let already: HashSet<i64> = app
            .get_json("/api/v1/extensions?state=pending", &leader)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["task_id"].as_i64().unwrap())
            .collect();
        let page = app
            .get_json("/api/v1/tasks?timeliness=overdue&per_page=200", &admin)
            .await;
        let tasks: Vec<(i64, String)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let lead = t["lead_department"]["code"].as_str().unwrap().to_string();
                (t["id"].as_i64().unwrap(), lead)
            })
            .filter(|(id, _)| !already.contains(id))
            .take(10)
            .collect();
        assert_eq!(tasks.len(), 10, "ten overdue tasks without a request");
        let mut tokens = HashMap::new();
        for (_, lead) in &tasks {
            if !tokens.contains_key(lead) {
                tokens.insert(lead.clone(), app.login(&staff_of(lead)).await);
            }
        }
        // All thirty at once: three per task, ten tasks.
        let mut calls = Vec::new();
        for (id, lead) in &tasks {
            for _ in 0..3 {
                let request = app
                    .client
                    .post(app.url(&format!("/api/v1/tasks/{id}/extensions")))
                    .bearer_auth(&tokens[lead])
                    .json(&json!({"requested_due_date": "2027-12-31", "reason": "Chờ phê duyệt"}));
                calls.push((
                    *id,
                    tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }),
                ));
            }
        }
        let mut by_task: HashMap<i64, Vec<u16>> = HashMap::new();
        for (id, call) in calls {
            by_task.entry(id).or_default().push(call.await.unwrap());
        }
        for (id, statuses) in &by_task {
            assert_eq!(
                tally(statuses),
                HashMap::from([(201, 1), (409, 2)]),
                "task {id} on {:?}",
                app.backend
            );
        }
        let pending = app
            .get_json("/api/v1/extensions?state=pending", &leader)
            .await;
        for (id, _) in &tasks {
            let n = pending
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["task_id"] == *id)
                .count();
            assert_eq!(n, 1, "pending requests of task {id} on {:?}", app.backend);
        }
    }
}
