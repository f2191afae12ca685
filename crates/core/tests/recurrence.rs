//! Recurring tasks on real SQLite and PostgreSQL: completion makes exactly
//! one next occurrence; the period-start job is idempotent and safe when
//! run concurrently; month ends clamp; only leaders and admins set a rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Error, Settings,
    accounts::principal::{Principal, TokenKind},
    db::Db,
    entity::{programme, recurring_occurrence, task, task_coordinator, task_history, user},
    tasks::history::action,
    tasks::recurrence::{self, RecurrenceInput},
    tasks::{
        commands::{self, TaskPatch},
        creation::{self, NewTask},
    },
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn clock_on(day: NaiveDate) -> Clock {
    Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, day)
}

async fn seeded(t: &testing::TestDatabase) {
    let settings = Settings::defaults().unwrap();
    dondoc_seed::demo::seed(&t.db, &clock_on(d(2026, 11, 25)), &settings)
        .await
        .unwrap();
}

async fn principal(db: &Db, username: &str) -> Principal {
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"));
    Principal {
        user_id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        department_id: u.department_id,
        department_code: None,
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

fn new_task(code: &str, due: &str) -> NewTask {
    NewTask {
        year: 2026,
        code: code.into(),
        title: "Báo cáo tình hình kinh tế - xã hội hằng tháng, gửi UBND tỉnh; đúng biểu mẫu".into(),
        description: Some("Số liệu đến ngày 15".into()),
        field: "finance".into(),
        lead_department: "TCKH".into(),
        coordinating_departments: vec!["VP".into(), "TNMT".into()],
        leader_in_charge: Some("pct.kinhte".into()),
        due_date: due.into(),
        source_document_id: None,
    }
}

fn monthly(day: i64) -> RecurrenceInput {
    RecurrenceInput {
        frequency: "monthly".into(),
        day: Some(day),
        month: None,
    }
}

async fn occurrences(db: &Db, task_id: i64) -> Vec<recurring_occurrence::Model> {
    let own = recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::TaskId.eq(task_id))
        .one(db)
        .await
        .unwrap()
        .expect("task is in a series");
    recurring_occurrence::Entity::find()
        .filter(recurring_occurrence::Column::SeriesId.eq(own.series_id))
        .order_by_asc(recurring_occurrence::Column::PeriodStart)
        .all(db)
        .await
        .unwrap()
}

async fn coordinators(db: &Db, task_id: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = task_coordinator::Entity::find()
        .filter(task_coordinator::Column::TaskId.eq(task_id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.department_id)
        .collect();
    ids.sort_unstable();
    ids
}

async fn get_task(db: &Db, id: i64) -> task::Model {
    task::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

#[tokio::test]
async fn completion_creates_exactly_one_next_occurrence_with_a_clamped_due_date() {
    for t in testing::databases().await {
        seeded(&t).await;
        let clock = clock_on(d(2026, 11, 25));
        let admin = principal(&t.db, "admin").await;
        let leader = principal(&t.db, "pct.kinhte").await;
        let staff = principal(&t.db, "cb.tckh").await;
        // Due on the 31st of October, monthly on day 31.
        let first = recurrence::create_task(
            &t.db,
            &clock,
            "UBND huyện Bắc Tân Uyên",
            &admin,
            new_task("BC-KTXH", "2026-10-31"),
            Some(&monthly(31)),
        )
        .await
        .unwrap();
        let tasks_before = task::Entity::find().count(&t.db).await.unwrap();
        assert_eq!(occurrences(&t.db, first).await.len(), 1, "{t:?}");

        // The department reports it done; nothing is created yet.
        commands::update(
            &t.db,
            &clock,
            &staff,
            first,
            TaskPatch {
                status: Some("reported_done".into()),
                result_note: Some("Đã gửi báo cáo tháng 10".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            tasks_before
        );

        // The leader confirms: exactly one next occurrence, in November,
        // due on the 30th (31 clamped), not started, same people and field.
        commands::confirm(
            &t.db,
            &clock,
            &leader,
            first,
            commands::Decision {
                accept: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            tasks_before + 1,
            "{t:?}"
        );
        let series = occurrences(&t.db, first).await;
        assert_eq!(series.len(), 2);
        assert_eq!(series[1].period_start, d(2026, 11, 1));
        let next_id = series[1].task_id.unwrap();
        let source = get_task(&t.db, first).await;
        let next = get_task(&t.db, next_id).await;
        assert_eq!(next.due_date, d(2026, 11, 30));
        assert_eq!(next.original_due_date, d(2026, 11, 30));
        assert_eq!(next.status, dondoc_core::domain::TaskStatus::NotStarted);
        assert_eq!(next.progress, 0);
        assert_eq!(next.code, "BC-KTXH-2026-11");
        assert_eq!(next.title, source.title);
        assert_eq!(next.field_code, source.field_code);
        assert_eq!(next.lead_department_id, source.lead_department_id);
        assert_eq!(next.leader_in_charge_id, source.leader_in_charge_id);
        assert_eq!(next.programme_id, source.programme_id);
        assert_eq!(
            coordinators(&t.db, next_id).await,
            coordinators(&t.db, first).await
        );
        assert_eq!(coordinators(&t.db, next_id).await.len(), 2);
        // Its history says where it came from; the source notes the new one.
        let history = task_history::Entity::find()
            .filter(task_history::Column::TaskId.eq(next_id))
            .all(&t.db)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, action::RECURRED);
        assert_eq!(history[0].actor_id, Some(leader.user_id));
        assert!(history[0].note.as_deref().unwrap().contains("2026-11"));
        let source_notes = task_history::Entity::find()
            .filter(task_history::Column::TaskId.eq(first))
            .filter(task_history::Column::Action.eq(action::NOTE))
            .all(&t.db)
            .await
            .unwrap();
        assert!(
            source_notes.iter().any(|h| h
                .note
                .as_deref()
                .unwrap_or("")
                .contains("BC-KTXH-2026-11"))
        );

        // Re-opening and completing again makes nothing more.
        for status in ["in_progress", "completed"] {
            commands::update(
                &t.db,
                &clock,
                &admin,
                first,
                TaskPatch {
                    status: Some(status.into()),
                    result_note: Some("Đã gửi lại báo cáo".into()),
                    // A reopen states its reason.
                    note: Some("Bổ sung số liệu".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        assert_eq!(occurrences(&t.db, first).await.len(), 2);
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            tasks_before + 1
        );

        // Completing November directly (leader sets completed) makes
        // December; December's makes January 2027 in a new year's programme.
        for id in [next_id] {
            commands::update(
                &t.db,
                &clock,
                &leader,
                id,
                TaskPatch {
                    status: Some("completed".into()),
                    result_note: Some("Xong".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let series = occurrences(&t.db, first).await;
        assert_eq!(series.len(), 3);
        let december = get_task(&t.db, series[2].task_id.unwrap()).await;
        assert_eq!(december.due_date, d(2026, 12, 31));
        commands::update(
            &t.db,
            &clock,
            &leader,
            december.id,
            TaskPatch {
                status: Some("completed".into()),
                result_note: Some("Xong".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let series = occurrences(&t.db, first).await;
        let january = get_task(&t.db, series[3].task_id.unwrap()).await;
        assert_eq!(january.due_date, d(2027, 1, 31));
        assert_eq!(january.code, "BC-KTXH-2027-01");
        let programme = programme::Entity::find_by_id(january.programme_id)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(programme.year, 2027);
        assert!(programme.title.contains("2027"), "{}", programme.title);
    }
}

#[tokio::test]
async fn the_period_start_job_is_idempotent_and_safe_to_run_concurrently() {
    for t in testing::databases().await {
        seeded(&t).await;
        let clock = clock_on(d(2026, 9, 1));
        let admin = principal(&t.db, "admin").await;
        let monthly_id = recurrence::create_task(
            &t.db,
            &clock,
            "UBND",
            &admin,
            new_task("BC-THANG", "2026-09-20"),
            Some(&monthly(20)),
        )
        .await
        .unwrap();
        let quarterly_id = recurrence::create_task(
            &t.db,
            &clock,
            "UBND",
            &admin,
            new_task("BC-QUY", "2026-03-31"),
            Some(&RecurrenceInput {
                frequency: "quarterly".into(),
                day: Some(31),
                month: Some(3),
            }),
        )
        .await
        .unwrap();

        // Nothing has started yet on 15 September for the monthly series;
        // the quarterly one (Q1) catches up Q2 and Q3.
        let run = recurrence::run_due(&t.db, &clock, d(2026, 9, 15))
            .await
            .unwrap();
        assert_eq!(run.series, 2);
        assert_eq!(run.created.len(), 2, "{t:?} {run:?}");
        let quarters = occurrences(&t.db, quarterly_id).await;
        let dues: Vec<NaiveDate> = {
            let mut v = Vec::new();
            for o in &quarters {
                v.push(get_task(&t.db, o.task_id.unwrap()).await.due_date);
            }
            v
        };
        assert_eq!(dues, [d(2026, 3, 31), d(2026, 6, 30), d(2026, 9, 30)]);

        // Twice on the same day: nothing more.
        let again = recurrence::run_due(&t.db, &clock, d(2026, 9, 15))
            .await
            .unwrap();
        assert!(again.created.is_empty(), "{again:?}");

        // Four instances at once on 25 November: October and November of
        // the monthly series and Q4 of the quarterly one, each exactly once.
        let tasks_before = task::Entity::find().count(&t.db).await.unwrap();
        let mut handles = Vec::new();
        for _ in 0..4 {
            let db = t.db.clone();
            let clock = clock.clone();
            handles.push(tokio::spawn(async move {
                recurrence::run_due(&db, &clock, d(2026, 11, 25)).await
            }));
        }
        let mut created = 0;
        for h in handles {
            let run = h.await.unwrap().unwrap();
            assert_eq!(run.failed, 0, "{run:?}");
            created += run.created.len();
        }
        assert_eq!(created, 3, "{t:?}");
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            tasks_before + 3
        );
        let months = occurrences(&t.db, monthly_id).await;
        let starts: Vec<NaiveDate> = months.iter().map(|o| o.period_start).collect();
        assert_eq!(starts, [d(2026, 9, 1), d(2026, 10, 1), d(2026, 11, 1)]);
        assert!(months.iter().all(|o| o.task_id.is_some()));
        assert_eq!(occurrences(&t.db, quarterly_id).await.len(), 4);

        // A completion racing the job after the fact finds November made.
        let october = months[1].task_id.unwrap();
        commands::update(
            &t.db,
            &clock,
            &admin,
            october,
            TaskPatch {
                status: Some("completed".into()),
                result_note: Some("Xong".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(occurrences(&t.db, monthly_id).await.len(), 3);

        // A stopped series makes nothing more.
        recurrence::stop(&t.db, &clock, &admin, monthly_id)
            .await
            .unwrap();
        let later = recurrence::run_due(&t.db, &clock, d(2026, 12, 2))
            .await
            .unwrap();
        assert_eq!(later.created.len(), 0, "{later:?}");
        assert_eq!(occurrences(&t.db, monthly_id).await.len(), 3);
    }
}

#[tokio::test]
async fn only_leaders_and_admins_set_a_rule_and_staff_see_their_own_series() {
    for t in testing::databases().await {
        seeded(&t).await;
        let clock = clock_on(d(2026, 11, 25));
        let leader = principal(&t.db, "pct.kinhte").await;
        let staff = principal(&t.db, "cb.tckh").await;
        let outsider = principal(&t.db, "cb.tnmt").await;
        let stranger = principal(&t.db, "cb.vp").await;
        let mut input = new_task("BC-NAM", "2026-02-28");
        input.coordinating_departments = vec!["TNMT".into()];
        // Staff cannot assign (recurring or not).
        assert!(matches!(
            recurrence::create_task(&t.db, &clock, "UBND", &staff, input.clone(), None).await,
            Err(Error::Forbidden(_))
        ));
        let id = creation::create(&t.db, &clock, "UBND", &leader, input)
            .await
            .unwrap();
        let yearly = RecurrenceInput {
            frequency: "yearly".into(),
            day: Some(29),
            month: Some(2),
        };
        assert!(matches!(
            recurrence::set(&t.db, &clock, &staff, id, &yearly).await,
            Err(Error::Forbidden(_))
        ));
        assert!(matches!(
            recurrence::stop(&t.db, &clock, &staff, id).await,
            Err(Error::Forbidden(_))
        ));
        // Bad input names the field.
        match recurrence::set(
            &t.db,
            &clock,
            &leader,
            id,
            &RecurrenceInput {
                frequency: "yearly".into(),
                day: Some(29),
                month: Some(13),
            },
        )
        .await
        {
            Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "recurrence.month"),
            other => panic!("expected a validation error, got {other:?}"),
        }
        let view = recurrence::set(&t.db, &clock, &leader, id, &yearly)
            .await
            .unwrap();
        assert!(view.active);
        // 29 February 2027 does not exist: the 28th.
        assert_eq!(view.next_due_date, Some(d(2027, 2, 28)));
        assert_eq!(view.next_created_on, Some(d(2027, 1, 1)));
        // Lead and coordinating staff read the series; others may not.
        assert_eq!(
            recurrence::for_task(&t.db, &staff, id)
                .await
                .unwrap()
                .unwrap()
                .occurrences
                .len(),
            1
        );
        assert!(
            recurrence::for_task(&t.db, &outsider, id)
                .await
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            recurrence::for_task(&t.db, &stranger, id).await,
            Err(Error::Forbidden(_))
        ));
        // The rule change is in the task's history.
        let entries = task_history::Entity::find()
            .filter(task_history::Column::TaskId.eq(id))
            .filter(task_history::Column::Field.eq("recurrence"))
            .all(&t.db)
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
        assert!(
            entries[0]
                .new_value
                .as_deref()
                .unwrap()
                .contains("Hằng năm")
        );
    }
}
