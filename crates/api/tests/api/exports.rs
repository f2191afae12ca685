//! The task list, the overdue list and the reminder register export to
//! .xlsx with the filters on screen: the link each page shows carries its
//! filters, the workbook opens with calamine, and its rows are exactly the
//! filtered rows (SQLite and PostgreSQL).

use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Client, StatusCode};

use crate::{helpers::*, pages_access::browser_for};

/// The `href` of the element with `id` (entities decoded).
fn href_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} on the page"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let href = tag.split("href=\"").nth(1).unwrap();
    href[..href.find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Downloads `path` and reads its first sheet's rows as text.
async fn sheet(client: &Client, app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("opens with calamine");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn codes_from_api(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = app
        .get_json(&format!("/api/v1/tasks?{query}&per_page=200"), token)
        .await;
    let mut codes: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

#[tokio::test]
async fn the_lists_export_what_the_screen_shows() {
    for app in spawn_apps().await {
        let token = app.login("chutich").await;
        let leader = browser_for(&app, Some("chutich")).await;

        // The task list, filtered by unit and deadline state.
        let html = leader
            .get(app.url("/tasks?department=TNMT&timeliness=completed_on_time"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = href_of(&html, "list-export");
        assert!(
            link.contains("department=TNMT") && link.contains("timeliness=completed_on_time"),
            "{link}"
        );
        let rows = sheet(&leader, &app, &link).await;
        // Heading, count, blank, header, then one row per task (code in B).
        let mut exported: Vec<String> = rows[4..].iter().map(|r| r[1].clone()).collect();
        exported.sort();
        let expected =
            codes_from_api(&app, &token, "department=TNMT&timeliness=completed_on_time").await;
        assert!(
            !expected.is_empty(),
            "{:?}: the demo has such tasks",
            app.backend
        );
        assert_eq!(exported, expected, "{:?}", app.backend);
        assert_eq!(rows[1][0], format!("Số nhiệm vụ: {}", expected.len()));

        // The overdue list of one unit.
        let html = leader
            .get(app.url("/overdue?department=TTPTQD"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = href_of(&html, "overdue-export");
        assert!(
            link.contains("department=TTPTQD") && link.contains("figure=overdue"),
            "{link}"
        );
        let rows = sheet(&leader, &app, &link).await;
        let mut exported: Vec<String> = rows[4..].iter().map(|r| r[1].clone()).collect();
        exported.sort();
        let expected = codes_from_api(&app, &token, "department=TTPTQD&timeliness=overdue").await;
        assert!(!expected.is_empty());
        assert_eq!(exported, expected);
        assert!(
            rows[4..]
                .iter()
                .all(|r| r[4] == "Trung tâm Phát triển quỹ đất huyện")
        );

        // The register of one unit and year.
        let html = leader
            .get(app.url("/register?department=TTPTQD&year=2026"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = href_of(&html, "register-xlsx");
        assert!(
            link.contains("department=TTPTQD") && link.contains("year=2026"),
            "{link}"
        );
        let rows = sheet(&leader, &app, &link).await;
        let register = app
            .get_json(
                "/api/v1/reminder-register?department=TTPTQD&year=2026",
                &token,
            )
            .await;
        let letters = register["entries"].as_array().unwrap();
        assert!(!letters.is_empty());
        let data = &rows[3..];
        let recipients: usize = letters
            .iter()
            .map(|e| e["recipients"].as_array().unwrap().len())
            .sum();
        assert_eq!(data.len(), recipients, "one row per letter and recipient");
        let mut numbers: Vec<&str> = data.iter().map(|r| r[0].as_str()).collect();
        numbers.sort();
        numbers.dedup();
        let mut expected: Vec<&str> = letters
            .iter()
            .map(|e| e["number"].as_str().unwrap())
            .collect();
        expected.sort();
        assert_eq!(numbers, expected);
        assert_eq!(
            data.iter()
                .filter(|r| r[5] == "Trung tâm Phát triển quỹ đất huyện")
                .count(),
            letters.len(),
            "each letter reached this unit"
        );
        // The whole register has more rows than the filtered one.
        let all = sheet(&leader, &app, "/api/v1/reminder-register.xlsx?year=2026").await;
        assert!(all.len() > rows.len());
    }
}
