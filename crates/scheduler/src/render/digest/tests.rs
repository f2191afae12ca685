//! The digests rendered from hand-made digests.

use super::*;
use chrono::NaiveDate;

use dondoc_core::followup::reminders::{DepartmentGroup, DigestSection, WeekFigures};

fn settings() -> RenderSettings {
    RenderSettings {
        organization: "UBND huyện Bắc Tân Uyên".into(),
        public_url: "http://dondoc.example".into(),
        due_soon_days: 7,
        escalate_after_days: 14,
        max_message_bytes: 2_000_000,
    }
}

fn line(id: i64, title: &str, days_overdue: Option<i64>, days_left: Option<i64>) -> DigestLine {
    DigestLine {
        task_id: id,
        code: format!("NV-{id}"),
        title: title.into(),
        lead_department_code: "TNMT".into(),
        lead_department_name: "Phòng Tài nguyên và Môi trường".into(),
        due_date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        days_overdue,
        days_left,
        reminder_documents: vec![IssuedReminder {
            number: "125/UBND-VP".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 4, 20).unwrap(),
            report_back_on: NaiveDate::from_ymd_opt(2026, 4, 30),
            document_id: 7,
            reply: LetterReply::NotAnswered,
        }],
        leader_in_charge: "Trần Thị Bình (Phó Chủ tịch UBND huyện)".into(),
    }
}

fn digest() -> Digest {
    Digest {
        kind: DigestKind::DepartmentDigest,
        idempotency_key: "department-digest:TNMT:2026-05-18".into(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        recipient: Recipient::Department {
            id: 1,
            code: "TNMT".into(),
            name: "Phòng Tài nguyên và Môi trường".into(),
        },
        addresses: vec!["tnmt@x.vn".into()],
        undeliverable: None,
        sections: vec![
            DigestSection {
                section: Section::Overdue,
                lines: vec![line(7, "Đo đạc <đất> & \"cấp\" giấy", Some(17), None)],
            },
            DigestSection {
                section: Section::DueSoon,
                lines: vec![line(8, "Kiểm kê đất đai", None, Some(3))],
            },
        ],
        groups: Vec::new(),
        figures: None,
        explanations: Vec::new(),
        task_ids: vec![7, 8],
    }
}

#[test]
fn a_department_digest_names_everything_in_vietnamese() {
    let r = render(&digest(), &settings()).unwrap();
    assert_eq!(
        r.subject,
        "[Đôn đốc] Phòng Tài nguyên và Môi trường: 2 nhiệm vụ (1 quá hạn, 1 sắp đến hạn) — ngày 18/05/2026"
    );
    for needle in [
        "Kính gửi: Phòng Tài nguyên và Môi trường",
        "QUÁ HẠN — 1 nhiệm vụ",
        "1. [NV-7] Đo đạc <đất> & \"cấp\" giấy",
        "Đơn vị chủ trì: Phòng Tài nguyên và Môi trường (TNMT)",
        "Thời hạn: 01/05/2026 — quá hạn 17 ngày",
        "Lãnh đạo phụ trách: Trần Thị Bình (Phó Chủ tịch UBND huyện)",
        "Văn bản đôn đốc gần nhất yêu cầu báo cáo trước ngày 30/04/2026; đơn vị chưa báo cáo lại.",
        "Văn bản đôn đốc đã ban hành: 1 văn bản (số 125/UBND-VP ngày 20/04/2026)",
        "Xem và cập nhật: http://dondoc.example/tasks/7",
        "SẮP ĐẾN HẠN (trong 7 ngày tới) — 1 nhiệm vụ",
        "còn 3 ngày",
    ] {
        assert!(
            r.text.contains(needle),
            "text lacks {needle:?}:\n{}",
            r.text
        );
    }
    assert!(
        !r.text.contains("&lt;"),
        "the text part is not HTML-escaped"
    );
}

#[test]
fn every_value_in_the_html_part_is_escaped() {
    let mut d = digest();
    d.recipient = Recipient::Department {
        id: 1,
        code: "X".into(),
        name: "<script>alert(1)</script>".into(),
    };
    let r = render(&d, &settings()).unwrap();
    assert!(!r.html.contains("<script>"), "{}", r.html);
    assert!(
        r.html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("Đo đạc &#60;đất&#62; &#38; &#34;cấp&#34; giấy"),
        "{}",
        r.html
    );
    assert!(r.html.contains("href=\"http://dondoc.example/tasks/7\""));
}

#[test]
fn a_leader_digest_has_the_week_figures_and_departments() {
    let mut d = digest();
    d.kind = DigestKind::LeaderDigest;
    d.recipient = Recipient::Leader {
        id: 3,
        username: "ct".into(),
        full_name: "Nguyễn Văn An".into(),
        position: Some("Chủ tịch UBND huyện".into()),
    };
    d.groups = vec![DepartmentGroup {
        code: "TNMT".into(),
        name: "Phòng Tài nguyên và Môi trường".into(),
        lines: vec![line(7, "Đo đạc", Some(17), None)],
    }];
    d.sections.clear();
    d.figures = Some(WeekFigures {
        overdue: 1,
        escalated: 1,
        newly_overdue: 0,
        done_this_week: 2,
        due_next_week: 3,
    });
    let r = render(&d, &settings()).unwrap();
    assert!(
        r.subject
            .starts_with("[Tổng hợp tuần] 1 nhiệm vụ quá hạn tại 1 đơn vị"),
        "{}",
        r.subject
    );
    assert!(
        r.text
            .contains("Kính gửi: Đồng chí Nguyễn Văn An — Chủ tịch UBND huyện"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("- Báo cáo hoàn thành trong 7 ngày qua: 2"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("Phòng Tài nguyên và Môi trường (TNMT) — 1 nhiệm vụ quá hạn, trong đó 1 quá hạn từ 14 ngày trở lên"),
        "{}",
        r.text
    );
}

#[test]
fn a_leader_digest_lists_unanswered_explanation_requests_escaped() {
    let mut d = digest();
    d.kind = DigestKind::LeaderDigest;
    d.sections.clear();
    d.figures = Some(WeekFigures::default());
    d.explanations = vec![EscalatedExplanation {
        request_id: 4,
        task_id: 7,
        code: "NV-7".into(),
        title: "Đo đạc".into(),
        lead_department_code: "TNMT".into(),
        lead_department_name: "Phòng Tài nguyên và Môi trường".into(),
        question: "Vì sao <chậm>?".into(),
        answer_by: NaiveDate::from_ymd_opt(2026, 5, 15).unwrap(),
        days_overdue: 3,
        requested_by: "Nguyễn Văn An".into(),
    }];
    let r = render(&d, &settings()).unwrap();
    assert!(
        r.subject
            .contains("1 yêu cầu giải trình quá hạn chưa trả lời"),
        "{}",
        r.subject
    );
    for needle in [
        "YÊU CẦU GIẢI TRÌNH QUÁ HẠN CHƯA TRẢ LỜI — 1 yêu cầu",
        "1. [NV-7] Đo đạc",
        "Hạn trả lời: 15/05/2026 — quá hạn 3 ngày, chưa trả lời",
        "Nội dung yêu cầu (Nguyễn Văn An): Vì sao <chậm>?",
    ] {
        assert!(r.text.contains(needle), "missing {needle:?}:\n{}", r.text);
    }
    assert!(r.html.contains("Vì sao &#60;chậm&#62;?"), "{}", r.html);
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(
        render(&digest(), &settings()).unwrap(),
        render(&digest(), &settings()).unwrap()
    );
}

/// A department digest of `n` overdue lines with long titles.
fn big_digest(n: i64) -> Digest {
    let mut d = digest();
    let title =
        "Triển khai dự án cấp nước sạch nông thôn và cải tạo hệ thống thoát nước đô thị ".repeat(4);
    d.sections = vec![DigestSection {
        section: Section::Overdue,
        lines: (0..n).map(|i| line(i, &title, Some(30), None)).collect(),
    }];
    d
}

#[test]
fn a_digest_too_large_for_the_cap_lists_the_oldest_and_counts_the_rest() {
    let mut s = settings();
    s.max_message_bytes = 100_000;
    let d = big_digest(2_000);
    let r = render(&d, &s).unwrap();
    let size = fit::part_len(&r.text) + fit::part_len(&r.html);
    assert!(size < 100_000, "{size} bytes");
    let listed = r.text.matches("Xem và cập nhật:").count();
    assert!(listed > 10 && listed < 2_000, "{listed} lines listed");
    let more = format!(
        "… và {} nhiệm vụ khác — xem tất cả: http://dondoc.example/overdue?department=TNMT",
        2_000 - listed
    );
    assert!(r.text.contains(&more), "text lacks {more:?}");
    assert!(
        r.html
            .contains(&format!("… và {} nhiệm vụ khác", 2_000 - listed))
    );
    // The first (oldest) lines are the ones kept.
    assert!(r.text.contains("[NV-0]") && !r.text.contains("[NV-1999]"));
    // Under the default cap the same digest is whole.
    let whole = render(&big_digest(500), &settings()).unwrap();
    assert_eq!(whole.text.matches("Xem và cập nhật:").count(), 500);
    assert!(!whole.text.contains("nhiệm vụ khác"));
}

#[test]
fn a_leader_digest_is_a_summary_of_the_oldest_few_per_department() {
    let mut d = big_digest(0);
    d.kind = DigestKind::LeaderDigest;
    d.sections.clear();
    d.figures = Some(WeekFigures::default());
    d.groups = vec![DepartmentGroup {
        code: "TN MT".into(),
        name: "Phòng Tài nguyên và Môi trường".into(),
        lines: (0..500)
            .map(|i| line(i, "Đo đạc", Some(30), None))
            .collect(),
    }];
    let r = render(&d, &settings()).unwrap();
    assert_eq!(
        r.text.matches("Xem và cập nhật:").count(),
        LEADER_OLDEST_SHOWN
    );
    assert!(
        r.text.contains(
            "… và 497 nhiệm vụ khác — xem tất cả: http://dondoc.example/overdue?department=TN%20MT"
        ),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("500 nhiệm vụ quá hạn, trong đó 500 quá hạn từ 14 ngày trở lên")
    );
}

#[test]
fn a_digest_whose_sections_do_not_fit_says_how_many_tasks_it_leaves_out() {
    let mut s = settings();
    s.max_message_bytes = 40_000;
    let mut d = big_digest(0);
    d.kind = DigestKind::LeaderDigest;
    d.sections.clear();
    d.figures = Some(WeekFigures::default());
    d.groups = (0..400)
        .map(|g| DepartmentGroup {
            code: format!("D{g}"),
            name: format!("Phòng số {g} có tên khá dài để thư nặng hơn"),
            lines: (0..5)
                .map(|i| line(g * 10 + i, "Đo đạc", Some(30), None))
                .collect(),
        })
        .collect();
    let r = render(&d, &s).unwrap();
    let size = fit::part_len(&r.text) + fit::part_len(&r.html);
    assert!(size < 40_000, "{size} bytes");
    assert!(r.text.contains("Thư giới hạn 40 KB: còn"), "{}", r.text);
    assert!(r.text.contains(
        "nhiệm vụ không ghi trong thư này — xem đầy đủ trên hệ thống: http://dondoc.example/overdue"
    ));
}

#[test]
fn the_html_part_is_phone_friendly_and_names_the_leader() {
    let r = render(&digest(), &settings()).unwrap();
    assert!(
        r.html
            .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(r.html.contains("@media only screen and (max-width: 600px)"));
    assert!(r.html.contains("data-label=\"Lãnh đạo phụ trách\""));
    assert!(r.html.contains("Trần Thị Bình (Phó Chủ tịch UBND huyện)"));
}

#[test]
fn the_last_letter_says_whether_the_department_answered_it() {
    let letter = |report_back_on, reply| IssuedReminder {
        number: "125/UBND-VP".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 4, 20).unwrap(),
        report_back_on,
        document_id: 7,
        reply,
    };
    let by = NaiveDate::from_ymd_opt(2026, 4, 30);
    let on = NaiveDate::from_ymd_opt(2026, 4, 28).unwrap();
    assert_eq!(
        last_letter_text(&letter(by, LetterReply::Answered { on })),
        "Văn bản đôn đốc gần nhất yêu cầu báo cáo trước ngày 30/04/2026; đơn vị đã báo cáo lại ngày 28/04/2026."
    );
    assert_eq!(
        last_letter_text(&letter(None, LetterReply::NotAnswered)),
        "Văn bản đôn đốc gần nhất: đơn vị chưa báo cáo lại."
    );
    // Not looked up (department digests): only what the letter asked.
    assert_eq!(
        last_letter_text(&letter(by, LetterReply::Unknown)),
        "Văn bản đôn đốc gần nhất yêu cầu báo cáo trước ngày 30/04/2026"
    );
    assert_eq!(last_letter_text(&letter(None, LetterReply::Unknown)), "");
}
