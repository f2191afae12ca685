//! Storage tests: every one runs on SQLite and, when DONDOC_TEST_POSTGRES_URL
//! is set, on PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::NaiveDate;
use dondoc_core::tasks::fact_store::FactStore;
use dondoc_core::{
    Clock, Settings,
    domain::{LinkRelation, Timeliness, timeliness, timeliness::Deadline},
    entity::{department, document, document_task, task, user},
    tasks::{RawTaskQuery, TaskFilter},
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn clock() -> Clock {
    Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today())
}

#[tokio::test]
async fn the_demo_seeds_96_tasks_30_departments_and_25_reminder_documents() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        let summary = dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        assert_eq!(summary.tasks, 96, "{t:?}");
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            96,
            "{t:?}"
        );
        assert_eq!(
            department::Entity::find().count(&t.db).await.unwrap(),
            30,
            "{t:?}"
        );
        let reminder_docs = document_task::Entity::find()
            .filter(document_task::Column::Relation.eq(LinkRelation::Reminds))
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.document_id)
            .collect::<std::collections::HashSet<_>>();
        assert_eq!(reminder_docs.len(), 25, "{t:?}");
        assert!(document::Entity::find().count(&t.db).await.unwrap() >= 25);
        // One admin, four leaders, one staff account per department.
        assert_eq!(
            user::Entity::find().count(&t.db).await.unwrap(),
            1 + 4 + 30,
            "{t:?}"
        );

        // The mix the demo promises.
        let filter = TaskFilter {
            per_page: 200,
            ..Default::default()
        };
        let page = dondoc_core::tasks::list(&t.db, &FactStore::disabled(), &filter, today(), 7)
            .await
            .unwrap();
        assert_eq!(page.total, 96);
        let mut counts: HashMap<Timeliness, usize> = HashMap::new();
        for item in &page.items {
            *counts.entry(item.timeliness.unwrap()).or_default() += 1;
        }
        assert_eq!(counts[&Timeliness::Overdue], 16, "{counts:?}");
        assert_eq!(counts[&Timeliness::CompletedLate], 10, "{counts:?}");
        assert!(counts[&Timeliness::DueSoon] >= 5, "{counts:?}");
        assert!(counts[&Timeliness::CompletedOnTime] > 50, "{counts:?}");

        // Seeding twice is refused and changes nothing.
        let again = dondoc_seed::demo::seed(&t.db, &clock(), &settings).await;
        assert!(again.is_err());
        assert_eq!(task::Entity::find().count(&t.db).await.unwrap(), 96);
    }
}

#[tokio::test]
async fn timeliness_filters_agree_with_the_rule() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let all = task::Entity::find().all(&t.db).await.unwrap();
        // Check on several days, so that tasks cross the boundaries.
        for shift in [-40i64, 0, 1, 7, 8, 30] {
            let day = today() + chrono::Duration::days(shift);
            for wanted in Timeliness::ALL {
                let raw = RawTaskQuery {
                    timeliness: Some(wanted.as_str().into()),
                    per_page: Some("200".into()),
                    ..Default::default()
                };
                let filter = raw.parse().unwrap();
                let page = dondoc_core::tasks::list(&t.db, &FactStore::disabled(), &filter, day, 7)
                    .await
                    .unwrap();
                let mut from_sql: Vec<i64> = page.items.iter().map(|i| i.id).collect();
                let mut from_rule: Vec<i64> = all
                    .iter()
                    .filter(|m| {
                        timeliness(
                            m.status,
                            Deadline {
                                due: m.due_date,
                                original: m.original_due_date,
                            },
                            m.completed_on,
                            day,
                            7,
                        )
                        .map(|i| i.timeliness)
                            == Some(wanted)
                    })
                    .map(|m| m.id)
                    .collect();
                from_sql.sort_unstable();
                from_rule.sort_unstable();
                assert_eq!(from_sql, from_rule, "{wanted:?} on {day} ({t:?})");
            }
        }
    }
}

#[tokio::test]
async fn task_filters_find_what_an_official_would_expect() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let list = |raw: RawTaskQuery| {
            let db = t.db.clone();
            async move {
                let filter = raw.parse().unwrap();
                dondoc_core::tasks::list(&db, &FactStore::disabled(), &filter, today(), 7)
                    .await
                    .unwrap()
            }
        };
        // Department (lead), year, field.
        let tnmt = list(RawTaskQuery {
            department: Some("tnmt".into()),
            year: Some("2026".into()),
            per_page: Some("200".into()),
            ..Default::default()
        })
        .await;
        assert!(tnmt.total > 0);
        assert!(tnmt.items.iter().all(|i| i.lead_department.code == "TNMT"));
        // Diacritics-insensitive search.
        let found = list(RawTaskQuery {
            q: Some("dat cuoc".into()),
            ..Default::default()
        })
        .await;
        assert!(
            found.total > 0,
            "search for 'dat cuoc' found nothing ({t:?})"
        );
        assert!(found.items.iter().all(|i| {
            dondoc_core::domain::text::fold(&i.title).contains("dat cuoc")
                || dondoc_core::domain::text::fold(&i.code).contains("dat cuoc")
        }));
        // A year without a programme is an empty page, not an error.
        let none = list(RawTaskQuery {
            year: Some("2031".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(none.total, 0);
        // Paging.
        let page2 = list(RawTaskQuery {
            page: Some("2".into()),
            per_page: Some("40".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(page2.items.len(), 40);
        assert_eq!(page2.total, 96);
        // The views carry what the API promises.
        let first = &page2.items[0];
        assert!(!first.lead_department.name.is_empty());
        assert_eq!(first.year, 2026);
    }
}

#[test]
fn bad_query_parameters_are_named() {
    let raw = RawTaskQuery {
        per_page: Some("500".into()),
        due_from: Some("2021-02-30".into()),
        timeliness: Some("late".into()),
        status: Some("done".into()),
        ..Default::default()
    };
    let err = raw.parse().unwrap_err();
    let dondoc_core::Error::Validation(fields) = err else {
        panic!("not a validation error")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    for expected in ["per_page", "due_from", "timeliness", "status"] {
        assert!(
            names.contains(&expected),
            "{expected} not named in {names:?}"
        );
    }
}

/// Storage faults are told from the codes the drivers really report, on
/// both databases: the API's 503 answers rest on this classification.
#[tokio::test]
async fn storage_faults_are_classified_from_the_drivers_codes() {
    use dondoc_core::{Error, db, db::StorageFault};
    use sea_orm::{ConnectionTrait, TransactionTrait};

    let write = "INSERT INTO programmes (year, title, created_at) \
                 VALUES (2031, 'Chương trình 2031', '2031-01-02T00:00:00+00:00')";
    let t = testing::sqlite().await;
    // A file opened read-only (SQLITE_READONLY).
    let read_only = db::connect(&testing::database_settings(&format!("{}?mode=ro", t.url)))
        .await
        .unwrap();
    let err = Error::from(read_only.execute_unprepared(write).await.unwrap_err());
    assert!(
        matches!(err, Error::Storage(StorageFault::ReadOnly, _)),
        "{err:?}"
    );
    // Another writer holds the lock past the busy timeout (SQLITE_BUSY).
    let mut impatient = testing::database_settings(&t.url);
    impatient.busy_timeout_ms = 50;
    let impatient = db::connect(&impatient).await.unwrap();
    let holder = db::begin_write(&t.db).await.unwrap();
    let err = db::begin_write(&impatient).await.unwrap_err();
    assert!(
        matches!(err, Error::Storage(StorageFault::Busy, _)),
        "{err:?}"
    );
    holder.rollback().await.unwrap();

    let Some(pg) = testing::postgres().await else {
        return;
    };
    // A read-only transaction, as on a hot standby (25006).
    let txn = pg.db.begin().await.unwrap();
    txn.execute_unprepared("SET TRANSACTION READ ONLY")
        .await
        .unwrap();
    let err = Error::from(txn.execute_unprepared(write).await.unwrap_err());
    assert!(
        matches!(err, Error::Storage(StorageFault::ReadOnly, _)),
        "{err:?}"
    );
    drop(txn);
    // The server ends the session (57P01, or the dropped socket).
    let txn = pg.db.begin().await.unwrap();
    let err = Error::from(
        txn.execute_unprepared("SELECT pg_terminate_backend(pg_backend_pid())")
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::Storage(StorageFault::Unreachable, _)),
        "{err:?}"
    );
}
