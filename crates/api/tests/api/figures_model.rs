//! A reference model of the figures, independent of the product's code:
//! random acts (progress, reports with declared days, confirmations with or
//! without accepting them, returns, direct extensions, extension requests
//! and decisions, cancellations, reopens, reminder documents) on random
//! days through the API, then every output — statistics, the overdue list,
//! the quarterly and annual reviews, the task lists behind figures, a
//! meeting snapshot — asked as of several days and compared with what the
//! model says was true then. On SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use dondoc_core::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const SOON: i64 = 7;
const DEPARTMENTS: [&str; 3] = ["TCKH", "TNMT", "VP"];

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    NotStarted,
    InProgress,
    ReportedDone,
    Completed,
    Cancelled,
}

impl Status {
    fn done(self) -> bool {
        matches!(self, Status::ReportedDone | Status::Completed)
    }
}

#[derive(Debug, Clone)]
struct State {
    status: Status,
    progress: i64,
    due: NaiveDate,
    original: NaiveDate,
    /// The day that counts.
    counted: Option<NaiveDate>,
    declared: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct Task {
    id: i64,
    department: &'static str,
    created: NaiveDate,
    /// End-of-day states: the last act of a day wins.
    states: BTreeMap<NaiveDate, State>,
}

impl Task {
    fn now(&self) -> &State {
        self.states.values().next_back().unwrap()
    }

    fn set(&mut self, day: NaiveDate, state: State) {
        self.states.insert(day, state);
    }

    fn on(&self, day: NaiveDate) -> Option<&State> {
        self.states.range(..=day).next_back().map(|(_, s)| s)
    }
}

/// The figures a task counts in on `day`, by the rules of docs/figures.md,
/// written here a second time.
fn figures_of(s: &State, day: NaiveDate) -> Vec<&'static str> {
    let mut out = vec!["total"];
    if s.due > s.original {
        out.push("extended");
    }
    if s.status == Status::Cancelled {
        out.push("cancelled");
        return out;
    }
    out.push("counted");
    if s.status.done() {
        out.push("completed");
        let counted = s.counted.unwrap();
        out.push(if counted > s.due {
            "completed_late"
        } else if counted > s.original {
            "completed_on_time_after_extension"
        } else {
            "completed_on_time"
        });
        if s.status == Status::ReportedDone {
            out.push("awaiting_confirmation");
        }
        return out;
    }
    out.push("open");
    out.push(if s.status == Status::NotStarted {
        "not_started"
    } else {
        "in_progress"
    });
    let left = (s.due - day).num_days();
    if left < 0 {
        out.push("overdue");
        for (limit, name) in [
            (30, "overdue_over_30_days"),
            (60, "overdue_over_60_days"),
            (120, "overdue_over_120_days"),
        ] {
            if -left > limit {
                out.push(name);
            }
        }
    } else if left <= SOON {
        out.push("due_soon");
    } else {
        out.push("on_track");
    }
    out
}

const FIGURES: [&str; 18] = [
    "total",
    "counted",
    "cancelled",
    "completed",
    "completed_on_time",
    "completed_on_time_after_extension",
    "completed_late",
    "awaiting_confirmation",
    "open",
    "not_started",
    "in_progress",
    "overdue",
    "overdue_over_30_days",
    "overdue_over_60_days",
    "overdue_over_120_days",
    "due_soon",
    "on_track",
    "extended",
];

struct World<'a> {
    app: &'a TestApp,
    hand: &'a ManualClock,
    rng: Rng,
    leader: String,
    staff: BTreeMap<&'static str, String>,
    tasks: Vec<Task>,
    /// Reminder documents: issue day and the tasks they remind.
    documents: Vec<(NaiveDate, Vec<i64>)>,
    now: DateTime<Utc>,
    /// Reports sent so far: each states a new result (a report must).
    reports: u64,
}

fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive()
}

impl World<'_> {
    fn today(&self) -> NaiveDate {
        day_of(self.now)
    }

    /// Moves on by 0–3 days (to 08:00 in Vietnam), or a few minutes.
    fn tick(&mut self) {
        let days = self.rng.below(4) as i64;
        self.now = if days == 0 {
            self.now + Duration::minutes(7)
        } else {
            let day = self.today() + Duration::days(days);
            Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap())
        };
        self.hand.set(self.now);
    }

    async fn patch(&self, id: i64, token: &str, body: Value) -> StatusCode {
        self.app
            .patch(&format!("/api/v1/tasks/{id}"), Some(token), body)
            .await
            .status()
    }

    async fn act(&mut self) {
        let i = self.rng.below(self.tasks.len() as u64) as usize;
        let today = self.today();
        let task = self.tasks[i].clone();
        let s = task.now().clone();
        let staff = self.staff[task.department].clone();
        let leader = self.leader.clone();
        let id = task.id;
        let roll = self.rng.below(100);
        let mut next = s.clone();
        match s.status {
            Status::NotStarted | Status::InProgress if roll < 30 => {
                let p = 10 + 10 * self.rng.below(9) as i64;
                assert_eq!(
                    self.patch(id, &staff, json!({"progress": p})).await,
                    StatusCode::OK
                );
                next.progress = p;
                if s.status == Status::NotStarted {
                    next.status = Status::InProgress;
                }
            }
            Status::NotStarted | Status::InProgress if roll < 55 => {
                // A report, sometimes saying the work ended earlier.
                let span = (today - task.created).num_days();
                let declared = (span > 0 && self.rng.chance(50))
                    .then(|| task.created + Duration::days(self.rng.below(span as u64) as i64));
                self.reports += 1;
                let result = format!("Đã hoàn thành (báo cáo số {})", self.reports);
                let mut body = json!({"status": "reported_done", "result_note": result});
                if let Some(d) = declared {
                    body["completed_on"] = json!(d.to_string());
                }
                assert_eq!(self.patch(id, &staff, body).await, StatusCode::OK);
                next.status = Status::ReportedDone;
                next.progress = 100;
                next.counted = Some(today);
                next.declared = declared.filter(|d| *d < today);
            }
            Status::NotStarted | Status::InProgress if roll < 70 => {
                // A leader moves the deadline later: an extension.
                let due = s.due + Duration::days(5 + self.rng.below(40) as i64);
                assert_eq!(
                    self.patch(id, &leader, json!({"due_date": due.to_string()}))
                        .await,
                    StatusCode::OK
                );
                next.due = due;
            }
            Status::NotStarted | Status::InProgress if roll < 85 => {
                // Asked for by the department, decided by a leader.
                let wanted = s.due.max(today) + Duration::days(10 + self.rng.below(30) as i64);
                let r = self
                    .app
                    .post(
                        &format!("/api/v1/tasks/{id}/extensions"),
                        Some(&staff),
                        json!({"requested_due_date": wanted.to_string(), "reason": "Chờ hồ sơ"}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::CREATED);
                let request = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                let approve = self.rng.chance(70);
                let r = self
                    .app
                    .post(
                        &format!("/api/v1/extensions/{request}/decision"),
                        Some(&leader),
                        json!({"approve": approve, "note": "Ý kiến lãnh đạo"}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::OK);
                if approve {
                    next.due = wanted;
                }
            }
            Status::NotStarted | Status::InProgress => {
                assert_eq!(
                    self.patch(
                        id,
                        &leader,
                        json!({"status": "cancelled", "note": "Điều chỉnh"})
                    )
                    .await,
                    StatusCode::OK
                );
                next.status = Status::Cancelled;
            }
            Status::ReportedDone if roll < 60 => {
                let accept_day = s.declared.is_some() && self.rng.chance(50);
                let r = self
                    .app
                    .post(
                        &format!("/api/v1/tasks/{id}/confirm"),
                        Some(&leader),
                        json!({"accept": true, "accept_completed_on": accept_day, "note": "Đồng ý"}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::OK);
                next.status = Status::Completed;
                if accept_day {
                    next.counted = s.declared;
                }
            }
            Status::ReportedDone if roll < 80 => {
                let r = self
                    .app
                    .post(
                        &format!("/api/v1/tasks/{id}/confirm"),
                        Some(&leader),
                        json!({"accept": false, "note": "Chưa đạt"}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::OK);
                next.status = Status::InProgress;
                next.counted = None;
                next.declared = None;
            }
            Status::ReportedDone | Status::Completed if roll < 90 => {
                // The deadline of a reported task does not move.
                let due = s.due + Duration::days(30);
                assert_eq!(
                    self.patch(id, &leader, json!({"due_date": due.to_string()}))
                        .await,
                    StatusCode::CONFLICT
                );
                return;
            }
            Status::Completed | Status::Cancelled if roll < 95 => {
                assert_eq!(
                    self.patch(
                        id,
                        &leader,
                        json!({"status": "in_progress", "note": "Mở lại để bổ sung"})
                    )
                    .await,
                    StatusCode::OK
                );
                next.status = Status::InProgress;
                next.counted = None;
                next.declared = None;
            }
            _ => {
                // A reminder document about one to three tasks.
                let mut ids = BTreeSet::from([id]);
                for _ in 0..self.rng.below(3) {
                    ids.insert(self.tasks[self.rng.below(self.tasks.len() as u64) as usize].id);
                }
                let number = format!("{}/UBND-VP", 100 + self.documents.len());
                let links: Vec<Value> = ids
                    .iter()
                    .map(|t| json!({"task_id": t, "relation": "reminds"}))
                    .collect();
                let r = self
                    .app
                    .post(
                        "/api/v1/documents",
                        Some(&leader),
                        json!({"number": number, "kind": "official_letter", "title": "V/v đôn đốc",
                               "issued_on": today.to_string(), "signer": "Chủ tịch", "links": links}),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::CREATED);
                self.documents.push((today, ids.into_iter().collect()));
                return;
            }
        }
        self.tasks[i].set(today, next);
    }

    /// The model's figures of the tasks of `scope` on `day`.
    fn model(
        &self,
        day: NaiveDate,
        scope: impl Fn(&Task, &State) -> bool,
    ) -> BTreeMap<&'static str, i64> {
        let mut out: BTreeMap<&'static str, i64> = FIGURES.iter().map(|f| (*f, 0)).collect();
        for t in &self.tasks {
            if let Some(s) = t.on(day).filter(|s| scope(t, s)) {
                for f in figures_of(s, day) {
                    *out.entry(f).or_default() += 1;
                }
            }
        }
        out
    }

    /// Reminder documents issued in 2027 by `day` about tasks in scope.
    fn documents(&self, day: NaiveDate, scope: impl Fn(&Task) -> bool) -> i64 {
        self.documents
            .iter()
            .filter(|(issued, ids)| {
                *issued <= day
                    && ids.iter().any(|id| {
                        self.tasks
                            .iter()
                            .any(|t| t.id == *id && scope(t) && t.on(day).is_some())
                    })
            })
            .count() as i64
    }

    async fn get(&self, path: &str) -> Value {
        self.app.get_json(path, &self.leader).await
    }

    async fn check_day(&self, day: NaiveDate, label: &str) {
        let as_of = if day == self.today() {
            String::new()
        } else {
            format!("&as_of={day}")
        };
        // Statistics of the year, overall and per department.
        let stats = self.get(&format!("/api/v1/stats?year=2027{as_of}")).await;
        let want = self.model(day, |_, _| true);
        for f in FIGURES {
            assert_eq!(
                stats["overall"][f].as_i64(),
                Some(want[f]),
                "{label} {day}: stats {f}"
            );
        }
        assert_eq!(
            stats["overall"]["reminder_documents"].as_i64(),
            Some(self.documents(day, |_| true)),
            "{label} {day}: reminder documents"
        );
        for d in DEPARTMENTS {
            let want = self.model(day, |t, _| t.department == d);
            let row = stats["departments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["code"] == d);
            for f in FIGURES {
                let got = row.map_or(0, |r| r[f].as_i64().unwrap());
                assert_eq!(got, want[f], "{label} {day}: {d} {f}");
            }
        }
        // The overdue list of the day: the same tasks, as late as then.
        let overdue = self
            .get(&format!("/api/v1/overdue?year=2027&per_page=200{as_of}"))
            .await;
        let got: BTreeMap<i64, i64> = overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_i64().unwrap(),
                    t["days_overdue"].as_i64().unwrap(),
                )
            })
            .collect();
        let want: BTreeMap<i64, i64> = self
            .tasks
            .iter()
            .filter_map(|t| {
                let s = t.on(day)?;
                figures_of(s, day)
                    .contains(&"overdue")
                    .then(|| (t.id, (day - s.due).num_days()))
            })
            .collect();
        assert_eq!(got, want, "{label} {day}: overdue list");
        // The reviews: each quarter by original due date, and the year.
        for q in 1..=4u32 {
            let review = self
                .get(&format!("/api/v1/review?year=2027&quarter={q}&as_of={day}"))
                .await;
            let want = self.model(day, |_, s| (s.original.month0() / 3 + 1) == q);
            for f in FIGURES {
                assert_eq!(
                    review["overall"][f].as_i64(),
                    Some(want[f]),
                    "{label} {day}: Q{q} {f}"
                );
            }
        }
        // The lists behind the figures.
        for f in [
            "overdue",
            "completed_on_time_after_extension",
            "not_started",
            "due_soon",
        ] {
            let list = self
                .get(&format!(
                    "/api/v1/tasks?year=2027&figure={f}&per_page=200{as_of}"
                ))
                .await;
            assert_eq!(
                list["total"].as_i64(),
                Some(self.model(day, |_, _| true)[f]),
                "{label} {day}: list of {f}"
            );
        }
    }
}

/// Lives through a year of random work; returns the figures that were
/// non-zero on some checked day (so the test can tell it exercised them).
async fn live_a_year(app: &TestApp, hand: &ManualClock, seed: u64) -> BTreeSet<&'static str> {
    let start = Utc.with_ymd_and_hms(2027, 1, 4, 1, 0, 0).unwrap();
    hand.set(start);
    let mut staff = BTreeMap::new();
    for d in DEPARTMENTS {
        staff.insert(d, app.login(&staff_of(d)).await);
    }
    let mut world = World {
        app,
        hand,
        rng: Rng(seed),
        leader: app.login("chutich").await,
        staff,
        tasks: Vec::new(),
        documents: Vec::new(),
        now: start,
        reports: 0,
    };
    for n in 0..20 {
        let department = DEPARTMENTS[n % DEPARTMENTS.len()];
        let due = NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()
            + Duration::days(world.rng.below(200) as i64);
        let r = app
            .post(
                "/api/v1/tasks",
                Some(&world.leader),
                json!({"year": 2027, "code": format!("M-{n:02}"), "title": format!("Nhiệm vụ {n}"),
                       "field": "finance", "lead_department": department, "due_date": due.to_string()}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let mut states = BTreeMap::new();
        states.insert(
            world.today(),
            State {
                status: Status::NotStarted,
                progress: 0,
                due,
                original: due,
                counted: None,
                declared: None,
            },
        );
        world.tasks.push(Task {
            id,
            department,
            created: world.today(),
            states,
        });
    }
    let mut snapshot: Option<(i64, NaiveDate, BTreeMap<&'static str, i64>)> = None;
    for step in 0..160 {
        world.tick();
        world.act().await;
        if step % 40 == 39 {
            // Now, as it stands, agrees with the model too.
            world.check_day(world.today(), "now").await;
        }
        if step == 80 {
            let r = app
                .post(
                    "/api/v1/snapshots",
                    Some(&world.leader),
                    json!({"title": "Giao ban", "year": 2027}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
            let today = world.today();
            snapshot = Some((id, today, world.model(today, |_, _| true)));
        }
    }
    // Afterwards: every earlier day, as it was.
    let today = world.today();
    let start_day = day_of(start);
    let span = (today - start_day).num_days();
    let mut seen = BTreeSet::new();
    for k in 1..=6 {
        let day = start_day + Duration::days(span * k / 6);
        world.check_day(day, "past").await;
        for (f, n) in world.model(day, |_, _| true) {
            if n > 0 {
                seen.insert(f);
            }
        }
    }
    world.check_day(today, "today").await;
    if let Some((id, _, want)) = snapshot {
        let frozen = world.get(&format!("/api/v1/snapshots/{id}")).await;
        for f in FIGURES {
            assert_eq!(
                frozen["figures"]["overall"][f].as_i64(),
                Some(want[f]),
                "snapshot {f}"
            );
        }
        // Its figures open the tasks as they were at that moment.
        let list = world
            .get(&format!(
                "/api/v1/tasks?{}&figure=overdue&per_page=200",
                frozen["tasks_query"].as_str().unwrap()
            ))
            .await;
        assert_eq!(list["total"].as_i64(), Some(want["overdue"]));
    }
    // The exports of a past review are there.
    for path in [
        "/api/v1/review.docx?year=2027&quarter=1",
        "/api/v1/review.xlsx?year=2027&quarter=1",
        "/api/v1/tasks/export.xlsx?year=2027&figure=overdue&as_of=2027-03-31",
    ] {
        let r = app
            .request(reqwest::Method::GET, path, Some(&world.leader), None)
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(r.bytes().await.unwrap().starts_with(b"PK"), "{path}");
    }
    seen
}

#[tokio::test]
async fn figures_agree_with_a_reference_model_on_every_day() {
    let mut seen = BTreeSet::new();
    for seed in [0x5eed_0001_u64, 0x5eed_0002, 0x5eed_0003] {
        for (app, hand) in spawn_clocked(Utc.with_ymd_and_hms(2027, 1, 4, 1, 0, 0).unwrap()).await {
            seen.extend(live_a_year(&app, &hand, seed).await);
        }
    }
    // The runs went through every figure (else the comparison proves little).
    for f in FIGURES {
        assert!(seen.contains(f), "no checked day had any {f}");
    }
}
