//! Workflow notices through the API and the pages: the bell's count moves
//! when the other side acts, each person reads only their own notices,
//! staff see only their department's notifications on a task (never the
//! leaders' escalations and addresses), and a deputy leader's dashboard is
//! his own tasks by default, with totals equal to the API's `leader` list.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{helpers::*, pages_access::browser_for};

/// An open task in charge of `leader`, with its lead department.
async fn open_task_of(app: &TestApp, admin: &str, leader: &str) -> (i64, String) {
    let page = app
        .get_json(
            &format!("/api/v1/tasks?leader={leader}&status=in_progress,not_started&per_page=200"),
            admin,
        )
        .await;
    let task = page["items"]
        .as_array()
        .unwrap()
        .first()
        .expect("an open task of the leader")
        .clone();
    (
        task["id"].as_i64().unwrap(),
        task["lead_department"]["code"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    app.get_json("/api/v1/notices/unread-count", token).await["unread"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_report_rings_the_leaders_bell_and_only_his() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let (id, lead) = open_task_of(&app, &admin, "pct.kinhte").await;
        let staff = app.login(&staff_of(&lead)).await;
        let leader = app.login("pct.kinhte").await;
        let chairman = app.login("chutich").await;
        let before = unread(&app, &leader).await;
        let chairman_before = unread(&app, &chairman).await;

        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Đã hoàn thành, báo cáo số 12/BC"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{:?}", app.backend);
        assert_eq!(unread(&app, &leader).await, before + 1, "{:?}", app.backend);
        assert_eq!(
            unread(&app, &chairman).await,
            chairman_before,
            "not in charge"
        );
        let list = app.get_json("/api/v1/notices?unread=true", &leader).await;
        let notice = list["items"][0].clone();
        assert_eq!(notice["kind"], "reported_done");
        assert_eq!(notice["task_id"], id);
        assert_eq!(notice["note"], "Đã hoàn thành, báo cáo số 12/BC");
        let notice_id = notice["id"].as_i64().unwrap();

        // Someone else cannot read or mark it; a bad filter is named.
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/notices/{notice_id}/read"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .request(
                Method::GET,
                "/api/v1/notices?unread=maybe",
                Some(&leader),
                None,
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["unread".to_string()]);

        // The leader confirms: the department's staff are told.
        let staff_before = unread(&app, &staff).await;
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/confirm"),
                Some(&leader),
                json!({"accept": true}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        assert_eq!(unread(&app, &staff).await, staff_before + 1);
        let mine = app.get_json("/api/v1/notices", &staff).await;
        assert_eq!(mine["items"][0]["kind"], "confirmed");

        // Marking read brings the bell down.
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/notices/{notice_id}/read"),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(unread(&app, &leader).await, before);
        let all = app
            .request(Method::POST, "/api/v1/notices/read-all", Some(&staff), None)
            .await;
        assert_eq!(all.status(), StatusCode::OK);
        assert_eq!(unread(&app, &staff).await, 0);

        // Preferences: every kind listed; a bad value refused naming the kind.
        let prefs = app.get_json("/api/v1/notices/preferences", &staff).await;
        assert_eq!(prefs.as_array().unwrap().len(), 9);
        let r = app
            .request(
                Method::PUT,
                "/api/v1/notices/preferences",
                Some(&staff),
                Some(json!({"confirmed": "weekly"})),
            )
            .await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["confirmed".to_string()]);
        let saved: Value = app
            .request(
                Method::PUT,
                "/api/v1/notices/preferences",
                Some(&staff),
                Some(json!({"confirmed": "digest"})),
            )
            .await
            .json()
            .await
            .unwrap();
        let confirmed = saved
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "confirmed")
            .unwrap();
        assert_eq!(confirmed["mail"], "digest");
    }
}

#[tokio::test]
async fn staff_see_only_their_departments_notifications_on_a_task() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let (id, lead) = open_task_of(&app, &admin, "pct.quyhoach").await;
        let departments = app.get_json("/api/v1/departments", &admin).await;
        let lead_id = departments
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == lead.as_str())
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        // The leaders' escalation and the department's own reminder, both
        // about this task.
        let now = chrono::Utc::now();
        for (key, kind, department, to) in [
            (
                "test-escalation",
                "escalation",
                None,
                "pct.quyhoach@bactanuyen.example",
            ),
            (
                "test-department",
                "department-digest",
                Some(lead_id),
                "dept@example.test",
            ),
        ] {
            dondoc_core::followup::outbox::enqueue(
                &app.db,
                now,
                &dondoc_core::followup::outbox::NewNotification {
                    idempotency_key: key.into(),
                    kind: kind.into(),
                    for_date: today(),
                    department_id: department,
                    user_id: None,
                    recipients: vec![to.into()],
                    subject: format!("{kind} subject"),
                    body_text: "x".into(),
                    body_html: "x".into(),
                    task_ids: vec![id],
                    undeliverable: None,
                },
                "dondoc.test",
            )
            .await
            .unwrap();
        }
        let kinds = |task: &Value| -> Vec<String> {
            task["notices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["kind"].as_str().unwrap().to_string())
                .collect()
        };
        let leader = app.login("pct.quyhoach").await;
        let seen_by_leader = kinds(&app.task(id, &leader).await);
        assert!(
            seen_by_leader.contains(&"escalation".to_string()),
            "{seen_by_leader:?}"
        );
        let staff = app.login(&staff_of(&lead)).await;
        let staff_view = app.task(id, &staff).await;
        let seen_by_staff = kinds(&staff_view);
        assert!(
            seen_by_staff.contains(&"department-digest".to_string()),
            "{seen_by_staff:?}"
        );
        assert!(
            !seen_by_staff.contains(&"escalation".to_string()),
            "{seen_by_staff:?}"
        );
        assert!(
            !staff_view["notices"].to_string().contains("pct.quyhoach@"),
            "a leader's address shown to staff"
        );
        // The task's page says the same.
        let browser = browser_for(&app, Some(&staff_of(&lead))).await;
        let html = browser
            .get(app.url(&format!("/tasks/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("department-digest subject"));
        assert!(!html.contains("escalation subject") && !html.contains("pct.quyhoach@"));
    }
}

/// The number of a figure card on a dashboard page.
fn card(html: &str, figure: &str) -> i64 {
    let marker = format!("data-figure=\"{figure}\"><span class=\"value\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {figure} card"));
    let rest = &html[at + marker.len()..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    rest[start..end].trim().parse().unwrap()
}

#[tokio::test]
async fn a_deputy_leaders_dashboard_is_his_own_tasks_and_adds_up() {
    for app in spawn_apps().await {
        let leader = app.login("pct.kinhte").await;
        let stats = app.get_json("/api/v1/stats", &leader).await;
        let year = stats["year"].as_i64().unwrap();
        let whole = stats["overall"]["total"].as_i64().unwrap();
        let own = app
            .get_json(
                &format!("/api/v1/tasks?year={year}&leader=pct.kinhte&per_page=1"),
                &leader,
            )
            .await["total"]
            .as_i64()
            .unwrap();
        let own_stats = app
            .get_json("/api/v1/stats?leader=pct.kinhte", &leader)
            .await;
        assert_eq!(own_stats["overall"]["total"].as_i64().unwrap(), own);
        assert!(own > 0 && own < whole, "{own} of {whole}");

        let browser = browser_for(&app, Some("pct.kinhte")).await;
        let page = |path: &'static str| {
            let browser = browser.clone();
            let url = app.url(path);
            async move {
                let html = browser.get(url).send().await.unwrap().text().await.unwrap();
                html.replace("&#38;", "&").replace("&amp;", "&")
            }
        };
        let html = page("/dashboard").await;
        assert_eq!(card(&html, "total"), own, "{:?}", app.backend);
        assert!(html.contains("id=\"view-switch\""));
        assert!(html.contains("href=\"/tasks?year="), "cards open lists");
        assert!(
            html.contains("leader=pct.kinhte&figure=total"),
            "the cards keep the scope"
        );
        let overdue_own = card(&html, "overdue");
        let listed = app
            .get_json(
                &format!("/api/v1/tasks?year={year}&leader=pct.kinhte&figure=overdue&per_page=1"),
                &leader,
            )
            .await["total"]
            .as_i64()
            .unwrap();
        assert_eq!(overdue_own, listed);
        // One click to the whole organisation.
        let html = page("/dashboard?scope=all").await;
        assert_eq!(card(&html, "total"), whole);
        assert!(
            html.contains("scope=all&figure=total"),
            "its lists stay whole"
        );
        // The overdue page and the task list follow the same default.
        let html = page("/overdue").await;
        let own_overdue = app
            .get_json("/api/v1/overdue?leader=pct.kinhte&per_page=1", &leader)
            .await["total"]
            .as_i64()
            .unwrap();
        assert!(
            html.contains(&format!(
                "<strong id=\"overdue-total\">{own_overdue}</strong>"
            )),
            "overdue page total is the leader's {own_overdue}"
        );
        let html = page("/tasks?scope=all").await;
        assert!(html.contains("name=\"scope\" value=\"all\""));

        // The chairman sees the whole organisation by default.
        let chairman = browser_for(&app, Some("chutich")).await;
        let html = chairman
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(card(&html, "total"), whole);
    }
}

#[tokio::test]
async fn the_bell_shows_the_unread_count_and_the_notices_pages_work() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let (id, lead) = open_task_of(&app, &admin, "pct.vanhoa").await;
        let staff = app.login(&staff_of(&lead)).await;
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                json!({"status": "reported_done", "result_note": "Xong <b>đợt 1</b>"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let browser = browser_for(&app, Some("pct.vanhoa")).await;
        let leader = app.login("pct.vanhoa").await;
        let count = unread(&app, &leader).await;
        assert!(count >= 1);
        let html = browser
            .get(app.url("/notices"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("id=\"notice-count\">{count}<")),
            "the bell"
        );
        assert!(
            html.contains("Xong &#60;b&#62;đợt 1&#60;/b&#62;")
                || html.contains("Xong &lt;b&gt;đợt 1"),
            "escaped"
        );
        assert!(html.contains(&format!("href=\"/tasks/{id}\"")));
        // The preferences page, and a forged value re-shown with its message.
        let html = browser
            .get(app.url("/notices/preferences"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("name=\"reported_done\""));
        let csrf = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = browser
            .post(app.url("/notices/preferences"))
            .form(&[("csrf_token", csrf.as_str()), ("reported_done", "hourly")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"pref-reported_done-error\""),
            "message beside the field"
        );
        let r = browser
            .post(app.url("/notices/preferences"))
            .form(&[("csrf_token", csrf.as_str()), ("reported_done", "digest")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let prefs = app.get_json("/api/v1/notices/preferences", &leader).await;
        assert!(
            prefs
                .to_string()
                .contains("{\"kind\":\"reported_done\",\"mail\":\"digest\""),
            "{prefs}"
        );
        // Without the token nothing changes.
        let r = browser
            .post(app.url("/notices/read-all"))
            .form(&[("csrf_token", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(unread(&app, &leader).await, count);
        let r = browser
            .post(app.url("/notices/read-all"))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(unread(&app, &leader).await, 0);
    }
}
