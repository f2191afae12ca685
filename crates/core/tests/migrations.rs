//! Upgrades: a database populated at the first released schema migrates to
//! the latest one with its data intact and readable; every migration can be
//! rolled back and re-applied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use std::collections::BTreeMap;

use dondoc_core::tasks::fact_store::FactStore;
use dondoc_core::{
    db,
    domain::Timeliness,
    tasks::{
        RawTaskQuery, list,
        status_sql::{DONE_INDEX, OPEN_INDEX, StatusIn},
    },
    testing,
};
use dondoc_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, TransactionTrait};

/// The five migrations of the first release (2026-11-25).
const FIRST_RELEASE: u32 = 5;

/// Rows written with the first release's schema, as SQL both stores accept.
const FIXTURE: &[&str] = &[
    "INSERT INTO fields (code, name_vi, name_en, sort_order, active) VALUES ('finance', 'Tài chính – ngân sách', 'Finance', 8, TRUE)",
    "INSERT INTO departments (id, code, name, kind, email, active, created_at, updated_at) VALUES \
     (1, 'TCKH', 'Phòng Tài chính - Kế hoạch', 'office', 'tckh@example.vn', TRUE, '2026-01-02T00:00:00+00:00', '2026-01-02T00:00:00+00:00')",
    "INSERT INTO users (id, username, full_name, email, position, role, department_id, password_hash, active, must_change_password, created_at, updated_at) VALUES \
     (1, 'cb.tckh', 'Cán bộ TCKH', 'cb@example.vn', NULL, 'staff', 1, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', TRUE, FALSE, '2026-01-02T00:00:00+00:00', '2026-01-02T00:00:00+00:00')",
    "INSERT INTO programmes (id, year, title, created_at) VALUES (1, 2026, 'Chương trình công tác năm 2026', '2026-01-02T00:00:00+00:00')",
    "INSERT INTO tasks (id, programme_id, code, title, description, search_text, field_code, lead_department_id, leader_in_charge_id, \
     source_document_id, due_date, original_due_date, status, progress, completed_on, result_note, version, created_at, updated_at) VALUES \
     (1, 1, 'TC-01', 'Giải ngân vốn đầu tư công', '', 'tc-01 giai ngan von dau tu cong', 'finance', 1, NULL, NULL, \
      '2026-06-30', '2026-06-30', 'in_progress', 40, NULL, NULL, 3, '2026-01-02T00:00:00+00:00', '2026-02-02T00:00:00+00:00'), \
     (2, 1, 'TC-02', 'Lập dự toán ngân sách', '', 'tc-02 lap du toan ngan sach', 'finance', 1, NULL, NULL, \
      '2026-03-31', '2026-03-31', 'completed', 100, '2026-03-30', 'Xong', 5, '2026-01-02T00:00:00+00:00', '2026-03-30T00:00:00+00:00')",
    "INSERT INTO task_history (id, task_id, actor_id, at, action, field, old_value, new_value, note) VALUES \
     (1, 1, 1, '2026-02-02T00:00:00+00:00', 'updated', 'progress', '0', '40', 'Đang giải ngân')",
];

#[tokio::test]
async fn a_populated_first_release_database_upgrades_to_the_latest_schema() {
    for t in testing::databases_unmigrated().await {
        Migrator::up(&t.db, Some(FIRST_RELEASE)).await.unwrap();
        for sql in FIXTURE {
            t.db.execute_unprepared(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e} ({t:?})"));
        }
        // Explicit ids on PostgreSQL: move the identity sequences past them.
        if dondoc_core::db::is_postgres(&t.db) {
            for table in [
                "departments",
                "users",
                "programmes",
                "tasks",
                "task_history",
            ] {
                t.db.execute_unprepared(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
                .await
                .unwrap();
            }
        }
        // Every later migration, then the start-up step (default fields).
        dondoc_core::db::migrate(&t.db).await.unwrap();
        let applied = Migrator::get_applied_migrations(&t.db).await.unwrap().len();
        assert_eq!(applied, Migrator::migrations().len(), "{t:?}");

        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let raw = RawTaskQuery {
            year: Some("2026".into()),
            ..Default::default()
        };
        let page = list(
            &t.db,
            &FactStore::disabled(),
            &raw.parse().unwrap(),
            today,
            7,
        )
        .await
        .unwrap();
        assert_eq!(page.total, 2, "{t:?}");
        let overdue = page.items.iter().find(|i| i.code == "TC-01").unwrap();
        assert_eq!(overdue.timeliness, Some(Timeliness::Overdue));
        assert_eq!(overdue.version, 3);
        let done = page.items.iter().find(|i| i.code == "TC-02").unwrap();
        assert_eq!(done.timeliness, Some(Timeliness::CompletedOnTime));
        let history = dondoc_core::tasks::history::for_task(&t.db, 1)
            .await
            .unwrap();
        assert_eq!(history[0].note.as_deref(), Some("Đang giải ngân"));
        // New rows still get fresh ids after the upgrade.
        let dept = dondoc_core::org::departments::create(
            &t.db,
            &dondoc_core::Clock::system(chrono_tz::Asia::Ho_Chi_Minh),
            dondoc_core::org::departments::NewDepartment {
                code: "TNMT".into(),
                name: "Phòng Tài nguyên và Môi trường".into(),
                kind: "office".into(),
                email: None,
            },
        )
        .await
        .unwrap();
        assert!(dept.id > 1);
    }
}

#[tokio::test]
async fn every_migration_rolls_back_and_reapplies() {
    for t in testing::databases_unmigrated().await {
        Migrator::up(&t.db, None).await.unwrap();
        Migrator::down(&t.db, None)
            .await
            .unwrap_or_else(|e| panic!("down: {e} ({t:?})"));
        assert!(
            Migrator::get_applied_migrations(&t.db)
                .await
                .unwrap()
                .is_empty()
        );
        Migrator::up(&t.db, None).await.unwrap();
        assert_eq!(
            Migrator::get_applied_migrations(&t.db).await.unwrap().len(),
            Migrator::migrations().len()
        );
    }
}

/// Several instances starting at once on an empty database (docs/operations.md):
/// each migrates, none fails on a half-made schema, and the schema is whole.
#[tokio::test]
async fn instances_starting_at_once_all_come_up() {
    for t in testing::databases_unmigrated().await {
        let mut starts = Vec::new();
        for _ in 0..3 {
            let settings = testing::database_settings(&t.url);
            starts.push(tokio::spawn(async move {
                let db = dondoc_core::db::connect(&settings).await?;
                dondoc_core::db::migrate(&db).await
            }));
        }
        for start in starts {
            start
                .await
                .unwrap()
                .unwrap_or_else(|err| panic!("{:?}: {err}", t.backend));
        }
        let pending = Migrator::get_pending_migrations(&t.db).await.unwrap();
        assert!(pending.is_empty(), "{:?}", t.backend);
    }
}

/// The `WHERE` of every partial index on `tasks`, by index name, as the
/// database keeps it: SQLite the statement's text, PostgreSQL its own
/// rendering of the parsed condition.
async fn partial_index_conditions<C: ConnectionTrait>(db: &C) -> BTreeMap<String, String> {
    let sql = if db::is_postgres(db) {
        "SELECT indexname AS name, indexdef AS def FROM pg_indexes \
         WHERE schemaname = current_schema() AND tablename = 'tasks'"
    } else {
        "SELECT name, sql AS def FROM sqlite_master \
         WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL"
    };
    let rows = db
        .query_all_raw(db::statement(db, sql, Vec::new()))
        .await
        .unwrap();
    rows.into_iter()
        .filter_map(|row| {
            let name: String = row.try_get("", "name").unwrap();
            let def: String = row.try_get("", "def").unwrap();
            def.split_once(" WHERE ")
                .map(|(_, condition)| (name, condition.to_string()))
        })
        .collect()
}

/// Migrations cannot use core, so they spell the partial indexes' conditions
/// out; the queries use the conditions core builds from `TaskStatus`. Here
/// the two are compared as the database understands them: a probe index
/// made from core's condition (then rolled back) must read back exactly
/// like the index the migration made.
#[tokio::test]
async fn the_partial_indexes_of_the_migrations_use_the_status_sets_of_core() {
    for t in testing::databases().await {
        let made = partial_index_conditions(&t.db).await;
        let expected: [(&str, StatusIn); 4] = [
            ("idx_tasks_open_due", OPEN_INDEX),
            ("idx_tasks_open_lead_due", OPEN_INDEX),
            ("idx_tasks_open_programme_due", OPEN_INDEX),
            ("idx_tasks_done_completed_on", DONE_INDEX),
        ];
        assert_eq!(
            made.keys().map(String::as_str).collect::<Vec<_>>(),
            {
                let mut names = expected.map(|(name, _)| name).to_vec();
                names.sort_unstable();
                names
            },
            "every partial index on tasks is checked here ({:?})",
            t.backend
        );

        let txn = t.db.begin().await.unwrap();
        for (set, condition) in [("open", OPEN_INDEX), ("done", DONE_INDEX)] {
            txn.execute_unprepared(&format!(
                "CREATE INDEX dondoc_probe_{set} ON tasks (id) WHERE {condition}"
            ))
            .await
            .unwrap();
        }
        let probes = partial_index_conditions(&txn).await;
        txn.rollback().await.unwrap();
        for (name, condition) in expected {
            let set = if condition == OPEN_INDEX {
                "open"
            } else {
                "done"
            };
            assert_eq!(
                made[name],
                probes[&format!("dondoc_probe_{set}")],
                "{name} on {:?}: the migration's condition is not core's `{condition}`",
                t.backend
            );
        }
    }
}
