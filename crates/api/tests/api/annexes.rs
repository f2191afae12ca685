//! A Word annex of 30 tasks written the way an office writes them: the
//! API's dry run shows what every cell was read as, then the file imports in
//! one go. The letters' signers, and the aliases page.

use dondoc_core::tasks::import::samples::annex_docx_30;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_fields, expect_problem, spawn_apps};
use crate::pages_access::browser_for;

#[tokio::test]
async fn a_word_annex_of_30_tasks_previews_every_mapping_and_imports_in_one_go() {
    let (bytes, codes) = annex_docx_30();
    for app in spawn_apps().await {
        let admin = app.login("admin").await;
        let post = |query: &'static str| {
            app.client
                .post(app.url(&format!(
                    "/api/v1/imports?year=2028&file_name=ke-hoach.docx{query}"
                )))
                .bearer_auth(&admin)
                .header("content-type", "application/octet-stream")
                .body(bytes.clone())
                .send()
        };
        let r = post("&dry_run=true").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let preview: Value = r.json().await.unwrap();
        let rows = preview["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 30);
        let got: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
        assert_eq!(got, codes);
        assert!(rows.iter().all(|r| r["code_generated"] == true));
        let first = &rows[0];
        assert_eq!(first["section"], "LĨNH VỰC TÀI CHÍNH – NGÂN SÁCH");
        assert_eq!(first["lead_department"], "Phòng Tài chính - Kế hoạch");
        assert_eq!(first["leader_in_charge"], "Lê Văn Thịnh");
        assert_eq!(first["due_date"], "2027-03-31");
        assert_eq!(first["due_text"], "Quý I/2027");
        assert_eq!(first["field"], "Tài chính – ngân sách");
        let lac_an = rows.iter().find(|r| r["code"] == "TNMT-02").unwrap();
        assert_eq!(lac_an["lead_department"], "UBND xã Lạc An");
        // Nothing written by the dry run; then all 30 at once.
        let r = post("").await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["imported"], 30);
        let tasks: Value = app
            .client
            .get(app.url("/api/v1/tasks?year=2028&q=TCNS-01"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let found = tasks["items"]
            .as_array()
            .or(tasks.as_array())
            .and_then(|items| items.iter().find(|t| t["code"] == "TCNS-01").cloned())
            .unwrap_or_else(|| panic!("{tasks}"));
        assert_eq!(found["due_text"], "Quý I/2027");
        // The same file again: every code is taken, nothing written.
        let r = post("").await.unwrap();
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body).len(), 30, "{body}");
    }
}

#[tokio::test]
async fn letters_name_their_signers_and_refuse_an_unknown_one() {
    for app in spawn_apps().await {
        let leader = app.login("chutich").await;
        let get = |path: String| app.client.get(app.url(&path)).bearer_auth(&leader).send();
        let late: Value = get("/api/v1/letters/departments".into())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = late[0]["code"].as_str().unwrap().to_string();
        let signers: Value = get(format!("/api/v1/letters/signers?department={code}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let signers = signers.as_array().unwrap();
        assert_eq!(signers[0]["username"], "chutich", "the head first");
        assert_eq!(signers[0]["head"], true);
        assert_eq!(signers.iter().filter(|s| s["default"] == true).count(), 1);
        let draft: Value = get(format!(
            "/api/v1/letters/draft?department={code}&signer=pct.kinhte"
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(draft["signature"]["authority"], "KT. CHỦ TỊCH");
        assert_eq!(draft["signature"]["title"], "PHÓ CHỦ TỊCH");
        assert_eq!(draft["signature"]["name"], "Lê Văn Thịnh");
        let r = get(format!(
            "/api/v1/letters/draft?department={code}&signer=nobody"
        ))
        .await
        .unwrap();
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), ["signer"]);
        // The page: the signer's block under the letter, a choice of signers.
        let browser = browser_for(&app, Some("chutich")).await;
        let html = browser
            .get(app.url(&format!("/letters/{code}?signer=chutich")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"choose-signer\""), "{html}");
        assert!(html.contains("TM. ỦY BAN NHÂN DÂN"), "{html}");
        assert!(html.contains("signer=chutich"), "{html}");
    }
}

#[tokio::test]
async fn the_admin_keeps_aliases_and_staff_may_not() {
    for app in spawn_apps().await {
        let browser = browser_for(&app, Some("admin")).await;
        let page = browser
            .get(app.url("/admin/aliases"))
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
        let add = |alias: &'static str| {
            browser
                .post(app.url("/admin/aliases"))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("department", "BQLDA"),
                    ("alias", alias),
                ])
                .send()
        };
        let r = add("Ban QLDA").await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(app.url("/admin/aliases"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<td class=\"alias\">Ban QLDA</td>"), "{page}");
        // The same alias again (any case, any diacritics): back with the reason and what was typed.
        let r = add("BAN qlda").await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.starts_with("/admin/aliases?"), "{back}");
        let page = browser
            .get(app.url(&back))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("đã dùng cho"), "{page}");
        assert!(page.contains("value=\"BAN qlda\""), "{page}");
        // The admin page links to it.
        let admin = browser
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(admin.contains("href=\"/admin/aliases\""));
        // Staff: refused.
        let staff = browser_for(&app, Some("cb.tnmt")).await;
        let r = staff.get(app.url("/admin/aliases")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
