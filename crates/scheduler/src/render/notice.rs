//! The mail of a workflow notice (one) or of the day's notices (a digest),
//! rendered from the structured content core stored with the notification
//! (`NoticeMail`), after the worker claims it and before the first send.
//! It is addressed to one person, so every word is in that person's
//! language (`NoticeMail::language`, from `users.language`): the words
//! here and the lines core wrote come from the same Fluent messages.

use askama::Template;
use dondoc_core::{domain::text::one_line, notices::mail::NoticeMail};
use dondoc_i18n::{Arg, Lang, text, text_with};

struct Item {
    label: String,
    task_code: String,
    task_title: String,
    sentence: String,
    note: Option<String>,
    note_lines: Vec<String>,
    link: String,
}

/// The fixed words of the mail, in the recipient's language.
struct Words {
    lang: &'static str,
    to: String,
    note: String,
    open_task: String,
    sent_by: String,
    choose: String,
}

impl Words {
    fn new(lang: Lang) -> Self {
        Self {
            lang: lang.code(),
            to: text(lang, "notice-mail-to"),
            note: text(lang, "notice-mail-note"),
            open_task: text(lang, "notice-mail-open-task"),
            sent_by: text(lang, "notice-mail-sent-by"),
            choose: text(lang, "notice-mail-choose"),
        }
    }
}

#[derive(Template)]
#[template(path = "notice.txt")]
struct TextMail<'a> {
    words: &'a Words,
    organization: &'a str,
    recipient: &'a str,
    intro: &'a str,
    items: &'a [Item],
    preferences_link: &'a str,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct HtmlMail<'a> {
    words: &'a Words,
    subject: &'a str,
    organization: &'a str,
    recipient: &'a str,
    intro: &'a str,
    items: &'a [Item],
    preferences_link: &'a str,
}

/// The text and HTML bodies; `digest` says whether it is the day's
/// collection. The only failure is a template error (a bug).
pub fn render(
    subject: &str,
    mail: &NoticeMail,
    digest: bool,
) -> Result<(String, String), askama::Error> {
    let lang = mail.language.lang();
    let words = Words::new(lang);
    let organization = one_line(&mail.organization);
    let recipient = one_line(&mail.recipient);
    let intro = if digest {
        text_with(
            lang,
            "notice-mail-intro-digest",
            &[
                ("date", Arg::Date(mail.date)),
                ("count", Arg::from(mail.items.len())),
            ],
        )
    } else {
        text(lang, "notice-mail-intro-one")
    };
    let items: Vec<Item> = mail
        .items
        .iter()
        .map(|i| Item {
            label: one_line(&i.label),
            task_code: one_line(&i.task_code),
            task_title: one_line(&i.task_title),
            sentence: one_line(&i.sentence),
            note: i.note.as_deref().map(one_line),
            note_lines: i
                .note
                .as_deref()
                .map(|n| n.lines().map(str::to_string).collect())
                .unwrap_or_default(),
            link: i.link.clone(),
        })
        .collect();
    let text = TextMail {
        words: &words,
        organization: &organization,
        recipient: &recipient,
        intro: &intro,
        items: &items,
        preferences_link: &mail.preferences_link,
    }
    .render()?;
    let html = HtmlMail {
        words: &words,
        subject,
        organization: &organization,
        recipient: &recipient,
        intro: &intro,
        items: &items,
        preferences_link: &mail.preferences_link,
    }
    .render()?;
    Ok((format!("{}\n", text.trim_end()), html))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use dondoc_core::notices::mail::NoticeLine;

    use super::*;

    fn mail() -> NoticeMail {
        NoticeMail {
            organization: "UBND huyện Mẫu".into(),
            recipient: "Lê Văn <Thịnh>".into(),
            date: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
            items: vec![NoticeLine {
                label: "Báo cáo hoàn thành".into(),
                sentence: "Nguyễn An báo cáo đã hoàn thành nhiệm vụ.".into(),
                task_code: "KT-01".into(),
                task_title: "Đo đạc <đất> & \"cấp\" giấy".into(),
                note: Some("Báo cáo số 215\n<b>xong</b>".into()),
                link: "http://dondoc.example/tasks/7?a=1&b=2".into(),
            }],
            preferences_link: "http://dondoc.example/notices/preferences".into(),
            language: Default::default(),
        }
    }

    #[test]
    fn the_html_part_escapes_every_value_and_the_text_part_reads_plainly() {
        let m = mail();
        let (text, html) = render("[Báo cáo hoàn thành] KT-01", &m, false).unwrap();
        assert!(text.contains("Kính gửi: Lê Văn <Thịnh>"), "{text}");
        assert!(
            text.contains("[KT-01] Đo đạc <đất> & \"cấp\" giấy"),
            "{text}"
        );
        assert!(
            text.contains("http://dondoc.example/tasks/7?a=1&b=2"),
            "{text}"
        );
        assert!(
            !html.contains("<đất>") && !html.contains("<b>xong"),
            "{html}"
        );
        assert!(html.contains("Báo cáo số 215<br>&#60;b&#62;xong"), "{html}");
        assert!(
            html.contains("href=\"http://dondoc.example/tasks/7?a=1&#38;b=2\""),
            "{html}"
        );
    }

    #[test]
    fn a_digest_says_its_day_and_count() {
        let mut m = mail();
        m.items.push(m.items[0].clone());
        let (text, _) = render("Thông báo", &m, true).unwrap();
        assert!(text.contains("ngày 04/05/2026 (2)"), "{text}");
        assert_eq!(text.matches("[KT-01]").count(), 2, "{text}");
    }

    #[test]
    fn an_english_reader_gets_every_word_in_english() {
        let mut m = mail();
        m.language = dondoc_core::domain::Language::En;
        m.items.push(m.items[0].clone());
        let (text, html) = render("Notices", &m, true).unwrap();
        for needle in [
            "To: Lê Văn <Thịnh>",
            "04/05/2026 (2)",
            "Comment: Báo cáo số 215",
            "Choose how you receive notices",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        for vietnamese in ["Kính gửi", "Ý kiến", "Thư gửi tự động", "đồng chí"] {
            assert!(!text.contains(vietnamese), "{vietnamese:?} in\n{text}");
            assert!(!html.contains(vietnamese), "{vietnamese:?} in\n{html}");
        }
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("Open the task"), "{html}");
    }
}
