//! Daily use on a phone (390 px) and a desktop (1366 px), in real headless
//! Chromium (issue 16): every page of every role fits the screen (nothing
//! sticks out sideways, touch targets are 44 px high, the menu opens from
//! a button), each role's jobs (update, report, extension, explanation,
//! decide, confirm) work at phone width, nothing typed is lost after a
//! refusal or an expired session, and a leader finds the decision first.
//! With DONDOC_SCREENSHOTS set, the user guides' pictures are written to
//! docs/screenshots/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser_support;

use std::time::Duration;

use browser_support::*;
use chrono::{TimeZone, Utc};
use fantoccini::{Client, Locator};
use helpers::*;
use serde_json::json;

const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1366, 900);

async fn at(b: &Client, (w, h): (u32, u32)) {
    b.set_window_size(w, h).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// The page fits: nothing wider than the window; on a phone, every
/// button, field and menu entry is at least 44 px high.
async fn fits(b: &Client, what: &str, phone: bool) {
    let wide = overflowing(b).await;
    assert!(wide.is_empty(), "{what}: wider than the window: {wide:?}");
    if phone {
        let small = small_targets(b).await;
        assert!(
            small.is_empty(),
            "{what}: touch targets under 44 px: {small:?}"
        );
    }
}

async fn value_of(b: &Client, id: &str) -> String {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn top_of(b: &Client, css: &str) -> f64 {
    let v: serde_json::Value = b
        .execute(
            "return document.querySelector(arguments[0]).getBoundingClientRect().top + window.scrollY",
            vec![json!(css)],
        )
        .await
        .unwrap();
    v.as_f64().unwrap()
}

async fn displayed(b: &Client, css: &str) -> bool {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap()
}

async fn submit(b: &Client, css: &str) {
    let button = b.find(Locator::Css(css)).await.unwrap();
    b.execute(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![serde_json::to_value(&button).unwrap()],
    )
    .await
    .unwrap();
    button.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn flash(b: &Client) -> String {
    expect_element(b, Locator::Css(".flash"))
        .await
        .text()
        .await
        .unwrap()
}

/// Logs out from the menu, opening it first on a phone.
async fn sign_out(b: &Client) {
    if displayed(b, ".menu-button").await {
        b.find(Locator::Css(".menu-button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    logout(b).await;
}

async fn open(b: &Client, base: &str, path: &str) {
    b.goto(&format!("{base}{path}")).await.unwrap();
}

// Longer than 100 lines: one browser session lives through a task's whole
// story (ask, answer, extend, update, report, decide, confirm, expire), each
// step building on the one before.
#[tokio::test]
async fn every_role_works_at_390_and_1366_px_and_nothing_typed_is_lost() {
    let Some(browser) = browser().await else {
        return;
    };
    let b = &browser.client;
    let start = Utc
        .with_ymd_and_hms(TODAY.0, TODAY.1, TODAY.2, 2, 0, 0)
        .unwrap();
    let (app, hand) = spawn_clocked(start).await.into_iter().next().unwrap();
    let base = app.base.clone();
    let admin_token = app.login("admin").await;
    let picked = app.pick_task(&admin_token, "overdue").await;
    let task = picked.id;
    let lead_staff = staff_of(&picked.lead);
    let other_staff = staff_of(&picked.unrelated);
    let staff_password = app.settings.demo.staff_password.clone();
    let leader_password = app.settings.demo.leader_password.clone();
    let admin_password = app.settings.demo.admin_password.clone();

    // ── Every page of every role, at both widths.
    let common = [
        "/dashboard",
        "/tasks",
        "/overdue",
        "/documents",
        "/register",
        "/explanations",
    ];
    let leader_only = [
        "/tasks/new",
        "/documents/new",
        "/letters",
        "/review",
        "/snapshots",
    ];
    let own = format!("/tasks/{task}");
    let letter = format!("/letters/{}", picked.lead);
    let mut walks: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    let mut leader_pages: Vec<&str> = common.to_vec();
    leader_pages.extend(leader_only);
    leader_pages.extend([
        own.as_str(),
        letter.as_str(),
        "/account/password",
        "/account/calendar",
    ]);
    let mut admin_pages = leader_pages.clone();
    admin_pages.extend(["/admin", "/admin/import"]);
    let mut staff_pages: Vec<&str> = common.to_vec();
    staff_pages.extend([own.as_str(), "/account/password", "/account/calendar"]);
    walks.push(("admin", admin_password.as_str(), admin_pages));
    walks.push(("chutich", leader_password.as_str(), leader_pages));
    walks.push((lead_staff.as_str(), staff_password.as_str(), staff_pages));
    walks.push((
        other_staff.as_str(),
        staff_password.as_str(),
        common.to_vec(),
    ));
    // The check itself sees a page that is too wide.
    open(b, &base, "/login").await;
    b.execute(
        "const e = document.createElement('div'); e.style.width = '2000px'; e.style.height = '4px'; document.body.appendChild(e);",
        vec![],
    )
    .await
    .unwrap();
    assert!(!overflowing(b).await.is_empty(), "the overflow check works");
    for (user, password, pages) in &walks {
        login(b, &base, user, password).await;
        for size in [PHONE, DESKTOP] {
            at(b, size).await;
            for page in pages {
                open(b, &base, page).await;
                expect_element(b, Locator::Css("main")).await;
                fits(b, &format!("{user} {page} at {} px", size.0), size == PHONE).await;
            }
        }
        // The phone menu: a button; the entries show when it is pressed,
        // each inside the screen.
        at(b, PHONE).await;
        open(b, &base, "/explanations").await;
        assert!(
            !displayed(b, "#site-nav").await,
            "{user}: the menu starts closed"
        );
        if *user == "chutich" {
            guide_screenshot(b, "phone-menu-closed").await;
        }
        submit(b, ".menu-button").await;
        assert!(
            displayed(b, "#site-nav").await,
            "{user}: the button opens the menu"
        );
        fits(b, &format!("{user}: the open menu"), true).await;
        for link in b.find_all(Locator::Css("#site-nav a")).await.unwrap() {
            assert!(link.is_displayed().await.unwrap());
        }
        if *user == "chutich" {
            guide_screenshot(b, "phone-menu-open").await;
        }
        at(b, DESKTOP).await;
        assert!(
            displayed(b, "#site-nav").await,
            "on a desktop the menu is always shown"
        );
        assert!(!displayed(b, ".menu-button").await);
        logout(b).await;
    }

    // ── The jobs, on a phone.
    at(b, PHONE).await;
    // The leader asks for an explanation; a refused day keeps the question.
    login(b, &base, "chutich", &leader_password).await;
    open(b, &base, &own).await;
    let question = "Nêu rõ nguyên nhân chậm và ngày hoàn thành dự kiến.";
    type_into(b, "question", question).await;
    type_into(b, "answer_by", "01/01/2020").await;
    submit(b, "#explanation-form button[type=submit]").await;
    assert!(!flash(b).await.is_empty());
    expect_element(b, Locator::Css("#answer_by-error")).await;
    assert_eq!(
        value_of(b, "question").await,
        question,
        "the question is kept"
    );
    fits(b, "explanation refused", true).await;
    let answer_by = today() + chrono::Duration::days(5);
    type_into(b, "answer_by", &answer_by.format("%d/%m/%Y").to_string()).await;
    submit(b, "#explanation-form button[type=submit]").await;
    assert!(flash(b).await.contains("Đã gửi yêu cầu giải trình"));
    sign_out(b).await;

    // The department: answers, asks for more time, updates, reports.
    login(b, &base, &lead_staff, &staff_password).await;
    open(b, &base, &own).await;
    let answer = b
        .find(Locator::Css("form.explanation-answer textarea"))
        .await
        .unwrap();
    answer
        .send_keys("Vướng giải phóng mặt bằng 02 hộ.")
        .await
        .unwrap();
    submit(b, "form.explanation-answer button[type=submit]").await;
    assert!(flash(b).await.contains("Đã gửi nội dung giải trình"));
    let later = today() + chrono::Duration::days(20);
    type_into(
        b,
        "requested_due_date",
        &later.format("%d/%m/%Y").to_string(),
    )
    .await;
    type_into(b, "reason", "Chờ 02 hộ bàn giao mặt bằng").await;
    submit(b, "#extension-form button[type=submit]").await;
    assert!(flash(b).await.contains("Đã gửi đề nghị gia hạn"));
    type_into(b, "progress", "80").await;
    type_into(b, "result_note", "Còn 02 hộ hẹn bàn giao").await;
    type_into(b, "note", "Đã họp dân lần 2").await;
    submit(b, "#update-form button[type=submit]").await;
    assert!(flash(b).await.contains("Đã lưu"));
    fits(b, "the task page after an update", true).await;
    sign_out(b).await;

    // The leader grants the extension.
    login(b, &base, "chutich", &leader_password).await;
    open(b, &base, &own).await;
    b.find(Locator::Css("form.decision input[name=note]"))
        .await
        .unwrap()
        .send_keys("Đồng ý")
        .await
        .unwrap();
    submit(b, "form.decision button[value=approve]").await;
    assert!(!flash(b).await.is_empty());
    sign_out(b).await;

    // The department reports done: the old result is refused, with
    // everything typed still there and the message beside the field.
    login(b, &base, &lead_staff, &staff_password).await;
    open(b, &base, &own).await;
    b.find(Locator::Css("#status option[value=reported_done]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(b, "progress", "100").await;
    submit(b, "#update-form button[type=submit]").await;
    expect_element(b, Locator::Css("#result_note-error")).await;
    assert_eq!(value_of(b, "status").await, "reported_done");
    assert_eq!(value_of(b, "progress").await, "100");
    assert_eq!(value_of(b, "result_note").await, "Còn 02 hộ hẹn bàn giao");
    fits(b, "a refused report", true).await;
    guide_screenshot(b, "report-refused-kept").await;
    type_into(b, "result_note", "Đã bàn giao đủ mặt bằng, thi công xong").await;
    submit(b, "#update-form button[type=submit]").await;
    assert!(flash(b).await.contains("Đã lưu"));
    sign_out(b).await;

    // The leader: the decision is the first thing on the page, at both widths.
    login(b, &base, "chutich", &leader_password).await;
    for (size, name) in [
        (PHONE, "task-reported-phone"),
        (DESKTOP, "task-reported-desktop"),
    ] {
        at(b, size).await;
        open(b, &base, &own).await;
        let decision = top_of(b, "#decision").await;
        assert!(
            decision < top_of(b, "#details-h").await,
            "decision first at {} px",
            size.0
        );
        assert!(
            decision < f64::from(size.1),
            "the decision is on the first screen at {} px",
            size.0
        );
        fits(b, "the reported task", size == PHONE).await;
        guide_screenshot(b, name).await;
    }
    at(b, PHONE).await;
    type_into(b, "confirm-note", "Đạt yêu cầu").await;
    submit(b, "#confirm-form button[value=accept]").await;
    assert_eq!(flash(b).await, "Đã xác nhận hoàn thành.");
    sign_out(b).await;

    // ── An expired session keeps what was typed and comes back to the page.
    let other_task = app.pick_task(&admin_token, "due_soon").await;
    let staff_user = staff_of(&other_task.lead);
    let page = format!("/tasks/{}", other_task.id);
    login(b, &base, &staff_user, &staff_password).await;
    open(b, &base, &page).await;
    let note = "Ghi chú dài gõ trên điện thoại trong lúc họp; không được mất.";
    type_into(b, "note", note).await;
    hand.set(start + chrono::Duration::hours(i64::from(app.settings.auth.session_ttl_hours) + 1));
    submit(
        b,
        "#update-form button[type=submit], #note-form button[type=submit]",
    )
    .await;
    assert!(wait_for_path(b, |p| p == "/login").await);
    assert!(body_text(b).await.contains("Phiên đăng nhập đã hết hạn"));
    guide_screenshot(b, "session-expired-login").await;
    b.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(&staff_user)
        .await
        .unwrap();
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&staff_password)
        .await
        .unwrap();
    submit(b, "form[action='/login'] button[type=submit]").await;
    assert!(
        wait_for_path(b, |p| p == page).await,
        "back on the task page, not a 404"
    );
    expect_element(b, Locator::Id("draft-restored")).await;
    assert_eq!(value_of(b, "note").await, note);
    fits(b, "the restored form", true).await;
    guide_screenshot(b, "session-restored").await;
    submit(
        b,
        "#update-form button[type=submit], #note-form button[type=submit]",
    )
    .await;
    assert!(flash(b).await.contains("Đã lưu"));
    let history = app
        .get_json(
            &format!("/api/v1/tasks/{}/history", other_task.id),
            &admin_token,
        )
        .await;
    assert!(
        history.to_string().contains(note),
        "the note is saved: {history}"
    );
}
