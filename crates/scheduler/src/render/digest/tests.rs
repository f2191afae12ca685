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
        }],
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
            .contains("Phòng Tài nguyên và Môi trường (TNMT) — 1 nhiệm vụ quá hạn"),
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
