//! Asking the lead department for an explanation, and its answer.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use crate::{
    Clock, Settings,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{parse_date, parse_note},
    entity::{department, explanation_request},
    error::{Error, FieldError, Result},
    messages::Msg,
    tasks::access::load_for,
    tasks::history::{self, Change},
};

use super::{
    ExplanationAnswer, HISTORY_ANSWERED, HISTORY_REQUESTED, MAX_TEXT, NewExplanation,
    notice::{self, Request},
};

/// Asks the lead department of an overdue task for an explanation. Returns
/// the request's id. One transaction: the request, the task history entry
/// and the department's notice in the outbox.
pub async fn request(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    user: &Principal,
    task_id: i64,
    input: &NewExplanation,
) -> Result<i64> {
    policy::require(user, Action::RequestExplanation, None)?;
    let today = clock.today();
    let txn = db::begin_write(db).await?;
    // One unanswered request (and one e-mail) per task, even from parallel asks.
    crate::tasks::access::lock_row(&txn, task_id).await?;
    let (current, _) = load_for(&txn, user, task_id, Action::ReadTask).await?;
    let (question, answer_by) = validated(input, today)?;
    if !(current.status.is_open() && current.due_date < today) {
        return Err(Error::Conflict(Msg::ExplanationNotOverdue));
    }
    let waiting = explanation_request::Entity::find()
        .filter(explanation_request::Column::TaskId.eq(task_id))
        .filter(explanation_request::Column::AnsweredAt.is_null())
        .one(&txn)
        .await?;
    if waiting.is_some() {
        return Err(Error::Conflict(Msg::ExplanationOpen));
    }
    let Some(department) = department::Entity::find_by_id(current.lead_department_id)
        .one(&txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundDepartment {
            code: current.lead_department_id.to_string(),
        }));
    };
    let now = clock.now();
    let row = explanation_request::ActiveModel {
        task_id: Set(task_id),
        department_id: Set(department.id),
        question: Set(question.clone()),
        answer_by: Set(answer_by),
        task_due_date: Set(current.due_date),
        requested_by: Set(user.user_id),
        requested_at: Set(now),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    history::record(
        &txn,
        now,
        Change::new(task_id, Some(user.user_id), HISTORY_REQUESTED)
            .field("answer_by", "", answer_by.format("%Y-%m-%d").to_string())
            .note(question.clone()),
    )
    .await?;

    notice::enqueue(
        &txn,
        settings,
        now,
        Request {
            id: row.id,
            task: &current,
            department: &department,
            asker: &user.full_name,
            asker_id: user.user_id,
            question: &question,
            answer_by,
            today,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// The question and the answer-by date, or every field error at once.
fn validated(input: &NewExplanation, today: NaiveDate) -> Result<(String, NaiveDate)> {
    let mut errors: Vec<FieldError> = Vec::new();
    match parse_note("question", &input.question, MAX_TEXT) {
        Ok(q) if q.is_empty() => errors.push(FieldError::new(
            "question",
            "required",
            Msg::QuestionRequired,
        )),
        Ok(_) => {}
        Err(Error::Validation(mut e)) => errors.append(&mut e),
        Err(other) => return Err(other),
    }
    let question = input.question.trim().to_string();
    let answer_by = match parse_date("answer_by", &input.answer_by) {
        Ok(d) if d <= today => {
            errors.push(FieldError::new(
                "answer_by",
                "not_after_today",
                Msg::AnswerByNotAfterToday { today },
            ));
            None
        }
        Ok(d) => Some(d),
        Err(Error::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    match answer_by.filter(|_| errors.is_empty()) {
        Some(answer_by) => Ok((question, answer_by)),
        None => Err(Error::Validation(errors)),
    }
}

/// The lead department answers a request.
pub async fn answer(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    request_id: i64,
    input: &ExplanationAnswer,
) -> Result<i64> {
    let txn = db::begin_write(db).await?;
    answer_in(&txn, clock, user, request_id, input).await?;
    txn.commit().await?;
    Ok(request_id)
}

/// `answer` inside the caller's transaction (an answer that carries
/// files): the task and the answer's history entry.
pub async fn answer_in(
    txn: &DatabaseTransaction,
    clock: &Clock,
    user: &Principal,
    request_id: i64,
    input: &ExplanationAnswer,
) -> Result<(i64, i64)> {
    let Some(row) = explanation_request::Entity::find_by_id(request_id)
        .one(txn)
        .await?
    else {
        return Err(Error::NotFound(Msg::NotFoundExplanation { id: request_id }));
    };
    // Who cannot read the task does not learn the request exists.
    let (_, scope) = load_for(txn, user, row.task_id, Action::ReadTask).await?;
    policy::require(user, Action::AnswerExplanation, Some(&scope))?;
    let text = parse_note("answer", &input.answer, MAX_TEXT)?;
    if text.is_empty() {
        return Err(Error::field("answer", "required", Msg::AnswerRequired));
    }
    if row.answered_at.is_some() {
        return Err(Error::Conflict(Msg::ExplanationAnswered));
    }
    let now = clock.now();
    let task_id = row.task_id;
    let mut active: explanation_request::ActiveModel = row.into();
    active.answer = Set(Some(text.clone()));
    active.answered_by = Set(Some(user.user_id));
    active.answered_at = Set(Some(now));
    active.update(txn).await?;
    let entry = history::record(
        txn,
        now,
        Change::new(task_id, Some(user.user_id), HISTORY_ANSWERED).note(text),
    )
    .await?;
    Ok((task_id, entry))
}
