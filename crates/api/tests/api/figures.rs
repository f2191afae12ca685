//! The rules of the figures (`docs/figures.md`), played through the API over
//! a year of work on a moving clock: each figure means one thing, past figures do
//! not change, completion facts are the server's, deadlines move only as
//! extensions, and every number opens exactly its tasks.

use chrono::{DateTime, TimeZone, Utc};
use dondoc_core::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// 09:00 in Vietnam on a day.
fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

struct Office<'a> {
    app: &'a TestApp,
    hand: &'a ManualClock,
    leader: String,
    staff: String,
}

impl Office<'_> {
    fn day(&self, y: i32, m: u32, d: u32) {
        self.hand.set(morning(y, m, d));
    }

    async fn task(&self, code: &str, due: &str) -> i64 {
        let r = self
            .app
            .post(
                "/api/v1/tasks",
                Some(&self.leader),
                json!({"year": 2027, "code": code, "title": format!("Nhiệm vụ {code}"),
                       "field": "finance", "lead_department": "TCKH", "due_date": due}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "create {code}");
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    async fn patch(&self, id: i64, token: &str, body: Value) -> reqwest::Response {
        self.app
            .patch(&format!("/api/v1/tasks/{id}"), Some(token), body)
            .await
    }

    async fn get(&self, path: &str) -> Value {
        self.app.get_json(path, &self.leader).await
    }

    async fn review(&self, query: &str) -> Value {
        self.get(&format!("/api/v1/review?{query}")).await
    }

    /// Every figure of `figures` opens a list of exactly that many tasks.
    async fn check_links(&self, tasks_query: &str, figures: &Value, extra: &str) {
        for (key, value) in figures.as_object().unwrap() {
            if [
                "reminder_documents",
                "notices_sent",
                "completion_rate",
                "code",
                "name",
                "key",
            ]
            .contains(&key.as_str())
            {
                continue;
            }
            let list = self
                .get(&format!(
                    "/api/v1/tasks?{tasks_query}&figure={key}{extra}&per_page=200"
                ))
                .await;
            assert_eq!(
                &list["total"], value,
                "figure {key} ({tasks_query}{extra}) opens a list of another length"
            );
        }
    }
}

/// Figures of a review, without the fields that say when it was asked.
fn figures_of(review: &Value) -> Value {
    let mut r = review.clone();
    let o = r.as_object_mut().unwrap();
    o.remove("as_of_query");
    o.remove("tasks_query");
    r
}

#[tokio::test]
async fn a_year_of_work_replays_the_audit_findings() {
    for (app, hand) in spawn_clocked(morning(2027, 1, 4)).await {
        let office = Office {
            leader: app.login("chutich").await,
            staff: app.login("cb.tckh").await,
            app: &app,
            hand: &hand,
        };
        let leader = office.leader.clone();
        let staff = office.staff.clone();

        // 4 January 2027: the programme's tasks.
        let a = office.task("Q1-A", "2027-03-15").await;
        let b = office.task("Q1-B", "2027-03-20").await;
        let f = office.task("Q1-F", "2027-02-10").await;
        let c = office.task("Q2-C", "2027-06-30").await;
        let d = office.task("Q3-D", "2027-09-30").await;
        let e = office.task("Q4-E", "2027-12-15").await;

        // Finding 8: a letter drafted in January about last year's tasks
        // names last year's programme.
        let late = office.get("/api/v1/letters/departments").await;
        let other = late
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .find(|c| c != "TCKH")
            .unwrap();
        let draft = office
            .get(&format!("/api/v1/letters/draft?department={other}"))
            .await;
        let subject = draft["subject"].as_str().unwrap();
        assert!(
            subject.contains("2026") && !subject.contains("2027"),
            "{subject}"
        );

        // 5 February: F's deadline is moved by a leader — an extension.
        office.day(2027, 2, 5);
        let r = office
            .patch(
                f,
                &leader,
                json!({"due_date": "2027-04-30", "note": "Chờ ý kiến Sở"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["original_due_date"], "2027-02-10");
        assert_eq!(body["extended"], true);

        // 10 March: A under way; B not started.
        office.day(2027, 3, 10);
        let r = office.patch(a, &staff, json!({"progress": 40})).await;
        assert_eq!(r.status(), StatusCode::OK);

        // 31 March, end of the first quarter: the review as it stands.
        office.day(2027, 3, 31);
        let q1_then = office.review("year=2027&quarter=1").await;
        let o = &q1_then["overall"];
        assert_eq!(
            (o["total"].as_i64(), o["completed"].as_i64()),
            (Some(3), Some(0))
        );
        assert_eq!(o["overdue"], 2, "A and B are late; F was extended");
        assert_eq!(
            (o["in_progress"].as_i64(), o["not_started"].as_i64()),
            (Some(1), Some(2))
        );
        office
            .check_links(q1_then["tasks_query"].as_str().unwrap(), o, "")
            .await;
        let overdue_then = office.get("/api/v1/overdue?year=2027&per_page=200").await;
        let ids = |page: &Value| -> Vec<i64> {
            let mut v: Vec<i64> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(ids(&overdue_then), vec![a, b]);

        // 10 April: A reported late; F reported on time after its extension.
        // Finding 4: the day typed does not count — the day of the report does.
        office.day(2027, 4, 10);
        let r = office
            .patch(
                a,
                &staff,
                json!({"status": "reported_done", "result_note": "Đã ban hành", "completed_on": "2027-03-01"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["completed_on"], "2027-04-10");
        assert_eq!(body["declared_completed_on"], "2027-03-01");
        assert_eq!(body["timeliness"], "completed_late");
        // … and no date before the task existed.
        let r = office
            .patch(
                f,
                &staff,
                json!({"status": "reported_done", "result_note": "Xong", "completed_on": "2026-12-01"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(error_fields(&problem).contains(&"completed_on".to_string()));
        let r = office
            .patch(
                f,
                &staff,
                json!({"status": "reported_done", "result_note": "Xong"}),
            )
            .await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["timeliness"], "completed_on_time_after_extension");

        // Finding 3: a deadline cannot move once the task is reported done.
        let r = office
            .patch(a, &leader, json!({"due_date": "2027-05-31"}))
            .await;
        expect_problem(r, StatusCode::CONFLICT).await;

        // The leader confirms A without accepting its declared day; staff
        // cannot rewrite the facts afterwards.
        let r = app
            .post(
                &format!("/api/v1/tasks/{a}/confirm"),
                Some(&leader),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = office
            .patch(a, &staff, json!({"completed_on": "2027-03-01"}))
            .await;
        expect_problem(r, StatusCode::CONFLICT).await;

        // 15 April: a reminder document about B.
        office.day(2027, 4, 15);
        let r = app
            .post(
                "/api/v1/documents",
                Some(&leader),
                json!({"number": "77/UBND-VP", "kind": "official_letter", "title": "V/v đôn đốc",
                       "issued_on": "2027-04-15", "signer": "Chủ tịch",
                       "links": [{"task_id": b, "relation": "reminds"}]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // 5 May: finding 1 — the first quarter's review has not moved.
        office.day(2027, 5, 5);
        let q1_later = office.review("year=2027&quarter=1").await;
        assert_eq!(figures_of(&q1_later), figures_of(&q1_then));
        assert_eq!(q1_later["as_of"], "2027-03-31");
        assert!(
            q1_later["heading_vi"]
                .as_str()
                .unwrap()
                .contains("31/03/2027")
        );
        // Finding 7: the overdue list of a past day is the list of that day.
        let overdue_past = office
            .get("/api/v1/overdue?year=2027&as_of=2027-03-31&per_page=200")
            .await;
        assert_eq!(ids(&overdue_past), vec![a, b]);
        assert_eq!(overdue_past["as_of"], "2027-03-31");
        let now = office.get("/api/v1/overdue?year=2027&per_page=200").await;
        assert_eq!(ids(&now), vec![b]);

        // Finding 2 and 8: the same quarter as of today reports the
        // extension apart and says "chưa triển khai".
        let q1_now = office.review("year=2027&quarter=1&as_of=2027-05-05").await;
        let o = &q1_now["overall"];
        assert_eq!(
            (
                o["completed_on_time"].as_i64(),
                o["completed_on_time_after_extension"].as_i64(),
                o["completed_late"].as_i64()
            ),
            (Some(0), Some(1), Some(1))
        );
        let p = q1_now["paragraph_vi"].as_str().unwrap();
        assert!(
            p.contains("0 nội dung hoàn thành đúng hạn, 1 nội dung hoàn thành đúng hạn sau khi được gia hạn, 1 nội dung hoàn thành quá hạn"),
            "{p}"
        );
        assert!(p.contains("1 nội dung chưa triển khai"), "{p}");
        office
            .check_links(q1_now["tasks_query"].as_str().unwrap(), o, "")
            .await;
        for row in q1_now["departments"].as_array().unwrap() {
            let extra = format!("&department={}", row["key"].as_str().unwrap());
            office
                .check_links(q1_now["tasks_query"].as_str().unwrap(), row, &extra)
                .await;
        }

        // Finding 8: the four quarters add up to the year.
        let year = office.review("year=2027&as_of=2027-05-05").await;
        let mut sums = std::collections::BTreeMap::<String, i64>::new();
        for q in 1..=4 {
            let quarter = office
                .review(&format!("year=2027&quarter={q}&as_of=2027-05-05"))
                .await;
            for (k, v) in quarter["overall"].as_object().unwrap() {
                if let Some(n) = v.as_i64()
                    && k != "reminder_documents"
                {
                    *sums.entry(k.clone()).or_default() += n;
                }
            }
        }
        for (k, total) in &sums {
            assert_eq!(year["overall"][k].as_i64(), Some(*total), "{k}");
        }
        assert_eq!(year["overall"]["total"], 6);
        let _ = (c, d, e);

        // Finding 5: one count of reminder documents for the year.
        let stats = office.get("/api/v1/stats?year=2027").await;
        assert_eq!(stats["overall"]["reminder_documents"], 1);
        assert_eq!(
            office.review("year=2027").await["reminder_documents"],
            stats["overall"]["reminder_documents"]
        );
        office
            .check_links(
                stats["tasks_query"].as_str().unwrap(),
                &stats["overall"],
                "",
            )
            .await;

        // Finding 6: a snapshot's summary is its figures; /metrics keeps
        // last year's open tasks, labelled by year.
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&leader),
                json!({"title": "Giao ban tháng 5", "year": 2027}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let snapshot = office.get(&format!("/api/v1/snapshots/{id}")).await;
        assert_eq!(
            snapshot["overdue_tasks"],
            snapshot["figures"]["overall"]["overdue"]
        );
        assert_eq!(
            snapshot["overdue"].as_array().unwrap().len() as i64,
            snapshot["overdue_tasks"].as_i64().unwrap()
        );
        office
            .check_links(
                snapshot["tasks_query"].as_str().unwrap(),
                &snapshot["figures"]["overall"],
                "",
            )
            .await;
        let metrics = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for year in ["2026", "2027"] {
            assert!(
                metrics.contains(&format!("year=\"{year}\"")),
                "no {year} gauges in\n{metrics}"
            );
        }
    }
}
