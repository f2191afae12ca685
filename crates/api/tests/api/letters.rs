//! Reminder letters, the reminder register and the review over HTTP: the
//! JSON API, the downloads, the pages and the form the clerk fills in, with
//! the role checks of the permission policy.

use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::helpers::*;

async fn session(app: &TestApp, username: &str) -> (Client, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let password = match username {
        "admin" => app.settings.demo.admin_password.clone(),
        u if u.starts_with("cb.") => app.settings.demo.staff_password.clone(),
        _ => app.settings.demo.leader_password.clone(),
    };
    let r = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_string();
    (client, csrf)
}

async fn download(app: &TestApp, path: &str, token: &str) -> (String, Vec<u8>) {
    let r = app
        .request(reqwest::Method::GET, path, Some(token), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    let content_type = r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let disposition = r
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    (content_type, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_leader_drafts_downloads_and_records_a_letter_and_the_register_follows_the_answer() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let late = app.get_json("/api/v1/letters/departments", &leader).await;
        let first = late[0].clone();
        let code = first["code"].as_str().unwrap().to_string();
        assert!(first["overdue"].as_i64().unwrap() > 0);

        let draft = app
            .get_json(&format!("/api/v1/letters/draft?department={code}"), &leader)
            .await;
        let ids: Vec<i64> = draft["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_id"].as_i64().unwrap())
            .collect();
        assert!(!ids.is_empty());
        assert!(
            draft["subject"]
                .as_str()
                .unwrap()
                .starts_with("đôn đốc thực hiện nhiệm vụ")
        );

        let (ct, bytes) = download(
            &app,
            &format!("/api/v1/letters/draft.docx?department={code}"),
            &leader,
        )
        .await;
        assert!(ct.starts_with("application/vnd.openxmlformats-officedocument.wordprocessingml"));
        let mut docx = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut docx.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        // Signed by the default signer: the block of their position.
        let authority = draft["signature"]["authority"].as_str().unwrap();
        assert!(authority == "TM. ỦY BAN NHÂN DÂN" || authority == "KT. CHỦ TỊCH");
        assert!(xml.contains("Kính gửi: ") && xml.contains(authority));
        assert!(xml.contains(first["name"].as_str().unwrap()));

        let (ct, bytes) = download(&app, "/api/v1/letters/drafts.zip", &leader).await;
        assert_eq!(ct, "application/zip");
        let all = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(all.len(), late.as_array().unwrap().len());

        // A task the department does not lead: refused, naming the field.
        let other = app.get_json("/api/v1/tasks?per_page=200", &leader).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["lead_department"]["code"] != code.as_str())
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post(
                "/api/v1/letters",
                Some(&leader),
                json!({"department": code, "number": "77", "issued_on": "2026-11-25",
                       "task_ids": [ids[0], other]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body.to_string().contains("task_ids"), "{body}");

        let r = app
            .post(
                "/api/v1/letters",
                Some(&leader),
                json!({"department": code, "number": "77", "issued_on": "2026-11-25",
                       "report_back_on": "2026-12-05", "task_ids": ids}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["number"], "77/UBND-VP");
        assert_eq!(doc["kind"], "official_letter");
        assert_eq!(doc["report_back_on"], "2026-12-05");
        assert_eq!(doc["links"].as_array().unwrap().len(), ids.len());
        assert!(
            doc["links"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["relation"] == "reminds")
        );
        let doc_id = doc["id"].as_i64().unwrap();

        // The register: waiting, then answered once the department reports.
        let reg = app
            .get_json(
                &format!("/api/v1/reminder-register?department={code}&year=2026"),
                &leader,
            )
            .await;
        let entry = reg["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["document_id"] == doc_id)
            .unwrap()
            .clone();
        assert_eq!(entry["recipients"][0]["state"], "waiting");
        assert_eq!(entry["report_back_on"], "2026-12-05");
        let staff = app.login(&staff_of(&code)).await;
        let r = app
            .patch(
                &format!("/api/v1/tasks/{}", ids[0]),
                Some(&staff),
                json!({"note": "Đơn vị đã tập trung thực hiện, dự kiến hoàn thành trong tháng 12"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let reg = app.get_json("/api/v1/reminder-register", &staff).await;
        assert_eq!(reg["department"], code.as_str());
        let entry = reg["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["document_id"] == doc_id)
            .unwrap()
            .clone();
        assert_eq!(entry["recipients"][0]["state"], "answered");
        for e in reg["entries"].as_array().unwrap() {
            assert!(
                e["recipients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["code"] == code.as_str())
            );
        }
        let (ct, _) = download(&app, "/api/v1/reminder-register.xlsx?year=2026", &leader).await;
        assert!(ct.contains("spreadsheetml"));

        // Staff neither draft nor record; nobody anonymous does anything.
        for path in [
            "/api/v1/letters/departments".to_string(),
            format!("/api/v1/letters/draft?department={code}"),
            format!("/api/v1/letters/draft.docx?department={code}"),
            "/api/v1/letters/drafts.zip".to_string(),
            "/api/v1/review".to_string(),
        ] {
            let r = app
                .request(reqwest::Method::GET, &path, Some(&staff), None)
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
            let r = app.request(reqwest::Method::GET, &path, None, None).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let r = app
            .post(
                "/api/v1/letters",
                Some(&staff),
                json!({"department": code, "number": "78", "issued_on": "2026-11-25", "task_ids": ids}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .request(
                reqwest::Method::GET,
                "/api/v1/letters/draft?department=KHONGCO",
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .request(
                reqwest::Method::GET,
                "/api/v1/reminder-register?year=abc",
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn the_review_states_the_years_figures_and_exports_them() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let r = app.get_json("/api/v1/review?year=2026", &leader).await;
        assert_eq!(r["overall"]["total"], 96);
        assert_eq!(r["reminder_documents"], 25);
        assert_eq!(r["period"]["kind"], "year");
        let p = r["paragraph_vi"].as_str().unwrap();
        assert!(
            p.starts_with(
                "Trong Chương trình làm việc năm 2026, UBND huyện đã đề ra 96 nội dung trọng tâm"
            ),
            "{p}"
        );
        assert!(p.contains("đã ban hành 25 văn bản đôn đốc"), "{p}");
        // Figures agree with the task list the API serves.
        let tasks = app
            .get_json("/api/v1/tasks?year=2026&per_page=200", &leader)
            .await;
        let items = tasks["items"].as_array().unwrap();
        let overdue = items
            .iter()
            .filter(|t| t["timeliness"] == "overdue")
            .count();
        let late = items
            .iter()
            .filter(|t| t["timeliness"] == "completed_late")
            .count();
        assert_eq!(r["overall"]["overdue"], overdue);
        assert_eq!(r["overall"]["completed_late"], late);

        let q = app
            .get_json("/api/v1/review?year=2026&quarter=4", &leader)
            .await;
        assert_eq!(q["period"]["from"], "2026-10-01");
        let range = app
            .get_json("/api/v1/review?from=2026-01-01&to=2026-06-30", &leader)
            .await;
        assert_eq!(range["period"]["kind"], "range");
        let bad = app
            .request(
                reqwest::Method::GET,
                "/api/v1/review?quarter=7&from=2026-01-01",
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = bad.text().await.unwrap();
        assert!(
            body.contains("quarter") && body.contains("\"to\""),
            "{body}"
        );

        let (ct, bytes) = download(&app, "/api/v1/review.docx?year=2026", &leader).await;
        assert!(ct.contains("wordprocessingml"));
        let mut docx = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut docx.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("đã đề ra 96 nội dung trọng tâm"));
        let (ct, bytes) = download(&app, "/api/v1/review.xlsx?year=2026&quarter=4", &leader).await;
        assert!(ct.contains("spreadsheetml"));
        assert!(bytes.starts_with(b"PK"));
    }
}

#[tokio::test]
async fn the_pages_show_letters_register_and_review_and_the_form_records_a_letter() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    let leader_token = app.login("chutich").await;
    let late = app
        .get_json("/api/v1/letters/departments", &leader_token)
        .await;
    let code = late[0]["code"].as_str().unwrap().to_string();
    let name = late[0]["name"].as_str().unwrap().to_string();
    let (leader, csrf) = session(&app, "chutich").await;
    let page = |path: String| {
        let leader = leader.clone();
        let url = app.url(&path);
        async move {
            let r = leader
                .get(url)
                .header("Accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.text().await.unwrap()
        }
    };
    let html = page("/overdue".into()).await;
    assert!(
        html.contains(&format!("href=\"/letters/{code}\""))
            && html.contains("Soạn công văn đôn đốc")
    );
    let html = page("/letters".into()).await;
    assert!(html.contains(&name) && html.contains("/api/v1/letters/drafts.zip"));
    let html = page(format!("/letters/{code}")).await;
    assert!(html.contains("Vào sổ văn bản đôn đốc") && html.contains("name=\"task_ids\""));
    let draft = app
        .get_json(
            &format!("/api/v1/letters/draft?department={code}"),
            &leader_token,
        )
        .await;
    let ids: Vec<String> = draft["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_i64().unwrap().to_string())
        .collect();

    // Without the CSRF token nothing is recorded.
    let mut form: Vec<(&str, String)> = vec![
        ("number", "88".into()),
        ("issued_on", "25/11/2026".into()),
        ("report_back_on", "".into()),
        ("signer", "".into()),
    ];
    for id in &ids {
        form.push(("task_ids", id.clone()));
    }
    let r = leader
        .post(app.url(&format!("/letters/{code}/record")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let docs = app
        .get_json("/api/v1/documents?per_page=200", &leader_token)
        .await;
    assert!(!docs.to_string().contains("88/UBND-VP"));
    form.push(("csrf_token", csrf));
    let r = leader
        .post(app.url(&format!("/letters/{code}/record")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers().get("location").unwrap().to_str().unwrap(),
        format!("/register?department={code}")
    );
    let html = page(format!("/register?department={code}")).await;
    assert!(
        html.contains("88/UBND-VP") && html.contains("Chưa đến hạn báo cáo"),
        "{html}"
    );
    let html = page("/review?year=2026".into()).await;
    assert!(
        html.contains("đã đề ra 96 nội dung trọng tâm") && html.contains("Theo lãnh đạo phụ trách")
    );
    let html = page("/review?year=2026&quarter=9".into()).await;
    assert!(html.contains("Quý phải là 1, 2, 3 hoặc 4"));

    // Staff: the register (their letters), not the drafts or the review.
    let (staff, _) = session(&app, &staff_of(&code)).await;
    for (path, status) in [
        ("/register", StatusCode::OK),
        ("/letters", StatusCode::FORBIDDEN),
        ("/review", StatusCode::FORBIDDEN),
    ] {
        let r = staff
            .get(app.url(path))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
}
