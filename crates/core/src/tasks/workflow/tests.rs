//! The workflow's cases, table-tested without a database: each one a rule
//! of the workflow in `docs/design.md` or a case that once went wrong.
use chrono::{TimeZone, Utc};

use super::*;
use crate::{accounts::principal::TokenKind, domain::Role};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const LEAD: i64 = 10;
const OTHER: i64 = 20;

fn user(role: Role, department: Option<i64>) -> Principal {
    Principal {
        user_id: match role {
            Role::Admin => 1,
            Role::Leader => 2,
            Role::Staff => 3,
        },
        username: "u".into(),
        full_name: "U".into(),
        role,
        department_id: department,
        department_code: None,
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

fn staff() -> Principal {
    user(Role::Staff, Some(LEAD))
}

fn coordinator() -> Principal {
    user(Role::Staff, Some(OTHER))
}

fn leader() -> Principal {
    user(Role::Leader, None)
}

/// A task created on 5 January, due on 31 March, in `status`.
fn current(status: TaskStatus) -> Current {
    let created = Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap();
    let done = status.is_done();
    Current {
        task: task::Model {
            id: 7,
            programme_id: 1,
            code: "T-1".into(),
            title: "Nhiệm vụ".into(),
            description: String::new(),
            search_text: String::new(),
            field_code: "finance".into(),
            lead_department_id: LEAD,
            leader_in_charge_id: None,
            source_document_id: None,
            due_date: d(2026, 3, 31),
            original_due_date: d(2026, 3, 31),
            due_text: None,
            status,
            progress: if done { 100 } else { 40 },
            completed_on: done.then(|| d(2026, 3, 15)),
            reported_on: done.then(|| d(2026, 3, 15)),
            declared_completed_on: None,
            result_note: Some("Đã xong".into()),
            version: 3,
            created_at: created,
            updated_at: created,
        },
        scope: TaskScope {
            lead_department_id: LEAD,
            coordinating_department_ids: vec![OTHER],
        },
        created_on: d(2026, 1, 5),
        lead: Named {
            id: LEAD,
            name: "TCKH".into(),
        },
        coordinators: vec![Named {
            id: OTHER,
            name: "TNMT".into(),
        }],
        leader: None,
    }
}

fn report(completed_on: Option<NaiveDate>) -> Request {
    Request {
        status: Some(TaskStatus::ReportedDone),
        result_note: Some("Đã ban hành kế hoạch".into()),
        completed_on,
        ..Default::default()
    }
}

fn actions(plan: &Plan) -> Vec<&str> {
    plan.history.iter().map(|c| c.action).collect()
}

fn is_conflict(r: Result<Plan>) -> bool {
    matches!(r, Err(Error::Conflict(_)))
}

fn field_error(r: Result<Plan>) -> Option<String> {
    match r {
        Err(Error::Validation(errors)) => errors.first().map(|e| e.field.clone()),
        _ => None,
    }
}

#[test]
fn the_day_that_counts_is_the_day_of_the_report_not_the_day_typed() {
    // Finding 4: reported on 15/03 saying 09/02 — it counts on 15/03 until a leader agrees.
    let today = d(2026, 3, 15);
    let plan = plan_update(
        &current(TaskStatus::InProgress),
        &report(Some(d(2026, 2, 9))),
        &staff(),
        today,
    )
    .unwrap();
    assert_eq!(plan.after.status, TaskStatus::ReportedDone);
    assert_eq!(plan.after.reported_on, Some(today));
    assert_eq!(plan.after.completed_on, Some(today));
    assert_eq!(plan.after.declared_completed_on, Some(d(2026, 2, 9)));
    assert_eq!(plan.after.progress, 100);
    assert!(actions(&plan).contains(&action::REPORTED_DONE));
}

#[test]
fn a_declared_day_before_the_task_existed_or_after_today_is_refused() {
    let today = d(2026, 3, 15);
    for day in [d(2026, 1, 4), d(2026, 3, 16)] {
        let r = plan_update(
            &current(TaskStatus::InProgress),
            &report(Some(day)),
            &staff(),
            today,
        );
        assert_eq!(field_error(r).as_deref(), Some("completed_on"), "{day}");
    }
    // The first day of the task is fine.
    assert!(
        plan_update(
            &current(TaskStatus::InProgress),
            &report(Some(d(2026, 1, 5))),
            &staff(),
            today
        )
        .is_ok()
    );
}

#[test]
fn a_leader_accepts_a_declared_day_with_a_reason_and_it_is_in_the_history() {
    let mut reported = current(TaskStatus::ReportedDone);
    reported.task.declared_completed_on = Some(d(2026, 3, 1));
    let without_reason = Decision {
        accept: true,
        accept_completed_on: true,
        note: String::new(),
    };
    assert_eq!(
        field_error(plan_confirm(&reported, &without_reason, &leader())).as_deref(),
        Some("note")
    );
    let decision = Decision {
        note: "Biên bản nghiệm thu ngày 01/3".into(),
        ..without_reason
    };
    let plan = plan_confirm(&reported, &decision, &leader()).unwrap();
    assert_eq!(plan.after.status, TaskStatus::Completed);
    assert_eq!(plan.after.completed_on, Some(d(2026, 3, 1)));
    assert_eq!(plan.after.reported_on, Some(d(2026, 3, 15)));
    let accepted = plan
        .history
        .iter()
        .find(|c| c.action == action::COMPLETION_DAY_ACCEPTED)
        .unwrap();
    assert_eq!(accepted.actor_id, Some(2));
    assert_eq!(
        accepted.note.as_deref(),
        Some("Biên bản nghiệm thu ngày 01/3")
    );
    // Nothing declared: nothing to accept.
    let plain = current(TaskStatus::ReportedDone);
    assert!(is_conflict(plan_confirm(&plain, &decision, &leader())));
    // Confirming without accepting keeps the report day.
    let plan = plan_confirm(
        &reported,
        &Decision {
            accept: true,
            ..Default::default()
        },
        &leader(),
    )
    .unwrap();
    assert_eq!(plan.after.completed_on, Some(d(2026, 3, 15)));
    assert_eq!(plan.effects, vec![Effect::Recur]);
}

#[test]
fn staff_cannot_confirm_or_accept_their_own_day() {
    let reported = current(TaskStatus::ReportedDone);
    let r = plan_confirm(
        &reported,
        &Decision {
            accept: true,
            ..Default::default()
        },
        &staff(),
    );
    assert!(matches!(r, Err(Error::Forbidden(_))));
}

#[test]
fn once_confirmed_the_completion_facts_are_frozen() {
    let done = current(TaskStatus::Completed);
    let today = d(2026, 4, 2);
    // Finding 4: staff change the date after a leader confirmed.
    let change_day = Request {
        completed_on: Some(d(2026, 3, 1)),
        ..Default::default()
    };
    assert!(is_conflict(plan_update(
        &done,
        &change_day,
        &staff(),
        today
    )));
    assert!(is_conflict(plan_update(
        &done,
        &change_day,
        &leader(),
        today
    )));
    let change_result = Request {
        result_note: Some("Viết lại".into()),
        ..Default::default()
    };
    assert!(is_conflict(plan_update(
        &done,
        &change_result,
        &staff(),
        today
    )));
    // Finding 3: a leader moves the due date after the fact.
    let later = Request {
        due_date: Some(d(2026, 4, 30)),
        ..Default::default()
    };
    assert!(is_conflict(plan_update(&done, &later, &leader(), today)));
    assert!(is_conflict(plan_update(
        &current(TaskStatus::ReportedDone),
        &later,
        &leader(),
        today
    )));
}

#[test]
fn only_a_leaders_reopen_with_a_reason_unfreezes_them() {
    let done = current(TaskStatus::Completed);
    let today = d(2026, 4, 2);
    let reopen = Request {
        status: Some(TaskStatus::InProgress),
        ..Default::default()
    };
    assert_eq!(
        field_error(plan_update(&done, &reopen, &leader(), today)).as_deref(),
        Some("note")
    );
    assert!(matches!(
        plan_update(
            &done,
            &Request {
                note: "Thanh tra yêu cầu làm lại".into(),
                ..reopen.clone()
            },
            &staff(),
            today
        ),
        Err(Error::Forbidden(_))
    ));
    let plan = plan_update(
        &done,
        &Request {
            note: "Thanh tra yêu cầu làm lại".into(),
            ..reopen
        },
        &leader(),
        today,
    )
    .unwrap();
    assert_eq!(plan.after.status, TaskStatus::InProgress);
    assert_eq!(
        (
            plan.after.reported_on,
            plan.after.completed_on,
            plan.after.declared_completed_on
        ),
        (None, None, None)
    );
    assert!(actions(&plan).contains(&action::REOPENED));
}

#[test]
fn a_leader_moving_an_open_deadline_later_grants_an_extension_and_keeps_the_original() {
    let open = current(TaskStatus::InProgress);
    let plan = plan_update(
        &open,
        &Request {
            due_date: Some(d(2026, 4, 30)),
            note: "Chờ ý kiến Sở".into(),
            ..Default::default()
        },
        &leader(),
        d(2026, 3, 20),
    )
    .unwrap();
    assert_eq!(plan.after.due_date, d(2026, 4, 30));
    assert_eq!(plan.after.original_due_date, d(2026, 3, 31));
    assert_eq!(actions(&plan), vec![action::EXTENSION_APPROVED]);
    assert_eq!(
        plan.effects,
        vec![Effect::RecordExtension {
            previous: d(2026, 3, 31),
            granted: d(2026, 4, 30),
            reason: "Chờ ý kiến Sở".into(),
        }]
    );
    // Earlier: a change of deadline, not an extension.
    let plan = plan_update(
        &open,
        &Request {
            due_date: Some(d(2026, 3, 20)),
            ..Default::default()
        },
        &leader(),
        d(2026, 3, 1),
    )
    .unwrap();
    assert_eq!(actions(&plan), vec![action::UPDATED]);
    assert!(plan.effects.is_empty());
}

#[test]
fn permission_is_checked_on_what_changes_not_on_what_is_sent() {
    let open = current(TaskStatus::InProgress);
    let today = d(2026, 3, 20);
    // The whole task sent back unchanged by staff: no right needed, nothing written.
    let echo = Request {
        due_date: Some(d(2026, 3, 31)),
        title: Some("Nhiệm vụ".into()),
        field_code: Some("finance".into()),
        lead: Some(Named {
            id: LEAD,
            name: "TCKH".into(),
        }),
        progress: Some(40),
        ..Default::default()
    };
    assert!(
        plan_update(&open, &echo, &staff(), today)
            .unwrap()
            .changes_nothing()
    );
    // The same with a real change of deadline: refused.
    let moved = Request {
        due_date: Some(d(2026, 4, 30)),
        ..echo.clone()
    };
    assert!(matches!(
        plan_update(&open, &moved, &staff(), today),
        Err(Error::Forbidden(_))
    ));
    // A coordinating department may add a note but not move progress.
    assert!(
        plan_update(
            &open,
            &Request {
                note: "Đã gửi số liệu".into(),
                ..Default::default()
            },
            &coordinator(),
            today
        )
        .is_ok()
    );
    assert!(matches!(
        plan_update(
            &open,
            &Request {
                progress: Some(60),
                ..Default::default()
            },
            &coordinator(),
            today
        ),
        Err(Error::Forbidden(_))
    ));
}

#[test]
fn a_department_may_change_its_declared_day_until_a_leader_decides() {
    let mut reported = current(TaskStatus::ReportedDone);
    reported.task.declared_completed_on = Some(d(2026, 3, 1));
    let today = d(2026, 3, 16);
    let plan = plan_update(
        &reported,
        &Request {
            completed_on: Some(d(2026, 3, 10)),
            ..Default::default()
        },
        &staff(),
        today,
    )
    .unwrap();
    assert_eq!(plan.after.declared_completed_on, Some(d(2026, 3, 10)));
    assert_eq!(
        plan.after.completed_on,
        Some(d(2026, 3, 15)),
        "still the report day"
    );
    // Not after the report.
    let r = plan_update(
        &reported,
        &Request {
            completed_on: Some(d(2026, 3, 16)),
            ..Default::default()
        },
        &staff(),
        today,
    );
    assert_eq!(field_error(r).as_deref(), Some("completed_on"));
}

#[test]
fn a_leader_recording_completion_directly_accepts_an_earlier_day_only_with_a_reason() {
    let open = current(TaskStatus::InProgress);
    let today = d(2026, 4, 10);
    let direct = Request {
        status: Some(TaskStatus::Completed),
        result_note: Some("Đã hoàn thành".into()),
        completed_on: Some(d(2026, 3, 30)),
        ..Default::default()
    };
    assert_eq!(
        field_error(plan_update(&open, &direct, &leader(), today)).as_deref(),
        Some("note")
    );
    let plan = plan_update(
        &open,
        &Request {
            note: "Theo biên bản bàn giao ngày 30/3".into(),
            ..direct
        },
        &leader(),
        today,
    )
    .unwrap();
    assert_eq!(plan.after.completed_on, Some(d(2026, 3, 30)));
    assert_eq!(plan.after.reported_on, Some(today));
    assert!(plan.effects.contains(&Effect::Recur));
    assert!(
        plan.effects
            .contains(&Effect::WithdrawPendingExtensions(TaskStatus::Completed))
    );
}

#[test]
fn returning_a_report_clears_the_completion_facts() {
    let mut reported = current(TaskStatus::ReportedDone);
    reported.task.declared_completed_on = Some(d(2026, 3, 1));
    let plan = plan_confirm(
        &reported,
        &Decision {
            accept: false,
            accept_completed_on: false,
            note: "Thiếu biên bản".into(),
        },
        &leader(),
    )
    .unwrap();
    assert_eq!(plan.after.status, TaskStatus::InProgress);
    assert_eq!(
        (
            plan.after.reported_on,
            plan.after.completed_on,
            plan.after.declared_completed_on
        ),
        (None, None, None)
    );
}

#[test]
fn a_completion_report_must_say_something_new() {
    // Issue 16 point 4: the old "còn 02 hộ…" result must not become the report.
    let today = d(2026, 3, 15);
    let task = current(TaskStatus::InProgress); // its result note: "Đã xong"
    let same = |text: &str| Request {
        status: Some(TaskStatus::ReportedDone),
        result_note: Some(text.into()),
        ..Default::default()
    };
    for stale in ["Đã xong", "  Đã xong \n"] {
        let refused = plan_update(&task, &same(stale), &staff(), today);
        assert!(
            matches!(&refused, Err(Error::Validation(e)) if e[0].field == "result_note"
                && e[0].message == Msg::ResultNoteUnchanged),
            "{stale:?}: {refused:?}"
        );
    }
    // Nothing typed: the previous result is not taken instead.
    let bare = Request {
        status: Some(TaskStatus::ReportedDone),
        ..Default::default()
    };
    assert_eq!(
        field_error(plan_update(&task, &bare, &staff(), today)).as_deref(),
        Some("result_note")
    );
    // A new result is the report; so is a note when the result is unchanged.
    let plan = plan_update(&task, &same("Bàn giao đủ 12 hộ"), &staff(), today).unwrap();
    assert_eq!(plan.after.result_note.as_deref(), Some("Bàn giao đủ 12 hộ"));
    let with_note = Request {
        note: "Đã bàn giao hết".into(),
        ..same("Đã xong")
    };
    let plan = plan_update(&task, &with_note, &staff(), today).unwrap();
    assert_eq!(plan.after.result_note.as_deref(), Some("Đã bàn giao hết"));
    // A task without any result yet needs one.
    let mut empty = current(TaskStatus::InProgress);
    empty.task.result_note = None;
    let refused = plan_update(&empty, &bare, &staff(), today);
    assert!(
        matches!(&refused, Err(Error::Validation(e)) if e[0].message == Msg::ResultNoteRequired),
        "{refused:?}"
    );
}
