//! Test support for the scheduler's tests (and the CLI's process tests):
//! a real SMTP server process (Python aiosmtpd, `smtp_sink.py`) whose log is
//! the oracle, and fixtures that put departments, people and tasks in a
//! fresh database.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use chrono::{DateTime, NaiveDate, Utc};
use dondoc_core::{
    Settings,
    config::ConfigSources,
    domain::{DepartmentKind, Role, TaskStatus},
    entity::{department, programme, task, user},
    testing,
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

pub const SINK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");

/// The path of the sink script, from any crate's tests.
pub fn sink_script() -> PathBuf {
    let here = PathBuf::from(SINK_SCRIPT);
    if here.is_file() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scheduler/tests/smtp_sink.py")
}

/// A Python that has aiosmtpd, or `None` after a loud skip.
pub fn python() -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if let Ok(p) = std::env::var("DONDOC_TEST_PYTHON") {
        candidates.push(p);
    }
    candidates.extend(["/usr/bin/python3".to_string(), "python3".to_string()]);
    for candidate in candidates {
        let ok = Command::new(&candidate)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return Some(candidate);
        }
    }
    testing::skip(
        "smtp",
        "no python3 with aiosmtpd (apt-get install -y python3-aiosmtpd); SMTP tests did not run",
    );
    None
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Options of the SMTP server.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub reject: Vec<(String, u16)>,
    pub slow: Vec<(String, f64)>,
    pub drop_after_data: Vec<String>,
    pub delay_ms: u64,
    pub refuse_sender: Option<u16>,
    /// Read at every RCPT: `451`, `550` or as usual (see smtp_sink.py).
    pub mode_file: Option<PathBuf>,
}

/// A running SMTP server process; killed on drop.
pub struct SmtpSink {
    pub port: u16,
    pub log: PathBuf,
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

/// One message the server received.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub message_id: String,
    pub rcpt_tos: Vec<String>,
    pub to: String,
    pub subject: String,
    #[serde(default)]
    pub auto_submitted: String,
    #[serde(default)]
    pub reply_to: String,
    pub text: Option<String>,
    pub html: Option<String>,
    #[serde(default)]
    pub dropped: bool,
    /// The message's size in bytes, as the server received it.
    #[serde(default)]
    pub size: usize,
}

impl SmtpSink {
    /// Starts a server on a free port, or `None` (after a loud skip).
    pub fn start(options: SinkOptions) -> Option<Self> {
        Self::start_on(free_port(), options, None)
    }

    /// Starts a server on `port`, logging to `log` (a fresh file by default).
    pub fn start_on(port: u16, options: SinkOptions, log: Option<PathBuf>) -> Option<Self> {
        let python = python()?;
        let (dir, log) = match log {
            Some(log) => (None, log),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let log = dir.path().join("smtp.jsonl");
                (Some(dir), log)
            }
        };
        let mut cmd = Command::new(python);
        cmd.arg(sink_script())
            .args(["serve", "--port", &port.to_string(), "--log"])
            .arg(&log)
            .args(["--delay-ms", &options.delay_ms.to_string()]);
        for (addr, code) in &options.reject {
            cmd.args(["--reject", &format!("{addr}={code}")]);
        }
        for (addr, secs) in &options.slow {
            cmd.args(["--slow", &format!("{addr}={secs}")]);
        }
        for addr in &options.drop_after_data {
            cmd.args(["--drop-after-data", addr]);
        }
        if let Some(code) = options.refuse_sender {
            cmd.args(["--refuse-sender", &code.to_string()]);
        }
        if let Some(file) = &options.mode_file {
            cmd.arg("--mode-file").arg(file);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_sink.py");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.trim() == "READY" {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(30)).is_err() {
            let _ = child.kill();
            panic!("the SMTP test server did not start on port {port}");
        }
        Some(Self {
            port,
            log,
            child,
            _dir: dir,
        })
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        read_log(&self.log)
    }

    /// How many messages were received so far (cheap: no parsing).
    pub fn received_count(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|t| {
                t.lines()
                    .filter(|l| l.contains("\"event\": \"received\""))
                    .count()
            })
            .unwrap_or(0)
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The addresses the server refused at RCPT, in order (one per refusal).
pub fn refused_rcpts(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| l.contains("\"event\": \"rejected\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a log line");
            v["rcpt"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

pub fn read_log(path: &Path) -> Vec<Received> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| l.contains("\"event\": \"received\""))
        .map(|l| serde_json::from_str(l).expect("a log line"))
        .collect()
}

/// Parses `.eml` files with Python's email package (decoded headers, parts).
pub fn parse_eml(files: &[PathBuf]) -> Option<Vec<Received>> {
    let python = python()?;
    let out = Command::new(python)
        .arg(sink_script())
        .arg("parse")
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["rcpt_tos"] = serde_json::json!([]);
                serde_json::from_value(v).unwrap()
            })
            .collect(),
    )
}

/// Settings for a test: the given database, SMTP on `port`, quick retries.
pub fn settings(db_url: &str, smtp_port: u16) -> Settings {
    let overrides = format!(
        r#"
[database]
url = "{db_url}"
[server]
public_url = "http://dondoc.test"
[mail]
transport = "smtp"
from = "dondoc <dondoc@dondoc.test>"
[mail.smtp]
host = "127.0.0.1"
port = {smtp_port}
timeout_secs = 20
pool_size = 2
[mail.delivery]
lease_seconds = 60
base_backoff_secs = 60
max_backoff_secs = 7200
max_age_hours = 120
pause_on_config_error_secs = 300
[scheduler]
max_catchup_hours = 24
"#
    );
    Settings::load(&ConfigSources {
        dir: Some(PathBuf::from("/nonexistent")),
        overrides: Some(overrides),
        ..Default::default()
    })
    .unwrap()
}

// ───────────────────────────── fixtures ─────────────────────────────

pub async fn add_department(
    db: &dondoc_core::db::Db,
    code: &str,
    name: &str,
    email: Option<&str>,
) -> i64 {
    let now = Utc::now();
    department::ActiveModel {
        code: Set(code.to_string()),
        name: Set(name.to_string()),
        kind: Set(DepartmentKind::Office),
        email: Set(email.map(str::to_string)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

pub async fn add_user(
    db: &dondoc_core::db::Db,
    username: &str,
    role: Role,
    department_id: Option<i64>,
    email: Option<&str>,
) -> i64 {
    let now = Utc::now();
    user::ActiveModel {
        username: Set(username.to_string()),
        full_name: Set(format!("Nguyễn Văn {username}")),
        email: Set(email.map(str::to_string)),
        position: Set(None),
        role: Set(role),
        department_id: Set(department_id),
        password_hash: Set("x".to_string()),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

pub async fn programme(db: &dondoc_core::db::Db, year: i32) -> i64 {
    if let Some(p) = programme::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.year == year)
    {
        return p.id;
    }
    programme::ActiveModel {
        year: Set(year),
        title: Set(format!("Chương trình công tác năm {year}")),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

pub struct NewTask<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub department_id: i64,
    pub due: NaiveDate,
    pub status: TaskStatus,
    pub leader: Option<i64>,
}

pub async fn add_task(db: &dondoc_core::db::Db, t: NewTask<'_>) -> i64 {
    let now = Utc::now();
    let programme_id = programme(db, 2026).await;
    task::ActiveModel {
        programme_id: Set(programme_id),
        code: Set(t.code.to_string()),
        title: Set(t.title.to_string()),
        description: Set(String::new()),
        search_text: Set(t.code.to_lowercase()),
        field_code: Set("environment".to_string()),
        lead_department_id: Set(t.department_id),
        leader_in_charge_id: Set(t.leader),
        source_document_id: Set(None),
        due_date: Set(t.due),
        original_due_date: Set(t.due),
        status: Set(t.status),
        progress: Set(0),
        completed_on: Set(t.status.is_done().then_some(t.due)),
        result_note: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

/// A `Utc` instant at a local (Vietnam) wall-clock time.
pub fn vn(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(y, m, d, h, min, s)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
