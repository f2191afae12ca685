//! Turning a digest into an email: a Vietnamese subject, a text part and an
//! HTML part, from templates compiled into the binary (askama; the HTML one
//! escapes every value). Rendered **once**, when the notification is
//! enqueued, and stored, so every retry sends the same content.
//!
//! Notifications core enqueues with structured content instead (a request
//! for explanation) are rendered by [`render_payload`] when the worker
//! first claims them, and stored before they are sent.

mod explanation;

use askama::Template;
use chrono::NaiveDate;
use dondoc_core::{
    Settings,
    domain::text::one_line,
    followup::{
        explanations::{self, EscalatedExplanation, ExplanationNotice},
        outbox::NewNotification,
        recipients::Recipient,
        reminders::{Digest, DigestKind, DigestLine, IssuedReminder, Section},
    },
};

/// What rendering needs from the configuration.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    pub organization: String,
    /// Without a trailing slash.
    pub public_url: String,
    pub due_soon_days: u32,
    pub escalate_after_days: u32,
}

impl RenderSettings {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            organization: settings.organization.name.clone(),
            public_url: settings.public_url().to_string(),
            due_soon_days: settings.policy.due_soon_days,
            escalate_after_days: settings.policy.escalate_after_days,
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct LineView {
    code: String,
    title: String,
    department: String,
    due: String,
    status: String,
    reminders: String,
    link: String,
}

struct SectionView {
    heading: String,
    colour: &'static str,
    lines: Vec<LineView>,
}

struct Figure {
    label: &'static str,
    value: u32,
}

struct ExplanationLineView {
    code: String,
    title: String,
    department: String,
    answer_by: String,
    days: i64,
    asker: String,
    question: String,
    link: String,
}

fn explanation_view(e: &EscalatedExplanation, public_url: &str) -> ExplanationLineView {
    ExplanationLineView {
        code: one_line(&e.code),
        title: one_line(&e.title),
        department: format!(
            "{} ({})",
            one_line(&e.lead_department_name),
            one_line(&e.lead_department_code)
        ),
        answer_by: vn_date(e.answer_by),
        days: e.days_overdue,
        asker: one_line(&e.requested_by),
        question: one_line(&e.question),
        link: format!("{public_url}/tasks/{}", e.task_id),
    }
}

#[derive(Template)]
#[template(path = "digest.txt")]
struct TextEmail<'a> {
    organization: &'a str,
    addressee: &'a str,
    intro: &'a str,
    figures_heading: &'a str,
    figures: &'a Option<Vec<Figure>>,
    sections: &'a [SectionView],
    explanations_heading: &'a str,
    explanations: &'a [ExplanationLineView],
    closing: &'a str,
    public_url: &'a str,
    key: &'a str,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct HtmlEmail<'a> {
    subject: &'a str,
    organization: &'a str,
    addressee: &'a str,
    intro: &'a str,
    figures_heading: &'a str,
    figures: &'a Option<Vec<Figure>>,
    sections: &'a [SectionView],
    explanations_heading: &'a str,
    explanations: &'a [ExplanationLineView],
    closing: &'a str,
    public_url: &'a str,
    key: &'a str,
}

/// `dd/mm/yyyy`, as Vietnamese documents write dates.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn status_text(line: &DigestLine) -> String {
    match (line.days_overdue, line.days_left) {
        (Some(d), _) => format!("quá hạn {d} ngày"),
        (None, Some(0)) => "đến hạn hôm nay".to_string(),
        (None, Some(d)) => format!("còn {d} ngày"),
        (None, None) => String::new(),
    }
}

fn reminders_text(documents: &[IssuedReminder]) -> String {
    if documents.is_empty() {
        return "chưa có".to_string();
    }
    let list = documents
        .iter()
        .map(|d| format!("số {} ngày {}", one_line(&d.number), vn_date(d.issued_on)))
        .collect::<Vec<_>>()
        .join("; ");
    format!("{} văn bản ({list})", documents.len())
}

fn line_view(line: &DigestLine, public_url: &str) -> LineView {
    LineView {
        code: one_line(&line.code),
        title: one_line(&line.title),
        department: if line.lead_department_name.is_empty() {
            one_line(&line.lead_department_code)
        } else {
            format!(
                "{} ({})",
                one_line(&line.lead_department_name),
                one_line(&line.lead_department_code)
            )
        },
        due: vn_date(line.due_date),
        status: status_text(line),
        reminders: reminders_text(&line.reminder_documents),
        link: format!("{public_url}/tasks/{}", line.task_id),
    }
}

fn addressee(recipient: &Recipient) -> String {
    match recipient {
        Recipient::Department { name, .. } => one_line(name),
        Recipient::Leader {
            full_name,
            position,
            ..
        } => match position.as_deref().map(one_line).filter(|p| !p.is_empty()) {
            Some(position) => format!("Đồng chí {} — {position}", one_line(full_name)),
            None => format!("Đồng chí {}", one_line(full_name)),
        },
    }
}

fn count_of(digest: &Digest, section: Section) -> usize {
    digest.section(section).map(|s| s.lines.len()).unwrap_or(0)
}

fn subject(digest: &Digest, settings: &RenderSettings) -> String {
    let date = vn_date(digest.for_date);
    match digest.kind {
        DigestKind::DepartmentDigest => {
            let mut parts = Vec::new();
            for (section, label) in [
                (Section::Overdue, "quá hạn"),
                (Section::DueToday, "đến hạn hôm nay"),
                (Section::DueSoon, "sắp đến hạn"),
            ] {
                let n = count_of(digest, section);
                if n > 0 {
                    parts.push(format!("{n} {label}"));
                }
            }
            format!(
                "[Đôn đốc] {}: {} nhiệm vụ {} — ngày {date}",
                one_line(digest.recipient.display_name()),
                digest.line_count(),
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("({})", parts.join(", "))
                }
            )
            .replace("  ", " ")
        }
        DigestKind::Escalation => format!(
            "[Đôn đốc] {} nhiệm vụ quá hạn từ {} ngày trở lên do đồng chí {} phụ trách — ngày {date}",
            digest.line_count(),
            settings.escalate_after_days,
            one_line(digest.recipient.display_name())
        ),
        DigestKind::LeaderDigest if digest.explanations.is_empty() => format!(
            "[Tổng hợp tuần] {} nhiệm vụ quá hạn tại {} đơn vị — ngày {date}",
            digest.line_count(),
            digest.groups.len()
        ),
        DigestKind::LeaderDigest => format!(
            "[Tổng hợp tuần] {} nhiệm vụ quá hạn tại {} đơn vị; {} yêu cầu giải trình quá hạn chưa trả lời — ngày {date}",
            digest.line_count(),
            digest.groups.len(),
            digest.explanations.len()
        ),
    }
}

/// Renders a digest. The only failure is a template error (a bug).
pub fn render(digest: &Digest, settings: &RenderSettings) -> Result<Rendered, askama::Error> {
    let url = settings.public_url.as_str();
    let date = vn_date(digest.for_date);
    let subject = subject(digest, settings);
    let addressee = addressee(&digest.recipient);
    let (intro, closing, figures_heading, figures, sections) = match digest.kind {
        DigestKind::DepartmentDigest => {
            let sections = digest
                .sections
                .iter()
                .map(|s| {
                    let (heading, colour) = match s.section {
                        Section::Overdue => ("QUÁ HẠN".to_string(), "#b91c1c"),
                        Section::DueToday => ("ĐẾN HẠN HÔM NAY".to_string(), "#b45309"),
                        Section::DueSoon => (
                            format!("SẮP ĐẾN HẠN (trong {} ngày tới)", settings.due_soon_days),
                            "#1d4ed8",
                        ),
                    };
                    SectionView {
                        heading: format!("{heading} — {} nhiệm vụ", s.lines.len()),
                        colour,
                        lines: s.lines.iter().map(|l| line_view(l, url)).collect(),
                    }
                })
                .collect::<Vec<_>>();
            (
                format!(
                    "{} nhắc các nhiệm vụ trọng tâm do đơn vị chủ trì thực hiện, tính đến ngày {date}:",
                    one_line(&settings.organization)
                ),
                "Đề nghị đơn vị khẩn trương thực hiện và cập nhật tiến độ trên hệ thống. \
                 Nhiệm vụ không thể hoàn thành đúng hạn, đề nghị gửi đề xuất gia hạn kèm lý do."
                    .to_string(),
                "",
                None,
                sections,
            )
        }
        DigestKind::Escalation => (
            format!(
                "Các nhiệm vụ sau do đồng chí phụ trách đã quá hạn từ {} ngày trở lên, tính đến ngày {date}:",
                settings.escalate_after_days
            ),
            "Kính đề nghị đồng chí chỉ đạo các đơn vị chủ trì khẩn trương hoàn thành.".to_string(),
            "",
            None,
            digest
                .sections
                .iter()
                .map(|s| SectionView {
                    heading: format!("QUÁ HẠN — {} nhiệm vụ (cũ nhất trước)", s.lines.len()),
                    colour: "#b91c1c",
                    lines: s.lines.iter().map(|l| line_view(l, url)).collect(),
                })
                .collect(),
        ),
        DigestKind::LeaderDigest => {
            let f = digest.figures.unwrap_or_default();
            (
                format!(
                    "Tổng hợp tình hình thực hiện nhiệm vụ trọng tâm của {}, tuần đến ngày {date}.",
                    one_line(&settings.organization)
                ),
                "Chi tiết từng nhiệm vụ xem tại đường dẫn kèm theo.".to_string(),
                "SỐ LIỆU TRONG TUẦN",
                Some(vec![
                    Figure {
                        label: "Nhiệm vụ đang quá hạn",
                        value: f.overdue,
                    },
                    Figure {
                        label: "Trong đó quá hạn lâu (cần đôn đốc)",
                        value: f.escalated,
                    },
                    Figure {
                        label: "Mới quá hạn trong 7 ngày qua",
                        value: f.newly_overdue,
                    },
                    Figure {
                        label: "Báo cáo hoàn thành trong 7 ngày qua",
                        value: f.done_this_week,
                    },
                    Figure {
                        label: "Đến hạn trong 7 ngày tới",
                        value: f.due_next_week,
                    },
                ]),
                digest
                    .groups
                    .iter()
                    .map(|g| SectionView {
                        heading: format!(
                            "{} ({}) — {} nhiệm vụ quá hạn",
                            one_line(&g.name),
                            one_line(&g.code),
                            g.lines.len()
                        ),
                        colour: "#b91c1c",
                        lines: g.lines.iter().map(|l| line_view(l, url)).collect(),
                    })
                    .collect(),
            )
        }
    };
    let explanations: Vec<ExplanationLineView> = digest
        .explanations
        .iter()
        .map(|e| explanation_view(e, url))
        .collect();
    let explanations_heading = format!(
        "YÊU CẦU GIẢI TRÌNH QUÁ HẠN CHƯA TRẢ LỜI — {} yêu cầu",
        explanations.len()
    );
    let organization = one_line(&settings.organization);
    let text = TextEmail {
        organization: &organization,
        addressee: &addressee,
        intro: &intro,
        figures_heading,
        figures: &figures,
        sections: &sections,
        explanations_heading: &explanations_heading,
        explanations: &explanations,
        closing: &closing,
        public_url: url,
        key: &digest.idempotency_key,
    }
    .render()?;
    let html = HtmlEmail {
        subject: &subject,
        organization: &organization,
        addressee: &addressee,
        intro: &intro,
        figures_heading,
        figures: &figures,
        sections: &sections,
        explanations_heading: &explanations_heading,
        explanations: &explanations,
        closing: &closing,
        public_url: url,
        key: &digest.idempotency_key,
    }
    .render()?;
    Ok(Rendered {
        subject,
        text: format!("{}\n", text.trim_end()),
        html,
    })
}

/// The outbox row for a digest: rendered, with its recipients and tasks.
pub fn to_notification(
    digest: &Digest,
    settings: &RenderSettings,
    recipients: Vec<String>,
    undeliverable: Option<String>,
) -> Result<NewNotification, askama::Error> {
    let rendered = render(digest, settings)?;
    Ok(NewNotification {
        idempotency_key: digest.idempotency_key.clone(),
        kind: digest.kind.as_str().to_string(),
        for_date: digest.for_date,
        department_id: digest.recipient.department_id(),
        user_id: digest.recipient.user_id(),
        recipients,
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        task_ids: digest.task_ids.clone(),
        undeliverable,
    })
}

/// The text and HTML bodies of a notification core enqueued with
/// structured content (`payload`, JSON) rather than rendered, by its kind.
/// The error, a sentence for the operator, fails the notification: the same
/// payload would fail again.
pub fn render_payload(
    kind: &str,
    subject: &str,
    payload: &str,
) -> Result<(String, String), String> {
    let cannot =
        |why: String| format!("Không dựng được nội dung thư / cannot render the message: {why}");
    match kind {
        explanations::NOTIFICATION_KIND => {
            let notice: ExplanationNotice =
                serde_json::from_str(payload).map_err(|e| cannot(e.to_string()))?;
            explanation::render(subject, &notice).map_err(|e| cannot(e.to_string()))
        }
        other => Err(cannot(format!("no template for kind {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
