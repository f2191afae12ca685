//! The synthetic benchmark data (`dondoc seed synthetic`): deterministic,
//! roughly the promised distribution, and usable by the product on SQLite
//! and PostgreSQL. Also: the list queries stay off full scans of `tasks`
//! and run a constant number of statements whatever the page size (no N+1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use dondoc_core::reports::figures::AsOf;
use dondoc_core::tasks::fact_store::FactStore;
use dondoc_core::{
    Clock, Settings,
    accounts::principal::{Principal, TokenKind},
    db,
    domain::Role,
    reports::overdue::{self, RawOverdueQuery},
    tasks::{self, RawTaskQuery},
    testing::{self, Backend},
};
use dondoc_seed::synthetic::{self, SyntheticSpec};
use sea_orm::{ConnectionTrait, Statement};
use sha2::{Digest, Sha256};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn clock() -> Clock {
    Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today())
}

fn spec(tasks: u64, seed: u64) -> SyntheticSpec {
    SyntheticSpec {
        tasks,
        departments: 40,
        years: 3,
        seed,
    }
}

async fn scalar<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    let row = db
        .query_one_raw(db::statement(db, sql, vec![]))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A fingerprint of everything the generator decided.
async fn fingerprint<C: ConnectionTrait>(db: &C) -> String {
    let mut hash = Sha256::new();
    for sql in [
        "SELECT id, programme_id, code, title, field_code, lead_department_id, leader_in_charge_id, \
         due_date, original_due_date, status, progress, completed_on FROM tasks ORDER BY id",
        "SELECT task_id, department_id FROM task_coordinators ORDER BY task_id, department_id",
        "SELECT document_id, task_id, relation FROM document_tasks ORDER BY task_id, document_id, relation",
        "SELECT id, task_id, action, at FROM task_history ORDER BY id",
    ] {
        for row in db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
        {
            hash.update(format!("{row:?}").as_bytes());
        }
    }
    hex::encode(hash.finalize())
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let settings = Settings::defaults().unwrap();
    let a = testing::sqlite().await;
    let b = testing::sqlite().await;
    let c = testing::sqlite().await;
    synthetic::seed(&a.db, &clock(), &settings, spec(1_500, 42))
        .await
        .unwrap();
    synthetic::seed(&b.db, &clock(), &settings, spec(1_500, 42))
        .await
        .unwrap();
    synthetic::seed(&c.db, &clock(), &settings, spec(1_500, 43))
        .await
        .unwrap();
    let (fa, fb, fc) = (
        fingerprint(&a.db).await,
        fingerprint(&b.db).await,
        fingerprint(&c.db).await,
    );
    assert_eq!(fa, fb, "same seed, same day: same data");
    assert_ne!(fa, fc, "another seed: other data");
}

#[tokio::test]
async fn the_distribution_is_roughly_what_the_issue_asks_for() {
    let settings = Settings::defaults().unwrap();
    let t = testing::sqlite().await;
    let summary = synthetic::seed(&t.db, &clock(), &settings, spec(6_000, 7))
        .await
        .unwrap();
    let c = &summary.counts;
    assert_eq!(c.tasks, 6_000);
    let total = scalar(&t.db, "SELECT COUNT(*) FROM tasks").await;
    assert_eq!(total, 6_000);
    // Timeliness as the product computes it, from the stored rows.
    let overdue = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE status IN ('not_started', 'in_progress') AND due_date < '2026-11-25'",
    )
    .await;
    assert_eq!(overdue as u64, c.overdue, "counted as stored");
    let share = overdue as f64 / total as f64;
    assert!((0.12..0.18).contains(&share), "overdue share {share}");
    // A long tail of ages: some over 120 days, most within a month or two.
    let old = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE status IN ('not_started', 'in_progress') AND due_date < '2026-07-28'",
    )
    .await;
    assert!(
        old > 0 && (old as f64) < overdue as f64 * 0.4,
        "{old} of {overdue}"
    );
    let due_soon = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE status IN ('not_started', 'in_progress') \
         AND due_date >= '2026-11-25' AND due_date <= '2026-12-02'",
    )
    .await;
    assert!(due_soon > 60, "some due soon: {due_soon}");
    let done = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE status IN ('reported_done', 'completed')",
    )
    .await;
    assert!(done as f64 > total as f64 * 0.6, "most completed: {done}");
    let late = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE status IN ('reported_done', 'completed') AND completed_on > due_date",
    )
    .await;
    assert!(
        late as f64 > total as f64 * 0.08 && late < done / 2,
        "some late: {late}"
    );
    let never_after_today = scalar(
        &t.db,
        "SELECT COUNT(*) FROM tasks WHERE completed_on > '2026-11-25'",
    )
    .await;
    assert_eq!(never_after_today, 0, "nothing is completed in the future");
    // Reminder documents only on late tasks.
    let reminded = scalar(
        &t.db,
        "SELECT COUNT(DISTINCT dt.task_id) FROM document_tasks dt JOIN tasks t ON t.id = dt.task_id \
         WHERE dt.relation = 'reminds'",
    )
    .await;
    let reminded_late = scalar(
        &t.db,
        "SELECT COUNT(DISTINCT dt.task_id) FROM document_tasks dt JOIN tasks t ON t.id = dt.task_id \
         WHERE dt.relation = 'reminds' AND (t.due_date < '2026-11-25' AND (t.completed_on IS NULL OR t.completed_on > t.due_date))",
    )
    .await;
    assert!(reminded > 100, "{reminded}");
    assert_eq!(reminded, reminded_late, "reminders go to late tasks only");
    assert!(c.reminder_documents > 0 && c.reminder_documents <= c.reminder_links);
    // Coordinators on some tasks, never the lead department itself.
    let coordinated = scalar(
        &t.db,
        "SELECT COUNT(DISTINCT task_id) FROM task_coordinators",
    )
    .await;
    assert!((1_200..2_400).contains(&coordinated), "{coordinated}");
    let self_coordinated = scalar(
        &t.db,
        "SELECT COUNT(*) FROM task_coordinators c JOIN tasks t ON t.id = c.task_id \
         WHERE c.department_id = t.lead_department_id",
    )
    .await;
    assert_eq!(self_coordinated, 0);
    // History: every task was created, every done task reported.
    let created = scalar(
        &t.db,
        "SELECT COUNT(*) FROM task_history WHERE action = 'created'",
    )
    .await;
    assert_eq!(created, total);
    let reported = scalar(
        &t.db,
        "SELECT COUNT(*) FROM task_history WHERE action = 'reported_done'",
    )
    .await;
    assert_eq!(reported, done);
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM task_history").await as u64,
        c.history_entries
    );
    // Accounts: admin, four leaders, one staff member per department.
    assert_eq!(
        scalar(&t.db, "SELECT COUNT(*) FROM users").await,
        1 + 4 + 40
    );
    // Programmes: three years ending with today's.
    assert_eq!(
        scalar(
            &t.db,
            "SELECT MIN(year) * 10000 + MAX(year) FROM programmes"
        )
        .await,
        2024 * 10000 + 2026
    );
}

#[tokio::test]
async fn small_synthetic_data_works_on_every_database_and_refuses_a_second_seed() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        let summary = synthetic::seed(&t.db, &clock(), &settings, spec(800, 3))
            .await
            .unwrap();
        assert_eq!(
            scalar(&t.db, "SELECT COUNT(*) FROM tasks").await,
            800,
            "{t:?}"
        );
        assert!(summary.describe().contains("800 tasks"));
        // The product reads it: the year's figures agree with the generator.
        let stats = dondoc_core::reports::stats::figures_for_year(
            &t.db,
            &FactStore::disabled(),
            2026,
            None,
            &AsOf::now(&clock()),
            7,
        )
        .await
        .unwrap();
        assert!(stats.overall.total > 0, "{t:?}");
        // New rows get fresh ids after explicit-id inserts (PostgreSQL sequences).
        t.db.execute_unprepared(
            "INSERT INTO departments (code, name, kind, email, active, created_at, updated_at) \
             VALUES ('NEW-ONE', 'Đơn vị mới', 'office', NULL, TRUE, '2026-11-25T01:00:00+00:00', '2026-11-25T01:00:00+00:00')",
        )
        .await
        .unwrap_or_else(|err| panic!("{t:?}: {err}"));
        let err = synthetic::seed(&t.db, &clock(), &settings, spec(10, 3))
            .await
            .unwrap_err();
        assert!(
            matches!(err, dondoc_core::Error::Conflict(_)),
            "{t:?}: {err:?}"
        );
    }
}

fn leader() -> Principal {
    Principal {
        user_id: 2,
        username: "chutich".into(),
        full_name: "Chủ tịch".into(),
        role: Role::Leader,
        department_id: None,
        department_code: None,
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

/// A second pool on the same database that records every statement it runs.
async fn recording(url: &str) -> (db::Db, Arc<Mutex<Vec<Statement>>>) {
    let mut conn = db::connect(&testing::database_settings(url)).await.unwrap();
    let log: Arc<Mutex<Vec<Statement>>> = Arc::default();
    let sink = log.clone();
    conn.set_metric_callback(move |info| sink.lock().unwrap().push(info.statement.clone()));
    (conn, log)
}

fn take(log: &Arc<Mutex<Vec<Statement>>>) -> Vec<Statement> {
    std::mem::take(&mut *log.lock().unwrap())
}

#[tokio::test]
async fn lists_run_a_constant_number_of_statements_and_never_scan_all_tasks() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        synthetic::seed(&t.db, &clock(), &settings, spec(3_000, 11))
            .await
            .unwrap();
        let (conn, log) = recording(&t.url).await;
        let mut plans: Vec<(String, Vec<Statement>)> = Vec::new();

        // The task list, filtered by year and department, at two page sizes.
        let mut counts = Vec::new();
        for per_page in ["5", "200"] {
            let filter = RawTaskQuery {
                year: Some("2026".into()),
                department: Some("TNMT".into()),
                per_page: Some(per_page.into()),
                ..Default::default()
            }
            .parse()
            .unwrap();
            take(&log);
            let page = tasks::list(&conn, &FactStore::disabled(), &filter, today(), 7)
                .await
                .unwrap();
            assert!(page.total > 5, "{t:?}: a real list");
            assert_eq!(
                page.items.len() as u64,
                page.total.min(filter.per_page),
                "{t:?}"
            );
            let statements = take(&log);
            counts.push(statements.len());
            plans.push((format!("task list per_page={per_page}"), statements));
        }
        assert_eq!(
            counts[0], counts[1],
            "{t:?}: the task list runs as many statements for 5 rows as for 200"
        );

        // The overdue list (all departments), at two page sizes.
        let mut counts = Vec::new();
        for per_page in ["5", "200"] {
            take(&log);
            let page = overdue::list(
                &conn,
                &FactStore::disabled(),
                &clock(),
                &leader(),
                &RawOverdueQuery {
                    per_page: Some(per_page.into()),
                    ..Default::default()
                },
                7,
            )
            .await
            .unwrap();
            assert!(page.items.len() >= 5 && page.total > 200, "{t:?}");
            let statements = take(&log);
            counts.push(statements.len());
            plans.push((format!("overdue list per_page={per_page}"), statements));
        }
        assert_eq!(
            counts[0], counts[1],
            "{t:?}: the overdue list runs as many statements for 5 rows as for 200"
        );

        // The overdue list grouped by department: the statements are bounded
        // by the departments on the page, not by the data.
        take(&log);
        let grouped = overdue::by_department(
            &conn,
            &FactStore::disabled(),
            &clock(),
            &leader(),
            &RawOverdueQuery {
                per_page: Some("5".into()),
                ..Default::default()
            },
            7,
        )
        .await
        .unwrap();
        assert_eq!(grouped.groups.len(), 5, "{t:?}");
        let statements = take(&log);
        assert!(
            statements.len() <= 2 + 5 + 4,
            "{t:?}: {} statements",
            statements.len()
        );
        // Counting every department's overdue tasks reads every open task
        // past its due date once (the facts the figure is judged on), by
        // design — but from the partial index of open tasks, never the
        // table; the rest are index ranges like the other lists.
        if t.backend == Backend::Sqlite {
            let (aggregates, ranges): (Vec<Statement>, Vec<Statement>) =
                statements.into_iter().partition(|s| {
                    s.sql.contains("FROM tasks WHERE status IN")
                        || (s.sql.contains("FROM \"tasks\"")
                            && (s.sql.contains("GROUP BY") || s.sql.contains("COUNT(DISTINCT")))
                });
            assert_eq!(aggregates.len(), 1, "{t:?}");
            for statement in &aggregates {
                let plan = db::explain(&conn, statement).await.unwrap().join("\n");
                assert!(
                    plan.contains("idx_tasks_open_")
                        && !plan.contains("SCAN tasks\n")
                        && !plan.ends_with("SCAN tasks"),
                    "{t:?}: {}\n{plan}",
                    statement.sql
                );
            }
            plans.push(("overdue by department".into(), ranges));
        }

        // The year's figures and the digests' snapshot.
        take(&log);
        dondoc_core::reports::stats::figures_for_year(
            &conn,
            &FactStore::disabled(),
            2026,
            None,
            &AsOf::now(&clock()),
            7,
        )
        .await
        .unwrap();
        plans.push(("stats".into(), take(&log)));
        dondoc_core::followup::snapshot::snapshot_within(&conn, today(), Some(7))
            .await
            .unwrap();
        plans.push(("digest snapshot".into(), take(&log)));

        // SQLite plans by rules, not by table sizes: none may read all of
        // `tasks`. (PostgreSQL rightly prefers a sequential scan of a table
        // this small; its plans at a million tasks are in docs/performance.md.)
        if t.backend == Backend::Sqlite {
            for (what, statements) in &plans {
                for statement in statements {
                    if !statement
                        .sql
                        .trim_start()
                        .to_ascii_uppercase()
                        .starts_with("SELECT")
                    {
                        continue;
                    }
                    let plan = db::explain(&conn, statement).await.unwrap();
                    assert!(
                        !db::plan_scans_tasks(&plan),
                        "{what}: full scan of tasks in\n{}\n{}",
                        statement.sql,
                        plan.join("\n")
                    );
                }
            }
        }
    }
}

/// The grouped overdue list tells the same story as the flat one: the same
/// total, every department's count, the oldest tasks first, departments in
/// the order of their oldest overdue task, and pages that cover them all once.
#[tokio::test]
async fn the_overdue_list_by_department_agrees_with_the_flat_list() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        synthetic::seed(&t.db, &clock(), &settings, spec(2_000, 5))
            .await
            .unwrap();
        let flat = overdue::list(
            &t.db,
            &FactStore::disabled(),
            &clock(),
            &leader(),
            &RawOverdueQuery {
                per_page: Some("200".into()),
                ..Default::default()
            },
            7,
        )
        .await
        .unwrap();
        let mut all = flat.items.clone();
        for page in 2..=flat.total.div_ceil(200) {
            all.extend(
                overdue::list(
                    &t.db,
                    &FactStore::disabled(),
                    &clock(),
                    &leader(),
                    &RawOverdueQuery {
                        page: Some(page.to_string()),
                        per_page: Some("200".into()),
                        ..Default::default()
                    },
                    7,
                )
                .await
                .unwrap()
                .items,
            );
        }
        assert_eq!(all.len() as u64, flat.total, "{t:?}");

        let mut seen = Vec::new();
        let mut page = 1;
        loop {
            let grouped = overdue::by_department(
                &t.db,
                &FactStore::disabled(),
                &clock(),
                &leader(),
                &RawOverdueQuery {
                    page: Some(page.to_string()),
                    per_page: Some("7".into()),
                    ..Default::default()
                },
                7,
            )
            .await
            .unwrap();
            assert_eq!(grouped.total, flat.total, "{t:?}");
            if grouped.groups.is_empty() {
                break;
            }
            for group in grouped.groups {
                let code = group.department.code.clone();
                let expected: Vec<i64> = all
                    .iter()
                    .filter(|i| i.task.lead_department.code == code)
                    .map(|i| i.task.id)
                    .collect();
                assert_eq!(group.overdue, expected.len() as u64, "{t:?} {code}");
                let shown: Vec<i64> = group.items.iter().map(|i| i.task.id).collect();
                let n = expected.len().min(overdue::TASKS_PER_DEPARTMENT as usize);
                assert_eq!(shown, expected[..n], "{t:?} {code}: the oldest first");
                seen.push((group.items[0].task.due_date, code));
            }
            page += 1;
        }
        let departments: std::collections::BTreeSet<&str> = all
            .iter()
            .map(|i| i.task.lead_department.code.as_str())
            .collect();
        assert_eq!(
            seen.len(),
            departments.len(),
            "{t:?}: every department once"
        );
        assert!(
            seen.windows(2).all(|w| w[0].0 <= w[1].0),
            "{t:?}: the department with the oldest overdue task first"
        );
    }
}
