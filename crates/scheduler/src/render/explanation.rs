//! The notice of a request for explanation, rendered from the structured
//! content core stored with the notification (`ExplanationNotice`): core
//! enqueues it in the request's transaction, the worker renders it here
//! after claiming it and stores the bodies before the first send.

use askama::Template;
use dondoc_core::{domain::text::one_line, followup::explanations::ExplanationNotice};

use super::vn_date;

#[derive(Template)]
#[template(path = "explanation.txt")]
struct TextNotice<'a> {
    organization: &'a str,
    department: &'a str,
    asker: &'a str,
    code: &'a str,
    title: &'a str,
    due: &'a str,
    days: i64,
    reminders: &'a str,
    question: &'a str,
    answer_by: &'a str,
    link: &'a str,
    signer: &'a str,
}

#[derive(Template)]
#[template(path = "explanation.html")]
struct HtmlNotice<'a> {
    subject: &'a str,
    organization: &'a str,
    department: &'a str,
    asker: &'a str,
    code: &'a str,
    title: &'a str,
    due: &'a str,
    days: i64,
    /// The question keeps its line breaks: one `<br>` between lines.
    question_lines: Vec<&'a str>,
    reminders: &'a str,
    answer_by: &'a str,
    link: &'a str,
    signer: &'a str,
}

/// The text and HTML bodies of a notice; `subject` is the one core stored.
/// The only failure is a template error (a bug).
pub fn render(
    subject: &str,
    notice: &ExplanationNotice,
) -> Result<(String, String), askama::Error> {
    let organization = one_line(&notice.organization);
    let department = one_line(&notice.department);
    let asker = one_line(&notice.asker);
    let code = one_line(&notice.task_code);
    let title = one_line(&notice.task_title);
    let due = vn_date(notice.task_due_date);
    let answer_by = vn_date(notice.answer_by);
    let reminders = super::digest::reminders_text(&notice.reminder_documents);
    let position = one_line(&notice.asker_position);
    let signer = if position.is_empty() {
        asker.clone()
    } else {
        format!("{asker} — {position}")
    };
    let text = TextNotice {
        organization: &organization,
        department: &department,
        asker: &asker,
        code: &code,
        title: &title,
        due: &due,
        days: notice.days_overdue,
        reminders: &reminders,
        question: &notice.question,
        answer_by: &answer_by,
        link: &notice.link,
        signer: &signer,
    }
    .render()?;
    let html = HtmlNotice {
        subject,
        organization: &organization,
        department: &department,
        asker: &asker,
        code: &code,
        title: &title,
        due: &due,
        days: notice.days_overdue,
        question_lines: notice.question.split('\n').collect(),
        reminders: &reminders,
        answer_by: &answer_by,
        link: &notice.link,
        signer: &signer,
    }
    .render()?;
    Ok((format!("{}\n", text.trim_end()), html))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn notice() -> ExplanationNotice {
        ExplanationNotice {
            organization: "UBND huyện  Bắc Tân Uyên".into(),
            department: "Phòng Tài nguyên\nvà Môi trường".into(),
            asker: "Nguyễn Văn An".into(),
            asker_position: "Phó Chủ tịch UBND huyện".into(),
            reminder_documents: vec![dondoc_core::followup::reminders::IssuedReminder {
                number: "125/UBND-VP".into(),
                issued_on: NaiveDate::from_ymd_opt(2026, 5, 8).unwrap(),
                report_back_on: None,
                document_id: 0,
                reply: dondoc_core::followup::reminders::LetterReply::Unknown,
            }],
            task_code: "MT-01".into(),
            task_title: "Đo đạc <đất> & \"cấp\" giấy".into(),
            task_due_date: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
            days_overdue: 14,
            question: "Vì sao <chậm>?\nĐề nghị nêu rõ.".into(),
            answer_by: NaiveDate::from_ymd_opt(2026, 5, 20).unwrap(),
            link: "http://dondoc.example/tasks/7?a=1&b=2".into(),
        }
    }

    #[test]
    fn the_text_part_reads_as_before_and_is_not_escaped() {
        let n = notice();
        let (text, _) = render(&n.subject(), &n).unwrap();
        assert_eq!(
            text,
            "UBND huyện Bắc Tân Uyên\nKính gửi: Phòng Tài nguyên và Môi trường\n\n\
             Đồng chí Nguyễn Văn An yêu cầu đơn vị giải trình việc chậm thực hiện nhiệm vụ sau:\n\n\
             [MT-01] Đo đạc <đất> & \"cấp\" giấy\n   Thời hạn: 04/05/2026 — quá hạn 14 ngày\n\
             \x20  Văn bản đôn đốc đã ban hành: 1 văn bản (số 125/UBND-VP ngày 08/05/2026)\n\n\
             Nội dung yêu cầu giải trình:\nVì sao <chậm>?\nĐề nghị nêu rõ.\n\n\
             Đề nghị đơn vị trả lời trên hệ thống trước ngày 20/05/2026: http://dondoc.example/tasks/7?a=1&b=2\n\n\
             Người yêu cầu: Nguyễn Văn An — Phó Chủ tịch UBND huyện\n\n\
             --\nThư gửi tự động từ hệ thống theo dõi, đôn đốc nhiệm vụ (dondoc).\n\
             Vui lòng không trả lời thư này; trả lời trên hệ thống theo đường dẫn trên.\n"
        );
    }

    #[test]
    fn every_value_in_the_html_part_is_escaped_by_the_template() {
        let n = notice();
        let (_, html) = render(&n.subject(), &n).unwrap();
        assert!(
            !html.contains("<đất>") && !html.contains("<chậm>"),
            "{html}"
        );
        assert!(
            html.contains("Đo đạc &#60;đất&#62; &#38; &#34;cấp&#34; giấy"),
            "{html}"
        );
        assert!(
            html.contains("Vì sao &#60;chậm&#62;?<br>Đề nghị nêu rõ."),
            "{html}"
        );
        assert!(
            html.contains("<title>[Yêu cầu giải trình] Phòng Tài nguyên và Môi trường: nhiệm vụ MT-01 quá hạn — trả lời trước ngày 20/05/2026</title>"),
            "{html}"
        );
        assert!(
            html.contains("href=\"http://dondoc.example/tasks/7?a=1&#38;b=2\""),
            "{html}"
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        let n = notice();
        assert_eq!(
            render(&n.subject(), &n).unwrap(),
            render(&n.subject(), &n).unwrap()
        );
    }
}
