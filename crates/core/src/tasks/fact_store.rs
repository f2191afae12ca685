//! The facts of every task, kept in memory so that today's figures and the
//! lists behind them cost what they show, not what is stored.
//!
//! What it holds: per task, the few facts figures read (programme, lead
//! department, field, leader, status, progress, due and original due date,
//! the day that counts), in 32 bytes, sorted by task id: a million tasks
//! take 32 MB.
//!
//! How it stays exact: every write that changes such a fact increments the
//! figures' clock (`fact_clock.seq`) and appends the task's new state to
//! `task_states` in the same transaction; the clock's row lock makes those
//! appends commit in id order (see the `fact_clock` migration). Before a
//! read, the store compares the clock with the last value it saw and, when
//! it moved, applies the states appended since — one indexed range. A
//! process that wrote marks the store stale, so it always reads its own
//! writes; another instance's writes are seen within `refresh` (default
//! 100 ms).
//!
//! Past days are not kept here: they are read from `task_states` and, since
//! they never change, memoised (see [`FactStore::memo`]).
//!
//! Counting after a write: the store remembers, for its most recent
//! versions, each task's facts before and after the change. A [`Fold`] —
//! figures that are a sum over tasks — is then brought from the version it
//! was computed at to the current one by taking the changed tasks out as
//! they were and in as they are ([`FactStore::fold`]), instead of scanning
//! every task again: under a steady writer, a million-task report costs
//! what the writes changed.

use std::{
    any::Any,
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    db,
    domain::{TaskStatus, facts::TaskFacts},
    error::{Error, Result},
};

mod fact_ref;
mod fold;

pub use fact_ref::FactRef;
pub use fold::Fold;

/// The facts figures read, in 32 bytes. Days are counted from 1 January
/// 1970; `NONE` stands for no day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fact {
    id: i64,
    programme: u32,
    lead: u32,
    /// 0: no leader in charge.
    leader: u32,
    due: u16,
    original: u16,
    completed: u16,
    field: u8,
    status: u8,
    progress: u8,
}

const NONE: u16 = u16::MAX;
const STATUSES: [TaskStatus; 5] = [
    TaskStatus::NotStarted,
    TaskStatus::InProgress,
    TaskStatus::ReportedDone,
    TaskStatus::Completed,
    TaskStatus::Cancelled,
];

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn pack_day(day: NaiveDate) -> Option<u16> {
    u16::try_from((day - epoch()).num_days())
        .ok()
        .filter(|d| *d != NONE)
}

/// Every day a packed day can name, by its number: unpacking is then one
/// index instead of a calendar computation, which dominated scanning a
/// million facts (256 KB, built once).
static DAYS: std::sync::LazyLock<Box<[NaiveDate]>> = std::sync::LazyLock::new(|| {
    (0..u32::from(NONE))
        .map(|d| epoch() + chrono::Duration::days(i64::from(d)))
        .collect()
});

fn unpack_day(day: u16) -> Option<NaiveDate> {
    DAYS.get(usize::from(day)).copied()
}

/// The rows the store reads, from `tasks` or `task_states`.
#[derive(Debug, FromQueryResult)]
struct Row {
    /// The row's own id (`tasks.id` or `task_states.id`): where the next
    /// chunk starts.
    cursor: i64,
    task_id: i64,
    programme_id: i64,
    lead_department_id: i64,
    field_code: String,
    leader_in_charge_id: Option<i64>,
    status: TaskStatus,
    progress: i32,
    due_date: NaiveDate,
    original_due_date: NaiveDate,
    completed_on: Option<NaiveDate>,
}

#[derive(Debug, FromQueryResult)]
struct Clock {
    seq: i64,
    docs_seq: i64,
    last_state: Option<i64>,
}

#[derive(Default)]
struct Inner {
    loaded: bool,
    seq: i64,
    last_state: i64,
    facts: Vec<Fact>,
    fields: Vec<String>,
    /// The version `facts` are at: moves with every chunk applied, under
    /// the same lock, so a reader sees a version and the facts it names.
    version: u64,
    /// What each change of the latest versions replaced, oldest first.
    log: VecDeque<Logged>,
    /// Every change of a version after this one is in `log`.
    log_from: u64,
}

/// One task's facts before (none: a new task) and after a change.
#[derive(Debug, Clone, Copy)]
struct Logged {
    version: u64,
    before: Option<Fact>,
    after: Fact,
}

/// Changes remembered at most (~40 bytes each): a fold further behind than
/// this is computed again from every task.
const LOG_CAPACITY: usize = 16_384;

impl Inner {
    fn field_index(&mut self, code: &str) -> Result<u8> {
        if let Some(i) = self.fields.iter().position(|f| f == code) {
            return Ok(i as u8);
        }
        if self.fields.len() >= usize::from(u8::MAX) {
            return Err(Error::Unexpected(anyhow::anyhow!(
                "more than 255 fields: the fact store cannot index them"
            )));
        }
        self.fields.push(code.to_string());
        Ok((self.fields.len() - 1) as u8)
    }

    fn pack(&mut self, row: &Row) -> Result<Fact> {
        let day = |d: NaiveDate, what: &str| {
            pack_day(d).ok_or_else(|| {
                Error::Unexpected(anyhow::anyhow!(
                    "task {}: {what} {d} is out of the fact store's range",
                    row.task_id
                ))
            })
        };
        let small = |v: i64, what: &str| {
            u32::try_from(v).map_err(|_| {
                Error::Unexpected(anyhow::anyhow!(
                    "task {}: {what} {v} is out of the fact store's range",
                    row.task_id
                ))
            })
        };
        Ok(Fact {
            id: row.task_id,
            programme: small(row.programme_id, "programme id")?,
            lead: small(row.lead_department_id, "department id")?,
            leader: small(row.leader_in_charge_id.unwrap_or(0), "leader id")?,
            due: day(row.due_date, "due date")?,
            original: day(row.original_due_date, "original due date")?,
            completed: match row.completed_on {
                Some(d) => day(d, "completion day")?,
                None => NONE,
            },
            field: self.field_index(&row.field_code)?,
            status: STATUSES.iter().position(|s| *s == row.status).unwrap_or(0) as u8,
            progress: u8::try_from(row.progress.clamp(0, 100)).unwrap_or(0),
        })
    }

    /// Replaces or adds a task's facts; ids arrive mostly in order. Returns
    /// the facts replaced.
    fn upsert(&mut self, fact: Fact) -> Option<Fact> {
        match self.facts.last() {
            Some(last) if last.id < fact.id => {
                self.facts.push(fact);
                None
            }
            None => {
                self.facts.push(fact);
                None
            }
            _ => match self.facts.binary_search_by_key(&fact.id, |f| f.id) {
                Ok(i) => Some(std::mem::replace(&mut self.facts[i], fact)),
                Err(i) => {
                    self.facts.insert(i, fact);
                    None
                }
            },
        }
    }

    /// Applies one chunk of rows as one new version; `logged`: remember
    /// what each row replaced (not on the first load).
    fn apply(&mut self, rows: &[Row], logged: bool) -> Result<()> {
        self.version += 1;
        for row in rows {
            let after = self.pack(row)?;
            let before = self.upsert(after);
            if logged && before != Some(after) {
                self.log.push_back(Logged {
                    version: self.version,
                    before,
                    after,
                });
            }
        }
        if !logged {
            self.log.clear();
            self.log_from = self.version;
        }
        while self.log.len() > LOG_CAPACITY {
            if let Some(oldest) = self.log.pop_front() {
                self.log_from = self.log_from.max(oldest.version);
            }
        }
        Ok(())
    }

    fn unpack(&self, f: &Fact) -> TaskFacts {
        TaskFacts {
            task_id: f.id,
            programme_id: i64::from(f.programme),
            lead_department_id: i64::from(f.lead),
            field_code: self
                .fields
                .get(usize::from(f.field))
                .cloned()
                .unwrap_or_default(),
            leader_in_charge_id: (f.leader != 0).then_some(i64::from(f.leader)),
            status: STATUSES
                .get(usize::from(f.status))
                .copied()
                .unwrap_or(TaskStatus::NotStarted),
            progress: i32::from(f.progress),
            due_date: unpack_day(f.due).unwrap_or_default(),
            original_due_date: unpack_day(f.original).unwrap_or_default(),
            reported_on: None,
            completed_on: unpack_day(f.completed),
            declared_completed_on: None,
        }
    }
}

/// A memoised result and the store version it was computed at (`None`:
/// about a past moment, valid for ever).
struct Memo {
    version: Option<u64>,
    used: u64,
    value: Arc<dyn Any + Send + Sync>,
}

/// Rows read per statement when loading or catching up.
const LOAD_CHUNK: i64 = 20_000;

/// Most results memoised at once; the least recently used go first.
const MEMO_CAPACITY: usize = 64;

/// Where today's facts are read from; see the module's documentation.
pub struct FactStore {
    enabled: bool,
    refresh: Duration,
    inner: RwLock<Inner>,
    syncing: tokio::sync::Mutex<()>,
    checked: Mutex<Option<Instant>>,
    stale: AtomicBool,
    version: AtomicU64,
    documents: AtomicU64,
    memos: Mutex<HashMap<String, Memo>>,
    uses: AtomicU64,
    /// Keys being computed, each with the gate its readers queue at.
    computing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    load_chunk: i64,
    /// Folds computed from every task, and folds carried through changes.
    folds_computed: AtomicU64,
    folds_carried: AtomicU64,
}

impl std::fmt::Debug for FactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactStore")
            .field("enabled", &self.enabled)
            .field("version", &self.version.load(Ordering::Relaxed))
            .finish()
    }
}

/// A task's facts as the store holds them, with its id.
pub type Selected = TaskFacts;

impl FactStore {
    /// A store that keeps the facts in memory and looks for other
    /// instances' writes at most every `refresh`.
    pub fn new(refresh: Duration) -> Self {
        Self::with(true, refresh)
    }

    /// A store that reads the database every time (one-off commands, and
    /// tests that compare the two).
    pub fn disabled() -> Self {
        Self::with(false, Duration::ZERO)
    }

    fn with(enabled: bool, refresh: Duration) -> Self {
        Self {
            enabled,
            refresh,
            inner: RwLock::new(Inner::default()),
            syncing: tokio::sync::Mutex::new(()),
            checked: Mutex::new(None),
            stale: AtomicBool::new(true),
            version: AtomicU64::new(0),
            documents: AtomicU64::new(0),
            memos: Mutex::new(HashMap::new()),
            uses: AtomicU64::new(0),
            computing: Mutex::new(HashMap::new()),
            load_chunk: LOAD_CHUNK,
            folds_computed: AtomicU64::new(0),
            folds_carried: AtomicU64::new(0),
        }
    }

    /// Reads `rows` rows per statement when loading or catching up (tests
    /// use a small number to load a small database in many chunks).
    pub fn with_load_chunk(mut self, rows: i64) -> Self {
        self.load_chunk = rows.max(1);
        self
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// This process wrote: the next read looks at the clock whatever the
    /// refresh interval.
    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::Release);
    }

    /// Changes when the facts change (after [`FactStore::sync`]).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Changes when reminder-document links change (after a sync).
    pub fn documents_version(&self) -> u64 {
        self.documents.load(Ordering::Acquire)
    }

    /// Brings the facts up to date with the database, when the store was
    /// marked stale or last looked at the clock `refresh` ago or more.
    pub async fn sync<C: ConnectionTrait>(&self, db: &C) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let due = self.stale.load(Ordering::Acquire)
            || self
                .checked
                .lock()
                .map(|c| c.is_none_or(|at| at.elapsed() >= self.refresh))
                .unwrap_or(true);
        if !due {
            return Ok(());
        }
        self.look(db).await
    }

    /// Brings the facts up to date with the database now: after a look at
    /// the clock that began after this call (a writer reading its write).
    pub async fn sync_now<C: ConnectionTrait>(&self, db: &C) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.look(db).await
    }

    async fn look<C: ConnectionTrait>(&self, db: &C) -> Result<()> {
        let _one = self.syncing.lock().await;
        self.stale.store(false, Ordering::Release);
        let clock = Clock::find_by_statement(db::statement(
            db,
            "SELECT seq, docs_seq, (SELECT MAX(id) FROM task_states) AS last_state FROM fact_clock WHERE id = 1",
            vec![],
        ))
        .one(db)
        .await?
        .unwrap_or(Clock {
            seq: 0,
            docs_seq: 0,
            last_state: None,
        });
        self.documents.store(
            u64::try_from(clock.docs_seq).unwrap_or(0),
            Ordering::Release,
        );
        let (loaded, seq, last_state) = {
            let inner = self.read()?;
            (inner.loaded, inner.seq, inner.last_state)
        };
        if loaded && clock.seq == seq {
            self.checked_now();
            return Ok(());
        }
        // Read in id-ordered chunks: a first load of a million tasks in one
        // result set held every row's decoded columns at once (1.4 GB at
        // 1M tasks); a chunk's worth is a few megabytes. A task changed
        // after its chunk was read has a state after `clock.last_state`,
        // read by the next sync, so chunks need no common snapshot.
        let mut after = if loaded { last_state } else { i64::MIN };
        loop {
            let rows = if loaded {
                Row::find_by_statement(db::statement(
                    db,
                    "SELECT id AS cursor, task_id, programme_id, lead_department_id, field_code, \
                     leader_in_charge_id, status, progress, due_date, original_due_date, completed_on \
                     FROM task_states WHERE id > ? ORDER BY id LIMIT ?",
                    vec![Value::from(after), Value::from(self.load_chunk)],
                ))
                .all(db)
                .await?
            } else {
                Row::find_by_statement(db::statement(
                    db,
                    "SELECT id AS cursor, id AS task_id, programme_id, lead_department_id, field_code, \
                     leader_in_charge_id, status, progress, due_date, original_due_date, completed_on \
                     FROM tasks WHERE id > ? ORDER BY id LIMIT ?",
                    vec![Value::from(after), Value::from(self.load_chunk)],
                ))
                .all(db)
                .await?
            };
            if !rows.is_empty() {
                let mut inner = self
                    .inner
                    .write()
                    .map_err(|_| Error::Unexpected(anyhow::anyhow!("fact store poisoned")))?;
                inner.apply(&rows, loaded)?;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == self.load_chunk => after = last.cursor,
                _ => break,
            }
        }
        let version = {
            let mut inner = self
                .inner
                .write()
                .map_err(|_| Error::Unexpected(anyhow::anyhow!("fact store poisoned")))?;
            inner.loaded = true;
            inner.seq = clock.seq;
            inner.last_state = clock.last_state.unwrap_or(0).max(last_state);
            // The clock moved even when no state was new (a write rolled
            // back after moving it): readers still see a new version.
            inner.version += 1;
            inner.version
        };
        self.version.store(version, Ordering::Release);
        self.checked_now();
        Ok(())
    }

    fn checked_now(&self) {
        if let Ok(mut checked) = self.checked.lock() {
            *checked = Some(Instant::now());
        }
    }

    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, Inner>> {
        self.inner
            .read()
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("fact store poisoned")))
    }

    /// Today's facts of the tasks `keep` accepts (after a sync), by task id.
    /// `keep` sees the facts before they are materialised, so a narrow
    /// question costs a scan, not a copy of every task.
    pub fn select(&self, mut keep: impl FnMut(&FactRef<'_>) -> bool) -> Result<Vec<TaskFacts>> {
        let inner = self.read()?;
        let mut out = Vec::new();
        for f in &inner.facts {
            let r = FactRef {
                inner: &inner,
                fact: f,
            };
            if keep(&r) {
                out.push(inner.unpack(f));
            }
        }
        Ok(out)
    }

    /// Today's facts of the tasks `ids` that `keep` accepts, in the order of
    /// `ids` (a page of a list): one lookup each.
    pub fn get(
        &self,
        ids: &[i64],
        mut keep: impl FnMut(&FactRef<'_>) -> bool,
    ) -> Result<Vec<TaskFacts>> {
        let inner = self.read()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Ok(i) = inner.facts.binary_search_by_key(id, |f| f.id) {
                let f = &inner.facts[i];
                if keep(&FactRef {
                    inner: &inner,
                    fact: f,
                }) {
                    out.push(inner.unpack(f));
                }
            }
        }
        Ok(out)
    }

    /// Shows `each` every task's facts (after a sync), without copying them.
    pub fn visit(&self, mut each: impl FnMut(&FactRef<'_>)) -> Result<()> {
        let inner = self.read()?;
        for f in &inner.facts {
            each(&FactRef {
                inner: &inner,
                fact: f,
            });
        }
        Ok(())
    }

    /// How many tasks the store holds.
    pub fn len(&self) -> usize {
        self.read().map(|i| i.facts.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A result computed once per version of the facts — or once for ever
    /// when `for_ever` (a past day's, which cannot change). The key must
    /// name everything the result depends on.
    pub async fn memo<T, F>(&self, key: String, for_ever: bool, compute: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T>>,
    {
        let version = self.version();
        self.memo_at(key, (!for_ever).then_some(version), compute)
            .await
    }

    /// The memoised value of `key` if it was computed at `version`.
    fn kept<T: Clone + 'static>(&self, key: &str, version: Option<u64>, used: u64) -> Option<T> {
        let mut memos = self.memos.lock().ok()?;
        let memo = memos.get_mut(key)?;
        if memo.version != version {
            return None;
        }
        let value = memo.value.downcast_ref::<T>()?.clone();
        memo.used = used;
        Some(value)
    }

    /// [`FactStore::memo`] valid while `version` (`None`: for ever) holds.
    pub async fn memo_at<T, F>(&self, key: String, version: Option<u64>, compute: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T>>,
    {
        if !self.enabled {
            return compute.await;
        }
        let used = self.uses.fetch_add(1, Ordering::Relaxed);
        if let Some(value) = self.kept::<T>(&key, version, used) {
            return Ok(value);
        }
        // One computation per key at a time: after a write, the sixteen
        // readers that find the memo stale wait for the first to compute it
        // instead of all computing the same figures at once.
        let gate = self
            .computing
            .lock()
            .map(|mut gates| gates.entry(key.clone()).or_default().clone())
            .unwrap_or_default();
        let _turn = gate.lock().await;
        if let Some(value) = self.kept::<T>(&key, version, used) {
            return Ok(value);
        }
        let value = compute.await;
        if let Ok(mut gates) = self.computing.lock() {
            gates.remove(&key);
        }
        let value = value?;
        self.keep(
            key,
            Memo {
                version,
                used,
                value: Arc::new(value.clone()),
            },
        );
        Ok(value)
    }

    /// Keeps a memo, the least recently used one leaving when full.
    fn keep(&self, key: String, memo: Memo) {
        if let Ok(mut memos) = self.memos.lock() {
            if memos.len() >= MEMO_CAPACITY
                && let Some(oldest) = memos
                    .iter()
                    .min_by_key(|(_, m)| m.used)
                    .map(|(k, _)| k.clone())
            {
                memos.remove(&oldest);
            }
            memos.insert(key, memo);
        }
    }
}

#[cfg(test)]
mod tests;
