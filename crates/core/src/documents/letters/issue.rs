//! Recording an issued letter as a reminder document linked to the tasks
//! of its draft.

use chrono::{Datelike, Days};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    config::LetterSettings,
    db::{self, Db},
    domain::{DocumentKind, parse_date},
    entity::{department, task},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::departments::{self},
};

use super::{fill, programme_years};

/// What the clerk records once the letter is issued.
#[derive(Debug, Clone)]
pub struct IssuedLetter {
    pub department: String,
    /// The number as issued ("125/UBND-VP"); a bare "125" gets the configured suffix.
    pub number: String,
    pub issued_on: String,
    /// Empty = issued_on + `letters.report_back_days`.
    pub report_back_on: String,
    /// Empty = the configured signer.
    pub signer: String,
    /// The tasks of the draft the clerk saw.
    pub task_ids: Vec<i64>,
}

/// Records an issued letter as a reminder document (official letter,
/// `reminds`) linked to every task of its table, in one transaction. The
/// tasks must be ones the department leads.
// Longer than 100 lines: the letter's fields checked together (every error named at once), then the document and its links written in one transaction.
pub async fn record(
    db: &Db,
    clock: &Clock,
    settings: &LetterSettings,
    user: &Principal,
    input: IssuedLetter,
) -> Result<i64> {
    policy::require(user, Action::DraftLetter, None)?;
    policy::require(user, Action::RecordDocument, None)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let issued_on = parse_date("issued_on", &input.issued_on);
    let report_back_on = match input.report_back_on.trim() {
        "" => issued_on.as_ref().ok().map(|d| {
            d.checked_add_days(Days::new(u64::from(settings.report_back_days)))
                .unwrap_or(*d)
        }),
        text => match parse_date("report_back_on", text) {
            Ok(d) => Some(d),
            Err(Error::Validation(mut more)) => {
                errors.append(&mut more);
                None
            }
            Err(other) => return Err(other),
        },
    };
    let mut task_ids = input.task_ids.clone();
    task_ids.sort_unstable();
    task_ids.dedup();
    if task_ids.is_empty() {
        errors.push(FieldError::new(
            "task_ids",
            "required",
            Msg::LetterNeedsTask,
        ));
    }
    if task_ids.len() > 500 {
        return Err(Error::field(
            "task_ids",
            "too_many",
            Msg::LetterTooManyTasks,
        ));
    }
    let number = full_number(&input.number, settings);
    let signer = signer_of(&input.signer, settings);
    let txn = db::begin_write(db).await?;
    let dept = match departments::find_by_code(&txn, &input.department).await? {
        Some(d) => Some(d),
        None => {
            errors.push(FieldError::new(
                "department",
                "unknown",
                Msg::UnknownDepartment {
                    code: input.department.trim().to_string(),
                },
            ));
            None
        }
    };
    if let Some(dept) = &dept
        && !task_ids.is_empty()
    {
        check_tasks(&txn, dept, &task_ids, &mut errors).await?;
    }
    if let Err(Error::Validation(mut more)) = issued_on {
        errors.append(&mut more);
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let Some(dept) = dept else {
        return Err(Error::Validation(errors));
    };
    let linked = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids.clone()))
        .all(&txn)
        .await?;
    let years = programme_years(&txn, &linked)
        .await?
        .unwrap_or_else(|| clock.today().year().to_string());
    let title = format!(
        "V/v {} ({})",
        fill(&settings.subject, &[("year", &years)]),
        dept.name
    );
    let id = crate::documents::create_in(
        &txn,
        clock,
        user,
        crate::documents::NewDocument {
            number,
            kind: DocumentKind::OfficialLetter.as_str().to_string(),
            title,
            issued_on: input.issued_on.clone(),
            signer,
            links: task_ids
                .iter()
                .map(|id| crate::documents::NewLink {
                    task_id: *id,
                    relation: "reminds".to_string(),
                })
                .collect(),
            report_back_on,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A bare number ("125") gets the configured suffix ("125/UBND-VP").
fn full_number(number: &str, settings: &LetterSettings) -> String {
    let n = number.trim();
    if !n.is_empty() && !n.contains('/') {
        format!("{n}/{}", settings.number_suffix)
    } else {
        n.to_string()
    }
}

/// The signer as typed, else the configured signer's name, else their title.
fn signer_of(signer: &str, settings: &LetterSettings) -> String {
    match signer.trim() {
        "" if settings.signer_name.trim().is_empty() => settings.signer_title.clone(),
        "" => settings.signer_name.clone(),
        s => s.to_string(),
    }
}

/// Every task of the letter must exist and be led by its department.
async fn check_tasks<C: ConnectionTrait>(
    db: &C,
    dept: &department::Model,
    task_ids: &[i64],
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    let found = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids.to_vec()))
        .all(db)
        .await?;
    for id in task_ids {
        match found.iter().find(|t| t.id == *id) {
            None => errors.push(FieldError::new(
                "task_ids",
                "unknown",
                Msg::UnknownTask { id: *id },
            )),
            Some(t) if t.lead_department_id != dept.id => errors.push(FieldError::new(
                "task_ids",
                "not_department",
                Msg::TaskNotOfDepartment {
                    code: t.code.clone(),
                    department: dept.name.clone(),
                },
            )),
            Some(_) => {}
        }
    }
    Ok(())
}
