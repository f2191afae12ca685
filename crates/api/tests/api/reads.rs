//! What leaders and staff read: lists, the overdue list, statistics.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_leader_sees_the_demo_figures() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let all = app.get_json("/api/v1/tasks?per_page=200", &leader).await;
        assert_eq!(all["total"], 96);
        assert_eq!(all["items"].as_array().unwrap().len(), 96);
        for item in all["items"].as_array().unwrap() {
            for key in [
                "id",
                "year",
                "code",
                "title",
                "field",
                "status",
                "progress",
                "due_date",
                "original_due_date",
                "completed_on",
                "timeliness",
                "days_overdue",
                "lead_department",
                "coordinating_departments",
                "leader_in_charge",
                "version",
            ] {
                assert!(item.get(key).is_some(), "task JSON lacks {key}");
            }
        }

        let overdue = app.get_json("/api/v1/overdue?per_page=200", &leader).await;
        assert_eq!(overdue["total"], 16);
        assert_eq!(overdue["as_of"], "2026-11-25");
        let days: Vec<i64> = overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["days_overdue"].as_i64().unwrap())
            .collect();
        let mut sorted = days.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(days, sorted, "oldest first");
        assert!(
            overdue["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["reminder_documents"].as_i64().unwrap() >= 1)
        );

        let stats = app.get_json("/api/v1/stats?year=2026", &leader).await;
        let o = &stats["overall"];
        assert_eq!(o["total"], 96);
        assert_eq!(o["overdue"], 16);
        assert_eq!(o["completed_late"], 10);
        assert_eq!(o["reminder_documents"], 25);
        // Done = on time + on time after an extension + late: an extension
        // never hides in "on time".
        assert_eq!(
            o["completed"].as_i64().unwrap(),
            o["completed_on_time"].as_i64().unwrap()
                + o["completed_on_time_after_extension"].as_i64().unwrap()
                + o["completed_late"].as_i64().unwrap()
        );
        assert!(o["completed_on_time_after_extension"].as_i64().unwrap() > 0);
        let sum = |key: &str| -> i64 {
            stats["departments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d[key].as_i64().unwrap())
                .sum()
        };
        assert_eq!(sum("total"), 96);
        assert_eq!(sum("overdue"), 16);
        let by_field: i64 = stats["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["total"].as_i64().unwrap())
            .sum();
        assert_eq!(by_field, 96);
        assert!(
            o["overdue_over_30_days"].as_i64().unwrap()
                >= o["overdue_over_60_days"].as_i64().unwrap()
        );
    }
}

#[tokio::test]
async fn filters_sort_and_paging() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let fetch = |q: &'static str| {
            let app = &app;
            let leader = leader.clone();
            async move { app.get_json(&format!("/api/v1/tasks?{q}"), &leader).await }
        };
        let tnmt = fetch("department=TNMT&per_page=200").await;
        assert!(tnmt["total"].as_u64().unwrap() > 0);
        assert!(
            tnmt["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["lead_department"]["code"] == "TNMT")
        );
        let coordinating = fetch("department=TNMT&involvement=coordinating&per_page=200").await;
        assert!(coordinating["items"].as_array().unwrap().iter().all(|t| {
            t["coordinating_departments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "TNMT")
        }));
        let field = fetch("field=site_clearance&per_page=200").await;
        assert!(
            field["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["field"] == "site_clearance")
        );
        let two = fetch("timeliness=overdue,due_soon&per_page=200").await;
        assert_eq!(two["total"].as_u64().unwrap(), 16 + 6);
        let leader_tasks = fetch("leader=pct.quyhoach&per_page=200").await;
        assert!(
            leader_tasks["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["leader_in_charge"]["username"] == "pct.quyhoach")
        );
        let search = fetch("q=da%20ban").await;
        assert!(
            search["total"].as_u64().unwrap() > 0,
            "search for Đá Bàn without diacritics"
        );
        let range = fetch("due_from=2026-11-25&due_to=2026-12-02&per_page=200").await;
        assert!(range["items"].as_array().unwrap().iter().all(|t| {
            let d = t["due_date"].as_str().unwrap();
            ("2026-11-25"..="2026-12-02").contains(&d)
        }));
        let desc = fetch("sort=-due_date&per_page=5").await;
        let dates: Vec<&str> = desc["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["due_date"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        let page3 = fetch("per_page=40&page=3").await;
        assert_eq!(page3["items"].as_array().unwrap().len(), 16);
        assert_eq!(page3["page"], 3);
        assert_eq!(page3["per_page"], 40);
    }
}

#[tokio::test]
async fn staff_see_their_department_and_the_task_detail() {
    for app in spawn_apps().await {
        let staff = app.login("cb.tnmt").await;
        let mine = app.get_json("/api/v1/tasks?per_page=200", &staff).await;
        assert!(mine["total"].as_u64().unwrap() > 0);
        let id = mine["items"][0]["id"].as_i64().unwrap();
        let detail = app.task(id, &staff).await;
        for key in [
            "documents",
            "extension_requests",
            "notices",
            "permissions",
            "timeliness",
            "coordinating_departments",
        ] {
            assert!(detail.get(key).is_some(), "detail lacks {key}");
        }
        let r = app
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/tasks/{id}"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get("etag").is_some());
        let _: Value = r.json().await.unwrap();
        let depts = app.get_json("/api/v1/departments", &staff).await;
        assert_eq!(depts.as_array().unwrap().len(), 30);
        let fields = app.get_json("/api/v1/fields", &staff).await;
        assert_eq!(fields.as_array().unwrap().len(), 12);
    }
}

/// The overdue lists are answered from memory while nothing changed; a
/// change through the API shows in the very next answer, and no reader is
/// served another's.
#[tokio::test]
async fn a_kept_overdue_answer_never_hides_a_change_or_crosses_readers() {
    for app in spawn_apps_with(|s| s.server.read_cache_ms = 60_000).await {
        let leader = app.login("chutich").await;
        let admin = app.login("admin").await;
        let first = app.get_json("/api/v1/overdue?per_page=5", &leader).await;
        let again = app.get_json("/api/v1/overdue?per_page=5", &leader).await;
        assert_eq!(first, again);
        let task = &first["items"][0];
        let id = task["id"].as_i64().unwrap();
        let progress = if task["progress"] == 35 { 45 } else { 35 };
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&admin),
                json!({"progress": progress}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let after = app.get_json("/api/v1/overdue?per_page=5", &leader).await;
        let shown = after["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == id)
            .expect("the task is still overdue");
        assert_eq!(shown["progress"], progress);
        let grouped = app.get_json("/api/v1/overdue/by-department", &leader).await;
        assert_eq!(grouped["total"], after["total"]);

        // Staff of one department read their own list, not the leader's kept one.
        let code = task["lead_department"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let staff = app.login(&staff_of(&code)).await;
        let theirs = app.get_json("/api/v1/overdue?per_page=5", &staff).await;
        for item in theirs["items"].as_array().unwrap() {
            assert_eq!(item["lead_department"]["code"], code.as_str());
        }
        assert!(theirs["total"].as_u64().unwrap() <= after["total"].as_u64().unwrap());
    }
}

/// The leaders' pages are kept like the overdue answers: a change through
/// the API shows on the very next page, a language chosen shows at once,
/// and no session is served another's page.
#[tokio::test]
async fn a_kept_page_never_hides_a_change_or_crosses_sessions() {
    for app in spawn_apps_with(|s| s.server.read_cache_ms = 60_000).await {
        let admin = app.login("admin").await;
        let leader = crate::pages_access::browser_for(&app, Some("chutich")).await;
        let page = |client: &reqwest::Client, path: &str| {
            let request = client.get(app.url(path));
            async move {
                let r = request.send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.text().await.unwrap()
            }
        };
        let first = page(&leader, "/overdue").await;
        assert_eq!(first, page(&leader, "/overdue").await);
        let oldest = app.get_json("/api/v1/overdue?per_page=1", &admin).await;
        let id = oldest["items"][0]["id"].as_i64().unwrap();
        let code = oldest["items"][0]["lead_department"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let title = "Nhiệm vụ đã đổi tên trong lúc trang được giữ";
        assert!(!first.contains(title));
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&admin),
                json!({"title": title}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        assert!(
            page(&leader, "/overdue").await.contains(title),
            "the next page shows the change"
        );
        let dashboard = page(&leader, "/dashboard").await;
        assert_eq!(dashboard, page(&leader, "/dashboard").await);

        // Another person's session: their own page, in their own scope.
        let staff = crate::pages_access::browser_for(&app, Some(&staff_of(&code))).await;
        let theirs = page(&staff, "/overdue").await;
        assert!(
            theirs.contains(title),
            "the renamed task is their department's"
        );
        assert_ne!(theirs, page(&leader, "/overdue").await);

        // The language switch answers with a redirect and a cookie: the
        // next page is in the new language, not the page kept before.
        let r = leader
            .get(app.url("/lang/en"))
            .header("Sec-Fetch-Site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let english = page(&leader, "/dashboard").await;
        assert_ne!(english, dashboard, "the language is part of what is kept");
        assert_eq!(english, page(&leader, "/dashboard").await);
    }
}

/// Under a stream of writes, readers share the figures of the last look at
/// the clock (at most `figures.refresh_ms` old), while a writer's own next
/// read shows its write at once.
#[tokio::test]
async fn a_writer_reads_its_write_at_once_and_others_within_the_refresh() {
    fn slow_refresh(s: &mut dondoc_core::Settings) {
        s.figures.refresh_ms = 400;
        s.server.read_cache_ms = 60_000;
    }
    for app in spawn_apps_with(slow_refresh).await {
        let admin = app.login("admin").await;
        let leader = app.login("chutich").await;
        let before = app.get_json("/api/v1/overdue?per_page=1", &leader).await;
        let id = before["items"][0]["id"].as_i64().unwrap();
        let title = "Tiêu đề mới, đọc lại ngay sau khi sửa";
        let r = app
            .patch(
                &format!("/api/v1/tasks/{id}"),
                Some(&admin),
                json!({"title": title}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let mine = app.get_json("/api/v1/overdue?per_page=1", &admin).await;
        assert_eq!(
            mine["items"][0]["title"], title,
            "the writer sees it at once"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let theirs = app.get_json("/api/v1/overdue?per_page=1", &leader).await;
        assert_eq!(
            theirs["items"][0]["title"], title,
            "others within the refresh"
        );
    }
}
