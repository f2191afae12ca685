//! `dondoc-bench`: the in-process measurements of `bench/run.sh` that HTTP
//! cannot make. Each prints one JSON object on standard output.
//!
//! - `digest`: the `department-digest` job over the whole database (time to
//!   enqueue every digest) and, as its ceiling, the raw SQL query that
//!   selects the same tasks, on the same pool;
//! - `smtp`: outbox delivery to an SMTP server (the worker: claim, send with
//!   lettre's pooled transport, fenced finish) and, as its ceiling, a bare
//!   lettre client sending the same messages over one connection;
//! - `explain`: the query plans of the task list, the overdue list, the
//!   year's figures and the digests' snapshot, as the product runs them.
//!
//! Not part of the product; configuration comes the usual way
//! (`DONDOC__DATABASE__URL`, …).

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate};
use clap::{Parser, Subcommand};
use dondoc_core::tasks::fact_store::FactStore;
use dondoc_core::{
    Clock, Settings,
    accounts::principal::{Principal, TokenKind},
    config::ConfigSources,
    db,
    domain::Role,
    followup::outbox::{self, NewNotification},
};
use dondoc_scheduler::{
    Job, Worker,
    mailer::{self, Outgoing, SmtpMailer},
};
use lettre::transport::smtp::{client::AsyncSmtpConnection, extension::ClientId};
use sea_orm::{ConnectionTrait, Statement};

#[derive(Parser)]
#[command(
    name = "dondoc-bench",
    about = "dondoc benchmark probes (see bench/run.sh)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// department-digest over the whole database vs the raw SQL selecting the same tasks.
    Digest {
        #[arg(long)]
        today: NaiveDate,
    },
    /// Outbox delivery (worker, pooled lettre) vs a bare lettre loop, to the configured SMTP server.
    Smtp {
        /// Messages per side.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long)]
        today: NaiveDate,
        /// Pad each message with task lines to about this many KB (0: 8 lines).
        #[arg(long, default_value_t = 0)]
        size_kb: usize,
    },
    /// Query plans of the list, overdue, stats and digest queries.
    Explain {
        #[arg(long)]
        today: NaiveDate,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Arc::new(Settings::load(
        &ConfigSources::from_environment(Vec::new()),
    )?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Digest { today } => digest(settings, today).await,
            Command::Smtp {
                count,
                today,
                size_kb,
            } => smtp(settings, count, today, size_kb).await,
            Command::Explain { today } => explain(settings, today).await,
        }
    })
}

fn clock(settings: &Settings, today: NaiveDate) -> Clock {
    Clock::pinned_today(settings.organization.timezone, today)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

/// The tasks a department digest reads, as one plain query: open tasks due
/// within `due_soon_days` (overdue ones included), with their code, title,
/// due date and lead department, and the reminder documents of each.
async fn raw_digest_query(
    db: &db::Db,
    today: NaiveDate,
    due_soon_days: u32,
) -> anyhow::Result<(usize, usize)> {
    let until = today
        .checked_add_days(chrono::Days::new(u64::from(due_soon_days)))
        .unwrap_or(today);
    let tasks = db
        .query_all_raw(db::statement(
            db,
            "SELECT id, code, title, due_date, status, lead_department_id, leader_in_charge_id \
             FROM tasks WHERE status IN ('not_started', 'in_progress') AND due_date <= ?",
            vec![until.into()],
        ))
        .await?;
    let reminders = db
        .query_all_raw(db::statement(
            db,
            "SELECT dt.task_id, d.number, d.issued_on FROM tasks \
             JOIN document_tasks dt ON dt.relation = 'reminds' AND dt.task_id = tasks.id \
             JOIN documents d ON d.id = dt.document_id \
             WHERE tasks.status IN ('not_started', 'in_progress') AND tasks.due_date <= ?",
            vec![until.into()],
        ))
        .await?;
    // Touch the values, as the job does.
    let mut bytes = 0usize;
    for row in &tasks {
        bytes += row
            .try_get::<String>("", "title")
            .map(|t| t.len())
            .unwrap_or(0);
    }
    Ok((tasks.len() + reminders.len(), bytes))
}

async fn digest(settings: Arc<Settings>, today: NaiveDate) -> anyhow::Result<()> {
    let mut db = db::connect(&settings.database).await?;
    if std::env::var_os("BENCH_SLOW_MS").is_some() {
        let limit: f64 = std::env::var("BENCH_SLOW_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5.0);
        db.set_metric_callback(move |info| {
            let ms = info.elapsed.as_secs_f64() * 1000.0;
            if ms >= limit {
                eprintln!(
                    "slow {ms:.1} ms: {}",
                    info.statement.sql.chars().take(160).collect::<String>()
                );
            }
        });
    }
    let due_soon = settings.policy.due_soon_days;
    // Warm both paths' pages, then take the best of three raw runs.
    raw_digest_query(&db, today, due_soon).await?;
    let mut raw = Duration::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let started = Instant::now();
        rows = raw_digest_query(&db, today, due_soon).await?.0;
        raw = raw.min(started.elapsed());
    }
    let ctx =
        dondoc_scheduler::Context::new(db.clone(), clock(&settings, today), settings.clone())?;
    let started = Instant::now();
    let run = dondoc_scheduler::run_now(&ctx, Job::DepartmentDigest, Some(today)).await?;
    let job = started.elapsed();
    // The job's own parts: reading (snapshot) and deciding+rendering, without the writes.
    let started = Instant::now();
    let (built, _) = dondoc_scheduler::jobs::build_notifications(
        &ctx,
        dondoc_core::followup::reminders::DigestKind::DepartmentDigest,
        today,
    )
    .await?;
    let build = started.elapsed();
    let lines: usize = built.iter().map(|n| n.task_ids.len()).sum();
    println!(
        "{}",
        serde_json::json!({
            "raw_sql_ms": ms(raw),
            "raw_rows": rows,
            "job_ms": ms(job),
            "job_build_ms": ms(build),
            "digests": run.digests,
            "enqueued": run.enqueued,
            "task_lines": lines,
            "ratio": if raw.as_secs_f64() > 0.0 { job.as_secs_f64() / raw.as_secs_f64() } else { 0.0 },
        })
    );
    Ok(())
}

fn bench_notification(i: usize, today: NaiveDate, to: &str, size_kb: usize) -> NewNotification {
    let mut text = String::new();
    let mut html = String::from("<html><body><h1>Nhiệm vụ quá hạn</h1><ul>");
    let mut n = 0;
    while n < 8 || text.len() + html.len() < size_kb * 1000 {
        text.push_str(&format!(
            "- NV-2026-{:06} Triển khai dự án cấp nước sạch nông thôn — hạn 01/11/2026, quá hạn {} ngày; văn bản đôn đốc 12/UBND-VP\n  http://127.0.0.1:8080/tasks/{}\n",
            i * 8 + n,
            n + 3,
            i * 8 + n
        ));
        html.push_str(&format!(
            "<li><a href=\"http://127.0.0.1:8080/tasks/{}\">NV-2026-{:06}</a> Triển khai dự án cấp nước sạch nông thôn — quá hạn {} ngày</li>",
            i * 8 + n,
            i * 8 + n,
            n + 3
        ));
        n += 1;
    }
    html.push_str("</ul></body></html>");
    NewNotification {
        idempotency_key: format!("bench:{today}:{i}"),
        kind: "department-digest".into(),
        for_date: today,
        department_id: None,
        user_id: None,
        recipients: vec![to.to_string()],
        subject: format!("[dondoc] Nhắc việc: 8 nhiệm vụ quá hạn ({i})"),
        body_text: text,
        body_html: html,
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

async fn smtp(
    settings: Arc<Settings>,
    count: usize,
    today: NaiveDate,
    size_kb: usize,
) -> anyhow::Result<()> {
    let db = db::connect(&settings.database).await?;
    let clock = clock(&settings, today);
    let from = mailer::sender(&settings.mail)?;
    let domain = mailer::message_domain(&from);
    let to = "bench@synthetic.example";

    // The same messages for both sides.
    let notifications: Vec<NewNotification> = (0..count)
        .map(|i| bench_notification(i, today, to, size_kb))
        .collect();
    let txn = db::begin_write(&db).await?;
    for n in &notifications {
        outbox::enqueue(&txn, clock.now(), n, &domain).await?;
    }
    txn.commit().await?;

    // Bare: lettre's connection, one of it, no database.
    let smtp = &settings.mail.smtp;
    let started = Instant::now();
    let mut conn = AsyncSmtpConnection::connect_tokio1(
        (smtp.host.as_str(), smtp.port),
        Some(Duration::from_secs(30)),
        &ClientId::Domain("bench".into()),
        None,
        None,
    )
    .await
    .context("bare SMTP connection")?;
    let mut bare_bytes = 0;
    for (i, n) in notifications.iter().enumerate() {
        let mail = Outgoing {
            idempotency_key: n.idempotency_key.clone(),
            message_id: outbox::message_id(&format!("bare:{i}"), &domain),
            recipients: n.recipients.clone(),
            subject: n.subject.clone(),
            text: n.body_text.clone(),
            html: n.body_html.clone(),
            date: clock.now(),
        };
        let message = mailer::build_message(&from, &mail).map_err(|e| anyhow::anyhow!("{e}"))?;
        let bytes = message.formatted();
        bare_bytes = bytes.len();
        conn.send(message.envelope(), &bytes)
            .await
            .context("bare SMTP send")?;
    }
    let _ = conn.quit().await;
    let bare = started.elapsed();

    // The product: the worker drains the outbox through the pooled transport.
    // One connection per message sent at the same time.
    let pool = dondoc_core::config::SmtpSettings {
        pool_size: settings
            .mail
            .smtp
            .pool_size
            .max(settings.mail.delivery.concurrency),
        ..settings.mail.smtp.clone()
    };
    let smtp_mailer =
        SmtpMailer::new(&pool, from)?.with_max_message_bytes(settings.mail.max_message_bytes);
    let mut worker = Worker::new(
        db.clone(),
        clock,
        settings.mail.delivery.clone(),
        smtp_mailer,
    );
    let started = Instant::now();
    let report = worker.drain().await?;
    let pooled = started.elapsed();
    anyhow::ensure!(
        report.sent as usize == count,
        "the worker delivered {} of {count}: {}",
        report.sent,
        report.describe()
    );
    let rate = |d: Duration| count as f64 / d.as_secs_f64().max(1e-9);
    println!(
        "{}",
        serde_json::json!({
            "count": count,
            "bare_per_s": rate(bare),
            "pooled_per_s": rate(pooled),
            "ratio": rate(pooled) / rate(bare),
            "pool_size": pool.pool_size,
            "concurrency": settings.mail.delivery.concurrency,
            "message_bytes": bare_bytes,
            "batch_size": settings.mail.delivery.batch_size,
        })
    );
    Ok(())
}

// Longer than 100 lines: one block per request it explains, in the order the server runs them.
async fn explain(settings: Arc<Settings>, today: NaiveDate) -> anyhow::Result<()> {
    let mut conn = db::connect(&settings.database).await?;
    let log: Arc<Mutex<Vec<(Statement, Duration)>>> = Arc::default();
    let sink = log.clone();
    conn.set_metric_callback(move |info| {
        if let Ok(mut list) = sink.lock() {
            list.push((info.statement.clone(), info.elapsed));
        }
    });
    let take = || {
        log.lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    };
    let year = today.year();
    let due_soon = settings.policy.due_soon_days;
    let leader = Principal {
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
    };
    let mut sections: Vec<(String, Vec<(Statement, Duration)>)> = Vec::new();
    let filter = dondoc_core::tasks::RawTaskQuery {
        year: Some(year.to_string()),
        department: Some("TNMT".into()),
        ..Default::default()
    }
    .parse()?;
    dondoc_core::tasks::list(&conn, &FactStore::disabled(), &filter, today, due_soon).await?;
    sections.push((
        format!("GET /api/v1/tasks?year={year}&department=TNMT"),
        take(),
    ));
    let at = clock(&settings, today);
    dondoc_core::reports::overdue::list(
        &conn,
        &FactStore::disabled(),
        &at,
        &leader,
        &dondoc_core::reports::overdue::RawOverdueQuery {
            per_page: Some("50".into()),
            ..Default::default()
        },
        due_soon,
    )
    .await?;
    sections.push(("GET /api/v1/overdue?per_page=50".into(), take()));
    dondoc_core::reports::stats::figures_for_year(
        &conn,
        &FactStore::disabled(),
        year,
        None,
        &dondoc_core::reports::figures::AsOf::now(&at),
        due_soon,
    )
    .await?;
    sections.push((format!("GET /api/v1/stats?year={year}"), take()));
    dondoc_core::followup::snapshot::snapshot_within(&conn, today, Some(due_soon.max(6))).await?;
    sections.push(("department-digest snapshot".into(), take()));

    let mut out = String::new();
    for (what, statements) in sections {
        out.push_str(&format!("### {what}\n\n"));
        for (statement, elapsed) in statements {
            if !statement
                .sql
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("SELECT")
            {
                continue;
            }
            let plan = db::explain(&conn, &statement).await?;
            let sql: String = statement
                .sql
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let sql = if sql.chars().count() > 300 {
                format!("{}…", sql.chars().take(300).collect::<String>())
            } else {
                sql
            };
            out.push_str(&format!(
                "- {:.1} ms{} `{}`\n```\n{}\n```\n",
                elapsed.as_secs_f64() * 1000.0,
                if db::plan_scans_tasks(&plan) {
                    " **FULL SCAN OF tasks**"
                } else {
                    ""
                },
                sql.replace('`', "'"),
                plan.join("\n")
            ));
        }
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}
