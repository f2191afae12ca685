//! End-to-end tests of the pages in real headless Chromium (Debian's
//! `chromium` + `chromium-driver`), driven over WebDriver. Skipped loudly
//! when Chromium is missing, and failed instead when DONDOC_TEST_REQUIRE
//! names `browser` (CI). Screenshots go to target/screenshots/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use browser_support::*;
use fantoccini::Locator;
use helpers::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn officials_use_the_pages_in_a_real_browser() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let base = app.base.clone();
    let staff_password = app.settings.demo.staff_password.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    let admin_password = app.settings.demo.admin_password.clone();
    let admin_token = app.login("admin").await;

    // ── Staff: only their department's tasks; one form updates a task; history shows it.
    login(b, &base, "cb.tnmt", &staff_password).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/tasks");
    let text = body_text(b).await;
    assert!(
        text.contains("Nhiệm vụ của đơn vị"),
        "staff landing page: {text}"
    );
    let shown: Vec<i64> = {
        let rows = b.find_all(Locator::Css("tr[data-task-id]")).await.unwrap();
        let mut ids = Vec::new();
        for row in rows {
            ids.push(
                row.attr("data-task-id")
                    .await
                    .unwrap()
                    .unwrap()
                    .parse()
                    .unwrap(),
            );
        }
        ids
    };
    let staff_token = app.login("cb.tnmt").await;
    let api = app
        .get_json("/api/v1/tasks?per_page=200", &staff_token)
        .await;
    let mut expected: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let mut seen = shown.clone();
    expected.sort_unstable();
    seen.sort_unstable();
    assert_eq!(
        seen, expected,
        "the page lists exactly the department's tasks"
    );
    // Overdue first: the first row is overdue.
    let first = b.find(Locator::Css("tr[data-task-id]")).await.unwrap();
    assert!(
        first
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("row-overdue")
    );
    assert_controls_labelled(b, "/tasks").await;

    let led_overdue = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["lead_department"]["code"] == "TNMT" && t["timeliness"] == "overdue")
        .unwrap()
        .clone();
    let task_id = led_overdue["id"].as_i64().unwrap();
    b.goto(&format!("{base}/tasks/{task_id}")).await.unwrap();
    screenshot(b, "task-page").await;
    assert_controls_labelled(b, "/tasks/{id}").await;
    let progress = b.find(Locator::Id("progress")).await.unwrap();
    progress.clear().await.unwrap();
    progress.send_keys("77").await.unwrap();
    b.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("Đã làm việc với UBND xã, hoàn thiện hồ sơ")
        .await
        .unwrap();
    b.find(Locator::Css("#update-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let text = body_text(b).await;
    assert!(text.contains("Đã lưu thay đổi."), "{text}");
    assert!(text.contains("77%"), "{text}");
    let history = b
        .find(Locator::Css(".timeline"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Đã làm việc với UBND xã, hoàn thiện hồ sơ"),
        "{history}"
    );
    assert!(history.contains("77"), "{history}");
    assert_eq!(
        app.task(task_id, &admin_token).await["progress"],
        77,
        "the change was stored"
    );

    // Another department's task: an explaining 403 page, no form.
    let other = app
        .get_json("/api/v1/tasks?department=TCKH&per_page=200", &admin_token)
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            !t["coordinating_departments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "TNMT")
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("{base}/tasks/{other}")).await.unwrap();
    let text = body_text(b).await;
    assert!(
        text.contains("Bạn không có quyền truy cập trang này"),
        "{text}"
    );
    assert!(b.find(Locator::Id("update-form")).await.is_err());
    // Posting the form anyway changes nothing.
    let version_before = app.task(other, &admin_token).await["version"].clone();
    let _ = b
        .execute(
            "const f = document.createElement('form'); f.method='post'; f.action=arguments[0];\
             const p = document.createElement('input'); p.name='progress'; p.value='99'; f.appendChild(p);\
             document.body.appendChild(f); f.submit();",
            vec![json!(format!("/tasks/{other}/update"))],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.task(other, &admin_token).await["version"],
        version_before
    );

    // The language switch is remembered.
    b.goto(&format!("{base}/tasks")).await.unwrap();
    b.find(Locator::Css("a.lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css("html[lang=en]")).await;
    b.goto(&format!("{base}/overdue")).await.unwrap();
    assert!(body_text(b).await.contains("Overdue tasks"));
    b.find(Locator::Css("a.lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css("html[lang=vi]")).await;
    logout(b).await;

    // ── Leader: the overdue list with the demo's count; approving an extension removes the task from it.
    login(b, &base, "chutich", &leader_password).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/dashboard");
    screenshot(b, "dashboard").await;
    assert!(
        b.find(Locator::Css("svg.chart")).await.is_ok(),
        "the dashboard has its SVG chart"
    );
    guide_page(b, "dashboard").await;
    if making_guide_screenshots() {
        // The English guide's dashboard, in English.
        click(b, "a.lang").await;
        expect_element(b, Locator::Css("html[lang=en]")).await;
        expect_element(b, Locator::Css("svg.chart")).await;
        guide_page(b, "en-dashboard").await;
        click(b, "a.lang").await;
        expect_element(b, Locator::Css("html[lang=vi]")).await;
    }
    b.goto(&format!("{base}/overdue")).await.unwrap();
    // The count reflects the staff update above (still overdue: 16).
    let total = b
        .find(Locator::Id("overdue-total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "16");
    screenshot(b, "overdue-list").await;
    assert_controls_labelled(b, "/overdue").await;
    let mt03 = app.get_json("/api/v1/tasks?q=MT-03", &admin_token).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let row = b
        .find(Locator::XPath(
            "//tr[@data-extension-id][.//a[contains(@href, '/tasks/') and contains(., 'MT-03')]]",
        ))
        .await
        .unwrap();
    row.find(Locator::Css("button[value=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_element(b, Locator::Css(".flash-ok")).await;
    let total = b
        .find(Locator::Id("overdue-total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "15");
    assert!(
        b.find(Locator::Css(&format!("tr[data-task-id='{mt03}']")))
            .await
            .is_err(),
        "MT-03 left the list"
    );
    logout(b).await;

    // ── Admin: an import file with one bad row is refused whole; a good one imports every row.
    login(b, &base, "admin", &admin_password).await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("chuong-trinh-loi.csv");
    std::fs::write(
        &bad,
        "PHỤ LỤC\nMã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn\n\
         N27-01,Rà soát quy hoạch sử dụng đất,environment,TNMT,,31/03/2027\n\
         N27-02,Đấu giá đất công xã Tân Mỹ,environment,XA-TAN-MY,TNMT,30/02/2027\n\
         N27-03,Giải ngân vốn đầu tư công,finance,TCKH,BQLDA,15/12/2027\n",
    )
    .unwrap();
    b.goto(&format!("{base}/admin/import")).await.unwrap();
    assert_controls_labelled(b, "/admin/import").await;
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .send_keys("2027")
        .await
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&bad.display().to_string())
        .await
        .unwrap();
    b.find(Locator::Css("#import-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let problems = expect_element(b, Locator::Id("import-problems"))
        .await
        .text()
        .await
        .unwrap();
    assert!(problems.contains("Dòng 4, cột Thời hạn"), "{problems}");
    guide_page(b, "import-refused").await;
    assert_eq!(
        app.get_json("/api/v1/tasks?year=2027", &admin_token).await["total"],
        0,
        "nothing imported"
    );

    let good = dir.path().join("chuong-trinh-2027.csv");
    std::fs::write(
        &good,
        std::fs::read_to_string(&bad)
            .unwrap()
            .replace("30/02/2027", "28/02/2027"),
    )
    .unwrap();
    b.goto(&format!("{base}/admin/import")).await.unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.find(Locator::Id("year"))
        .await
        .unwrap()
        .send_keys("2027")
        .await
        .unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&good.display().to_string())
        .await
        .unwrap();
    b.find(Locator::Css("#import-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let preview = expect_element(b, Locator::Id("import-preview"))
        .await
        .text()
        .await
        .unwrap();
    assert!(preview.contains("Đấu giá đất công xã Tân Mỹ"), "{preview}");
    guide_page(b, "import-preview").await;
    b.find(Locator::Id("import-confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = expect_element(b, Locator::Id("import-result"))
        .await
        .text()
        .await
        .unwrap();
    assert!(result.contains('3'), "{result}");
    assert_eq!(
        app.get_json("/api/v1/tasks?year=2027", &admin_token).await["total"],
        3
    );

    // ── A title with <script> is shown as text, never run.
    let created = app
        .post(
            "/api/v1/tasks",
            Some(&admin_token),
            json!({"year": 2027, "code": "XSS-1", "title": "<script>window.__xss = 1</script> Kiểm tra <b>đậm</b>",
                   "field": "administration", "lead_department": "VP", "due_date": "2027-06-30"}),
        )
        .await;
    let xss_id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("{base}/tasks/{xss_id}")).await.unwrap();
    let heading = b
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        heading.contains("<script>window.__xss = 1</script>"),
        "{heading}"
    );
    assert!(heading.contains("<b>đậm</b>"), "{heading}");
    let ran: serde_json::Value = b
        .execute("return typeof window.__xss", vec![])
        .await
        .unwrap();
    assert_eq!(ran, json!("undefined"));
    b.goto(&format!("{base}/tasks?year=2027")).await.unwrap();
    let ran: serde_json::Value = b
        .execute("return typeof window.__xss", vec![])
        .await
        .unwrap();
    assert_eq!(ran, json!("undefined"));

    browser.client.clone().close().await.unwrap();
}
