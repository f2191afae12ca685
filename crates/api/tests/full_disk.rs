//! A full disk never acknowledges a lost write, and the service recovers by
//! itself once space returns. Real full filesystems: a small tmpfs the test
//! mounts, holding the SQLite file; for PostgreSQL, a tablespace on such a
//! tmpfs holding every table and index of the test database (its write-ahead
//! log stays on the server's disk, as in the usual "data volume full" case).
//! Mounting needs root: without it the tests skip loudly, and fail instead
//! when `DONDOC_TEST_REQUIRE` names `fullfs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::{
    collections::BTreeSet,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

use dondoc_core::{Clock, db, testing};
use helpers::*;
use reqwest::{StatusCode, redirect::Policy};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// The filesystem's size: room for the demo database, little more.
const SIZE_MB: u32 = 24;
const WRITES_WHILE_FULL: usize = 60;
const WRITES_AFTER: usize = 10;

/// A tmpfs mounted for one test; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts it, or `None` after a loud skip (not root, no mount).
    fn mount(size_mb: u32) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size_mb}m,mode=0777"))
            .arg("tmpfs")
            .arg(dir.path())
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Self { dir }),
            Ok(out) => {
                testing::skip(
                    "fullfs",
                    &format!(
                        "cannot mount a tmpfs (run the tests as root): {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                );
                None
            }
            Err(err) => {
                testing::skip("fullfs", &format!("cannot run mount: {err}"));
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn filler(&self) -> PathBuf {
        self.path().join("filler")
    }

    /// Takes every free byte (tmpfs keeps no reserve, even for root).
    fn fill(&self) {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        for chunk in [1 << 20, 4096, 512, 1] {
            let block = vec![0u8; chunk];
            while file.write_all(&block).is_ok() {}
        }
        let _ = file.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// What the writes while full got: the indices answered 200 and 503.
#[derive(Debug, Default)]
struct Outcome {
    acknowledged: BTreeSet<usize>,
    refused: BTreeSet<usize>,
}

/// About 4 kB that does not compress (PostgreSQL would shrink a repeated
/// letter to a few bytes and find room for it anywhere).
fn note(i: usize) -> String {
    let mut state = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let text: String = (0..4000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    format!("day-dia-{i:02} {text}")
}

/// Which of the notes written while full are in the task's history, read
/// through a pool of its own (what a restart would find).
async fn stored_notes(url: &str, task: i64) -> BTreeSet<usize> {
    let fresh = db::connect(&testing::database_settings(url)).await.unwrap();
    let rows = fresh
        .query_all_raw(db::statement(
            &fresh,
            "SELECT note FROM task_history WHERE task_id = ? AND note LIKE 'day-dia-%'",
            vec![task.into()],
        ))
        .await
        .unwrap();
    let stored = rows
        .iter()
        .map(|r| {
            r.try_get::<String>("", "note").unwrap()[8..10]
                .parse()
                .unwrap()
        })
        .collect();
    fresh.close().await.unwrap();
    stored
}

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The scenario on either database: fill the disk, write, check every
/// answer against what was stored, free the space, write again.
async fn full_disk_scenario(app: &TestApp, fs: &Tmpfs, url: &str) -> Outcome {
    let admin = app.login("admin").await;
    let picked = app.pick_task(&admin, "overdue").await;
    let staff_name = staff_of(&picked.lead);
    let staff = app.login(&staff_name).await;
    // The page form's session and token, taken while there is room.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let r = browser
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": staff_name, "password": app.settings.demo.staff_password}))
        .send()
        .await
        .unwrap();
    let csrf = r.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(readyz(app).await.0, StatusCode::OK);
    let path = format!("/api/v1/tasks/{}", picked.id);

    fs.fill();
    let mut outcome = Outcome::default();
    for i in 0..WRITES_WHILE_FULL {
        let r = app
            .patch(&path, Some(&staff), json!({"note": note(i)}))
            .await;
        match r.status() {
            StatusCode::OK => {
                outcome.acknowledged.insert(i);
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["type"], "/problems/storage_full", "{body}");
                outcome.refused.insert(i);
            }
            other => panic!("write {i} while full: {other} {}", r.text().await.unwrap()),
        }
    }
    eprintln!(
        "{:?}: {} writes while full: {} acknowledged, {} refused (storage_full)",
        app.backend,
        WRITES_WHILE_FULL,
        outcome.acknowledged.len(),
        outcome.refused.len()
    );
    assert!(!outcome.refused.is_empty(), "the disk was not full");
    // Readiness says why writes fail.
    let (status, body) = readyz(app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["type"], "/problems/storage_full", "{body}");
    // A page form says "not saved, disk full", in Vietnamese first.
    let r = browser
        .post(app.url(&format!("/tasks/{}/update", picked.id)))
        .form(&[("note", "ghi qua trang"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        assert!(
            html.contains("Chưa lưu: ổ đĩa của máy chủ đã đầy"),
            "{html}"
        );
    } else {
        // Stored after all (room in an existing page): it must be a real save.
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    }

    fs.free();
    for i in 0..WRITES_AFTER {
        let r = app
            .patch(
                &path,
                Some(&staff),
                json!({"note": format!("sau-khi-giai-phong-{i}")}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "write {i} after freeing space");
    }
    assert_eq!(
        readyz(app).await.0,
        StatusCode::OK,
        "ready again, no restart"
    );

    // Every 200 was stored; nothing refused was.
    let stored = stored_notes(url, picked.id).await;
    assert_eq!(stored, outcome.acknowledged, "stored vs acknowledged");
    outcome
}

#[tokio::test]
async fn sqlite_on_a_full_disk_acknowledges_only_what_it_stores_and_recovers() {
    let Some(fs) = Tmpfs::mount(SIZE_MB) else {
        return;
    };
    let database = testing::sqlite_in(fs.path()).await;
    let url = database.url.clone();
    let db = database.db.clone();
    let app = spawn_with_db(database, db, true).await;
    full_disk_scenario(&app, &fs, &url).await;
    drop(app);
}

#[tokio::test]
async fn postgres_with_a_full_tablespace_acknowledges_only_what_it_stores_and_recovers() {
    let Some(database) = testing::postgres().await else {
        return;
    };
    let Some(fs) = Tmpfs::mount(SIZE_MB) else {
        return;
    };
    // The server's user writes the tablespace.
    let chown = Command::new("chown")
        .arg("postgres:postgres")
        .arg(fs.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let settings = test_settings();
    let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
    dondoc_seed::demo::seed(&database.db, &clock, &settings)
        .await
        .unwrap();
    let space = format!(
        "dondoc_full_{}",
        database
            .url
            .rsplit('/')
            .next()
            .unwrap()
            .trim_start_matches("dondoc_t_")
    );
    let admin = database.db.clone();
    admin
        .execute_unprepared(&format!(
            "CREATE TABLESPACE {space} LOCATION '{}'",
            fs.path().display()
        ))
        .await
        .unwrap();
    move_everything(&admin, &space).await;
    let url = database.url.clone();
    let db = database.db.clone();
    let app = spawn_with_db(database, db, false).await;
    full_disk_scenario(&app, &fs, &url).await;
    // The database goes with the app; then the tablespace is empty.
    drop(app);
    let admin_url = std::env::var("DONDOC_TEST_POSTGRES_URL").unwrap();
    let server = sea_orm::Database::connect(admin_url.as_str())
        .await
        .unwrap();
    server
        .execute_unprepared(&format!("DROP TABLESPACE IF EXISTS {space}"))
        .await
        .unwrap();
}

/// Puts every table and index of the public schema in `space`.
async fn move_everything(db: &db::Db, space: &str) {
    for (kind, query) in [
        (
            "TABLE",
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
        ),
        (
            "INDEX",
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'",
        ),
    ] {
        let rows = db
            .query_all_raw(db::statement(db, query, vec![]))
            .await
            .unwrap();
        for row in rows {
            let name: String = row.try_get("", "name").unwrap();
            db.execute_unprepared(&format!("ALTER {kind} \"{name}\" SET TABLESPACE {space}"))
                .await
                .unwrap();
        }
    }
}
