//! The outbox and the scheduler as real processes (the built `dondoc`
//! binary) against a real SMTP server process: SIGKILL at random points,
//! SIGSTOP past a lease, and two schedulers on one database. The oracle is
//! the SMTP server's log against the outbox: lost = enqueued but never
//! received; duplicated = received twice; phantom = received, never enqueued.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../scheduler/tests/support/mod.rs"]
mod support;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use chrono::{NaiveDate, Utc};
use dondoc_core::{
    db::Db,
    domain::{Role, TaskStatus},
    entity::{delivery_attempt, notification, schedule_fire},
    followup::notifications::state,
    followup::outbox::{self, NewNotification},
    testing::{self, TestDatabase},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use support::*;

const DONDOC: &str = env!("CARGO_BIN_EXE_dondoc");

/// A child process that is killed (even when stopped) if the test fails.
struct Proc(Option<Child>);

impl Proc {
    fn pid(&self) -> u32 {
        self.0.as_ref().unwrap().id()
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    fn wait(mut self) -> Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `dondoc` with a clean environment pointing at the test database and SMTP server.
fn dondoc(dir: &Path, db_url: &str, smtp_port: u16, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(DONDOC);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("DONDOC") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("DONDOC_CONFIG_DIR", dir)
        .env("DONDOC__DATABASE__URL", db_url)
        .env("DONDOC__DEMO__ENABLED", "false")
        .env("DONDOC__MAIL__TRANSPORT", "smtp")
        .env("DONDOC__MAIL__FROM", "dondoc <dondoc@dondoc.test>")
        .env("DONDOC__MAIL__SMTP__HOST", "127.0.0.1")
        .env("DONDOC__MAIL__SMTP__PORT", smtp_port.to_string())
        .env("DONDOC__MAIL__SMTP__TIMEOUT_SECS", "60")
        .env("DONDOC__MAIL__DELIVERY__LEASE_SECONDS", "10")
        .env("DONDOC__LOG__FILTER", "warn,sqlx=error")
        .stdin(Stdio::null());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

fn note(i: usize) -> NewNotification {
    NewNotification {
        idempotency_key: format!("department-digest:DV{i:03}:2026-05-18"),
        kind: "department-digest".into(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec![format!("dv{i:03}@dondoc.test")],
        subject: format!("[Đôn đốc] Đơn vị số {i}: 1 nhiệm vụ (1 quá hạn)"),
        body_text: "Kính gửi: đơn vị\nQuá hạn 3 ngày\n".into(),
        body_html: "<p>Kính gửi: đơn vị</p>".into(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

async fn unfinished(db: &Db) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::State.is_in([state::PENDING, state::SENDING]))
        .count(db)
        .await
        .unwrap()
}

/// The oracle: (lost, phantom, duplicated message ids with their counts).
async fn oracle(db: &Db, sink: &SmtpSink) -> (Vec<String>, Vec<String>, BTreeMap<String, usize>) {
    let rows = notification::Entity::find().all(db).await.unwrap();
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for r in sink.received() {
        *received.entry(r.message_id).or_default() += 1;
    }
    let enqueued: BTreeSet<String> = rows.iter().map(|r| r.message_id.clone()).collect();
    let lost = enqueued
        .iter()
        .filter(|m| !received.contains_key(*m))
        .cloned()
        .collect();
    let phantom = received
        .keys()
        .filter(|m| !enqueued.contains(*m))
        .cloned()
        .collect();
    let duplicated = received.into_iter().filter(|(_, n)| *n > 1).collect();
    (lost, phantom, duplicated)
}

/// Runs `dondoc outbox deliver` to completion until nothing is left (leases
/// of killed processes run out meanwhile).
async fn deliver_until_done(dir: &Path, t: &TestDatabase, port: u16) {
    for _ in 0..120 {
        if unfinished(&t.db).await == 0 {
            return;
        }
        let out = dondoc(dir, &t.url, port, &[])
            .args(["outbox", "deliver"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if unfinished(&t.db).await > 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    panic!("notifications still undelivered after a minute of retries");
}

async fn sigkill_at_random_points(t: TestDatabase) {
    const NOTIFICATIONS: usize = 400;
    const KILLS: u32 = 50;
    /// `mail.delivery.concurrency` of the killed workers.
    const CONCURRENCY: u32 = 4;
    let Some(sink) = SmtpSink::start(SinkOptions {
        delay_ms: 5,
        ..Default::default()
    }) else {
        return;
    };
    let now = Utc::now();
    for i in 0..NOTIFICATIONS {
        outbox::enqueue(&t.db, now, &note(i), "dondoc.test")
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let seed: u64 = std::env::var("DONDOC_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_125);
    let mut rng = StdRng::seed_from_u64(seed);
    // Up to CONCURRENCY messages are on the wire at once, so a kill can cut
    // that many sends short after the server took them.
    let concurrency = CONCURRENCY.to_string();
    let env = [
        ("DONDOC__MAIL__DELIVERY__BATCH_SIZE", "4"),
        ("DONDOC__MAIL__DELIVERY__CONCURRENCY", concurrency.as_str()),
    ];
    let (mut kills, mut runs) = (0u32, 0u32);
    while kills < KILLS && runs < 400 && unfinished(&t.db).await > 0 {
        runs += 1;
        let before = sink.received_count();
        let child = dondoc(dir.path(), &t.url, sink.port, &env)
            .args(["outbox", "deliver"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut proc = Proc(Some(child));
        // Once this process is delivering, kill it at a random point: while
        // claiming, sending, waiting for the reply or finishing.
        for _ in 0..2500 {
            if sink.received_count() > before
                || proc.0.as_mut().unwrap().try_wait().unwrap().is_some()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..40))).await;
        let running = proc.0.as_mut().unwrap().try_wait().unwrap().is_none();
        if running {
            proc.signal("KILL");
            kills += 1;
        }
        let _ = proc.wait();
    }
    assert!(
        kills >= KILLS,
        "{:?}: only {kills} kills landed while delivering (seed {seed})",
        t.backend
    );
    deliver_until_done(dir.path(), &t, sink.port).await;

    let (lost, phantom, duplicated) = oracle(&t.db, &sink).await;
    let extra: usize = duplicated.values().map(|n| n - 1).sum();
    let interrupted = delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::Outcome.eq(outbox::attempt_outcome::SENDING))
        .count(&t.db)
        .await
        .unwrap();
    eprintln!(
        "{:?}: {NOTIFICATIONS} notifications, {kills} kills in {runs} runs (seed {seed}), {interrupted} attempts cut short: lost {}, phantom {}, duplicated {} ({} extra copies)",
        t.backend,
        lost.len(),
        phantom.len(),
        duplicated.len(),
        extra
    );
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(phantom.is_empty(), "phantom: {phantom:?}");
    // A duplicate only ever comes from a send cut short, and a kill cuts
    // short at most the messages in flight.
    assert!(
        extra as u64 <= interrupted,
        "{extra} duplicates for {interrupted} sends cut short"
    );
    assert!(
        extra as u32 <= kills * CONCURRENCY,
        "{extra} duplicates for {kills} kills, {CONCURRENCY} in flight at most"
    );
    let rows = notification::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(rows.len(), NOTIFICATIONS);
    for row in &rows {
        assert_eq!(row.state, state::SENT, "{}", row.idempotency_key);
        if duplicated.contains_key(&row.message_id) {
            assert!(
                row.ambiguous,
                "{} was delivered twice but not flagged",
                row.idempotency_key
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery_loses_nothing_on_sqlite() {
    sigkill_at_random_points(testing::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery_loses_nothing_on_postgres() {
    if let Some(t) = testing::postgres().await {
        sigkill_at_random_points(t).await;
    }
}

async fn stale_finish_after_lease_theft(t: TestDatabase) {
    let Some(sink) = SmtpSink::start(SinkOptions {
        slow: vec![("slow@dondoc.test".into(), 3.0)],
        ..Default::default()
    }) else {
        return;
    };
    let mut n = note(1);
    n.recipients = vec!["slow@dondoc.test".into()];
    let id = outbox::enqueue(&t.db, Utc::now(), &n, "dondoc.test")
        .await
        .unwrap()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Worker A takes the row and sends; the server has the message and
    // takes its time to answer. A is stopped right there.
    let a = Proc(Some(
        dondoc(dir.path(), &t.url, sink.port, &[])
            .args(["outbox", "deliver"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    for _ in 0..1500 {
        if !sink.received().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sink.received().len(), 1, "worker A did not send");
    a.signal("STOP");
    let held = notification::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.state, state::SENDING);
    let until = held.locked_until.unwrap();
    let wait = (until - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(300);
    tokio::time::sleep(wait).await;

    // Worker B re-claims the expired lease and delivers (flagged).
    let b = dondoc(dir.path(), &t.url, sink.port, &[])
        .args(["outbox", "deliver"])
        .output()
        .unwrap();
    let b_out = String::from_utf8_lossy(&b.stdout);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(b_out.contains("1 sent (1 possibly duplicated)"), "{b_out}");
    let settled = notification::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state, state::SENT);
    assert!(settled.ambiguous);
    assert_eq!(settled.attempts, 2);

    // A wakes up, gets its 250, and tries to finish: nothing changes.
    a.signal("CONT");
    let a = a.wait();
    let a_out = String::from_utf8_lossy(&a.stdout);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(a_out.contains("1 lost leases"), "{a_out}");
    let after = notification::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, settled, "the stale finish changed nothing");
    let trail = outbox::attempts(&t.db, id).await.unwrap();
    assert_eq!(
        trail
            .iter()
            .map(|a| (a.attempt, a.outcome.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "lost_lease"), (2, "sent")]
    );
    assert_ne!(trail[0].worker, trail[1].worker);
    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].message_id, received[1].message_id,
        "same Message-ID"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_finish_after_lease_theft_changes_nothing_on_sqlite() {
    stale_finish_after_lease_theft(testing::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_finish_after_lease_theft_changes_nothing_on_postgres() {
    if let Some(t) = testing::postgres().await {
        stale_finish_after_lease_theft(t).await;
    }
}

async fn two_scheduler_processes(t: TestDatabase) {
    const DEPARTMENTS: usize = 30;
    let Some(sink) = SmtpSink::start(SinkOptions {
        delay_ms: 20,
        ..Default::default()
    }) else {
        return;
    };
    for i in 0..DEPARTMENTS {
        let code = format!("DV{i:02}");
        let id = add_department(
            &t.db,
            &code,
            &format!("Đơn vị số {i}"),
            Some(&format!("dv{i:02}@dondoc.test")),
        )
        .await;
        add_user(&t.db, &format!("cb{i:02}"), Role::Staff, Some(id), None).await;
        add_task(
            &t.db,
            NewTask {
                code: &format!("NV-{i:02}"),
                title: "Nhiệm vụ quá hạn",
                department_id: id,
                due: date(2026, 5, 4),
                status: TaskStatus::InProgress,
                leader: None,
            },
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let never = "0 0 0 1 1 * 2099";
    let env = [
        ("DONDOC__CLOCK__TODAY", "2026-05-18"),
        ("DONDOC__SCHEDULER__TICK_SECONDS", "1"),
        (
            "DONDOC__SCHEDULER__JOBS__DEPARTMENT_DIGEST",
            "*/2 * * * * *",
        ),
        ("DONDOC__SCHEDULER__JOBS__ESCALATION", never),
        ("DONDOC__SCHEDULER__JOBS__LEADER_DIGEST", never),
        ("DONDOC__SCHEDULER__JOBS__DELIVER", "* * * * * *"),
    ];
    let spawn = |name: &str| {
        let log = std::fs::File::create(dir.path().join(format!("{name}.log"))).unwrap();
        Proc(Some(
            dondoc(dir.path(), &t.url, sink.port, &env)
                .arg("scheduler")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        ))
    };
    let first = spawn("a");
    let second = spawn("b");
    let sent = || async {
        notification::Entity::find()
            .filter(notification::Column::State.eq(state::SENT))
            .count(&t.db)
            .await
            .unwrap()
    };
    for _ in 0..600 {
        if sent().await as usize == DEPARTMENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let both keep ticking over a few more occurrences.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for p in [&first, &second] {
        p.signal("INT");
    }
    for (name, p) in [("a", first), ("b", second)] {
        let out = p.wait();
        let log =
            std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap_or_default();
        assert!(
            out.status.success(),
            "scheduler {name} did not stop cleanly: {log}"
        );
    }

    let (lost, phantom, duplicated) = oracle(&t.db, &sink).await;
    assert!(
        lost.is_empty() && phantom.is_empty() && duplicated.is_empty(),
        "{:?}: lost {lost:?}, phantom {phantom:?}, duplicated {duplicated:?}",
        t.backend
    );
    let rows = notification::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(rows.len(), DEPARTMENTS);
    assert!(
        rows.iter()
            .all(|r| r.state == state::SENT && r.attempts == 1 && !r.ambiguous)
    );
    let fires = schedule_fire::Entity::find()
        .filter(schedule_fire::Column::ScheduleKey.eq("department-digest"))
        .order_by_asc(schedule_fire::Column::FireAt)
        .all(&t.db)
        .await
        .unwrap();
    assert!(fires.len() >= 3, "several occurrences ran: {}", fires.len());
    let total: i32 = fires.iter().filter_map(|f| f.enqueued).sum();
    assert_eq!(
        total as usize, DEPARTMENTS,
        "the digests were enqueued by one occurrence, once"
    );
    let instances: BTreeSet<&str> = fires.iter().map(|f| f.created_by.as_str()).collect();
    assert!(instances.len() <= 2);
    eprintln!(
        "{:?}: {} occurrences, run by {:?}",
        t.backend,
        fires.len(),
        instances
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scheduler_processes_deliver_each_notification_once_on_sqlite() {
    two_scheduler_processes(testing::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scheduler_processes_deliver_each_notification_once_on_postgres() {
    if let Some(t) = testing::postgres().await {
        two_scheduler_processes(t).await;
    }
}
