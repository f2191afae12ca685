//! How values look on the pages: dates as dd/mm/yyyy, timeliness as a
//! coloured badge, statuses in the reader's language.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use dondoc_core::{
    domain::{TaskStatus, Timeliness},
    entity::field,
    org::departments::Department,
    tasks::TaskView,
};

use super::Tr;

/// 69.8 → "69,8" in Vietnamese, "69.8" in English.
pub fn percent(t: Tr, value: f64) -> String {
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
    if t.is_en() {
        text
    } else {
        text.replace('.', ",")
    }
}

pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

pub fn opt_date(day: Option<NaiveDate>) -> String {
    day.map(date).unwrap_or_default()
}

/// The value of a date picker (`<input type="date">`), which takes only
/// `yyyy-mm-dd` and shows the day in the browser's own format (dd/mm/yyyy
/// in Vietnamese). A day typed as dd/mm/yyyy (a link, a browser without
/// pickers) is given back as yyyy-mm-dd so the picker shows it; anything
/// else (a refused value, an instant) is given back as it came.
pub fn date_input(raw: &str) -> String {
    match dondoc_core::domain::parse_date("", raw) {
        Ok(day) => day.to_string(),
        Err(_) => raw.trim().to_string(),
    }
}

pub fn datetime(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string()
}

impl super::Ctx {
    /// Today as a date picker's `max` (yyyy-mm-dd): the pickers of days
    /// that cannot be after today (as of, issued on) offer no later day.
    pub fn today_iso(&self) -> String {
        date_input(&self.today)
    }
}

/// A badge: CSS class and text, e.g. ("b-overdue", "Quá hạn 12 ngày").
#[derive(Debug, Clone)]
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

pub fn badge(t: Tr, task: &TaskView) -> Badge {
    match task.timeliness {
        Some(Timeliness::Overdue) => Badge {
            class: "b-overdue",
            text: t.with(
                "badge_overdue",
                &[("days", task.days_overdue.unwrap_or(0).into())],
            ),
        },
        Some(Timeliness::DueSoon) => Badge {
            class: "b-soon",
            text: match task.days_left {
                Some(0) => t.get("badge_due_today"),
                Some(n) => t.with("badge_due_in", &[("days", n.into())]),
                None => t.get("due_soon").to_string(),
            },
        },
        Some(Timeliness::OnTrack) => Badge {
            class: "b-track",
            text: t.get("on_track").to_string(),
        },
        Some(Timeliness::CompletedOnTime) => Badge {
            class: "b-done",
            text: t.get("completed_on_time").to_string(),
        },
        Some(Timeliness::CompletedOnTimeAfterExtension) => Badge {
            class: "b-done",
            text: t.get("completed_on_time_after_extension").to_string(),
        },
        Some(Timeliness::CompletedLate) => Badge {
            class: "b-late",
            text: t.get("completed_late").to_string(),
        },
        None => Badge {
            class: "b-cancelled",
            text: status(t, task.status).to_string(),
        },
    }
}

pub fn status(t: Tr, status: TaskStatus) -> String {
    status.label(t.0)
}

/// One task as a row of a list.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub field: String,
    pub lead_code: String,
    pub lead_name: String,
    pub coordinators: String,
    pub leader: String,
    pub due: String,
    pub original_due: String,
    /// The deadline as the annex wrote it ("" when it was a plain date).
    pub due_text: String,
    pub extended: bool,
    pub status: String,
    pub progress: i32,
    pub badge: Badge,
    pub reminders: i64,
    pub days_overdue: i64,
    pub last_notice: String,
    /// The day that counts as its completion ("" while not done).
    pub completed: String,
    /// The viewer's department coordinates (rather than leads) this task.
    pub coordinating: bool,
}

pub fn task_row(t: Tr, task: &TaskView, viewer_department: &str) -> TaskRow {
    TaskRow {
        id: task.id,
        code: task.code.clone(),
        title: task.title.clone(),
        field: if t.is_en() {
            task.field_name_en.clone()
        } else {
            task.field_name.clone()
        },
        lead_code: task.lead_department.code.clone(),
        lead_name: task.lead_department.name.clone(),
        coordinators: task
            .coordinating_departments
            .iter()
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
            .join("; "),
        leader: task
            .leader_in_charge
            .as_ref()
            .map(|l| l.full_name.clone())
            .unwrap_or_default(),
        due: date(task.due_date),
        original_due: date(task.original_due_date),
        due_text: task.due_text.clone().unwrap_or_default(),
        extended: task.extended,
        status: status(t, task.status).to_string(),
        progress: task.progress,
        badge: badge(t, task),
        reminders: task.reminder_documents,
        days_overdue: task.days_overdue.unwrap_or(0),
        last_notice: String::new(),
        completed: opt_date(task.completed_on),
        coordinating: !viewer_department.is_empty()
            && task.lead_department.code != viewer_department,
    }
}

/// `text` whole when it has at most `max` characters, else cut at the last
/// space that leaves room for the ellipsis (or mid-word when there is
/// none), then "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match head.rfind(' ') {
        Some(at) if at > head.len() / 2 => &head[..at],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '-', '–']))
}

/// One option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// `(value, label)` pairs as options, `selected` marked.
pub fn choices(options: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

/// A department filter: "all departments", then each department.
pub fn department_filter(t: Tr, departments: &[Department], selected: &str) -> Vec<Choice> {
    choices(
        std::iter::once((String::new(), t.get("all_departments").to_string()))
            .chain(departments.iter().map(|d| (d.code.clone(), d.name.clone())))
            .collect(),
        selected,
    )
}

/// A field's name in the reader's language.
pub fn field_name(t: Tr, field: &field::Model) -> String {
    if t.is_en() {
        field.name_en.clone()
    } else {
        field.name_vi.clone()
    }
}

/// A field filter: "all fields", then each field.
pub fn field_filter(t: Tr, fields: &[field::Model], selected: &str) -> Vec<Choice> {
    choices(
        std::iter::once((String::new(), t.get("all_fields").to_string()))
            .chain(fields.iter().map(|f| (f.code.clone(), field_name(t, f))))
            .collect(),
        selected,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picker_gets_the_day_as_yyyy_mm_dd_however_it_was_typed() {
        assert_eq!(date_input("2026-03-31"), "2026-03-31");
        assert_eq!(date_input(" 31/03/2026 "), "2026-03-31");
        assert_eq!(date_input("1/3/2026"), "2026-03-01");
        // What cannot be a day comes back as typed, for the message beside it.
        assert_eq!(date_input("31/02/2026"), "31/02/2026");
        assert_eq!(date_input(""), "");
        assert_eq!(
            date_input("2026-11-12T08:30:00.000Z"),
            "2026-11-12T08:30:00.000Z"
        );
    }

    #[test]
    fn a_long_name_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(
            shorten("Phòng Tài nguyên và Môi trường", 34),
            "Phòng Tài nguyên và Môi trường"
        );
        let long = "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện";
        let short = shorten(long, 34);
        assert!(short.ends_with('…'), "{short}");
        assert!(short.chars().count() <= 34, "{short}");
        assert!(long.starts_with(short.trim_end_matches('…')), "{short}");
        assert!(!short.contains(" …"), "cut at a word: {short}");
        // One long word is cut inside it, still within the limit.
        let word = "x".repeat(50);
        assert_eq!(shorten(&word, 10).chars().count(), 10);
    }
}
