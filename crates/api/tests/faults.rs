//! Faults: the database going away under load (PostgreSQL behind a proxy we
//! cut and restore), and a database that refuses writes. Requests fail fast
//! with 503 problem+json and the service recovers by itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use dondoc_core::{Clock, db, testing};
use helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use tokio::{net::TcpListener, task::JoinHandle};

/// A TCP proxy to PostgreSQL that the test can cut (refuse and drop every
/// connection, like a server restart) and restore.
struct Proxy {
    port: u16,
    target: String,
    accept: Mutex<Option<JoinHandle<()>>>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Arc<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Arc::new(Proxy {
            port,
            target,
            accept: Mutex::new(None),
            links: Arc::new(Mutex::new(Vec::new())),
        });
        proxy.serve(listener);
        proxy
    }

    fn serve(self: &Arc<Self>, listener: TcpListener) {
        let target = self.target.clone();
        let links = self.links.clone();
        let handle = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links.lock().unwrap().push(link);
            }
        });
        *self.accept.lock().unwrap() = Some(handle);
    }

    /// Like a database restart: listening stops and every open connection drops.
    fn cut(&self) {
        if let Some(h) = self.accept.lock().unwrap().take() {
            h.abort();
        }
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    async fn restore(self: &Arc<Self>) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("cannot rebind the proxy: {err}"),
            }
        };
        self.serve(listener);
    }
}

fn with_port(url: &str, port: u16) -> String {
    // postgres://user@host:5432/db → postgres://user@127.0.0.1:{port}/db
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}127.0.0.1:{port}/{path}")
}

fn target_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split_once('/').unwrap().0;
    let host = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

#[tokio::test]
async fn postgres_going_away_gives_503_fast_and_the_service_recovers() {
    let Some(database) = testing::postgres().await else {
        return;
    };
    let settings = test_settings();
    let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
    dondoc_seed::demo::seed(&database.db, &clock, &settings)
        .await
        .unwrap();
    let proxy = Proxy::start(target_of(&database.url)).await;
    let mut db_settings = testing::database_settings(&with_port(&database.url, proxy.port));
    db_settings.connect_timeout_secs = 2;
    let app_db = db::connect(&db_settings).await.unwrap();
    let app = spawn_with_db(database, app_db, true).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let token = app.login("chutich").await;
    let get = |path: &'static str| {
        let client = client.clone();
        let url = app.url(path);
        let token = token.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(get("/api/v1/overdue").await.status(), StatusCode::OK);

    proxy.cut();
    // Every request answers (no hang: the client gives up after 30 s and the
    // test would fail), with 503 problem+json and Retry-After.
    for path in [
        "/api/v1/overdue",
        "/api/v1/tasks",
        "/readyz",
        "/api/v1/stats",
    ] {
        let r = get(path).await;
        assert_eq!(
            r.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{path} while the database is down"
        );
        assert!(
            r.headers()
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("problem+json")
        );
    }
    assert_eq!(
        get("/healthz").await.status(),
        StatusCode::OK,
        "liveness does not depend on the database"
    );

    proxy.restore().await;
    let mut recovered = false;
    for _ in 0..60 {
        if get("/api/v1/overdue").await.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        recovered,
        "the service did not recover after the database came back"
    );
    assert_eq!(get("/readyz").await.status(), StatusCode::OK);
    // Writes work again too.
    let picked = app.pick_task(&app.login("admin").await, "overdue").await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", picked.id),
            Some(&token),
            json!({"note": "Sau sự cố"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_read_only_database_says_so_and_keeps_serving_reads() {
    let database = testing::sqlite().await;
    let settings = test_settings();
    let clock = Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today());
    dondoc_seed::demo::seed(&database.db, &clock, &settings)
        .await
        .unwrap();
    // Log in while writable (a login writes its session), then reopen read-only.
    let writable = spawn_on_db(&database, database.db.clone()).await;
    let token = writable.login("cb.tnmt").await;
    let task = writable
        .get_json("/api/v1/tasks?per_page=1&department=TNMT", &token)
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    drop(writable);
    let url = format!("{}?mode=ro", database.url);
    let read_only = db::connect(&testing::database_settings(&url))
        .await
        .unwrap();
    let app = spawn_on_db(&database, read_only).await;
    let r = app
        .client
        .get(app.url("/api/v1/tasks"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "reads still work");
    let r = app
        .patch(
            &format!("/api/v1/tasks/{task}"),
            Some(&token),
            json!({"note": "Ghi khi cơ sở dữ liệu chỉ đọc"}),
        )
        .await;
    let body = expect_problem(r, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["type"], "/problems/read_only");
    assert!(
        body["detail"].as_str().unwrap().contains("chỉ đọc"),
        "{body}"
    );
    // Readiness says why: its write probe is refused too.
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    let body = expect_problem(r, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["type"], "/problems/read_only", "{body}");
}
