//! A bounded soak: mixed reads, updates and scheduler runs against the real
//! server on SQLite and PostgreSQL. Oracle: 0 errors (5xx or transport), 0
//! lost updates (every acknowledged PATCH is in the history), and no
//! "database is locked" ever reaching a user. Duration: DONDOC_SOAK_SECONDS
//! (default 10; docs/reliability.md records a 10-minute run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use dondoc_core::{Clock, Settings, config::ConfigSources, testing};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

fn settings() -> Arc<Settings> {
    Arc::new(
        Settings::load(&ConfigSources {
            dir: Some("/nonexistent".into()),
            overrides: Some("[server]\nport = 0\nworkers = 2\n[mail]\ntransport = \"log\"\n[log]\nfilter = \"error\"\n".into()),
            ..Default::default()
        })
        .unwrap(),
    )
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    errors: AtomicU64,
    conflicts: AtomicU64,
    locked: AtomicU64,
    acknowledged: Mutex<Vec<(i64, String)>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_load_loses_nothing_and_never_shows_locks() {
    let seconds: u64 = std::env::var("DONDOC_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    for t in testing::databases().await {
        let settings = settings();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today);
        dondoc_seed::demo::seed(&t.db, &clock, &settings)
            .await
            .unwrap();
        let app =
            dondoc_api::Application::build(settings.clone(), t.db.clone(), clock.clone()).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let login = |u: &str, p: &str| {
            let client = client.clone();
            let url = format!("{base}/api/v1/auth/login");
            let body = json!({"username": u, "password": p});
            async move {
                let v: Value = client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                v["token"].as_str().unwrap().to_string()
            }
        };
        let leader = login("chutich", &settings.demo.leader_password).await;
        // Staff of a few departments and the tasks each leads.
        let mut staff = Vec::new();
        for code in ["TNMT", "TCKH", "KTHT", "TTPTQD", "NNPTNT", "XA-TAN-LAP"] {
            let token = login(
                &format!("cb.{}", code.to_lowercase()),
                &settings.demo.staff_password,
            )
            .await;
            let list: Value = client
                .get(format!(
                    "{base}/api/v1/tasks?department={code}&per_page=200"
                ))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let ids: Vec<i64> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
            staff.push((token, ids));
        }

        let tally = Arc::new(Tally::default());
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for (n, (token, ids)) in staff.into_iter().enumerate() {
            let (client, base, leader, tally, stop) = (
                client.clone(),
                base.clone(),
                leader.clone(),
                tally.clone(),
                stop.clone(),
            );
            workers.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(n as u64);
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let task = ids[rng.random_range(0..ids.len())];
                    let (request, is_write, note) = match rng.random_range(0..10) {
                        0..=3 => (
                            client
                                .get(format!(
                                    "{base}/api/v1/tasks?per_page=50&timeliness=overdue,due_soon"
                                ))
                                .bearer_auth(&token),
                            false,
                            None,
                        ),
                        4 => (
                            client
                                .get(format!("{base}/api/v1/overdue?per_page=50"))
                                .bearer_auth(&leader),
                            false,
                            None,
                        ),
                        5 => (
                            client
                                .get(format!("{base}/api/v1/stats"))
                                .bearer_auth(&leader),
                            false,
                            None,
                        ),
                        6 => (
                            client
                                .get(format!("{base}/api/v1/tasks/{task}"))
                                .bearer_auth(&token),
                            false,
                            None,
                        ),
                        _ => {
                            let note = format!("soak {n}-{i}");
                            (
                                client
                                    .patch(format!("{base}/api/v1/tasks/{task}"))
                                    .bearer_auth(&token)
                                    .json(&json!({"note": note})),
                                true,
                                Some(note),
                            )
                        }
                    };
                    tally.requests.fetch_add(1, Ordering::Relaxed);
                    match request.send().await {
                        Ok(response) => {
                            let status = response.status();
                            let body = response.text().await.unwrap_or_default();
                            if body.to_ascii_lowercase().contains("database is locked") {
                                tally.locked.fetch_add(1, Ordering::Relaxed);
                            }
                            if status.is_server_error() {
                                tally.errors.fetch_add(1, Ordering::Relaxed);
                                eprintln!("{status}: {body}");
                            } else if status.as_u16() == 412 {
                                tally.conflicts.fetch_add(1, Ordering::Relaxed);
                            } else if is_write && status.is_success() {
                                tally
                                    .acknowledged
                                    .lock()
                                    .unwrap()
                                    .push((task, note.unwrap_or_default()));
                            } else if !status.is_success() {
                                tally.errors.fetch_add(1, Ordering::Relaxed);
                                eprintln!("{status}: {body}");
                            }
                        }
                        Err(err) => {
                            tally.errors.fetch_add(1, Ordering::Relaxed);
                            eprintln!("transport: {err}");
                        }
                    }
                }
            }));
        }
        // The scheduler runs alongside: digests for successive days (each a
        // write transaction) and the delivery worker draining the outbox.
        let scheduler_stop = stop.clone();
        let mut scheduler = dondoc_scheduler::Scheduler::from_settings(
            t.db.clone(),
            clock.clone(),
            settings.clone(),
        )
        .unwrap();
        let scheduler_task = tokio::spawn(async move {
            let mut runs = 0u32;
            let mut day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
            while !scheduler_stop.load(Ordering::Relaxed) {
                for job in [
                    dondoc_scheduler::Job::DepartmentDigest,
                    dondoc_scheduler::Job::Escalation,
                ] {
                    dondoc_scheduler::run_now(scheduler.context(), job, Some(day))
                        .await
                        .unwrap();
                }
                scheduler.worker_mut().drain().await.unwrap();
                day = day.succ_opt().unwrap();
                runs += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            runs
        });

        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.await.unwrap();
        }
        let runs = scheduler_task.await.unwrap();
        let elapsed = started.elapsed().as_secs_f64();

        // The oracle: every acknowledged PATCH is in its task's history.
        let acknowledged = tally.acknowledged.lock().unwrap().clone();
        let mut lost = 0;
        for (task, note) in &acknowledged {
            let found = dondoc_core::entity::task_history::Entity::find()
                .filter(dondoc_core::entity::task_history::Column::TaskId.eq(*task))
                .filter(dondoc_core::entity::task_history::Column::Note.eq(note.clone()))
                .count(&t.db)
                .await
                .unwrap();
            if found != 1 {
                lost += 1;
            }
        }
        let requests = tally.requests.load(Ordering::Relaxed);
        eprintln!(
            "soak {:?}: {requests} requests in {elapsed:.0} s ({:.0}/s), {} acknowledged writes, {} stale-version answers, {runs} scheduler rounds, {} errors, {lost} lost, {} locked",
            t.backend,
            requests as f64 / elapsed,
            acknowledged.len(),
            tally.conflicts.load(Ordering::Relaxed),
            tally.errors.load(Ordering::Relaxed),
            tally.locked.load(Ordering::Relaxed),
        );
        assert!(
            requests > 100 && !acknowledged.is_empty() && runs > 0,
            "the soak did too little to mean anything"
        );
        assert_eq!(
            tally.errors.load(Ordering::Relaxed),
            0,
            "errors ({:?})",
            t.backend
        );
        assert_eq!(lost, 0, "lost updates ({:?})", t.backend);
        assert_eq!(
            tally.locked.load(Ordering::Relaxed),
            0,
            "'database is locked' reached a user ({:?})",
            t.backend
        );
        handle.stop(false).await;
    }
}
