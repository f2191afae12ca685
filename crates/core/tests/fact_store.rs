//! The in-memory fact store gives the same figures and lists as reading the
//! database, on SQLite and PostgreSQL: after loading, after each kind of
//! write (progress, report, confirmation, extension, cancellation, a new
//! task, a reminder document), and for a second store that only learns of
//! the writes through the figures' clock — as another instance would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Settings,
    accounts::principal::{Principal, TokenKind},
    db::Db,
    documents::{self, NewDocument, NewLink},
    entity::{task, user},
    reports::figures::{self, AsOf, DocumentPeriod, Figure, Scope},
    tasks::{
        self, RawTaskQuery,
        commands::{self, Decision, TaskPatch},
        creation::{self, NewTask},
        fact_store::FactStore,
    },
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn clock() -> Clock {
    Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today())
}

async fn principal(db: &Db, username: &str) -> Principal {
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
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

/// Figures and a few lists, read through `store`, as comparable text.
async fn read(db: &Db, store: &FactStore) -> String {
    let as_of = AsOf::now(&clock());
    let year = Scope {
        programme_id: None,
        ..Scope::default()
    };
    let docs = DocumentPeriod {
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    };
    let report = figures::report(db, store, &year, &as_of, 7, docs)
        .await
        .unwrap();
    let mut out = format!("{report:?}");
    // One programme's third quarter, as the review shows it: its reminder
    // documents reach the programme's tasks outside the quarter too. In
    // memory both reports are carried from write to write, not recomputed.
    let programme = dondoc_core::org::programmes::find_by_year(db, 2026)
        .await
        .unwrap()
        .unwrap();
    let quarter = Scope {
        programme_id: Some(programme.id),
        due_from: NaiveDate::from_ymd_opt(2026, 7, 1),
        due_to: NaiveDate::from_ymd_opt(2026, 9, 30),
        ..Scope::default()
    };
    let report = figures::report(db, store, &quarter, &as_of, 7, docs)
        .await
        .unwrap();
    out.push_str(&format!("\n{report:?}"));
    for figure in [Figure::Overdue, Figure::DueSoon, Figure::CompletedLate] {
        let query = RawTaskQuery {
            figure: Some(figure.as_str().into()),
            per_page: Some("200".into()),
            ..Default::default()
        };
        let page = tasks::list(db, store, &query.parse().unwrap(), today(), 7)
            .await
            .unwrap();
        let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
        out.push_str(&format!("\n{figure:?} {} {ids:?}", page.total));
    }
    out
}

async fn agree(db: &Db, memory: &FactStore, other: &FactStore, step: &str) {
    let want = read(db, &FactStore::disabled()).await;
    assert_eq!(
        read(db, memory).await,
        want,
        "{step}: this instance's store"
    );
    assert_eq!(
        read(db, other).await,
        want,
        "{step}: another instance's store"
    );
}

#[tokio::test]
async fn the_store_agrees_with_the_database_through_every_kind_of_write() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let db = &t.db;
        // This instance marks its store stale after writing; the other one
        // only sees the clock (refresh interval zero: it always looks).
        // Loaded and caught up three rows at a time: many chunks even on
        // the demo, as a million tasks are in production.
        let memory = FactStore::new(Duration::from_secs(3600)).with_load_chunk(3);
        let other = FactStore::new(Duration::ZERO);
        agree(db, &memory, &other, "loaded").await;
        let first = memory.version();

        let leader = principal(db, "chutich").await;
        let open: Vec<task::Model> = task::Entity::find()
            .filter(task::Column::Status.is_in(["not_started", "in_progress"]))
            .order_by_asc(task::Column::Id)
            .all(db)
            .await
            .unwrap();
        let a = &open[0];
        let b = &open[1];
        let c = &open[2];
        let staff_of = |t: &task::Model| {
            let db = db.clone();
            let lead = t.lead_department_id;
            async move {
                let u = user::Entity::find()
                    .filter(user::Column::DepartmentId.eq(lead))
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap();
                principal(&db, &u.username).await
            }
        };
        let patch = |p: TaskPatch| p;

        let staff = staff_of(a).await;
        commands::update(
            db,
            &clock(),
            &staff,
            a.id,
            patch(TaskPatch {
                progress: Some(55),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "progress").await;
        assert!(memory.version() > first, "the store saw the change");

        commands::update(
            db,
            &clock(),
            &staff,
            a.id,
            TaskPatch {
                status: Some("reported_done".into()),
                result_note: Some("Xong".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "report").await;

        commands::confirm(
            db,
            &clock(),
            &leader,
            a.id,
            Decision {
                accept: true,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "confirm").await;

        commands::update(
            db,
            &clock(),
            &leader,
            b.id,
            TaskPatch {
                due_date: Some("2027-03-31".into()),
                note: Some("Gia hạn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "extension").await;

        commands::update(
            db,
            &clock(),
            &leader,
            c.id,
            TaskPatch {
                status: Some("cancelled".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "cancel").await;

        creation::create(
            db,
            &clock(),
            "UBND",
            &leader,
            NewTask {
                year: 2026,
                code: "MOI-01".into(),
                title: "Nhiệm vụ mới".into(),
                description: None,
                field: "finance".into(),
                lead_department: "TCKH".into(),
                coordinating_departments: vec![],
                leader_in_charge: None,
                due_date: "2026-11-20".into(),
                source_document_id: None,
            },
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "new task").await;

        documents::create(
            db,
            &clock(),
            &leader,
            NewDocument {
                number: "999/UBND-VP".into(),
                kind: "official_letter".into(),
                title: "V/v đôn đốc".into(),
                issued_on: "2026-11-25".into(),
                signer: "Chủ tịch".into(),
                links: vec![NewLink {
                    task_id: b.id,
                    relation: "reminds".into(),
                }],
                report_back_on: None,
            },
        )
        .await
        .unwrap();
        memory.mark_stale();
        agree(db, &memory, &other, "reminder document").await;

        // The two reports and three lists above were carried from write to
        // write: computed from every task when loaded (five) and the reports
        // again when reminder documents changed (two), not after each
        // task's change.
        for store in [&memory, &other] {
            let (computed, carried) = store.fold_counts();
            assert!(carried >= 25, "carried {carried}, computed {computed}");
            assert!(computed <= 7, "carried {carried}, computed {computed}");
        }
    }
}
