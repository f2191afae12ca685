//! Date pickers everywhere a day is typed (issue 16): recording a
//! reminder document, recording an issued letter, the review's period and
//! every "as of". Each form takes the picker's `yyyy-mm-dd` and a day
//! typed as dd/mm/yyyy alike; a day that is not one is refused naming the
//! field and saying dd/mm/yyyy, and the form keeps what was typed (a
//! typed day comes back as the picker's value).

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::*;
use crate::pages_drafts::{between, flash_of, location, page, sign_in};

/// The picker `<input>` of field `name` as the page has it.
fn picker<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("<input id=\"{name}\" name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let end = html[start..].find('>').unwrap() + start;
    &html[start..=end]
}

/// The value of picker `name`, checking it is a date picker.
fn picker_value(html: &str, name: &str) -> String {
    let input = picker(html, name);
    assert!(input.contains("type=\"date\""), "{input}");
    between(input, "value=\"").to_string()
}

/// The message shown beside field `name`.
fn field_error(html: &str, name: &str) -> String {
    html.split(&format!("id=\"{name}-error\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no message beside {name}"))
        .split("</p>")
        .next()
        .unwrap()
        .to_string()
}

async fn post_form(
    client: &Client,
    app: &TestApp,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = page(client, app, form_page).await;
    let mut form = vec![(
        "csrf_token".to_string(),
        between(&html, "name=\"csrf_token\" value=\"").to_string(),
    )];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The document numbered `number`, as the API lists it (`Null` if none).
async fn document(app: &TestApp, token: &str, number: &str) -> Value {
    let docs = app.get_json("/api/v1/documents?per_page=200", token).await;
    docs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["number"] == number)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn recording_a_document_takes_the_pickers_day_and_a_typed_one() {
    for app in spawn_apps().await {
        let token = app.login("chutich").await;
        let leader = sign_in(&app, None, "chutich").await;
        let task = app.pick_task(&token, "overdue").await.id.to_string();
        let html = page(&leader, &app, "/documents/new").await;
        // Today by default, and no later day offered.
        assert_eq!(picker_value(&html, "issued_on"), "2026-11-25");
        assert!(picker(&html, "issued_on").contains("max=\"2026-11-25\""));
        assert_eq!(picker_value(&html, "report_back_on"), "");

        for (number, issued, back) in [
            ("901/UBND-VP", "2026-11-20", "2026-12-01"),
            ("902/UBND-VP", "20/11/2026", "01/12/2026"),
        ] {
            let r = post_form(
                &leader,
                &app,
                "/documents/new",
                "/documents/new",
                &[
                    ("relation", "reminds"),
                    ("number", number),
                    ("kind", "official_letter"),
                    ("issued_on", issued),
                    ("report_back_on", back),
                    ("signer", "Trần Quốc Khánh"),
                    ("title", "V/v đôn đốc thực hiện nhiệm vụ"),
                    ("task_ids", task.as_str()),
                ],
            )
            .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(location(&r), "/documents", "{number}: {:?}", flash_of(&r));
            let doc = document(&app, &token, number).await;
            assert_eq!(doc["issued_on"], "2026-11-20", "{number}");
            assert_eq!(doc["report_back_on"], "2026-12-01", "{number}");
        }

        // A day that is not one: named, said as dd/mm/yyyy, nothing lost.
        let r = post_form(
            &leader,
            &app,
            &format!("/documents/new?task={task}"),
            "/documents/new",
            &[
                ("relation", "reminds"),
                ("from_task", task.as_str()),
                ("number", "903/UBND-VP"),
                ("kind", "official_letter"),
                ("issued_on", "20/11/2026"),
                ("report_back_on", "31/02/2026"),
                ("signer", "Trần Quốc Khánh"),
                ("title", "V/v đôn đốc thực hiện nhiệm vụ"),
                ("task_ids", task.as_str()),
            ],
        )
        .await;
        assert_eq!(location(&r), format!("/documents/new?task={task}"));
        let (ok, text) = flash_of(&r);
        assert!(!ok);
        assert!(
            text.contains("Hạn báo cáo")
                && text.contains("“31/02/2026”")
                && text.contains("dd/mm/yyyy"),
            "{text}"
        );
        assert_eq!(document(&app, &token, "903/UBND-VP").await, Value::Null);
        let html = page(&leader, &app, &location(&r)).await;
        let beside = field_error(&html, "report_back_on");
        assert!(
            beside.contains("“31/02/2026”") && beside.contains("dd/mm/yyyy"),
            "{beside}"
        );
        assert_eq!(picker_value(&html, "report_back_on"), "31/02/2026");
        // The typed issue day is kept, as the picker shows it.
        assert_eq!(picker_value(&html, "issued_on"), "2026-11-20");
        assert!(html.contains("value=\"903/UBND-VP\""));
        assert!(html.contains(&format!("value=\"{task}\" checked")));

        // A report-back day before the issue day names that field too.
        let r = post_form(
            &leader,
            &app,
            "/documents/new",
            "/documents/new",
            &[
                ("relation", "reminds"),
                ("number", "904/UBND-VP"),
                ("kind", "official_letter"),
                ("issued_on", "2026-11-20"),
                ("report_back_on", "2026-11-19"),
                ("signer", "Trần Quốc Khánh"),
                ("title", "V/v đôn đốc"),
            ],
        )
        .await;
        let (ok, text) = flash_of(&r);
        assert!(
            !ok && text.contains("Hạn báo cáo không được trước ngày ban hành"),
            "{text}"
        );
        let html = page(&leader, &app, "/documents/new").await;
        assert_eq!(picker_value(&html, "report_back_on"), "2026-11-19");
    }
}

#[tokio::test]
async fn recording_an_issued_letter_takes_the_pickers_day_and_a_typed_one() {
    for app in spawn_apps().await {
        let token = app.login("chutich").await;
        let leader = sign_in(&app, None, "chutich").await;
        let late = app.get_json("/api/v1/letters/departments", &token).await;
        let code = late[0]["code"].as_str().unwrap().to_string();
        let draft = app
            .get_json(&format!("/api/v1/letters/draft?department={code}"), &token)
            .await;
        let ids: Vec<String> = draft["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_id"].as_i64().unwrap().to_string())
            .collect();
        let letter = format!("/letters/{code}");
        let html = page(&leader, &app, &letter).await;
        assert_eq!(picker_value(&html, "issued_on"), "2026-11-25");
        assert!(picker(&html, "issued_on").contains("max=\"2026-11-25\""));
        let default_back = draft["report_back_on"].as_str().unwrap();
        assert_eq!(picker_value(&html, "report_back_on"), default_back);

        let record = format!("/letters/{code}/record");
        for (number, issued, back) in [
            ("811", "2026-11-24", "2026-12-04"),
            ("812", "24/11/2026", "04/12/2026"),
        ] {
            let mut fields = vec![
                ("number", number),
                ("issued_on", issued),
                ("report_back_on", back),
                ("signer", ""),
            ];
            fields.extend(ids.iter().map(|id| ("task_ids", id.as_str())));
            let r = post_form(&leader, &app, &letter, &record, &fields).await;
            assert_eq!(
                location(&r),
                format!("/register?department={code}"),
                "{number}: {:?}",
                flash_of(&r)
            );
            let doc = document(&app, &token, &format!("{number}/UBND-VP")).await;
            assert_eq!(doc["issued_on"], "2026-11-24", "{number}");
            assert_eq!(doc["report_back_on"], "2026-12-04", "{number}");
        }

        let mut fields = vec![
            ("number", "813"),
            ("issued_on", "32/11/2026"),
            ("report_back_on", "04/12/2026"),
            ("signer", "Nguyễn Văn A"),
        ];
        fields.extend(ids.iter().map(|id| ("task_ids", id.as_str())));
        let r = post_form(&leader, &app, &letter, &record, &fields).await;
        assert_eq!(location(&r), letter);
        let (ok, text) = flash_of(&r);
        assert!(!ok);
        assert!(
            text.contains("Ngày ban hành")
                && text.contains("“32/11/2026”")
                && text.contains("dd/mm/yyyy"),
            "{text}"
        );
        assert_eq!(document(&app, &token, "813/UBND-VP").await, Value::Null);
        let html = page(&leader, &app, &letter).await;
        assert!(
            field_error(&html, "issued_on").contains("dd/mm/yyyy"),
            "{html}"
        );
        assert_eq!(picker_value(&html, "issued_on"), "32/11/2026");
        assert_eq!(picker_value(&html, "report_back_on"), "2026-12-04");
        assert!(html.contains("value=\"813\"") && html.contains("value=\"Nguyễn Văn A\""));
    }
}

#[tokio::test]
async fn the_review_period_and_every_as_of_take_the_pickers_day_and_a_typed_one() {
    for app in spawn_apps().await {
        let leader = sign_in(&app, None, "chutich").await;
        // The review's period: both spellings give the same review.
        let mut paragraphs = Vec::new();
        for query in [
            "from=2026-01-01&to=2026-06-30&as_of=2026-10-31",
            "from=01/01/2026&to=30/06/2026&as_of=31/10/2026",
        ] {
            let html = page(&leader, &app, &format!("/review?{query}")).await;
            assert_eq!(picker_value(&html, "from"), "2026-01-01", "{query}");
            assert_eq!(picker_value(&html, "to"), "2026-06-30", "{query}");
            assert_eq!(picker_value(&html, "as_of"), "2026-10-31", "{query}");
            assert!(
                html.contains("01/01/2026 – 30/06/2026") && html.contains("31/10/2026"),
                "{query}"
            );
            let paragraph = html
                .split("id=\"review-paragraph\">")
                .nth(1)
                .unwrap()
                .split("</p>")
                .next()
                .unwrap()
                .to_string();
            assert!(!paragraph.is_empty());
            paragraphs.push(paragraph);
        }
        assert_eq!(paragraphs[0], paragraphs[1]);
        // A day that is not one: the field as the form names it, dd/mm/yyyy,
        // and the value still in its box.
        let html = page(&leader, &app, "/review?from=31/02/2026&to=30/06/2026").await;
        assert!(
            html.contains("Từ ngày: “31/02/2026”") && html.contains("dd/mm/yyyy"),
            "{html}"
        );
        assert_eq!(picker_value(&html, "from"), "31/02/2026");
        assert_eq!(picker_value(&html, "to"), "2026-06-30");

        // "As of" on the task list, the overdue list and the dashboard.
        for path in [
            "/tasks?year=2026",
            "/overdue?year=2026",
            "/dashboard?year=2026",
        ] {
            let mut overdue_badges = Vec::new();
            for as_of in ["2026-03-31", "31/03/2026"] {
                let html = page(&leader, &app, &format!("{path}&as_of={as_of}")).await;
                assert_eq!(picker_value(&html, "as_of"), "2026-03-31", "{path} {as_of}");
                assert!(picker(&html, "as_of").contains("max=\"2026-11-25\""));
                assert!(
                    html.contains("tính đến hết ngày 31/03/2026"),
                    "{path} {as_of}: the figures say which day"
                );
                overdue_badges.push(html.matches("b-overdue").count());
            }
            assert_eq!(
                overdue_badges[0], overdue_badges[1],
                "{path}: the same day either way"
            );
            let r = leader
                .get(app.url(&format!("{path}&as_of=31/02/2026")))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let html = r.text().await.unwrap();
            assert!(
                html.contains("Tính đến ngày: “31/02/2026”") && html.contains("dd/mm/yyyy"),
                "{path}: {html}"
            );
            if path.starts_with("/tasks") {
                // The list says so above its filters, which keep the day.
                assert_eq!(status, StatusCode::OK);
                assert_eq!(picker_value(&html, "as_of"), "31/02/2026");
            } else {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            }
        }
    }
}
