//! The digests (department digest, escalation, leader digest): subject,
//! text and HTML from `digest.txt` and `digest.html`.

use askama::Template;
use dondoc_core::{
    domain::text::one_line,
    followup::{
        explanations::EscalatedExplanation,
        outbox::NewNotification,
        recipients::Recipient,
        reminders::{Digest, DigestKind, DigestLine, IssuedReminder, LetterReply, Section},
    },
};

use super::{RenderSettings, Rendered, fit, vn_date};

#[derive(Clone)]
pub(super) struct LineView {
    pub code: String,
    pub title: String,
    pub department: String,
    /// The leader in charge, "Name (position)"; empty when none.
    pub leader: String,
    pub due: String,
    pub status: String,
    pub reminders: String,
    /// "the last letter asked for a report by …", when it did.
    pub report_back: String,
    /// Escalations: where to draft the next reminder letter to the
    /// department (empty elsewhere).
    pub next_letter: String,
    pub link: String,
}

/// "and N more": the tasks of a section the email does not list.
#[derive(Clone)]
pub(super) struct More {
    pub count: usize,
    pub link: String,
}

#[derive(Clone)]
pub(super) struct SectionView {
    pub heading: String,
    pub colour: &'static str,
    pub lines: Vec<LineView>,
    pub more: Option<More>,
    /// Where the whole section is on the site (the "and N more" link).
    pub link: String,
}

pub(super) struct Figure {
    label: &'static str,
    value: u32,
}

#[derive(Clone)]
pub(super) struct ExplanationLineView {
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
    more_explanations: usize,
    omitted: &'a Option<fit::Omitted>,
    closing: &'a str,
    public_url: &'a str,
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
    more_explanations: usize,
    omitted: &'a Option<fit::Omitted>,
    closing: &'a str,
    public_url: &'a str,
}

fn status_text(line: &DigestLine) -> String {
    match (line.days_overdue, line.days_left) {
        (Some(d), _) => format!("quá hạn {d} ngày"),
        (None, Some(0)) => "đến hạn hôm nay".to_string(),
        (None, Some(d)) => format!("còn {d} ngày"),
        (None, None) => String::new(),
    }
}

pub(super) fn reminders_text(documents: &[IssuedReminder]) -> String {
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

/// What the last reminder letter asked for and, where it was looked up,
/// whether the department answered it.
fn last_letter_text(letter: &IssuedReminder) -> String {
    let asked = letter.report_back_on.map(|d| {
        format!(
            "Văn bản đôn đốc gần nhất yêu cầu báo cáo trước ngày {}",
            vn_date(d)
        )
    });
    let reply = match letter.reply {
        LetterReply::Unknown => None,
        LetterReply::Answered { on } => Some(format!("đơn vị đã báo cáo lại ngày {}", vn_date(on))),
        LetterReply::NotAnswered => Some("đơn vị chưa báo cáo lại".to_string()),
    };
    match (asked, reply) {
        (Some(asked), Some(reply)) => format!("{asked}; {reply}."),
        (Some(asked), None) => asked,
        (None, Some(reply)) => format!("Văn bản đôn đốc gần nhất: {reply}."),
        (None, None) => String::new(),
    }
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
        leader: one_line(&line.leader_in_charge),
        reminders: reminders_text(&line.reminder_documents),
        report_back: line
            .reminder_documents
            .last()
            .map(last_letter_text)
            .unwrap_or_default(),
        next_letter: String::new(),
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

/// Renders a digest, within `max_message_bytes` once sent (see [`fit`]).
/// The only failure is a template error (a bug).
pub fn render(digest: &Digest, settings: &RenderSettings) -> Result<Rendered, askama::Error> {
    let url = settings.public_url.as_str();
    let date = vn_date(digest.for_date);
    let subject = subject(digest, settings);
    let addressee = addressee(&digest.recipient);
    let parts = match digest.kind {
        DigestKind::DepartmentDigest => department_parts(digest, settings, &date),
        DigestKind::Escalation => escalation_parts(digest, settings, &date),
        DigestKind::LeaderDigest => leader_parts(digest, settings, &date),
    };
    let (intro, closing, figures_heading, figures, sections) = parts;
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
    let budget = fit::body_budget(settings.max_message_bytes, &subject, &digest.addresses);
    let mut limit = fit::lines_of(&sections) + explanations.len();
    loop {
        let shown = fit::truncate(&sections, &explanations, limit, settings);
        let text = TextEmail {
            organization: &organization,
            addressee: &addressee,
            intro: &intro,
            figures_heading,
            figures: &figures,
            sections: &shown.sections,
            explanations_heading: &explanations_heading,
            explanations: &shown.explanations,
            more_explanations: shown.more_explanations,
            omitted: &shown.omitted,
            closing: &closing,
            public_url: url,
        }
        .render()?;
        let html = HtmlEmail {
            subject: &subject,
            organization: &organization,
            addressee: &addressee,
            intro: &intro,
            figures_heading,
            figures: &figures,
            sections: &shown.sections,
            explanations_heading: &explanations_heading,
            explanations: &shown.explanations,
            more_explanations: shown.more_explanations,
            omitted: &shown.omitted,
            closing: &closing,
            public_url: url,
        }
        .render()?;
        let text = format!("{}\n", text.trim_end());
        let size = fit::part_len(&text) + fit::part_len(&html);
        match fit::next_limit(limit, size, budget) {
            Some(smaller) => limit = smaller,
            None => {
                if size > budget {
                    tracing::error!(key = %digest.idempotency_key, size, budget,
                        "a digest's fixed parts alone exceed mail.max_message_bytes");
                }
                return Ok(Rendered {
                    subject,
                    text,
                    html,
                });
            }
        }
    }
}

/// What a digest kind says around its sections: the introduction, the
/// closing, the figures (leader digest) and the sections.
type Parts = (
    String,
    String,
    &'static str,
    Option<Vec<Figure>>,
    Vec<SectionView>,
);

/// How many of a department's overdue tasks the leader digest lists (the
/// oldest); the rest are counted and linked.
pub const LEADER_OLDEST_SHOWN: usize = 3;

/// A query-string value: unreserved characters as they are, the rest
/// percent-encoded.
fn query_value(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn department_parts(digest: &Digest, settings: &RenderSettings, date: &str) -> Parts {
    let url = settings.public_url.as_str();
    let code = match &digest.recipient {
        Recipient::Department { code, .. } => query_value(code),
        Recipient::Leader { .. } => String::new(),
    };
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
                more: None,
                link: match s.section {
                    Section::Overdue => format!("{url}/overdue?department={code}"),
                    Section::DueToday | Section::DueSoon => {
                        format!("{url}/tasks?department={code}")
                    }
                },
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

fn escalation_parts(digest: &Digest, settings: &RenderSettings, date: &str) -> Parts {
    let url = settings.public_url.as_str();
    (
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
                lines: s
                    .lines
                    .iter()
                    .map(|l| LineView {
                        next_letter: format!(
                            "{url}/letters/{}",
                            query_value(&l.lead_department_code)
                        ),
                        ..line_view(l, url)
                    })
                    .collect(),
                more: None,
                link: format!("{url}/overdue"),
            })
            .collect(),
    )
}

fn leader_parts(digest: &Digest, settings: &RenderSettings, date: &str) -> Parts {
    let url = settings.public_url.as_str();
    let f = digest.figures.unwrap_or_default();
    (
        format!(
            "Tổng hợp tình hình thực hiện nhiệm vụ trọng tâm của {}, tuần đến ngày {date}.",
            one_line(&settings.organization)
        ),
        format!(
            "Mỗi đơn vị ghi {LEADER_OLDEST_SHOWN} nhiệm vụ quá hạn lâu nhất; chi tiết từng nhiệm vụ xem tại đường dẫn kèm theo."
        ),
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
            .map(|g| {
                // A summary: the counts, the oldest few, a link to the rest.
                let long = g
                    .lines
                    .iter()
                    .filter(|l| {
                        l.days_overdue.unwrap_or(0) >= i64::from(settings.escalate_after_days)
                    })
                    .count();
                let link = format!("{url}/overdue?department={}", query_value(&g.code));
                let hidden = g.lines.len().saturating_sub(LEADER_OLDEST_SHOWN);
                SectionView {
                    heading: format!(
                        "{} ({}) — {} nhiệm vụ quá hạn, trong đó {long} quá hạn từ {} ngày trở lên",
                        one_line(&g.name),
                        one_line(&g.code),
                        g.lines.len(),
                        settings.escalate_after_days
                    ),
                    colour: "#b91c1c",
                    lines: g
                        .lines
                        .iter()
                        .take(LEADER_OLDEST_SHOWN)
                        .map(|l| line_view(l, url))
                        .collect(),
                    more: (hidden > 0).then(|| More {
                        count: hidden,
                        link: link.clone(),
                    }),
                    link,
                }
            })
            .collect(),
    )
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

#[cfg(test)]
mod tests;
