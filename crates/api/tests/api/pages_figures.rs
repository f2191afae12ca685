//! Every number on the figures pages opens its tasks: each link on the
//! dashboard (leader and staff), the Q1 review as of 31/03, the year's
//! review and a snapshot is followed to `/api/v1/tasks` with the same query,
//! and the list's total must be the number shown. Every figure names its
//! scope; `/report` leads to the one review page; staff cannot ask for a
//! past day.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::pages_access::browser_for;

/// A number on a page and the task list its link opens.
#[derive(Debug)]
struct NumberLink {
    query: String,
    value: i64,
}

fn unescape(text: &str) -> String {
    text.replace("&#38;", "&").replace("&amp;", "&")
}

/// The text of the first text node after `from` (tags skipped).
fn first_text(html: &str) -> &str {
    let mut rest = html;
    loop {
        let rest_trim = rest.trim_start();
        if let Some(tag) = rest_trim.strip_prefix('<') {
            let Some(end) = tag.find('>') else { return "" };
            rest = &tag[end + 1..];
        } else {
            return rest_trim.split('<').next().unwrap_or("").trim();
        }
    }
}

/// Every `/tasks?…figure=…` link of a page with the number it shows: a
/// card's or a table cell's number, or a chart bar's overdue count (its
/// title reads "Department: N overdue, …").
fn number_links(html: &str) -> Vec<NumberLink> {
    let mut out = Vec::new();
    for part in html.split("href=\"/tasks?").skip(1) {
        let Some((href, rest)) = part.split_once('"') else {
            continue;
        };
        let query = unescape(href);
        if !query.contains("figure=") {
            continue;
        }
        let Some((_, after)) = rest.split_once('>') else {
            continue;
        };
        let text = first_text(after);
        let number = if rest.starts_with(" class=\"chart-bar\"") {
            text.rsplit_once(": ")
                .and_then(|(_, n)| n.split(' ').next())
                .and_then(|n| n.parse().ok())
        } else {
            text.parse().ok()
        };
        if let Some(value) = number {
            out.push(NumberLink { query, value });
        }
    }
    out
}

async fn page(client: &Client, app: &TestApp, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

/// Each number equals the total of the API's list with the same query;
/// returns how many numbers were checked.
async fn check_numbers(app: &TestApp, html: &str, token: &str, what: &str) -> usize {
    let links = number_links(html);
    for link in &links {
        let list = app
            .get_json(&format!("/api/v1/tasks?{}&per_page=1", link.query), token)
            .await;
        assert_eq!(
            list["total"].as_i64(),
            Some(link.value),
            "{what}: /tasks?{} shows {} ({:?})",
            link.query,
            link.value,
            app.backend
        );
    }
    links.len()
}

/// The list page of a link: its banner names the figure and its total is
/// the number.
async fn check_list_page(client: &Client, app: &TestApp, link: &NumberLink, banner: &str) {
    let html = page(client, app, &format!("/tasks?{}", link.query)).await;
    assert!(
        html.contains(&format!("id=\"list-total\">{}<", link.value)),
        "/tasks?{}: total {}",
        link.query,
        link.value
    );
    assert!(
        html.contains(banner),
        "/tasks?{}: the banner names {banner:?}",
        link.query
    );
}

#[tokio::test]
async fn every_number_opens_its_tasks() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let chutich = browser_for(&app, Some("chutich")).await;

        // Leader's dashboard: cards, the all-years overdue card, chart bars.
        let html = page(&chutich, &app, "/dashboard?year=2026").await;
        assert!(html.contains("Chương trình năm 2026 — tính đến hôm nay"));
        assert!(html.contains("Mọi chương trình — tính đến hôm nay"));
        let checked = check_numbers(&app, &html, &leader, "leader dashboard").await;
        assert!(checked >= 20, "only {checked} numbers on the dashboard");
        assert!(html.contains("class=\"chart-bar\""), "chart bars link");
        let overdue = number_links(&html)
            .into_iter()
            .find(|l| l.query == "year=2026&figure=overdue")
            .expect("the overdue card links to the year's overdue tasks");
        let stats = app.get_json("/api/v1/stats?year=2026", &leader).await;
        assert_eq!(Some(overdue.value), stats["overall"]["overdue"].as_i64());
        check_list_page(
            &chutich,
            &app,
            &overdue,
            &format!(
                "Quá hạn — Chương trình năm 2026 — tính đến hôm nay: {} nhiệm vụ",
                overdue.value
            ),
        )
        .await;

        // A past day on the dashboard (leaders may).
        let html = page(&chutich, &app, "/dashboard?year=2026&as_of=2026-03-31").await;
        assert!(html.contains("Chương trình năm 2026 — tính đến hết ngày 31/03/2026"));
        check_numbers(&app, &html, &leader, "dashboard as of 31/03").await;

        // Staff dashboard: the links keep to the department the figures count.
        let picked = app.pick_task(&app.login("admin").await, "overdue").await;
        let staff_name = staff_of(&picked.lead);
        let staff_token = app.login(&staff_name).await;
        let staff = browser_for(&app, Some(&staff_name)).await;
        let html = page(&staff, &app, "/dashboard?year=2026").await;
        let links = number_links(&html);
        assert!(
            links
                .iter()
                .all(|l| l.query.contains(&format!("department={}", picked.lead))),
            "staff links name their department"
        );
        let checked = check_numbers(&app, &html, &staff_token, "staff dashboard").await;
        assert!(
            checked >= 12,
            "only {checked} numbers on the staff dashboard"
        );

        // The first quarter, as of its last day, and the whole year.
        let html = page(&chutich, &app, "/review?year=2026&quarter=1").await;
        assert!(html.contains(
            "Chương trình năm 2026 — hạn ban đầu đến 31/03/2026 — tính đến hết ngày 31/03/2026"
        ));
        let checked = check_numbers(&app, &html, &leader, "Q1 review").await;
        assert!(checked >= 60, "only {checked} numbers in the Q1 review");
        let html = page(&chutich, &app, "/review?year=2026").await;
        assert!(
            html.contains("id=\"review-csv\""),
            "a year's review offers CSV"
        );
        assert!(html.contains("leader=-&#38;figure=") || html.contains("leader=-&amp;figure="));
        check_numbers(&app, &html, &leader, "year review").await;

        // A snapshot: its numbers open the tasks as they stood when taken.
        let r = app
            .post(
                "/api/v1/snapshots",
                Some(&leader),
                json!({"title": "Giao ban", "year": 2026}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let html = page(&chutich, &app, &format!("/snapshots/{id}")).await;
        assert!(html.contains("Chương trình năm 2026 — tính đến "));
        let checked = check_numbers(&app, &html, &leader, "snapshot").await;
        assert!(checked >= 30, "only {checked} numbers on the snapshot");
        // Its comparison with now has the separate rows.
        let html = page(&chutich, &app, &format!("/snapshots/{id}/compare?to=now")).await;
        for row in [
            "Đúng hạn sau khi được gia hạn",
            "Chưa triển khai",
            "Đang thực hiện",
        ] {
            assert!(html.contains(row), "comparison row {row}");
        }
    }
}

#[tokio::test]
async fn one_review_page_and_old_exports() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let chutich = browser_for(&app, Some("chutich")).await;
    let r = chutich
        .get(app.url("/report?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/review?year=2026");
    let staff = browser_for(&app, Some("cb.tnmt")).await;
    let r = staff
        .get(app.url("/report?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/dashboard?year=2026");
    let r = staff.get(app.url("/report?year=abc")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad year is named"
    );
    // Staff lose the nav entry; leaders have one review entry.
    let html = page(&staff, &app, "/dashboard").await;
    assert!(!html.contains("href=\"/report\""));
    let html = page(&chutich, &app, "/dashboard").await;
    assert!(!html.contains("href=\"/report\""));
    assert!(html.contains("Báo cáo kiểm điểm"));

    // The downloads keep working, and take a day.
    for path in [
        "/report/export.csv?year=2026",
        "/report/export.xlsx?year=2026",
        "/report/export.csv?year=2026&as_of=2026-03-31",
    ] {
        let r = chutich.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let past = chutich
        .get(app.url("/report/export.csv?year=2026&as_of=2026-03-31"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let now = chutich
        .get(app.url("/report/export.csv?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(past, now, "the export as of 31/03 describes that day");
    let r = staff
        .get(app.url("/report/export.csv?year=2026&as_of=2026-03-31"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn list_banner_as_of_and_no_leader() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let chutich = browser_for(&app, Some("chutich")).await;
        // The banner, in both languages, with the list's count.
        let total = app
            .get_json(
                "/api/v1/tasks?year=2026&figure=not_started&per_page=1",
                &leader,
            )
            .await["total"]
            .as_i64()
            .unwrap();
        let html = page(&chutich, &app, "/tasks?year=2026&figure=not_started").await;
        assert!(html.contains(&format!(
            "Chưa triển khai — Chương trình năm 2026 — tính đến hôm nay: {total} nhiệm vụ"
        )));
        // The figure stays when the form is sent again; the export is the same list.
        assert!(html.contains("type=\"hidden\" name=\"figure\" value=\"not_started\""));
        assert!(
            html.contains("href=\"/api/v1/tasks/export.xlsx?year=2026&#38;figure=not_started\"")
        );
        let english = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        english
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "chutich", "password": app.settings.demo.leader_password}))
            .send()
            .await
            .unwrap();
        english.get(app.url("/lang/en")).send().await.unwrap();
        let html = english
            .get(app.url("/tasks?year=2026&figure=overdue&as_of=2026-03-31"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let past = app
            .get_json(
                "/api/v1/tasks?year=2026&figure=overdue&as_of=2026-03-31&per_page=1",
                &leader,
            )
            .await["total"]
            .as_i64()
            .unwrap();
        assert!(
            html.contains(&format!(
                "Overdue — Programme year 2026 — as of the end of 31/03/2026: {past} task"
            )),
            "the English banner: {}",
            html.split("id=\"list-banner\"")
                .nth(1)
                .unwrap_or(&html)
                .chars()
                .take(300)
                .collect::<String>()
        );
        // The .xlsx of a list, with the session cookie.
        let r = chutich
            .get(app.url("/api/v1/tasks/export.xlsx?year=2026&figure=overdue"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));

        // leader=-: the tasks without a leader in charge, now and on a past day.
        let none = app
            .get_json("/api/v1/tasks?year=2026&leader=-&per_page=200", &leader)
            .await;
        let items = none["items"].as_array().unwrap();
        assert!(items.iter().all(|t| t["leader_in_charge"].is_null()));
        let review = app.get_json("/api/v1/review?year=2026", &leader).await;
        let row = review["leaders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == "")
            .map_or(0, |g| g["total"].as_i64().unwrap());
        let listed = app
            .get_json(
                &format!(
                    "/api/v1/tasks?{}&leader=-&figure=total&per_page=1",
                    review["tasks_query"].as_str().unwrap()
                ),
                &leader,
            )
            .await;
        assert_eq!(listed["total"].as_i64(), Some(row));
        let past = app
            .get_json(
                "/api/v1/tasks?year=2026&leader=-&as_of=2026-03-31&per_page=200",
                &leader,
            )
            .await;
        assert!(
            past["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["leader_in_charge"].is_null())
        );

        // Staff cannot ask for a past day: a 403 page, not a silent list.
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        for path in ["/tasks?as_of=2026-03-31", "/dashboard?as_of=2026-03-31"] {
            let r = staff.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }
        // A day in the future is named.
        let html = page(&chutich, &app, "/tasks?as_of=2099-01-01").await;
        assert!(html.contains("flash"), "the bad day is said");
    }
}

#[tokio::test]
async fn overdue_page_names_its_scope_and_exports() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let chutich = browser_for(&app, Some("chutich")).await;
        for (path, scope, api) in [
            (
                "/overdue",
                "Mọi chương trình — tính đến hôm nay",
                "/api/v1/overdue?per_page=1",
            ),
            (
                "/overdue?year=2026&as_of=2026-03-31",
                "Chương trình năm 2026 — tính đến hết ngày 31/03/2026",
                "/api/v1/overdue?year=2026&as_of=2026-03-31&per_page=1",
            ),
        ] {
            let html = page(&chutich, &app, path).await;
            assert!(html.contains(scope), "{path}: {scope}");
            let total = app.get_json(api, &leader).await["total"].as_i64().unwrap();
            assert!(
                html.contains(&format!("id=\"overdue-total\">{total}<")),
                "{path}: {total}"
            );
            // The export is the list of the same scope and day.
            let export = unescape(
                html.split("id=\"overdue-export\" href=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap(),
            );
            let query = export.split_once('?').unwrap().1;
            let listed = app
                .get_json(&format!("/api/v1/tasks?{query}&per_page=1"), &leader)
                .await;
            assert_eq!(listed["total"].as_i64(), Some(total), "{export}");
            let r = chutich.get(app.url(&export)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            // Only the first department's table shows its headings.
            assert_eq!(
                html.matches("<thead class=\"visually-hidden\">").count() + 1,
                html.matches("overdue-table").count(),
                "{path}: one visible heading row"
            );
        }
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        let r = staff
            .get(app.url("/overdue?as_of=2026-03-31"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
