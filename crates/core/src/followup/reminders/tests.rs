//! The reminder policy on hand-made snapshots.

use super::*;
use crate::{config::PolicySettings, followup::working_days::Calendar};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

// Monday 2026-05-18.
const TODAY: (i32, u32, u32) = (2026, 5, 18);

fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn policy() -> PolicySettings {
    PolicySettings {
        due_soon_days: 7,
        escalate_after_days: 14,
    }
}

fn department(id: i64, code: &str, email: Option<&str>) -> DepartmentContact {
    DepartmentContact {
        id,
        code: code.to_string(),
        name: format!("Phòng {code}"),
        active: true,
        email: email.map(str::to_string),
        staff_emails: Vec::new(),
    }
}

fn leader(id: i64, username: &str, email: Option<&str>) -> LeaderContact {
    LeaderContact {
        id,
        username: username.to_string(),
        full_name: format!("Ông {username}"),
        position: Some("Phó Chủ tịch".to_string()),
        email: email.map(str::to_string),
        active: true,
        is_leader: true,
    }
}

fn task(id: i64, department: i64, due_in: i64) -> ReminderTask {
    ReminderTask {
        id,
        code: format!("NV-{id:02}"),
        title: format!("Nhiệm vụ số {id}"),
        status: TaskStatus::InProgress,
        due_date: today() + chrono::Duration::days(due_in),
        completed_on: None,
        lead_department_id: department,
        leader_in_charge_id: None,
        reminder_documents: Vec::new(),
    }
}

fn snapshot(tasks: Vec<ReminderTask>) -> Snapshot {
    Snapshot {
        tasks,
        departments: vec![
            department(1, "TNMT", Some("tnmt@x.vn")),
            department(2, "TCKH", Some("tckh@x.vn")),
            department(3, "XA-A", None),
        ],
        leaders: vec![leader(10, "ct", Some("ct@x.vn")), leader(11, "pct", None)],
        explanations: Vec::new(),
    }
}

fn dept_digests(s: &Snapshot) -> Vec<Digest> {
    digests(
        DigestKind::DepartmentDigest,
        s,
        today(),
        &Calendar::default(),
        &policy(),
    )
}

#[test]
fn nothing_is_due_on_a_day_off() {
    let s = snapshot(vec![task(1, 1, -3)]);
    let saturday = d(2026, 5, 16);
    for kind in DigestKind::ALL {
        assert!(digests(kind, &s, saturday, &Calendar::default(), &policy()).is_empty());
        assert!(digests(kind, &s, today(), &Calendar::new([today()]), &policy()).is_empty());
    }
}

#[test]
fn sections_at_every_boundary() {
    let p = 7;
    let t = |due_in| section_for(&task(1, 1, due_in), today(), p);
    assert_eq!(t(-1), Some(Section::Overdue));
    assert_eq!(t(0), Some(Section::DueToday));
    assert_eq!(t(1), Some(Section::DueSoon));
    assert_eq!(t(7), Some(Section::DueSoon));
    assert_eq!(t(8), None);
    // due_soon_days = 0: only today and overdue.
    assert_eq!(section_for(&task(1, 1, 1), today(), 0), None);
    assert_eq!(
        section_for(&task(1, 1, 0), today(), 0),
        Some(Section::DueToday)
    );
}

#[test]
fn done_cancelled_and_reported_tasks_are_not_chased() {
    for status in [
        TaskStatus::Completed,
        TaskStatus::ReportedDone,
        TaskStatus::Cancelled,
    ] {
        let mut t = task(1, 1, -30);
        t.status = status;
        t.leader_in_charge_id = Some(10);
        let s = snapshot(vec![t]);
        for kind in DigestKind::ALL {
            assert!(
                digests(kind, &s, today(), &Calendar::default(), &policy()).is_empty(),
                "{status:?} {kind:?}"
            );
        }
    }
    let mut t = task(1, 1, -3);
    t.status = TaskStatus::NotStarted;
    assert_eq!(dept_digests(&snapshot(vec![t])).len(), 1);
}

#[test]
fn one_digest_per_department_with_its_own_tasks_in_sections() {
    let s = snapshot(vec![
        task(1, 1, -20),
        task(2, 1, -2),
        task(3, 1, 0),
        task(4, 1, 5),
        task(5, 1, 30), // on track: not mentioned
        task(6, 2, 3),
    ]);
    let out = dept_digests(&s);
    assert_eq!(out.len(), 2);
    let tnmt = out.iter().find(|g| g.recipient.key() == "TNMT").unwrap();
    assert_eq!(tnmt.idempotency_key, "department-digest:TNMT:2026-05-18");
    assert_eq!(tnmt.addresses, vec!["tnmt@x.vn"]);
    let overdue = tnmt.section(Section::Overdue).unwrap();
    assert_eq!(
        overdue.lines.iter().map(|l| l.task_id).collect::<Vec<_>>(),
        vec![1, 2],
        "oldest first"
    );
    assert_eq!(overdue.lines[0].days_overdue, Some(20));
    assert_eq!(
        tnmt.section(Section::DueToday).unwrap().lines[0].days_left,
        Some(0)
    );
    assert_eq!(tnmt.section(Section::DueSoon).unwrap().lines[0].task_id, 4);
    assert_eq!(tnmt.task_ids, vec![1, 2, 3, 4]);
    let tckh = out.iter().find(|g| g.recipient.key() == "TCKH").unwrap();
    assert_eq!(tckh.sections.len(), 1);
    assert_eq!(tckh.task_ids, vec![6]);
}

#[test]
fn a_department_with_nothing_to_report_gets_nothing() {
    let s = snapshot(vec![task(1, 1, 8), task(2, 2, 100)]);
    assert!(dept_digests(&s).is_empty());
}

#[test]
fn recipients_come_from_the_department_and_its_staff_without_duplicates() {
    let mut s = snapshot(vec![task(1, 1, -1)]);
    s.departments[0].staff_emails = vec![
        "b@x.vn".into(),
        " TNMT@x.vn ".into(),
        "a@x.vn".into(),
        "".into(),
    ];
    let out = dept_digests(&s);
    assert_eq!(out[0].addresses, vec!["tnmt@x.vn", "a@x.vn", "b@x.vn"]);
    assert!(out[0].undeliverable.is_none());
}

#[test]
fn a_department_nobody_can_receive_is_reported_with_the_reason() {
    let out = dept_digests(&snapshot(vec![task(1, 3, -1)]));
    assert_eq!(out.len(), 1);
    assert!(out[0].addresses.is_empty());
    assert!(out[0].undeliverable.as_deref().unwrap().contains("XA-A"));

    let mut s = snapshot(vec![task(1, 1, -1)]);
    s.departments[0].active = false;
    let out = dept_digests(&s);
    assert!(out[0].addresses.is_empty());
    assert!(
        out[0]
            .undeliverable
            .as_deref()
            .unwrap()
            .contains("inactive")
    );
}

#[test]
fn escalation_starts_exactly_at_the_threshold() {
    let mut a = task(1, 1, -14);
    a.leader_in_charge_id = Some(10);
    let mut b = task(2, 1, -13);
    b.leader_in_charge_id = Some(10);
    let mut c = task(3, 2, -40);
    c.leader_in_charge_id = Some(10);
    let no_leader = task(4, 1, -100);
    let s = snapshot(vec![a, b, c, no_leader]);
    let out = digests(
        DigestKind::Escalation,
        &s,
        today(),
        &Calendar::default(),
        &policy(),
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].idempotency_key, "escalation:ct:2026-05-18");
    assert_eq!(out[0].addresses, vec!["ct@x.vn"]);
    assert_eq!(
        out[0].sections[0]
            .lines
            .iter()
            .map(|l| l.task_id)
            .collect::<Vec<_>>(),
        vec![3, 1]
    );
}

#[test]
fn an_escalation_to_a_leader_without_email_is_undeliverable_not_dropped() {
    let mut a = task(1, 1, -30);
    a.leader_in_charge_id = Some(11);
    let out = digests(
        DigestKind::Escalation,
        &snapshot(vec![a]),
        today(),
        &Calendar::default(),
        &policy(),
    );
    assert_eq!(out.len(), 1);
    assert!(out[0].undeliverable.as_deref().unwrap().contains("pct"));
}

#[test]
fn leader_digest_groups_overdue_tasks_by_department_oldest_first() {
    let mut done = task(9, 1, -10);
    done.status = TaskStatus::ReportedDone;
    done.completed_on = Some(today() - chrono::Duration::days(2));
    let s = snapshot(vec![
        task(1, 1, -3),
        task(2, 2, -50),
        task(3, 1, -20),
        task(4, 2, 0),
        task(5, 1, 6),
        done,
    ]);
    let out = digests(
        DigestKind::LeaderDigest,
        &s,
        today(),
        &Calendar::default(),
        &policy(),
    );
    assert_eq!(out.len(), 2, "one per active leader");
    let g = &out[0];
    assert_eq!(g.idempotency_key, "leader-digest:ct:2026-05-18");
    assert_eq!(
        g.groups.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
        vec!["TCKH", "TNMT"]
    );
    assert_eq!(
        g.groups[1]
            .lines
            .iter()
            .map(|l| l.task_id)
            .collect::<Vec<_>>(),
        vec![3, 1]
    );
    let f = g.figures.unwrap();
    assert_eq!(f.overdue, 3);
    assert_eq!(f.escalated, 2);
    assert_eq!(f.newly_overdue, 1);
    assert_eq!(f.done_this_week, 1);
    assert_eq!(f.due_next_week, 2);
    // Nobody to report → nothing.
    let none = digests(
        DigestKind::LeaderDigest,
        &snapshot(vec![task(1, 1, 3)]),
        today(),
        &Calendar::default(),
        &policy(),
    );
    assert!(none.is_empty());
}

#[test]
fn unanswered_explanations_past_their_date_reach_every_leader_digest_under_the_same_key() {
    let mut s = snapshot(vec![task(1, 1, 5)]);
    let escalated = EscalatedExplanation {
        request_id: 7,
        task_id: 1,
        code: "NV-01".into(),
        title: "Nhiệm vụ số 1".into(),
        lead_department_code: "TNMT".into(),
        lead_department_name: "Phòng TNMT".into(),
        question: "Vì sao chậm?".into(),
        answer_by: today() - chrono::Duration::days(2),
        days_overdue: 2,
        requested_by: "Ông ct".into(),
    };
    let leader_digests = |s: &Snapshot| {
        digests(
            DigestKind::LeaderDigest,
            s,
            today(),
            &Calendar::default(),
            &policy(),
        )
    };
    assert!(
        leader_digests(&s).is_empty(),
        "nothing overdue, nothing escalated"
    );
    s.explanations.push(escalated.clone());
    let out = leader_digests(&s);
    assert_eq!(
        out.len(),
        2,
        "one per active leader, even with no overdue task"
    );
    assert_eq!(out[0].idempotency_key, "leader-digest:ct:2026-05-18");
    assert_eq!(out[0].explanations, vec![escalated]);
    assert_eq!(out[0].task_ids, vec![1]);
    assert!(out[0].groups.is_empty());
    // Department digests and escalations do not carry them.
    let dept = dept_digests(&s);
    assert!(dept.iter().all(|d| d.explanations.is_empty()));
}

#[test]
fn keys_depend_on_kind_recipient_and_date_only() {
    assert_eq!(
        idempotency_key(DigestKind::DepartmentDigest, "VP", d(2026, 1, 5)),
        "department-digest:VP:2026-01-05"
    );
    let s = snapshot(vec![task(1, 1, -1)]);
    let again = snapshot(vec![task(1, 1, -1), task(2, 1, -5)]);
    assert_eq!(
        dept_digests(&s)[0].idempotency_key,
        dept_digests(&again)[0].idempotency_key
    );
}
