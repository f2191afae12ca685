//! `POST /api/v1/imports` and the import page against workbooks built to
//! exhaust memory: 413 or 422 with the reason, and the server still answers.

use dondoc_core::tasks::import::hostile::{self, Declared};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, error_fields, expect_problem, spawn_apps, spawn_on, staff_of};
use crate::pages_access::browser_for;

async fn post_file(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports?{query}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn assert_alive(app: &TestApp) {
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the server still answers");
}

fn hostile_files() -> Vec<(&'static str, Vec<u8>, StatusCode)> {
    vec![
        (
            "corner.xlsx",
            hostile::far_corner_workbook(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "s10.xlsx",
            hostile::shared_strings_declaring("1e10"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "s18.xlsx",
            hostile::shared_strings_declaring("1e18"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "honest.xlsx",
            hostile::zip_bomb(false, Declared::Honest),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "lying.xlsx",
            hostile::zip_bomb(false, Declared::Lying),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "body.docx",
            hostile::zip_bomb(true, Declared::Honest),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ]
}

#[tokio::test]
async fn hostile_workbooks_get_413_or_422_and_the_server_lives() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let admin = app.login("admin").await;
    for (name, bytes, status) in hostile_files() {
        for dry_run in [true, false] {
            let r = post_file(
                &app,
                &admin,
                &format!("year=2027&dry_run={dry_run}&file_name={name}"),
                bytes.clone(),
            )
            .await;
            let body = expect_problem(r, status).await;
            let detail = body.to_string();
            assert!(
                detail.contains("1048576")
                    || detail.contains("uniqueCount")
                    || detail.contains("MB")
                    || detail.contains("khai báo"),
                "{name}: {detail}"
            );
            assert_alive(&app).await;
        }
    }
    // Over the file limit before reading: 413 as the body arrives.
    let r = post_file(&app, &admin, "year=2027", vec![b' '; 21 * 1024 * 1024]).await;
    expect_problem(r, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_alive(&app).await;
}

#[tokio::test]
async fn the_page_refuses_them_too() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let browser = browser_for(&app, Some("admin")).await;
    let page = browser
        .get(app.url("/admin/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = {
        let marker = "name=\"csrf_token\" value=\"";
        let start = page.find(marker).unwrap() + marker.len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    for (name, bytes, status) in hostile_files() {
        let boundary = "dondoc-test-boundary";
        let mut body = Vec::new();
        for (field, value) in [
            ("csrf_token", csrf.as_str()),
            ("year", "2027"),
            ("mode", "preview"),
        ] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = browser
            .post(app.url("/admin/import"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{name}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("khai báo")
                || html.contains("MB")
                || html.contains("1048576")
                || html.contains("uniqueCount"),
            "{name}"
        );
        assert_alive(&app).await;
    }
}

#[tokio::test]
async fn a_programme_imports_through_the_api_all_or_nothing() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let good = "Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\nAPI-01,Làm đường,finance,TCKH,31/03/2027\nAPI-02,Sửa cầu,finance,TCKH,30/06/2027\n";
        let r = post_file(
            &app,
            &admin,
            "year=2027&dry_run=true&file_name=a.csv",
            good.into(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let preview: Value = r.json().await.unwrap();
        assert_eq!(preview["rows"].as_array().unwrap().len(), 2);
        assert_eq!(preview["rows"][1]["row"], 3);
        assert_eq!(preview["rows"][1]["due_date"], "2027-06-30");
        let tasks = app
            .get_json("/api/v1/tasks?year=2027&q=API-0", &admin)
            .await;
        assert_eq!(tasks["total"], 0, "a dry run writes nothing");
        // Bad rows: each named, nothing written.
        let bad = "Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\nAPI-03,x,finance,KHONGCO,31/03/2027\nAPI-04,y,finance,TCKH,30/02/2027\n";
        let r = post_file(&app, &admin, "year=2027&file_name=b.csv", bad.into()).await;
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = error_fields(&body);
        assert!(
            fields.contains(&"rows[2].lead_department".to_string()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"rows[3].due_date".to_string()),
            "{fields:?}"
        );
        // Staff may not import.
        let staff = app.login(&staff_of("TCKH")).await;
        let r = post_file(&app, &staff, "year=2027&file_name=a.csv", good.into()).await;
        expect_problem(r, StatusCode::FORBIDDEN).await;
        let r = post_file(&app, &admin, "year=2027&file_name=a.csv", good.into()).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{:?}", app.backend);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["imported"], 2);
        assert_eq!(report["codes"], serde_json::json!(["API-01", "API-02"]));
    }
}
