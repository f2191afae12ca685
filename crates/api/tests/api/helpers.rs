use std::sync::Arc;

use chrono::NaiveDate;
use dondoc_core::{Clock, Settings, config::ConfigSources, testing};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

pub const TODAY: (i32, u32, u32) = (2026, 11, 25);

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    #[allow(dead_code)]
    pub db: dondoc_core::db::Db,
    pub settings: Arc<Settings>,
    pub backend: testing::Backend,
    _database: Option<testing::TestDatabase>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

pub fn test_settings() -> Settings {
    // Figures look at the database on every read: tests also write to it
    // directly, and several apps may share one database.
    let overrides = "[server]\nhost = \"127.0.0.1\"\nport = 0\nworkers = 2\nauth_trust_ms = 0\nread_cache_ms = 0\n[demo]\nenabled = true\n[scheduler]\nenabled = false\n[figures]\nin_memory = true\nrefresh_ms = 0\n";
    Settings::load(&ConfigSources {
        dir: Some("/nonexistent".into()),
        files: vec![],
        use_env: false,
        overrides: Some(overrides.into()),
    })
    .unwrap()
}

/// One app per database backend, each seeded with the demo programme.
pub async fn spawn_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for database in testing::databases().await {
        apps.push(spawn_on(database, true).await);
    }
    apps
}

pub async fn spawn_on(database: testing::TestDatabase, seed: bool) -> TestApp {
    let db = database.db.clone();
    spawn_with_db(database, db, seed).await
}

/// One app per database backend, seeded, with settings adjusted from the tests' own.
#[allow(dead_code)] // used by some test binaries sharing this module
pub async fn spawn_apps_with(adjust: fn(&mut Settings)) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for database in testing::databases().await {
        let mut settings = test_settings();
        adjust(&mut settings);
        let db = database.db.clone();
        apps.push(spawn_with_settings(database, db, true, settings).await);
    }
    apps
}

/// An app whose pool is `db` (e.g. through a proxy), owning `database`.
pub async fn spawn_with_db(
    database: testing::TestDatabase,
    db: dondoc_core::db::Db,
    seed: bool,
) -> TestApp {
    spawn_with_settings(database, db, seed, test_settings()).await
}

async fn spawn_with_settings(
    database: testing::TestDatabase,
    db: dondoc_core::db::Db,
    seed: bool,
    settings: Settings,
) -> TestApp {
    let settings = Arc::new(settings);
    let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
    if seed
        && dondoc_seed::demo::database_is_empty(&database.db)
            .await
            .unwrap()
    {
        dondoc_seed::demo::seed(&database.db, &clock, &settings)
            .await
            .unwrap();
    }
    let app = dondoc_api::Application::build(settings.clone(), db.clone(), clock).unwrap();
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: Client::builder().build().unwrap(),
        db,
        settings,
        backend: database.backend,
        _database: Some(database),
        handle,
    }
}

/// One app per database backend, seeded with the demo programme on the
/// usual day, then running on a clock the test moves: a year of work can be
/// lived through in one test. Tokens last long enough for that.
#[allow(dead_code)] // used by the figures tests, not by every binary sharing this module
pub async fn spawn_clocked(
    start: chrono::DateTime<chrono::Utc>,
) -> Vec<(TestApp, dondoc_core::clock::ManualClock)> {
    let mut out = Vec::new();
    for database in testing::databases().await {
        let mut settings = test_settings();
        settings.auth.token_ttl_hours = 24 * 800;
        let settings = Arc::new(settings);
        let seeded = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
        dondoc_seed::demo::seed(&database.db, &seeded, &settings)
            .await
            .unwrap();
        let (clock, hand) = Clock::manual(chrono_tz::Asia::Ho_Chi_Minh, start);
        let db = database.db.clone();
        let app = dondoc_api::Application::build(settings.clone(), db.clone(), clock).unwrap();
        let port = app.port();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        out.push((
            TestApp {
                base: format!("http://127.0.0.1:{port}"),
                client: Client::builder().build().unwrap(),
                db,
                settings,
                backend: database.backend,
                _database: Some(database),
                handle,
            },
            hand,
        ));
    }
    out
}

/// An app on `db` that does not own the test database (several apps on one database).
#[allow(dead_code)] // used by the faults test binary, not by every binary sharing this module
pub async fn spawn_on_db(database: &testing::TestDatabase, db: dondoc_core::db::Db) -> TestApp {
    let settings = Arc::new(test_settings());
    let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
    let app = dondoc_api::Application::build(settings.clone(), db.clone(), clock).unwrap();
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: Client::builder().build().unwrap(),
        db,
        settings,
        backend: database.backend,
        _database: None,
        handle,
    }
}

pub fn staff_of(code: &str) -> String {
    format!("cb.{}", code.to_ascii_lowercase())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str) -> String {
        let password = match username {
            "admin" => self.settings.demo.admin_password.clone(),
            u if u.starts_with("cb.") => self.settings.demo.staff_password.clone(),
            _ => self.settings.demo.leader_password.clone(),
        };
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "login as {username}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.request(Method::GET, path, Some(token), None).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// An open, overdue task that has at least one coordinating department,
    /// with its lead, one coordinator and an unrelated department.
    pub async fn pick_task(&self, admin: &str, timeliness: &str) -> PickedTask {
        let page = self
            .get_json(
                &format!("/api/v1/tasks?timeliness={timeliness}&per_page=200"),
                admin,
            )
            .await;
        let all_departments = self.get_json("/api/v1/departments", admin).await;
        let task = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| !t["coordinating_departments"].as_array().unwrap().is_empty())
            .expect("a task with coordinators")
            .clone();
        let lead = task["lead_department"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let coordinator = task["coordinating_departments"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let involved: Vec<String> = std::iter::once(lead.clone())
            .chain(
                task["coordinating_departments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["code"].as_str().unwrap().to_string()),
            )
            .collect();
        let unrelated = all_departments
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .find(|c| !involved.contains(c))
            .unwrap();
        PickedTask {
            id: task["id"].as_i64().unwrap(),
            lead,
            coordinator,
            unrelated,
            task,
        }
    }

    pub async fn task(&self, id: i64, token: &str) -> Value {
        self.get_json(&format!("/api/v1/tasks/{id}"), token).await
    }

    pub async fn history_len(&self, id: i64, token: &str) -> usize {
        self.get_json(&format!("/api/v1/tasks/{id}/history"), token)
            .await
            .as_array()
            .unwrap()
            .len()
    }
}

#[derive(Debug, Clone)]
pub struct PickedTask {
    pub id: i64,
    pub lead: String,
    pub coordinator: String,
    pub unrelated: String,
    #[allow(dead_code)]
    pub task: Value,
}

/// Asserts a problem+json response with the given status; returns its body.
pub async fn expect_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"].as_u64(), Some(u64::from(status.as_u16())));
    assert!(body["type"].as_str().is_some() && body["title"].as_str().is_some());
    body
}

/// The fields named in a problem's `errors`.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
