//! Missed occurrences: one catch-up run after downtime, skipped beyond
//! `max_catchup_hours`, nothing on holidays, and a first start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use dondoc_core::{
    Clock,
    db::Db,
    domain::TaskStatus,
    entity::{notification, schedule_fire},
    followup::outbox::fire_status,
    followup::working_days::DayOff,
    testing,
};
use dondoc_scheduler::{
    Context, Job,
    jobs::{run_now, tick_job},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use support::*;

async fn one_late_department(db: &Db) {
    let id = add_department(
        db,
        "TNMT",
        "Phòng Tài nguyên và Môi trường",
        Some("tnmt@dondoc.test"),
    )
    .await;
    add_task(
        db,
        NewTask {
            code: "MT-01",
            title: "Đo đạc đất",
            department_id: id,
            due: date(2026, 5, 4),
            status: TaskStatus::InProgress,
            leader: None,
        },
    )
    .await;
}

async fn fires(db: &Db) -> Vec<(DateTime<Utc>, String)> {
    schedule_fire::Entity::find()
        .filter(schedule_fire::Column::ScheduleKey.eq("department-digest"))
        .order_by_asc(schedule_fire::Column::FireAt)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.fire_at, f.status))
        .collect()
}

async fn keys(db: &Db) -> Vec<String> {
    let mut keys: Vec<String> = notification::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.idempotency_key)
        .collect();
    keys.sort();
    keys
}

fn context(
    db: &Db,
    url: &str,
    catchup_hours: u64,
    now: DateTime<Utc>,
) -> (Context, dondoc_core::clock::ManualClock) {
    let mut settings = settings(url, 25);
    settings.scheduler.max_catchup_hours = catchup_hours;
    let settings = Arc::new(settings);
    let (clock, hand) = Clock::manual(settings.organization.timezone, now);
    (
        Context::new(db.clone(), clock, settings)
            .unwrap()
            .with_instance("i1"),
        hand,
    )
}

#[tokio::test]
async fn downtime_across_three_occurrences_is_caught_up_by_one_run() {
    for t in testing::databases().await {
        let db = &t.db;
        one_late_department(db).await;
        let (ctx, hand) = context(db, &t.url, 72, vn(2026, 5, 18, 7, 0, 5));
        let monday = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(monday.run.unwrap().enqueued, 1, "{:?}", t.backend);

        // Down from Monday 07:00:05 to Thursday 08:00: Tue, Wed, Thu missed.
        hand.set(vn(2026, 5, 21, 8, 0, 0));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        let run = report.run.unwrap();
        assert_eq!(
            run.fire_at,
            vn(2026, 5, 21, 7, 0, 0),
            "the newest occurrence runs"
        );
        assert_eq!(run.date, date(2026, 5, 21));
        assert_eq!((run.enqueued, report.coalesced, report.skipped), (1, 2, 0));
        assert_eq!(
            fires(db).await,
            vec![
                (vn(2026, 5, 18, 7, 0, 0), fire_status::ENQUEUED.to_string()),
                (vn(2026, 5, 19, 7, 0, 0), fire_status::COALESCED.to_string()),
                (vn(2026, 5, 20, 7, 0, 0), fire_status::COALESCED.to_string()),
                (vn(2026, 5, 21, 7, 0, 0), fire_status::ENQUEUED.to_string()),
            ]
        );
        assert_eq!(
            keys(db).await,
            vec![
                "department-digest:TNMT:2026-05-18",
                "department-digest:TNMT:2026-05-21"
            ],
            "one catch-up, not one digest per missed day"
        );
        let again = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert!(again.run.is_none() && again.coalesced == 0);
    }
}

#[tokio::test]
async fn occurrences_older_than_max_catchup_are_skipped_and_recorded() {
    for t in testing::databases().await {
        let db = &t.db;
        one_late_department(db).await;
        let (ctx, hand) = context(db, &t.url, 24, vn(2026, 5, 18, 7, 0, 5));
        tick_job(&ctx, Job::DepartmentDigest).await.unwrap();

        // Thursday 08:00 with a 24-hour window: Tue and Wed are too old.
        hand.set(vn(2026, 5, 21, 8, 0, 0));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(
            (report.coalesced, report.skipped),
            (0, 2),
            "{:?}",
            t.backend
        );
        assert_eq!(report.run.unwrap().fire_at, vn(2026, 5, 21, 7, 0, 0));

        // Down over the weekend until Sunday: Friday is too old, nothing runs.
        hand.set(vn(2026, 5, 24, 10, 0, 0));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert!(report.run.is_none());
        assert_eq!(report.skipped, 1);
        let statuses: Vec<String> = fires(db).await.into_iter().map(|f| f.1).collect();
        assert_eq!(
            statuses,
            vec!["enqueued", "skipped", "skipped", "enqueued", "skipped"]
        );
        assert_eq!(keys(db).await.len(), 2);

        // Monday: back to normal.
        hand.set(vn(2026, 5, 25, 7, 0, 5));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!((report.run.unwrap().enqueued, report.skipped), (1, 0));
    }
}

#[tokio::test]
async fn a_holiday_occurrence_is_recorded_and_sends_nothing() {
    for t in testing::databases().await {
        let db = &t.db;
        one_late_department(db).await;
        // 2 September (National Day) is in calendar.holidays.
        let (ctx, _hand) = context(db, &t.url, 24, vn(2026, 9, 2, 7, 0, 5));
        let run = tick_job(&ctx, Job::DepartmentDigest)
            .await
            .unwrap()
            .run
            .unwrap();
        assert_eq!(run.day_off, Some(DayOff::Holiday));
        assert_eq!((run.digests, run.enqueued), (0, 0));
        let fire = schedule_fire::Entity::find()
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fire.status, "enqueued");
        assert_eq!(fire.enqueued, Some(0));
        assert!(fire.detail.unwrap().contains("not a working day"));
        assert!(keys(db).await.is_empty());
    }
}

#[tokio::test]
async fn a_first_start_runs_only_the_latest_occurrence_within_the_window() {
    for t in testing::databases().await {
        let db = &t.db;
        one_late_department(db).await;
        // Tuesday 10:00: Monday 07:00 is 27 hours ago, outside the 24-hour window.
        let (ctx, _hand) = context(db, &t.url, 24, vn(2026, 5, 19, 10, 0, 0));
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(report.run.unwrap().fire_at, vn(2026, 5, 19, 7, 0, 0));
        assert_eq!((report.coalesced, report.skipped), (0, 0));
        assert_eq!(
            fires(db).await.len(),
            1,
            "nothing before the first start is recorded"
        );
    }
}

#[tokio::test]
async fn a_job_run_by_hand_is_idempotent_and_leaves_the_schedule_alone() {
    for t in testing::databases().await {
        let db = &t.db;
        one_late_department(db).await;
        let (ctx, _hand) = context(db, &t.url, 24, vn(2026, 5, 19, 10, 0, 0));
        let first = run_now(&ctx, Job::DepartmentDigest, Some(date(2026, 5, 19)))
            .await
            .unwrap();
        assert_eq!((first.digests, first.enqueued), (1, 1), "{:?}", t.backend);
        let again = run_now(&ctx, Job::DepartmentDigest, None).await.unwrap();
        assert_eq!((again.enqueued, again.already_present), (0, 1));
        let manual = fires(db).await;
        assert!(manual.iter().all(|f| f.1 == fire_status::MANUAL));
        assert!(Job::parse("deliver").is_some_and(|j| j.digest().is_none()));
        assert!(Job::parse("nonsense").is_none());
        // A manual run does not move the schedule: 07:00 today still runs.
        let report = tick_job(&ctx, Job::DepartmentDigest).await.unwrap();
        assert_eq!(report.run.unwrap().already_present, 1);
    }
}
