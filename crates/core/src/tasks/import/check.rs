//! Checking the rows against the database without writing anything, and
//! reading each cell as the office wrote it: codes made when the annex has
//! none (the section's initials and a number, e.g. `KT-01`; the field's
//! code for rows under no section), the field taken from the section when
//! there is no field column, deadlines as written (see `deadline`), and
//! names as written (see `names`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::EntityTrait;

use super::{
    Column, ImportProblem, ImportRefused, RawRow,
    deadline::{self, Deadline},
    grid::Cell,
    names::{Directory, Found},
    read::{column_of, split_departments},
};
use crate::{
    db::Db,
    domain::text::fold,
    error::{Error, Result},
    tasks::creation::{self, NewTask, ValidatedTask},
    tasks::recurrence::{Frequency, Rule},
};

/// What the person decided about the file.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// The programme year the tasks belong to (and of deadlines without one).
    pub year: i32,
    /// Today, for the first period of a recurring task.
    pub today: NaiveDate,
    /// Rows whose deadline recurs ("Thường xuyên", "Hằng quý") make
    /// recurring tasks; without this they are refused, each named.
    pub confirm_recurring: bool,
}

/// A checked row, ready to insert, with the names it resolved to (so a
/// preview shows what each code or name matched).
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub task: ValidatedTask,
    pub lead_name: String,
    pub field_name: String,
    pub coordinator_names: Vec<String>,
    pub leader_name: String,
    /// The code was made by the import (the annex has no code column).
    pub code_generated: bool,
    /// The deadline as written, when it was not a plain date.
    pub due_text: Option<String>,
    /// The task recurs by this rule (its due date is the first occurrence's).
    pub recurrence: Option<Rule>,
    /// The section heading the row sits under.
    pub section: Option<String>,
}

/// The code prefix of a section: initials of its words, "Lĩnh vực" left
/// out ("I. LĨNH VỰC KINH TẾ" → `KT`, "VĂN HÓA – XÃ HỘI" → `VHXH`).
fn section_prefix(heading: &str) -> String {
    let folded = fold(heading);
    let core = folded.strip_prefix("linh vuc ").unwrap_or(&folded);
    let prefix: String = core
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "va" | "and"))
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_ascii_uppercase();
    if prefix.is_empty() {
        "NV".into()
    } else {
        prefix.chars().take(8).collect()
    }
}

/// Codes for an annex without a code column, in the file's order: one
/// numbering per section (or per field for rows under no section). The
/// same file gives the same codes.
fn generated_codes(rows: &[RawRow], field_codes: &[String]) -> Vec<String> {
    let mut prefix_of: HashMap<String, String> = HashMap::new();
    let mut used: HashMap<String, String> = HashMap::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    let total = rows.len();
    rows.iter()
        .zip(field_codes)
        .map(|(raw, field)| {
            let prefix = match &raw.section {
                Some(heading) => {
                    if let Some(p) = prefix_of.get(heading) {
                        p.clone()
                    } else {
                        // Two sections with the same initials: `KT`, `KT2`.
                        let base = section_prefix(heading);
                        let mut candidate = base.clone();
                        let mut n = 1;
                        while used.get(&candidate).is_some_and(|h| h != heading) {
                            n += 1;
                            candidate = format!("{base}{n}");
                        }
                        used.insert(candidate.clone(), heading.clone());
                        prefix_of.insert(heading.clone(), candidate.clone());
                        candidate
                    }
                }
                None => {
                    let folded: String = fold(field)
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                    if folded.is_empty() {
                        "NV".into()
                    } else {
                        folded.to_ascii_uppercase().chars().take(20).collect()
                    }
                }
            };
            let n = counters.entry(prefix.clone()).or_insert(0);
            *n += 1;
            let width = if total >= 100 { 3 } else { 2 };
            format!("{prefix}-{n:0width$}")
        })
        .collect()
}

/// The field a section heading names ("II. VĂN HÓA – XÃ HỘI" → the field
/// "Văn hóa – xã hội"): equal without "Lĩnh vực", case, diacritics and
/// punctuation, else the only field whose name contains it or is contained.
fn field_of_section(heading: &str, fields: &[(String, String, String)]) -> Option<String> {
    let core = |text: &str| -> String {
        let folded = fold(text);
        let rest = folded.strip_prefix("linh vuc ").unwrap_or(&folded);
        rest.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let wanted = core(heading);
    if wanted.is_empty() {
        return None;
    }
    let equal: Vec<&String> = fields
        .iter()
        .filter(|(code, vi, en)| core(vi) == wanted || core(en) == wanted || core(code) == wanted)
        .map(|(code, _, _)| code)
        .collect();
    if let [one] = equal.as_slice() {
        return Some((*one).clone());
    }
    let close: Vec<&String> = fields
        .iter()
        .filter(|(_, vi, _)| {
            let name = core(vi);
            !name.is_empty() && (name.contains(&wanted) || wanted.contains(&name))
        })
        .map(|(code, _, _)| code)
        .collect();
    match close.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The first due date of a task recurring by `frequency` from the
/// programme year: the period holding today when the year is this one,
/// else the year's first period; due on the period's last day.
fn first_occurrence(frequency: Frequency, options: &ImportOptions) -> (Rule, NaiveDate) {
    let rule = Rule {
        frequency,
        day: 31,
        month: match frequency {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Yearly => 12,
        },
    };
    let start = if options.today.year() == options.year {
        options.today
    } else {
        NaiveDate::from_ymd_opt(options.year, 1, 1).unwrap_or(options.today)
    };
    let due = rule.due_in(rule.period_start(start));
    (rule, due)
}

/// The deadline cell read: the date to validate, the wording to keep, the
/// rule of a recurring task, or a problem.
fn read_due(
    raw: &RawRow,
    options: &ImportOptions,
    problems: &mut Vec<ImportProblem>,
) -> (String, Option<String>, Option<Rule>) {
    let column = Column::Due.label();
    if let Some(Cell::Date(d)) = raw.cells.get(&Column::Due) {
        return (d.to_string(), None, None);
    }
    let text = raw.get(Column::Due);
    if text.is_empty() {
        return (String::new(), None, None);
    }
    match deadline::read(&text, options.year) {
        Some(Deadline::Day { date, written }) => (date.to_string(), written.then_some(text), None),
        Some(Deadline::Recurring(frequency)) => {
            let (rule, due) = first_occurrence(frequency, options);
            if !options.confirm_recurring {
                problems.push(ImportProblem::new(
                    raw.row,
                    column,
                    "import-recurring-unconfirmed",
                    &[("text", text.as_str().into())],
                ));
            }
            (due.to_string(), Some(text), Some(rule))
        }
        None => {
            problems.push(ImportProblem::new(
                raw.row,
                column,
                "import-due-unknown",
                &[("text", text.as_str().into())],
            ));
            // A stand-in so the other cells are still checked.
            (format!("{}-12-31", options.year), None, None)
        }
    }
}

/// A department cell → the code to validate (ambiguity is a problem).
fn department_code(
    directory: &Directory,
    raw: &RawRow,
    column: Column,
    text: &str,
    problems: &mut Vec<ImportProblem>,
) -> String {
    match directory.department(text) {
        Found::One(d) => d.code,
        Found::Ambiguous(a, b) => {
            problems.push(ImportProblem::new(
                raw.row,
                column.label(),
                "import-department-ambiguous",
                &[
                    ("text", text.into()),
                    ("first", format!("{} ({})", a.name, a.code).into()),
                    ("second", format!("{} ({})", b.name, b.code).into()),
                ],
            ));
            a.code
        }
        Found::None => text.to_string(),
    }
}

/// Checks every row against the database without writing anything.
// Longer than 100 lines: each cell of a row read in turn (code, field, names, deadline), problems collected for the whole file.
pub async fn check(
    db: &Db,
    rows: &[RawRow],
    options: ImportOptions,
) -> Result<std::result::Result<Vec<CheckedRow>, ImportRefused>> {
    let directory = Directory::load(db).await?;
    let fields: Vec<(String, String, String)> = crate::entity::field::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.code, f.name_vi, f.name_en))
        .collect();
    let field_names: HashMap<&str, &str> = fields
        .iter()
        .map(|(code, vi, _)| (code.as_str(), vi.as_str()))
        .collect();
    let department_names: HashMap<i64, String> = crate::entity::department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let leader_names: HashMap<i64, String> = crate::entity::user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect();
    let name_of = |id: &i64| department_names.get(id).cloned().unwrap_or_default();
    let has_codes = rows.iter().any(|r| r.cells.contains_key(&Column::Code));
    let generated = if has_codes {
        Vec::new()
    } else {
        // Rows under no section are numbered by their field's code.
        let field_codes: Vec<String> = rows
            .iter()
            .map(|raw| {
                let text = raw.get(Column::Field);
                let folded = fold(&text);
                fields
                    .iter()
                    .find(|(code, vi, en)| {
                        *code == text || fold(vi) == folded || fold(en) == folded
                    })
                    .map(|(code, _, _)| code.clone())
                    .unwrap_or(text)
            })
            .collect();
        generated_codes(rows, &field_codes)
    };
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    for (index, raw) in rows.iter().enumerate() {
        let mut row_problems = Vec::new();
        let code = generated
            .get(index)
            .cloned()
            .unwrap_or_else(|| raw.get(Column::Code));
        if let Some(first) = seen_codes.get(&code.to_lowercase())
            && !code.is_empty()
        {
            problems.push(ImportProblem::new(
                raw.row,
                Column::Code.label(),
                "import-code-repeated",
                &[("code", code.as_str().into()), ("first", (*first).into())],
            ));
            continue;
        }
        seen_codes.insert(code.to_lowercase(), raw.row);
        let mut field = raw.get(Column::Field);
        if field.is_empty()
            && let Some(heading) = &raw.section
        {
            match field_of_section(heading, &fields) {
                Some(code) => field = code,
                None => row_problems.push(ImportProblem::new(
                    raw.row,
                    Column::Field.label(),
                    "import-section-no-field",
                    &[("section", heading.as_str().into())],
                )),
            }
        }
        let lead_text = raw.get(Column::Lead);
        let lead = department_code(&directory, raw, Column::Lead, &lead_text, &mut row_problems);
        let coordinators = split_departments(&raw.get(Column::Coordinators))
            .iter()
            .map(|d| department_code(&directory, raw, Column::Coordinators, d, &mut row_problems))
            .collect();
        let leader_text = raw.get(Column::Leader);
        let leader = match directory.leader(&leader_text) {
            Found::One(l) => l.username,
            Found::Ambiguous(a, b) => {
                row_problems.push(ImportProblem::new(
                    raw.row,
                    Column::Leader.label(),
                    "import-leader-ambiguous",
                    &[
                        ("text", leader_text.as_str().into()),
                        ("first", format!("{} ({})", a.full_name, a.username).into()),
                        ("second", format!("{} ({})", b.full_name, b.username).into()),
                    ],
                ));
                a.username
            }
            Found::None => leader_text,
        };
        let (due, due_text, recurrence) = read_due(raw, &options, &mut row_problems);
        let input = NewTask {
            year: i64::from(options.year),
            code,
            title: raw.get(Column::Title),
            description: Some(raw.get(Column::Note)),
            field,
            lead_department: lead,
            coordinating_departments: coordinators,
            leader_in_charge: Some(leader),
            due_date: due,
            source_document_id: None,
        };
        match creation::validate_new(db, &input).await {
            Ok(task) if row_problems.is_empty() => checked.push(CheckedRow {
                row: raw.row,
                lead_name: name_of(&task.lead_department_id),
                field_name: field_names
                    .get(task.field_code.as_str())
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                coordinator_names: task
                    .coordinating_department_ids
                    .iter()
                    .map(name_of)
                    .collect(),
                leader_name: task
                    .leader_in_charge_id
                    .and_then(|id| leader_names.get(&id).cloned())
                    .unwrap_or_default(),
                code_generated: !has_codes,
                due_text,
                recurrence,
                section: raw.section.clone(),
                task,
            }),
            Ok(_) => {}
            Err(Error::Validation(fields)) => {
                for f in fields {
                    let column = column_of(&f.field);
                    // The field's own problem already says why.
                    if column == Column::Field
                        && row_problems.iter().any(|p| p.column == column.label())
                    {
                        continue;
                    }
                    row_problems.push(ImportProblem::of_msg(raw.row, column.label(), &f.message));
                }
            }
            Err(other) => return Err(other),
        }
        problems.extend(row_problems);
    }
    Ok(if problems.is_empty() {
        Ok(checked)
    } else {
        problems.sort_by_key(|p| p.row);
        Err(ImportRefused::rows(problems))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap as Map;

    fn row(n: usize, section: Option<&str>, field: &str) -> RawRow {
        let mut cells = Map::new();
        cells.insert(Column::Field, Cell::Text(field.into()));
        RawRow {
            row: n,
            cells,
            section: section.map(str::to_string),
        }
    }

    #[test]
    fn codes_by_section_then_field_and_stable() {
        let rows = vec![
            row(3, Some("LĨNH VỰC KINH TẾ"), ""),
            row(4, Some("LĨNH VỰC KINH TẾ"), ""),
            row(6, Some("VĂN HÓA – XÃ HỘI"), ""),
            row(7, Some("KẾ TOÁN"), ""),
            row(8, None, "finance"),
        ];
        let fields: Vec<String> = rows.iter().map(|r| r.get(Column::Field)).collect();
        let codes = generated_codes(&rows, &fields);
        assert_eq!(codes, ["KT-01", "KT-02", "VHXH-01", "KT2-01", "FINANCE-01"]);
        assert_eq!(codes, generated_codes(&rows, &fields));
    }

    #[test]
    fn sections_name_fields() {
        let fields = vec![
            (
                "finance".into(),
                "Tài chính – ngân sách".into(),
                "Finance".into(),
            ),
            (
                "culture_society".into(),
                "Văn hóa – xã hội".into(),
                "Culture".into(),
            ),
            (
                "agriculture".into(),
                "Nông lâm nghiệp – nông thôn".into(),
                "Agri".into(),
            ),
        ];
        assert_eq!(
            field_of_section("LĨNH VỰC VĂN HÓA - XÃ HỘI", &fields).as_deref(),
            Some("culture_society")
        );
        assert_eq!(
            field_of_section("TÀI CHÍNH", &fields).as_deref(),
            Some("finance")
        );
        assert_eq!(field_of_section("KINH TẾ", &fields), None);
    }

    #[test]
    fn recurring_starts_in_the_current_period() {
        let options = ImportOptions {
            year: 2027,
            today: NaiveDate::from_ymd_opt(2027, 5, 10).unwrap(),
            confirm_recurring: true,
        };
        let (_, due) = first_occurrence(Frequency::Quarterly, &options);
        assert_eq!(due.to_string(), "2027-06-30");
        let next_year = ImportOptions {
            year: 2028,
            ..options
        };
        let (_, due) = first_occurrence(Frequency::Monthly, &next_year);
        assert_eq!(due.to_string(), "2028-01-31");
    }
}
