//! The iCalendar text of a feed (RFC 5545): CRLF line ends, lines folded at
//! 75 octets (never inside a UTF-8 character), TEXT values escaped — the
//! one ICS escaper — and one all-day VEVENT per task on its due date with a
//! UID stable per task. What a feed is and who may have one: `manage`.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{domain::Timeliness, messages::Lang, tasks::TaskView};

/// What the feed shows, read for a token.
#[derive(Debug, Clone)]
pub struct FeedContent {
    /// The calendar's name (X-WR-CALNAME).
    pub name: String,
    pub tasks: Vec<TaskView>,
}

/// How many days before the due date a not-yet-overdue task's alarm rings.
pub const ALARM_DAYS_BEFORE: i64 = 3;

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma
/// and newlines; other control characters are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (RFC 5545 §3.1): no physical line longer than 75
/// octets, continuation lines start with one space, and a UTF-8 character
/// is never split. Every line ends with CRLF.
pub fn fold_line(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn date_value(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Renders the feed. `public_url` makes each task's link; `host` the UIDs.
pub fn render_ics(
    content: &FeedContent,
    public_url: &str,
    timezone: &str,
    now: DateTime<Utc>,
) -> String {
    let base = public_url.trim_end_matches('/');
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("dondoc");
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//dondoc//Lich han nhiem vu//VI".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape_text(&content.name)),
        format!("X-WR-TIMEZONE:{timezone}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H".into(),
        "X-PUBLISHED-TTL:PT1H".into(),
    ];
    for t in &content.tasks {
        let url = format!("{base}/tasks/{}", t.id);
        let overdue = t.timeliness == Some(Timeliness::Overdue);
        let summary = match (overdue, t.days_overdue) {
            (true, Some(days)) => format!("[QUÁ HẠN {days} ngày] {} — {}", t.code, t.title),
            _ => format!("{} — {}", t.code, t.title),
        };
        let mut description = vec![
            format!(
                "Đơn vị chủ trì: {} ({})",
                t.lead_department.name, t.lead_department.code
            ),
            format!(
                "Tình trạng: {} · Tiến độ {}%",
                t.status.label(Lang::Vi),
                t.progress
            ),
            format!("Thời hạn: {}", t.due_date.format("%d/%m/%Y")),
        ];
        if t.extended {
            description.push(format!(
                "Thời hạn ban đầu: {}",
                t.original_due_date.format("%d/%m/%Y")
            ));
        }
        if let Some(leader) = &t.leader_in_charge {
            description.push(format!("Lãnh đạo phụ trách: {}", leader.full_name));
        }
        if !t.coordinating_departments.is_empty() {
            description.push(format!(
                "Đơn vị phối hợp: {}",
                t.coordinating_departments
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        description.push(url.clone());
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:dondoc-task-{}@{host}", t.id),
            format!("DTSTAMP:{stamp}"),
            format!("LAST-MODIFIED:{}", t.updated_at.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;VALUE=DATE:{}", date_value(t.due_date)),
            format!(
                "DTEND;VALUE=DATE:{}",
                date_value(t.due_date.succ_opt().unwrap_or(t.due_date))
            ),
            format!("SUMMARY:{}", escape_text(&summary)),
            format!("DESCRIPTION:{}", escape_text(&description.join("\n"))),
            format!("URL:{url}"),
            format!(
                "CATEGORIES:{}",
                escape_text(if overdue {
                    "Quá hạn"
                } else {
                    "Hạn nhiệm vụ"
                })
            ),
            "TRANSP:TRANSPARENT".to_string(),
            "STATUS:CONFIRMED".to_string(),
        ]);
        if !overdue {
            lines.extend([
                "BEGIN:VALARM".to_string(),
                "ACTION:DISPLAY".to_string(),
                format!(
                    "DESCRIPTION:{}",
                    escape_text(&format!("Sắp đến hạn: {} — {}", t.code, t.title))
                ),
                format!("TRIGGER:-P{ALARM_DAYS_BEFORE}D"),
                "END:VALARM".to_string(),
            ]);
        }
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|l| fold_line(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_values() {
        assert_eq!(
            escape_text("a,b;c\\d\r\ne\nf\rg"),
            "a\\,b\\;c\\\\d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("bell\u{7}"), "bell");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Đôn đốc giải phóng mặt bằng ".repeat(10));
        let folded = fold_line(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 3);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} is {} octets", p.len());
            if i > 0 {
                assert!(p.starts_with(' '));
            }
        }
        let unfolded: String = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        // Short lines are untouched.
        assert_eq!(fold_line("VERSION:2.0"), "VERSION:2.0\r\n");
        // Exactly 75 octets stays on one line.
        let exact = "X".repeat(75);
        assert_eq!(fold_line(&exact), format!("{exact}\r\n"));
    }
}
