//! Synthetic benchmark data at national scale: `dondoc seed synthetic
//! --tasks N --departments D [--years Y] [--seed S]`.
//!
//! Deterministic: a seeded SplitMix64 generator decides every value, and all
//! dates and timestamps derive from *today*, so one seed and one day give the
//! same database byte for byte. Realistic: about 15 % of tasks overdue with a
//! long tail of ages (a few of them years old), some due soon, most
//! completed (some of those late), approved extensions, reminder documents
//! (văn bản đôn đốc) on late tasks, coordinating departments on about a third
//! of the tasks, and the history entries the workflow would have written.
//!
//! Fast: rows are generated on a blocking thread while the database writes
//! the previous batch; each batch is one multi-row `INSERT` per table with
//! literal values (no per-row round trip, no bind-parameter limits), with
//! explicit ids, committed every [`TASKS_PER_TRANSACTION`] tasks. On
//! PostgreSQL the identity sequences are moved past the ids used, and the
//! tables are analysed.

use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;

use dondoc_core::{
    Clock, Settings,
    accounts::passwords,
    db::{self, Db},
    domain::fields::DEFAULT_FIELDS,
    error::{Error, Result},
    org::programmes,
};

/// Tasks generated (and written) per batch.
const TASKS_PER_BATCH: u64 = 2_000;
/// Tasks per transaction: bounds the WAL (SQLite) and the memory of one commit.
pub const TASKS_PER_TRANSACTION: u64 = 50_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticSpec {
    pub tasks: u64,
    pub departments: u32,
    /// Programme years, ending with the current one.
    pub years: u32,
    pub seed: u64,
}

impl SyntheticSpec {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.tasks == 0 || self.tasks > 20_000_000 {
            errors.push(dondoc_core::FieldError::new(
                "tasks",
                "out_of_range",
                dondoc_core::Msg::SyntheticTasksRange,
            ));
        }
        if self.departments == 0 || self.departments > 100_000 {
            errors.push(dondoc_core::FieldError::new(
                "departments",
                "out_of_range",
                dondoc_core::Msg::SyntheticDepartmentsRange,
            ));
        }
        if self.years == 0 || self.years > 30 {
            errors.push(dondoc_core::FieldError::new(
                "years",
                "out_of_range",
                dondoc_core::Msg::SyntheticYearsRange,
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// Counts of what was generated, by kind and by timeliness on *today*.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntheticCounts {
    pub tasks: u64,
    pub overdue: u64,
    pub overdue_over_30_days: u64,
    pub overdue_over_120_days: u64,
    pub due_soon: u64,
    pub on_track: u64,
    pub completed_on_time: u64,
    pub completed_late: u64,
    pub awaiting_confirmation: u64,
    pub cancelled: u64,
    pub coordinator_links: u64,
    pub reminder_documents: u64,
    pub reminder_links: u64,
    pub extensions: u64,
    pub history_entries: u64,
}

#[derive(Debug, Clone)]
pub struct SyntheticSummary {
    pub spec: SyntheticSpec,
    pub today: NaiveDate,
    pub years: Vec<i32>,
    pub departments: u32,
    pub users: u32,
    pub counts: SyntheticCounts,
    pub elapsed: std::time::Duration,
}

impl SyntheticSummary {
    pub fn describe(&self) -> String {
        let c = &self.counts;
        let pct = |n: u64| {
            if c.tasks == 0 {
                0.0
            } else {
                n as f64 * 100.0 / c.tasks as f64
            }
        };
        let secs = self.elapsed.as_secs_f64();
        format!(
            "Đã tạo dữ liệu tổng hợp / synthetic data seeded (seed {seed}, today {today}) in {secs:.1} s ({rate:.0} tasks/s):\n\
             \x20 {tasks} tasks in {ny} programme years {years:?}, {d} departments, {u} accounts\n\
             \x20 overdue {od} ({odp:.1} %; > 30 days {o30}, > 120 days {o120}), due soon {ds}, on track {ot}\n\
             \x20 completed on time {ct}, completed late {cl}, awaiting confirmation {aw}, cancelled {ca}\n\
             \x20 {rd} reminder documents linked {rl} times, {cx} coordinator links, {ex} approved extensions, {h} history entries\n\
             \x20 accounts: admin, chutich, pct.kinhte, pct.vanhoa, pct.quyhoach, cb.<department code> (passwords from config demo.*)\n",
            seed = self.spec.seed,
            today = self.today,
            rate = c.tasks as f64 / secs.max(0.001),
            tasks = c.tasks,
            ny = self.years.len(),
            years = self.years,
            d = self.departments,
            u = self.users,
            od = c.overdue,
            odp = pct(c.overdue),
            o30 = c.overdue_over_30_days,
            o120 = c.overdue_over_120_days,
            ds = c.due_soon,
            ot = c.on_track,
            ct = c.completed_on_time,
            cl = c.completed_late,
            aw = c.awaiting_confirmation,
            ca = c.cancelled,
            rd = c.reminder_documents,
            rl = c.reminder_links,
            cx = c.coordinator_links,
            ex = c.extensions,
            h = c.history_entries,
        )
    }
}

mod generator;
mod names;
mod sql;

use generator::{Generator, Message, Plan};
use names::{LEADERS, OFFICES, PLACE_FIRST, PLACE_SECOND};
use sql::{Insert, d, q, ts};

// ───────────────────────────── seeding ─────────────────────────────

/// Generates and writes the tasks and everything hanging off them.
async fn load(db: &Db, plan: Plan, tasks: u64) -> Result<SyntheticCounts> {
    // Generate on a blocking thread while the database writes.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(4);
    let generator = tokio::task::spawn_blocking(move || {
        let mut generator = Generator::new(plan);
        let mut done = 0u64;
        let mut since_commit = 0u64;
        while done < tasks {
            let n = TASKS_PER_BATCH.min(tasks - done);
            for sql in generator.batch(n) {
                if tx.blocking_send(Message::Sql(sql)).is_err() {
                    return generator.counts;
                }
            }
            done += n;
            since_commit += n;
            if since_commit >= TASKS_PER_TRANSACTION {
                since_commit = 0;
                if tx.blocking_send(Message::Commit).is_err() {
                    return generator.counts;
                }
            }
        }
        generator.counts
    });
    let mut txn = Some(db::begin_write(db).await?);
    while let Some(message) = rx.recv().await {
        match message {
            Message::Sql(sql) => {
                let open = match txn.take() {
                    Some(t) => t,
                    None => db::begin_write(db).await?,
                };
                open.execute_unprepared(&sql).await?;
                txn = Some(open);
            }
            Message::Commit => {
                if let Some(open) = txn.take() {
                    open.commit().await?;
                }
            }
        }
    }
    if let Some(open) = txn.take() {
        open.commit().await?;
    }
    let counts = generator
        .await
        .map_err(|err| Error::Unexpected(anyhow::anyhow!("generator failed: {err}")))?;

    Ok(counts)
}

/// Tables the load writes to.
const LOADED_TABLES: &str = "'tasks', 'task_history', 'task_coordinators', 'document_tasks', 'documents', 'extension_requests', 'task_states'";

/// Indexes of the loaded tables that no constraint needs, with the SQL that
/// creates each, as the database itself records it.
async fn secondary_indexes(db: &Db) -> Result<Vec<(String, String)>> {
    let sql = if db::is_postgres(db) {
        format!(
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ({LOADED_TABLES}) \
             AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
        )
    } else {
        format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ({LOADED_TABLES}) ORDER BY name"
        )
    };
    let mut out = Vec::new();
    for row in db.query_all_raw(db::statement(db, &sql, vec![])).await? {
        out.push((
            row.try_get::<String>("", "name")?,
            row.try_get::<String>("", "sql")?,
        ));
    }
    Ok(out)
}

async fn rebuild_indexes(db: &Db, indexes: &[(String, String)]) -> Result<()> {
    let postgres = db::is_postgres(db);
    let txn = db::begin_write(db).await?;
    if postgres {
        txn.execute_unprepared("SET LOCAL maintenance_work_mem = '256MB'")
            .await?;
    }
    for (_, sql) in indexes {
        txn.execute_unprepared(sql).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn is_empty<C: ConnectionTrait>(db: &C) -> Result<bool> {
    for table in ["departments", "users", "tasks", "programmes"] {
        let row = db
            .query_one_raw(db::statement(
                db,
                &format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} LIMIT 1) x"),
                vec![],
            ))
            .await?;
        let n: i64 = match row {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        if n > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Seeds `spec` into an empty database. Refuses one that has departments,
/// users, programmes or tasks: synthetic data never mixes with real data.
///
/// Batches are committed as they go (every [`TASKS_PER_TRANSACTION`]
/// tasks): if seeding fails half-way, the database holds part of the data
/// and should be recreated.
// Longer than 100 lines: the reference data is written in dependency order (departments, accounts, programmes, documents) before the tasks stream; each step is a few lines of SQL text.
pub async fn seed(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    spec: SyntheticSpec,
) -> Result<SyntheticSummary> {
    spec.validate()?;
    let started = Instant::now();
    if !is_empty(db).await? {
        return Err(Error::Conflict(dondoc_core::Msg::SyntheticNotEmpty));
    }
    let postgres = db::is_postgres(db);
    let today = clock.today();
    let current_year = today.year();
    let first_year = current_year - spec.years as i32 + 1;
    let first_day = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(today);
    let departments = spec.departments as usize;

    // Reference data: departments, accounts, programmes, assigning documents.
    let mut names = Vec::with_capacity(departments);
    let mut refs = Insert::new(
        "INSERT INTO departments (id, code, name, kind, email, active, created_at, updated_at)",
    );
    let created = ts(first_day);
    for i in 0..departments {
        let (code, name, kind) = match OFFICES.get(i) {
            Some((c, n, k)) => (c.to_string(), n.to_string(), *k),
            None => {
                let n = i - OFFICES.len();
                let a = PLACE_FIRST[n % PLACE_FIRST.len()];
                let b = PLACE_SECOND[(n / PLACE_FIRST.len()) % PLACE_SECOND.len()];
                (
                    format!("XA-{:05}", n + 1),
                    format!("UBND xã {a} {b} {}", n + 1),
                    "commune",
                )
            }
        };
        let email = format!("{}@synthetic.example", code.to_ascii_lowercase());
        refs.row(format_args!(
            "{},{},{},'{kind}',{},TRUE,{created},{created}",
            i + 1,
            q(&code),
            q(&name),
            q(&email)
        ));
        names.push((code, name));
    }
    // Hash each password once: argon2 is slow by design.
    let demo = settings.demo.clone();
    let (admin_hash, leader_hash, staff_hash) = tokio::task::spawn_blocking(move || {
        Ok::<_, Error>((
            passwords::hash_password(&demo.admin_password)?,
            passwords::hash_password(&demo.leader_password)?,
            passwords::hash_password(&demo.staff_password)?,
        ))
    })
    .await
    .map_err(|err| Error::Unexpected(anyhow::anyhow!("password hashing failed: {err}")))??;
    let mut accounts = Insert::new(
        "INSERT INTO users (id, username, full_name, email, position, role, department_id, password_hash, \
         active, must_change_password, created_at, updated_at)",
    );
    accounts.row(format_args!(
        "1,'admin','Quản trị hệ thống','admin@synthetic.example','Quản trị hệ thống','admin',1,{},TRUE,FALSE,{created},{created}",
        q(&admin_hash)
    ));
    let mut leader_ids = Vec::new();
    for (i, (username, name, position)) in LEADERS.iter().enumerate() {
        let id = i as i64 + 2;
        leader_ids.push(id);
        accounts.row(format_args!(
            "{id},{},{},{},{},'leader',NULL,{},TRUE,FALSE,{created},{created}",
            q(username),
            q(name),
            q(&format!("{username}@synthetic.example")),
            q(position),
            q(&leader_hash)
        ));
    }
    let staff_base = LEADERS.len() as i64 + 2;
    let mut user_rows = Vec::new();
    for (i, (code, name)) in names.iter().enumerate() {
        let username = format!("cb.{}", code.to_ascii_lowercase());
        accounts.row(format_args!(
            "{},{},{},{},'Chuyên viên','staff',{},{},TRUE,FALSE,{created},{created}",
            staff_base + i as i64,
            q(&username),
            q(&format!("Cán bộ {name}")),
            q(&format!("{username}@synthetic.example")),
            i + 1,
            q(&staff_hash)
        ));
        if accounts.rows >= 500 {
            user_rows.extend(accounts.take());
        }
    }
    user_rows.extend(accounts.take());
    let users_total = 1 + LEADERS.len() as u32 + spec.departments;

    let mut programme_rows = Insert::new("INSERT INTO programmes (id, year, title, created_at)");
    let mut assign_docs = Insert::new(
        "INSERT INTO documents (id, number, kind, title, issued_on, signer, created_by, created_at)",
    );
    let mut assign_doc_date = Vec::new();
    let years: Vec<i32> = (first_year..=current_year).collect();
    for (i, year) in years.iter().enumerate() {
        let issued = NaiveDate::from_ymd_opt(*year, 1, 5).unwrap_or(first_day);
        assign_doc_date.push(issued);
        programme_rows.row(format_args!(
            "{},{year},{},{}",
            i + 1,
            q(&programmes::default_title(
                *year,
                &settings.organization.name
            )),
            ts(issued)
        ));
        assign_docs.row(format_args!(
            "{},{},'decision',{},{},{},1,{}",
            i + 1,
            q(&format!("{}/QĐ-UBND", 10 + i)),
            q(&format!(
                "Ban hành Chương trình công tác năm {year} của {}",
                settings.organization.name
            )),
            d(issued),
            q(LEADERS[0].1),
            ts(issued)
        ));
    }

    let txn = db::begin_write(db).await?;
    if !postgres {
        // Keep the indexes being filled in memory for this connection (at
        // most 1 GiB; a million tasks with their indexes take about as much).
        txn.execute_unprepared("PRAGMA cache_size = -1048576")
            .await?;
    }
    for sql in refs
        .take()
        .into_iter()
        .chain(user_rows)
        .chain(programme_rows.take())
        .chain(assign_docs.take())
    {
        txn.execute_unprepared(&sql).await?;
    }
    txn.commit().await?;

    let plan = Plan {
        spec,
        today,
        first_day,
        first_year,
        due_soon_days: i64::from(settings.policy.due_soon_days),
        assign_doc_date,
        admin_id: 1,
        leader_ids,
        staff_base,
        first_reminder_doc_id: years.len() as i64 + 1,
        field_codes: DEFAULT_FIELDS.iter().map(|f| f.code).collect(),
        department_names: names.into_iter().map(|(_, n)| n).collect(),
    };

    // Secondary indexes are dropped for the load and built again after it:
    // one sorted build per index instead of a million random inserts into
    // each. They are rebuilt even when the load fails half-way.
    let indexes = secondary_indexes(db).await?;
    for (name, _) in &indexes {
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
    }
    let loaded = load(db, plan, spec.tasks).await;
    let rebuilt = rebuild_indexes(db, &indexes).await;
    let counts = loaded?;
    rebuilt?;
    // Processes that keep figures in memory reload them.
    dondoc_core::tasks::states::bump_clock(db).await?;

    if postgres {
        for table in [
            "departments",
            "users",
            "programmes",
            "documents",
            "tasks",
            "extension_requests",
            "task_history",
        ] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .await?;
        }
        // What autovacuum would do soon after a bulk load: statistics for the
        // planner, and the visibility map that lets counts read indexes only.
        db.execute_unprepared("VACUUM (ANALYZE)").await?;
    } else {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }

    Ok(SyntheticSummary {
        spec,
        today,
        years,
        departments: spec.departments,
        users: users_total,
        counts,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::names::Rng;
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_uniform_enough() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut c = Rng::new(8);
        assert_ne!(xs[0], c.next_u64());
        let mut buckets = [0u32; 10];
        for _ in 0..100_000 {
            buckets[a.below(10) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|n| (9_000..11_000).contains(n)),
            "{buckets:?}"
        );
    }

    #[test]
    fn sql_text_is_quoted() {
        assert_eq!(q("it's"), "'it''s'");
        assert_eq!(
            d(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            "'2026-01-02'"
        );
        assert_eq!(
            ts(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            "'2026-01-02T02:00:00+00:00'"
        );
    }

    #[test]
    fn a_bad_spec_names_the_argument() {
        let err = SyntheticSpec {
            tasks: 0,
            departments: 0,
            years: 0,
            seed: 1,
        }
        .validate()
        .unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("tasks") && text.contains("departments") && text.contains("years"));
    }
}
