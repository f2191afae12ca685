//! Attached files through the API, on SQLite (files on disk) and PostgreSQL
//! (files in the database): upload, list, download with the right headers,
//! hostile files refused with nothing stored, another department refused,
//! versions, document scans, and the backup holding the files.

use std::io::Write as _;

use dondoc_core::{
    attachments::Store,
    tasks::import::hostile::{self, Declared},
    testing::Backend,
};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::helpers::{TestApp, error_fields, expect_problem, spawn_apps, staff_of};

/// A small but real PDF.
pub fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// A minimal .docx package: its declared main part is a Word document.
fn docx_bytes() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(b"<w:document xmlns:w=\"x\"><w:body/></w:document>")
            .unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A multipart/form-data body with `fields` and one `file`.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "dondoc-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart/form-data body with `fields` and files under `name`.
pub fn multipart_files(
    fields: &[(&str, &str)],
    name: &str,
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "dondoc-test-boundary-7d1f";
    let (_, mut body) = multipart(fields, None);
    body.truncate(body.len() - format!("--{boundary}--\r\n").len());
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> reqwest::Response {
    let (content_type, body) = multipart(fields, file);
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn count(app: &TestApp, table: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Files the disk store holds (none for the database store).
fn files_on_disk(store: &Store) -> usize {
    let Store::Disk(dir) = store else {
        return 0;
    };
    let Ok(folders) = std::fs::read_dir(dir) else {
        return 0;
    };
    folders
        .flatten()
        .filter_map(|f| std::fs::read_dir(f.path()).ok())
        .map(|files| files.count())
        .sum()
}

async fn store_of(app: &TestApp) -> Store {
    Store::resolve(&app.db, &app.settings.attachments)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_report_file_is_stored_listed_downloaded_and_in_the_history() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let store = store_of(&app).await;
        match app.backend {
            Backend::Sqlite => assert!(matches!(store, Store::Disk(_)), "{store:?}"),
            Backend::Postgres => assert_eq!(store, Store::Database),
        }
        let history_before = app.history_len(picked.id, &admin).await;
        let pdf = pdf_bytes();
        let response = upload(
            &app,
            &format!("/api/v1/tasks/{}/attachments", picked.id),
            &staff,
            &[("context", "report")],
            Some(("Báo cáo 215-BC.pdf", "application/pdf", &pdf)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let view: Value = response.json().await.unwrap();
        let id = view["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/attachments/{id}"));
        assert_eq!(view["content_type"], "application/pdf");
        assert_eq!(view["context"], "report");
        assert_eq!(view["file_name"], "Báo cáo 215-BC.pdf");
        assert_eq!(view["size"].as_i64(), Some(pdf.len() as i64));
        let sha = {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(&pdf))
        };
        assert_eq!(view["sha256"], sha.as_str());
        assert_eq!(view["viewable_inline"], true);
        assert!(view["superseded_by"].is_null());

        // Where the bytes went: a file on disk, or a row in the database.
        match &store {
            Store::Disk(dir) => {
                let path = dondoc_core::attachments::store::disk_path(dir, &sha);
                assert_eq!(std::fs::read(path).unwrap(), pdf);
                assert_eq!(count(&app, "attachment_blobs").await, 0);
            }
            Store::Database => assert_eq!(count(&app, "attachment_blobs").await, 1),
        }

        // The leader sees it in the list and downloads the same bytes.
        let list = app
            .get_json(&format!("/api/v1/tasks/{}/attachments", picked.id), &admin)
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20215-BC.pdf"),
            "{disposition}"
        );
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);

        // Inline when asked, for a PDF.
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content?inline=true"),
                Some(&admin),
                None,
            )
            .await;
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("inline;"), "{disposition}");

        // The history names it with its size and hash.
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        let entries = history.as_array().unwrap();
        assert_eq!(entries.len(), history_before + 1);
        let entry = entries
            .iter()
            .find(|e| e["action"] == "attachment_added")
            .expect("history entry");
        let value = entry["new_value"].as_str().unwrap();
        assert!(
            value.contains("Báo cáo 215-BC.pdf") && value.contains(&sha),
            "{value}"
        );
        assert_eq!(entry["actor"]["username"], staff_of(&picked.lead).as_str());

        // A .docx is told by its package.
        let docx = docx_bytes();
        let response = upload(
            &app,
            &format!("/api/v1/tasks/{}/attachments", picked.id),
            &staff,
            &[("context", "note")],
            Some(("ke-hoach", "application/octet-stream", &docx)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["file_name"], "ke-hoach.docx");
        assert_eq!(view["viewable_inline"], false);
    }
}

#[tokio::test]
async fn hostile_files_are_refused_and_nothing_is_stored() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let path = format!("/api/v1/tasks/{}/attachments", picked.id);
        let history_before = app.history_len(picked.id, &admin).await;
        let exe = [b"MZ\x90\x00\x03\x00\x00\x00".as_slice(), &[0u8; 512]].concat();
        let html =
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
                .to_vec();
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        let bomb = hostile::zip_bomb(true, Declared::Lying);
        let cases: [(&str, &[u8], &str); 4] = [
            ("bao-cao.pdf", &exe, "error-attachment-executable"),
            ("bao-cao.pdf", &html, "error-attachment-html"),
            ("anh.png", &svg, "error-attachment-svg"),
            ("bao-cao.docx", &bomb, "error-attachment-package"),
        ];
        for (name, bytes, _key) in cases {
            let response = upload(
                &app,
                &path,
                &staff,
                &[("context", "report")],
                Some((name, "application/pdf", bytes)),
            )
            .await;
            let body = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(error_fields(&body), vec!["file"], "{name}: {body}");
            let message = body["errors"][0]["message"].as_str().unwrap().to_string();
            assert!(
                message.starts_with("Không nhận") || message.starts_with("Tệp nén"),
                "{name}: {message}"
            );
        }
        // 21 MB: over the limit, refused before the bytes are even kept.
        let big = [b"%PDF-1.4\n".as_slice(), &vec![b'0'; 21 * 1024 * 1024]].concat();
        let response = upload(
            &app,
            &path,
            &staff,
            &[("context", "report")],
            Some(("lon.pdf", "application/pdf", &big)),
        )
        .await;
        let body = expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
        assert!(body["detail"].as_str().unwrap().contains("20 MB"), "{body}");
        // No file at all.
        let response = upload(&app, &path, &staff, &[("context", "report")], None).await;
        let body = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["file"]);

        // Nothing stored: no row, no blob, no file, no history.
        assert_eq!(count(&app, "attachments").await, 0);
        assert_eq!(count(&app, "attachment_blobs").await, 0);
        assert_eq!(files_on_disk(&store_of(&app).await), 0);
        assert_eq!(app.history_len(picked.id, &admin).await, history_before);
    }
}

#[tokio::test]
async fn another_department_cannot_see_or_attach_the_files() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let other = app.login(&staff_of(&picked.unrelated)).await;
        let coordinator = app.login(&staff_of(&picked.coordinator)).await;
        let pdf = pdf_bytes();
        let path = format!("/api/v1/tasks/{}/attachments", picked.id);
        let response = upload(
            &app,
            &path,
            &staff,
            &[("context", "report")],
            Some(("r.pdf", "application/pdf", &pdf)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();

        for asked in [
            format!("/api/v1/attachments/{id}/content"),
            format!("/api/v1/attachments/{id}"),
            path.clone(),
        ] {
            let response = app.request(Method::GET, &asked, Some(&other), None).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ),
                "{asked}: {}",
                response.status()
            );
        }
        // Another department cannot attach either; a coordinator may add a
        // note's file but not a completion report's.
        let response = upload(
            &app,
            &path,
            &other,
            &[("context", "note")],
            Some(("x.pdf", "application/pdf", &pdf)),
        )
        .await;
        expect_problem(response, StatusCode::FORBIDDEN).await;
        let response = upload(
            &app,
            &path,
            &coordinator,
            &[("context", "report")],
            Some(("x.pdf", "application/pdf", &pdf)),
        )
        .await;
        expect_problem(response, StatusCode::FORBIDDEN).await;
        let response = upload(
            &app,
            &path,
            &coordinator,
            &[("context", "note")],
            Some(("x.pdf", "application/pdf", &pdf)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        // The coordinator reads the task's files.
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content"),
                Some(&coordinator),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        // Without a token: 401.
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content"),
                None,
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_new_version_supersedes_the_old_which_stays_listed() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let path = format!("/api/v1/tasks/{}/attachments", picked.id);
        let v1 = upload(
            &app,
            &path,
            &staff,
            &[("context", "report")],
            Some(("v1.pdf", "application/pdf", &pdf_bytes())),
        )
        .await;
        let v1 = v1.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let v2_bytes = [pdf_bytes(), b"% v2\n".to_vec()].concat();
        let v1_text = v1.to_string();
        let response = upload(
            &app,
            &path,
            &staff,
            &[("context", "report"), ("supersedes", &v1_text)],
            Some(("v2.pdf", "application/pdf", &v2_bytes)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let v2: Value = response.json().await.unwrap();
        assert_eq!(v2["supersedes_id"].as_i64(), Some(v1));
        let list = app.get_json(&path, &admin).await;
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["superseded_by"], v2["id"]);
        assert!(list[1]["superseded_by"].is_null());
        // A version is superseded once; an attachment of another task never.
        let response = upload(
            &app,
            &path,
            &staff,
            &[("context", "report"), ("supersedes", &v1_text)],
            Some(("v3.pdf", "application/pdf", &pdf_bytes())),
        )
        .await;
        let body = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), vec!["supersedes"]);
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "attachment_superseded")
        );
        assert_eq!(count(&app, "attachments").await, 2);
    }
}

#[tokio::test]
async fn a_documents_signed_scan_is_attached_by_the_office_and_read_by_its_departments() {
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let response = app
            .post(
                "/api/v1/documents",
                Some(&admin),
                serde_json::json!({
                    "number": "215/UBND-VP",
                    "kind": "official_letter",
                    "title": "Đôn đốc thực hiện nhiệm vụ",
                    "issued_on": "2026-11-20",
                    "signer": "Phạm Minh Trí",
                    "links": [{"task_id": picked.id, "relation": "reminds"}]
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let document: Value = response.json().await.unwrap();
        let document_id = document["id"].as_i64().unwrap();
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
        let path = format!("/api/v1/documents/{document_id}/attachments");
        let staff = app.login(&staff_of(&picked.lead)).await;
        let response = upload(
            &app,
            &path,
            &staff,
            &[],
            Some(("scan.png", "image/png", &png)),
        )
        .await;
        expect_problem(response, StatusCode::FORBIDDEN).await;
        let response = upload(&app, &path, &admin, &[], Some(("scan", "image/png", &png))).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["context"], "document");
        assert_eq!(view["file_name"], "scan.png");
        let id = view["id"].as_i64().unwrap();
        // The lead department reads it; another department does not.
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content"),
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let other = app.login(&staff_of(&picked.unrelated)).await;
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/attachments/{id}/content"),
                Some(&other),
                None,
            )
            .await;
        assert!(matches!(
            response.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ));
        // The linked task's history records it.
        let history = app
            .get_json(&format!("/api/v1/tasks/{}/history", picked.id), &admin)
            .await;
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "attachment_added"
                    && e["new_value"].as_str().unwrap().contains("scan.png"))
        );
        assert_eq!(
            app.get_json(&path, &staff).await.as_array().unwrap().len(),
            1
        );
    }
}

#[tokio::test]
async fn the_backup_holds_the_files_and_a_restored_copy_serves_them() {
    for app in spawn_apps().await {
        if app.backend != Backend::Sqlite {
            // PostgreSQL keeps the files in the database: pg_dump holds them.
            continue;
        }
        let admin = app.login("admin").await;
        let picked = app.pick_task(&admin, "overdue").await;
        let staff = app.login(&staff_of(&picked.lead)).await;
        let pdf = pdf_bytes();
        let response = upload(
            &app,
            &format!("/api/v1/tasks/{}/attachments", picked.id),
            &staff,
            &[("context", "report")],
            Some(("r.pdf", "application/pdf", &pdf)),
        )
        .await;
        let view: Value = response.json().await.unwrap();
        let sha = view["sha256"].as_str().unwrap().to_string();

        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("backup.db");
        let copied = dondoc_core::backup::backup(&app.db, &target, &app.settings.attachments)
            .await
            .unwrap();
        assert_eq!(copied, 1);

        // The backup, opened as a restored database, serves the file from
        // inside itself and puts it back on disk beside itself.
        let restored = dondoc_core::db::connect(&dondoc_core::testing::database_settings(
            &format!("sqlite://{}", target.display()),
        ))
        .await
        .unwrap();
        let store = Store::resolve(&restored, &app.settings.attachments)
            .await
            .unwrap();
        assert_eq!(store, Store::Disk(folder.path().join("attachments")));
        let bytes = dondoc_core::attachments::store::get(&restored, &store, &sha)
            .await
            .unwrap();
        assert_eq!(bytes, pdf);
        let on_disk =
            dondoc_core::attachments::store::disk_path(&folder.path().join("attachments"), &sha);
        assert_eq!(std::fs::read(on_disk).unwrap(), pdf);
    }
}
