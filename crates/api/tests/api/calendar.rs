//! Private calendar feeds: RFC 5545 output read back by a real parser
//! (python3-icalendar), revocation, scoping and permissions.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// A python3 that has the `icalendar` package (Debian: python3-icalendar).
fn ical_python() -> Option<String> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find_map(|candidate| {
            std::process::Command::new(candidate)
                .args(["-c", "import icalendar"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| candidate.to_string())
        })
}

const PARSE: &str = r#"
import sys, json, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
errors = [e for c in cal.walk() for e in getattr(c, 'errors', [])]
out = {"name": str(cal.get('X-WR-CALNAME')), "version": str(cal.get('VERSION')),
       "errors": [str(e) for e in errors], "events": []}
for ev in cal.walk('VEVENT'):
    start = ev.decoded('DTSTART')
    out["events"].append({
        "uid": str(ev.get('UID')),
        "summary": str(ev.get('SUMMARY')),
        "description": str(ev.get('DESCRIPTION')),
        "url": str(ev.get('URL')),
        "dtstart": start.isoformat(),
        "all_day": type(start) is datetime.date,
        "dtstamp": ev.decoded('DTSTAMP').isoformat(),
        "alarms": len([c for c in ev.subcomponents if c.name == 'VALARM']),
    })
print(json.dumps(out, ensure_ascii=False))
"#;

/// The feed parsed by python3-icalendar, or `None` (after a loud skip, or a
/// failure when DONDOC_TEST_REQUIRE names `ical`) without it.
fn parse_with_icalendar(body: &[u8]) -> Option<Value> {
    let Some(python) = ical_python() else {
        dondoc_core::testing::skip(
            "ical",
            "python3 with the icalendar package is not installed (Debian: apt-get install python3-icalendar); the feed was not read back by a real parser",
        );
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    std::fs::write(&path, body).unwrap();
    let output = std::process::Command::new(python)
        .args(["-c", PARSE])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "icalendar could not read the feed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// RFC 5545 §3.1 on the raw bytes: CRLF only, at most 75 octets per
/// physical line, and no line that splits a UTF-8 character.
fn check_raw_format(body: &[u8]) -> String {
    assert!(body.ends_with(b"\r\n"));
    for (i, byte) in body.iter().enumerate() {
        if *byte == b'\n' {
            assert!(i > 0 && body[i - 1] == b'\r', "bare LF at byte {i}");
        }
        if *byte == b'\r' {
            assert_eq!(body.get(i + 1), Some(&b'\n'), "bare CR at byte {i}");
        }
    }
    let mut lines = Vec::new();
    for line in body[..body.len() - 1].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap();
        assert!(line.len() <= 75, "a line of {} octets", line.len());
        lines.push(
            std::str::from_utf8(line)
                .expect("a folded line split a UTF-8 character")
                .to_string(),
        );
    }
    // Unfolded: a continuation line starts with one space.
    lines.join("\r\n").replace("\r\n ", "")
}

/// Undoes RFC 5545 TEXT escaping.
fn unescape(text: &str) -> String {
    text.replace("\\n", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

async fn feed(app: &TestApp, url: &str) -> reqwest::Response {
    let path = url.split_once("/calendar/").unwrap().1;
    app.client
        .get(app.url(&format!("/calendar/{path}")))
        .send()
        .await
        .unwrap()
}

async fn make_feed(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .post("/api/v1/calendar-feeds", Some(token), body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "POST {body}");
    r.json().await.unwrap()
}

async fn all_tasks(app: &TestApp, admin: &str) -> Vec<Value> {
    app.get_json("/api/v1/tasks?per_page=200", admin).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn is_open(t: &Value) -> bool {
    matches!(t["status"].as_str(), Some("not_started" | "in_progress"))
}

#[tokio::test]
async fn a_department_feed_lists_its_open_deadlines_and_a_real_parser_reads_it() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let made = make_feed(&app, &staff, json!({"scope": "department"})).await;
        assert_eq!(made["scope"], "department");
        assert_eq!(made["department"]["code"], picked.lead.as_str());
        let url = made["url"].as_str().unwrap().to_string();
        assert!(url.starts_with(app.settings.public_url()));
        assert!(url.contains(made["token"].as_str().unwrap()));

        let r = feed(&app, &url).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let body = r.bytes().await.unwrap().to_vec();
        let unfolded = check_raw_format(&body);

        let tasks = all_tasks(&app, &admin).await;
        let expected: Vec<&Value> = tasks
            .iter()
            .filter(|t| t["lead_department"]["code"] == picked.lead.as_str() && is_open(t))
            .collect();
        let others: Vec<&Value> = tasks
            .iter()
            .filter(|t| t["lead_department"]["code"] != picked.lead.as_str())
            .collect();
        assert!(expected.iter().any(|t| t["timeliness"] == "overdue"));
        // Titles keep their diacritics (and punctuation, escaped) once unfolded.
        for t in &expected {
            let title = t["title"].as_str().unwrap();
            let escaped = title
                .replace('\\', "\\\\")
                .replace(';', "\\;")
                .replace(',', "\\,");
            assert!(unfolded.contains(&escaped), "missing title {title}");
        }
        for t in &others {
            assert!(
                !unfolded.contains(&format!("UID:dondoc-task-{}@", t["id"])),
                "another department's task {} is in the feed",
                t["code"]
            );
        }
        // Every event line of the raw text, unescaped, carries the marker.
        for t in expected.iter().filter(|t| t["timeliness"] == "overdue") {
            let marker = format!(
                "[QUÁ HẠN {} ngày] {} — {}",
                t["days_overdue"],
                t["code"].as_str().unwrap(),
                t["title"].as_str().unwrap()
            );
            assert!(
                unescape(&unfolded).contains(&marker),
                "no overdue marker for {}",
                t["code"]
            );
        }

        let Some(parsed) = parse_with_icalendar(&body) else {
            continue;
        };
        assert_eq!(parsed["version"], "2.0");
        assert!(parsed["errors"].as_array().unwrap().is_empty(), "{parsed}");
        assert!(
            parsed["name"]
                .as_str()
                .unwrap()
                .starts_with("Hạn nhiệm vụ — ")
        );
        let events = parsed["events"].as_array().unwrap();
        let uids: BTreeSet<String> = events
            .iter()
            .map(|e| e["uid"].as_str().unwrap().to_string())
            .collect();
        let host = app
            .settings
            .public_url()
            .split("://")
            .nth(1)
            .unwrap()
            .split(['/', ':'])
            .next()
            .unwrap();
        let wanted: BTreeSet<String> = expected
            .iter()
            .map(|t| format!("dondoc-task-{}@{host}", t["id"]))
            .collect();
        assert_eq!(uids, wanted, "{:?}", app.backend);
        for t in &expected {
            let id = t["id"].as_i64().unwrap();
            let e = events
                .iter()
                .find(|e| e["uid"] == format!("dondoc-task-{id}@{host}").as_str())
                .unwrap();
            assert_eq!(e["dtstart"], t["due_date"]);
            assert_eq!(e["all_day"], true);
            assert_eq!(
                e["url"],
                format!("{}/tasks/{id}", app.settings.public_url()).as_str()
            );
            let title = t["title"].as_str().unwrap();
            let summary = e["summary"].as_str().unwrap();
            assert!(summary.ends_with(title), "{summary}");
            if t["timeliness"] == "overdue" {
                assert!(
                    summary.starts_with(&format!("[QUÁ HẠN {} ngày] ", t["days_overdue"])),
                    "{summary}"
                );
                assert_eq!(e["alarms"], 0);
            } else {
                assert!(!summary.starts_with("[QUÁ HẠN"), "{summary}");
                assert_eq!(e["alarms"], 1);
            }
            let description = e["description"].as_str().unwrap();
            assert!(description.contains("Đơn vị chủ trì: "), "{description}");
            assert!(description.contains('\n'));
            assert!(description.ends_with(&format!("/tasks/{id}")));
        }
        // The UID is stable: a second read gives the same ones.
        let again = feed(&app, &url).await.bytes().await.unwrap().to_vec();
        let reparsed = parse_with_icalendar(&again).unwrap();
        let again_uids: BTreeSet<String> = reparsed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uid"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(again_uids, uids);
    }
}

#[tokio::test]
async fn a_leader_feed_lists_the_tasks_in_their_charge() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let leader = app.login("pct.quyhoach").await;
        let made = make_feed(&app, &leader, json!({"scope": "leader"})).await;
        assert_eq!(made["leader"]["username"], "pct.quyhoach");
        let body = feed(&app, made["url"].as_str().unwrap())
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let unfolded = check_raw_format(&body);
        let tasks = all_tasks(&app, &admin).await;
        let mut ids: BTreeSet<i64> = BTreeSet::new();
        for line in unfolded.split("\r\n") {
            if let Some(rest) = line.strip_prefix("UID:dondoc-task-") {
                ids.insert(rest.split('@').next().unwrap().parse().unwrap());
            }
        }
        let wanted: BTreeSet<i64> = tasks
            .iter()
            .filter(|t| t["leader_in_charge"]["username"] == "pct.quyhoach" && is_open(t))
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert!(!wanted.is_empty());
        assert_eq!(ids, wanted);
        if let Some(parsed) = parse_with_icalendar(&body) {
            assert_eq!(parsed["events"].as_array().unwrap().len(), wanted.len());
            assert!(
                parsed["name"]
                    .as_str()
                    .unwrap()
                    .starts_with("Hạn nhiệm vụ — ")
            );
        }
    }
}

#[tokio::test]
async fn regenerating_or_revoking_a_feed_makes_the_old_url_404() {
    for app in spawn_apps().await {
        let staff = app.login("cb.tckh").await;
        let first = make_feed(&app, &staff, json!({"scope": "department"})).await;
        let first_url = first["url"].as_str().unwrap().to_string();
        assert_eq!(feed(&app, &first_url).await.status(), StatusCode::OK);

        // Regenerate: the old address stops, the new one works.
        let second = make_feed(
            &app,
            &staff,
            json!({"scope": "department", "department": "TCKH"}),
        )
        .await;
        let second_url = second["url"].as_str().unwrap().to_string();
        assert_ne!(first_url, second_url);
        expect_problem(feed(&app, &first_url).await, StatusCode::NOT_FOUND).await;
        assert_eq!(feed(&app, &second_url).await.status(), StatusCode::OK);
        let listed = app.get_json("/api/v1/calendar-feeds", &staff).await;
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["id"], second["id"]);
        assert!(listed[0].get("token").is_none());

        // Revoke.
        let id = second["id"].as_i64().unwrap();
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/calendar-feeds/{id}"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        expect_problem(feed(&app, &second_url).await, StatusCode::NOT_FOUND).await;
        assert!(
            app.get_json("/api/v1/calendar-feeds", &staff)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        // A feed stops with its maker's account.
        let third = make_feed(&app, &staff, json!({"scope": "department"})).await;
        let third_url = third["url"].as_str().unwrap().to_string();
        assert_eq!(feed(&app, &third_url).await.status(), StatusCode::OK);
        let admin = app.login("admin").await;
        let r = app
            .patch(
                "/api/v1/users/cb.tckh",
                Some(&admin),
                json!({"active": false}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        expect_problem(feed(&app, &third_url).await, StatusCode::NOT_FOUND).await;
        // Made-up tokens are not found either.
        expect_problem(
            app.client
                .get(app.url(&format!("/calendar/{}.ics", "0".repeat(64))))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[tokio::test]
async fn feeds_are_managed_only_for_ones_own_department_or_self() {
    for app in spawn_apps().await {
        let staff = app.login("cb.tckh").await;
        let leader = app.login("pct.quyhoach").await;
        let admin = app.login("admin").await;

        let r = app
            .post(
                "/api/v1/calendar-feeds",
                None,
                json!({"scope": "department"}),
            )
            .await;
        expect_problem(r, StatusCode::UNAUTHORIZED).await;
        for (token, body) in [
            (&staff, json!({"scope": "department", "department": "TNMT"})),
            (&staff, json!({"scope": "leader", "leader": "pct.kinhte"})),
            (
                &leader,
                json!({"scope": "department", "department": "TCKH"}),
            ),
            (&leader, json!({"scope": "leader", "leader": "pct.kinhte"})),
        ] {
            let r = app
                .post("/api/v1/calendar-feeds", Some(token), body.clone())
                .await;
            expect_problem(r, StatusCode::FORBIDDEN).await;
        }
        let r = app
            .post(
                "/api/v1/calendar-feeds",
                Some(&staff),
                json!({"scope": "week"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["scope"]);
        let r = app
            .post(
                "/api/v1/calendar-feeds",
                Some(&admin),
                json!({"scope": "department", "department": "KHONGCO"}),
            )
            .await;
        let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["department"]);

        // An admin makes any department's feed; its staff see it, others do not.
        let tnmt = make_feed(
            &app,
            &admin,
            json!({"scope": "department", "department": "TNMT"}),
        )
        .await;
        let leaders = make_feed(
            &app,
            &admin,
            json!({"scope": "leader", "leader": "pct.kinhte"}),
        )
        .await;
        assert!(
            app.get_json("/api/v1/calendar-feeds", &staff)
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        let tnmt_staff = app.login("cb.tnmt").await;
        assert_eq!(
            app.get_json("/api/v1/calendar-feeds", &tnmt_staff)
                .await
                .as_array()
                .unwrap()
                .len(),
            1
        );
        for (token, id) in [(&staff, &tnmt["id"]), (&leader, &leaders["id"])] {
            let r = app
                .request(
                    Method::DELETE,
                    &format!("/api/v1/calendar-feeds/{id}"),
                    Some(token),
                    None,
                )
                .await;
            expect_problem(r, StatusCode::FORBIDDEN).await;
        }
        assert_eq!(
            feed(&app, tnmt["url"].as_str().unwrap()).await.status(),
            StatusCode::OK
        );
        let r = app
            .request(
                Method::DELETE,
                "/api/v1/calendar-feeds/999999",
                Some(&admin),
                None,
            )
            .await;
        expect_problem(r, StatusCode::NOT_FOUND).await;
    }
}
