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

use std::{fmt::Write as _, time::Instant};

use chrono::{DateTime, Datelike, Days, NaiveDate, SecondsFormat, Utc};
use sea_orm::ConnectionTrait;

use dondoc_core::{
    Clock, Settings,
    accounts::passwords,
    db::{self, Db},
    domain::{fields::DEFAULT_FIELDS, text::fold},
    error::{Error, Result},
    org::programmes,
    tasks::history::action,
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

// ───────────────────────────── randomness ─────────────────────────────

/// SplitMix64: tiny, fast, and the same sequence on every platform and
/// every version of every crate (unlike a library's `StdRng`).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Exponentially distributed, with this mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

// ───────────────────────────── names ─────────────────────────────

const OFFICES: &[(&str, &str, &str)] = &[
    ("VP", "Văn phòng HĐND và UBND", "office"),
    ("TCKH", "Phòng Tài chính - Kế hoạch", "office"),
    ("TNMT", "Phòng Tài nguyên và Môi trường", "office"),
    (
        "NNPTNT",
        "Phòng Nông nghiệp và Phát triển nông thôn",
        "office",
    ),
    ("KTHT", "Phòng Kinh tế - Hạ tầng", "office"),
    ("NV", "Phòng Nội vụ", "office"),
    ("TP", "Phòng Tư pháp", "office"),
    ("GDDT", "Phòng Giáo dục và Đào tạo", "office"),
    ("VHTT", "Phòng Văn hóa - Thông tin", "office"),
    ("LDTBXH", "Phòng Lao động - Thương binh và Xã hội", "office"),
    ("YT", "Phòng Y tế", "office"),
    ("TTR", "Thanh tra", "office"),
    ("TTPTQD", "Trung tâm Phát triển quỹ đất", "agency"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng", "agency"),
    ("VPDKDD", "Chi nhánh Văn phòng Đăng ký đất đai", "agency"),
    ("BCHQS", "Ban Chỉ huy Quân sự", "agency"),
    ("CAH", "Công an", "agency"),
    ("CCT", "Chi cục Thuế", "agency"),
    ("BHXH", "Bảo hiểm xã hội", "agency"),
    ("TTYT", "Trung tâm Y tế", "agency"),
];

const PLACE_FIRST: &[&str] = &[
    "Tân",
    "Bình",
    "Phú",
    "Long",
    "An",
    "Hòa",
    "Thạnh",
    "Phước",
    "Vĩnh",
    "Mỹ",
    "Đông",
    "Tây",
    "Hiệp",
    "Thường",
    "Lạc",
    "Hưng",
];
const PLACE_SECOND: &[&str] = &[
    "Thành", "Mỹ", "Lập", "Định", "Hòa", "Lợi", "Phú", "An", "Thuận", "Hiệp", "Tiến", "Hưng",
    "Khánh", "Bình", "Lộc", "Cuốc",
];

const LEADERS: &[(&str, &str, &str)] = &[
    ("chutich", "Nguyễn Văn Chính", "Chủ tịch UBND"),
    ("pct.kinhte", "Trần Thị Kinh", "Phó Chủ tịch UBND (kinh tế)"),
    (
        "pct.vanhoa",
        "Lê Văn Hóa",
        "Phó Chủ tịch UBND (văn hóa - xã hội)",
    ),
    (
        "pct.quyhoach",
        "Phạm Quốc Hoạch",
        "Phó Chủ tịch UBND (quy hoạch)",
    ),
];

const VERBS: &[&str] = &[
    "Triển khai",
    "Hoàn thành",
    "Tổ chức thực hiện",
    "Rà soát, đánh giá",
    "Đôn đốc, kiểm tra",
    "Xây dựng kế hoạch",
    "Tham mưu ban hành",
    "Báo cáo kết quả",
];

fn objects(field: &str) -> &'static [&'static str] {
    match field {
        "agriculture" => &[
            "chương trình xây dựng nông thôn mới nâng cao",
            "chuyển đổi cơ cấu cây trồng",
            "tiêm phòng vắc xin cho đàn gia súc",
        ],
        "disaster" => &[
            "phương án phòng chống thiên tai mùa mưa bão",
            "diễn tập tìm kiếm cứu nạn",
        ],
        "water" => &[
            "dự án cấp nước sạch nông thôn",
            "nâng cấp trạm cấp nước tập trung",
        ],
        "industry" => &[
            "hạ tầng cụm công nghiệp",
            "xúc tiến thu hút đầu tư",
            "hỗ trợ doanh nghiệp tháo gỡ khó khăn",
        ],
        "trade" => &["chợ nông thôn", "chương trình bình ổn thị trường"],
        "environment" => &[
            "cấp giấy chứng nhận quyền sử dụng đất",
            "xử lý điểm tập kết rác thải",
            "kiểm tra khai thác khoáng sản",
        ],
        "planning_construction" => &[
            "quy hoạch chung đô thị",
            "nâng cấp, mở rộng đường giao thông",
            "kiểm tra trật tự xây dựng",
        ],
        "finance" => &[
            "thu ngân sách nhà nước",
            "giải ngân vốn đầu tư công",
            "quyết toán dự án hoàn thành",
        ],
        "site_clearance" => &[
            "bồi thường, giải phóng mặt bằng dự án",
            "tái định cư cho hộ dân bị ảnh hưởng",
        ],
        "culture_society" => &[
            "phong trào toàn dân đoàn kết xây dựng đời sống văn hóa",
            "kiên cố hóa trường lớp học",
            "chi trả trợ cấp xã hội",
        ],
        "internal_affairs" => &[
            "giải quyết đơn thư khiếu nại, tố cáo",
            "cải cách hành chính",
            "đảm bảo an ninh trật tự",
        ],
        _ => &[
            "chương trình công tác năm",
            "chuyển đổi số trong cơ quan nhà nước",
            "kết luận của Ban Thường vụ",
        ],
    }
}

/// Lead departments are not equally busy: weights fall off like 1/√rank.
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(n: usize, f: impl Fn(usize) -> f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += f(i);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

// ───────────────────────────── SQL text ─────────────────────────────

fn q(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

fn d(day: NaiveDate) -> String {
    format!("'{}'", day.format("%Y-%m-%d"))
}

fn od(day: Option<NaiveDate>) -> String {
    day.map(d).unwrap_or_else(|| "NULL".to_string())
}

fn oi(id: Option<i64>) -> String {
    id.map(|v| v.to_string())
        .unwrap_or_else(|| "NULL".to_string())
}

/// A timestamp as sqlx writes a `DateTime<Utc>` into SQLite (and
/// PostgreSQL reads the same text): 09:00 Vietnam time on `day`.
fn ts(day: NaiveDate) -> String {
    let at: DateTime<Utc> = day
        .and_hms_opt(2, 0, 0)
        .map(|n| n.and_utc())
        .unwrap_or_default();
    format!("'{}'", at.to_rfc3339_opts(SecondsFormat::AutoSi, false))
}

fn add_days(day: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        day.checked_add_days(Days::new(n as u64)).unwrap_or(day)
    } else {
        day.checked_sub_days(Days::new(n.unsigned_abs()))
            .unwrap_or(day)
    }
}

/// One table's multi-row INSERT under construction.
struct Insert {
    head: &'static str,
    sql: String,
    rows: u64,
}

impl Insert {
    fn new(head: &'static str) -> Self {
        Self {
            head,
            sql: String::new(),
            rows: 0,
        }
    }

    fn row(&mut self, values: std::fmt::Arguments<'_>) {
        if self.rows == 0 {
            self.sql.push_str(self.head);
            self.sql.push_str(" VALUES (");
        } else {
            self.sql.push_str(",(");
        }
        let _ = self.sql.write_fmt(values);
        self.sql.push(')');
        self.rows += 1;
    }

    fn take(&mut self) -> Option<String> {
        if self.rows == 0 {
            return None;
        }
        self.rows = 0;
        Some(std::mem::take(&mut self.sql))
    }
}

// ───────────────────────────── the generator ─────────────────────────────

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Overdue,
    DueSoon,
    OnTrack,
    OnTime,
    Late,
    Cancelled,
}

struct Plan {
    spec: SyntheticSpec,
    today: NaiveDate,
    first_day: NaiveDate,
    first_year: i32,
    due_soon_days: i64,
    /// Programme ids by year offset (id = offset + 1).
    assign_doc_date: Vec<NaiveDate>,
    admin_id: i64,
    leader_ids: Vec<i64>,
    /// Staff user id of department `i` (id i + 1).
    staff_base: i64,
    first_reminder_doc_id: i64,
    field_codes: Vec<&'static str>,
    department_names: Vec<String>,
}

enum Message {
    Sql(String),
    Commit,
}

struct OpenReminder {
    id: i64,
    number: u64,
    issued_on: NaiveDate,
    room: u32,
    /// The last task linked: a task is linked to a document once.
    last_task: i64,
}

struct Generator {
    plan: Plan,
    rng: Rng,
    leads: Weighted,
    fields: Weighted,
    counts: SyntheticCounts,
    next_task_id: i64,
    next_doc_id: i64,
    next_extension_id: i64,
    next_history_id: i64,
    /// Next task number per programme year offset.
    seq: Vec<u64>,
    pending_extensions: u32,
    reminder: Option<OpenReminder>,
    reminder_numbers: u64,
    tasks: Insert,
    documents: Insert,
    extensions: Insert,
    coordinators: Insert,
    links: Insert,
    history: Insert,
    states: Insert,
}

impl Generator {
    fn new(plan: Plan) -> Self {
        let departments = plan.spec.departments as usize;
        let fields = plan.field_codes.len();
        Self {
            rng: Rng::new(plan.spec.seed),
            leads: Weighted::new(departments, |i| 1.0 / ((i + 1) as f64).sqrt()),
            fields: Weighted::new(fields, |i| 1.0 + ((i * 7) % 5) as f64),
            counts: SyntheticCounts::default(),
            next_task_id: 1,
            next_doc_id: plan.first_reminder_doc_id,
            next_extension_id: 1,
            next_history_id: 1,
            seq: vec![0; plan.spec.years as usize],
            pending_extensions: 0,
            reminder: None,
            reminder_numbers: 0,
            tasks: Insert::new(
                "INSERT INTO tasks (id, programme_id, code, title, description, search_text, field_code, \
                 lead_department_id, leader_in_charge_id, source_document_id, due_date, original_due_date, \
                 status, progress, completed_on, reported_on, result_note, version, created_at, updated_at)",
            ),
            documents: Insert::new(
                "INSERT INTO documents (id, number, kind, title, issued_on, signer, created_by, created_at)",
            ),
            extensions: Insert::new(
                "INSERT INTO extension_requests (id, task_id, requested_by, previous_due_date, \
                 requested_due_date, reason, state, decided_by, decided_at, decision_note, created_at)",
            ),
            coordinators: Insert::new("INSERT INTO task_coordinators (task_id, department_id)"),
            links: Insert::new(
                "INSERT INTO document_tasks (document_id, task_id, relation, linked_at)",
            ),
            history: Insert::new(
                "INSERT INTO task_history (id, task_id, actor_id, at, action, field, old_value, new_value, note)",
            ),
            states: Insert::new(
                "INSERT INTO task_states (task_id, valid_from, valid_to, programme_id, lead_department_id, \
                 field_code, leader_in_charge_id, status, progress, due_date, original_due_date, \
                 reported_on, completed_on, declared_completed_on)",
            ),
            plan,
        }
    }

    fn history(
        &mut self,
        task_id: i64,
        actor: Option<i64>,
        on: NaiveDate,
        what: &str,
        change: Option<(&str, &str, &str)>,
        note: Option<&str>,
    ) {
        let id = self.next_history_id;
        self.next_history_id += 1;
        self.counts.history_entries += 1;
        let (field, old, new) = match change {
            Some((f, o, n)) => (q(f), q(o), q(n)),
            None => ("NULL".into(), "NULL".into(), "NULL".into()),
        };
        self.history.row(format_args!(
            "{id},{task_id},{},{},{},{field},{old},{new},{}",
            oi(actor),
            ts(on),
            q(what),
            note.map(q).unwrap_or_else(|| "NULL".into())
        ));
    }

    fn pick_kind(&mut self) -> Kind {
        let u = self.rng.unit();
        if u < 0.15 {
            Kind::Overdue
        } else if u < 0.18 {
            Kind::DueSoon
        } else if u < 0.30 {
            Kind::OnTrack
        } else if u < 0.82 {
            Kind::OnTime
        } else if u < 0.99 {
            Kind::Late
        } else {
            Kind::Cancelled
        }
    }

    fn overdue_age(&mut self) -> i64 {
        let u = self.rng.unit();
        if u < 0.55 {
            1 + self.rng.below(30) as i64
        } else if u < 0.80 {
            31 + self.rng.below(90) as i64
        } else {
            // The long tail: a few are years old.
            121 + self.rng.exp(200.0) as i64
        }
    }

    fn past_day(&mut self) -> NaiveDate {
        let span = (self.plan.today - self.plan.first_day).num_days().max(1);
        add_days(self.plan.first_day, self.rng.below(span as u64) as i64)
    }

    fn one_task(&mut self) {
        let p = &self.plan;
        let today = p.today;
        let id = self.next_task_id;
        self.next_task_id += 1;
        self.counts.tasks += 1;
        let kind = self.pick_kind();
        let due = match kind {
            Kind::Overdue => {
                let age = self.overdue_age();
                let day = add_days(today, -age);
                if day < self.plan.first_day {
                    add_days(self.plan.first_day, self.rng.below(30) as i64)
                        .min(add_days(today, -1))
                } else {
                    day
                }
            }
            Kind::DueSoon => add_days(
                today,
                self.rng.below(self.plan.due_soon_days as u64 + 1) as i64,
            ),
            Kind::OnTrack => add_days(
                today,
                self.plan.due_soon_days + 1 + self.rng.below(200) as i64,
            ),
            Kind::OnTime => {
                if self.rng.chance(0.1) {
                    add_days(today, 1 + self.rng.below(60) as i64)
                } else {
                    self.past_day()
                }
            }
            Kind::Late => add_days(self.past_day(), -2).max(self.plan.first_day),
            Kind::Cancelled => self.past_day(),
        };
        let p = &self.plan;
        let year_offset = (due.year() - p.first_year).clamp(0, p.spec.years as i32 - 1) as usize;
        let programme_id = year_offset as i64 + 1;
        let assigned_on = p.assign_doc_date[year_offset].min(due).min(today);
        self.seq[year_offset] += 1;
        let code = format!(
            "NV-{}-{:06}",
            p.first_year + year_offset as i32,
            self.seq[year_offset]
        );
        let lead_index = self.leads.pick(&mut self.rng);
        let lead = lead_index as i64 + 1;
        let staff_id = self.plan.staff_base + lead_index as i64;
        let staff = Some(staff_id);
        let field = self.plan.field_codes[self.fields.pick(&mut self.rng)];
        let leader = if self.rng.chance(0.7) {
            let i = self.rng.below(self.plan.leader_ids.len() as u64) as usize;
            self.plan.leader_ids.get(i).copied()
        } else {
            None
        };
        let verbs = VERBS[self.rng.below(VERBS.len() as u64) as usize];
        let objects = objects(field);
        let object = objects[self.rng.below(objects.len() as u64) as usize];
        let place = &self.plan.department_names
            [self.rng.below(self.plan.department_names.len() as u64) as usize];
        let title = format!("{verbs} {object} ({place})");
        let description = if self.rng.chance(0.25) {
            format!("Theo chỉ đạo tại văn bản giao nhiệm vụ; {object} đúng tiến độ, chất lượng.")
        } else {
            String::new()
        };
        let admin = Some(self.plan.admin_id);

        // Status, completion and an approved extension where it fits.
        let extended = matches!(kind, Kind::Overdue | Kind::OnTime) && self.rng.chance(0.04);
        let original_due = if extended {
            add_days(due, -(15 + self.rng.below(45) as i64))
        } else {
            due
        };
        let awaiting = matches!(kind, Kind::OnTime | Kind::Late) && self.rng.chance(0.03);
        let (status, progress, completed_on) = match kind {
            Kind::Overdue | Kind::DueSoon | Kind::OnTrack => {
                if self.rng.chance(0.25) {
                    ("not_started", 0, None)
                } else {
                    ("in_progress", 10 + 10 * self.rng.below(9) as i32, None)
                }
            }
            Kind::OnTime => {
                let early = self.rng.below(30) as i64;
                let mut done = add_days(due, -early);
                if done > today {
                    // Due later, done already: some time in the past weeks.
                    done = add_days(today, -(self.rng.below(40) as i64));
                }
                let done = done.max(assigned_on).min(due).min(today);
                (
                    if awaiting {
                        "reported_done"
                    } else {
                        "completed"
                    },
                    100,
                    Some(done),
                )
            }
            Kind::Late => {
                // Done between a day after the due date and yesterday.
                let room = (today - due).num_days().max(1);
                let mut late = 1 + self.rng.exp(20.0) as i64;
                if late >= room {
                    late = 1 + self.rng.below(room as u64) as i64;
                }
                let done = add_days(due, late).min(today);
                (
                    if awaiting {
                        "reported_done"
                    } else {
                        "completed"
                    },
                    100,
                    Some(done),
                )
            }
            Kind::Cancelled => ("cancelled", 0, None),
        };
        match kind {
            Kind::Overdue => {
                self.counts.overdue += 1;
                let age = (today - due).num_days();
                if age > 30 {
                    self.counts.overdue_over_30_days += 1;
                }
                if age > 120 {
                    self.counts.overdue_over_120_days += 1;
                }
            }
            Kind::DueSoon => self.counts.due_soon += 1,
            Kind::OnTrack => self.counts.on_track += 1,
            Kind::OnTime => self.counts.completed_on_time += 1,
            Kind::Late => self.counts.completed_late += 1,
            Kind::Cancelled => self.counts.cancelled += 1,
        }
        if awaiting {
            self.counts.awaiting_confirmation += 1;
        }
        let result_note = completed_on.map(|_| "Đã hoàn thành, có báo cáo kết quả kèm theo.");
        let last_event = completed_on.unwrap_or(assigned_on).max(assigned_on);
        let search_text = fold(&format!("{code} {title}"));
        let source_doc = programme_id; // the year's assigning document
        self.tasks.row(format_args!(
            "{id},{programme_id},{},{},{},{},{},{lead},{},{source_doc},{},{},{},{progress},{},{},{},1,{},{}",
            q(&code),
            q(&title),
            q(&description),
            q(&search_text),
            q(field),
            oi(leader),
            d(due),
            d(original_due),
            q(status),
            od(completed_on),
            od(completed_on),
            result_note.map(q).unwrap_or_else(|| "NULL".into()),
            ts(assigned_on),
            ts(last_event),
        ));
        self.links.row(format_args!(
            "{source_doc},{id},'assigns',{}",
            ts(assigned_on)
        ));
        // The task's state history: assigned, extended, started, reported,
        // confirmed — on the days the history below records.
        let mut events: Vec<(NaiveDate, &str, i32, NaiveDate, Option<NaiveDate>)> = vec![(
            assigned_on,
            if status == "cancelled" {
                "cancelled"
            } else {
                "not_started"
            },
            0,
            original_due,
            None,
        )];
        self.history(
            id,
            admin,
            assigned_on,
            action::CREATED,
            None,
            Some("Giao nhiệm vụ theo chương trình công tác năm"),
        );

        // Coordinating departments on about a third of the tasks.
        let departments = self.plan.spec.departments as u64;
        if departments > 1 && self.rng.chance(0.3) {
            let first = (lead_index as u64 + 1 + self.rng.below(departments - 1)) % departments;
            self.coordinators.row(format_args!("{id},{}", first + 1));
            self.counts.coordinator_links += 1;
            if departments > 2 && self.rng.chance(0.4) {
                let mut second = (first + 1 + self.rng.below(departments - 1)) % departments;
                if second == lead_index as u64 {
                    second = (second + 1) % departments;
                }
                if second != first && second != lead_index as u64 {
                    self.coordinators.row(format_args!("{id},{}", second + 1));
                    self.counts.coordinator_links += 1;
                }
            }
        }

        if extended {
            let ext = self.next_extension_id;
            self.next_extension_id += 1;
            self.counts.extensions += 1;
            let decided = add_days(original_due, -3).max(assigned_on);
            self.extensions.row(format_args!(
                "{ext},{id},{},{},{},{},'approved',{},{},{},{}",
                staff_id,
                d(original_due),
                d(due),
                q("Cần thêm thời gian để hoàn thiện hồ sơ, thủ tục theo quy định."),
                leader.unwrap_or(self.plan.admin_id),
                ts(decided),
                q("Đồng ý gia hạn."),
                ts(decided),
            ));
            let (o, n) = (original_due.to_string(), due.to_string());
            self.history(
                id,
                leader.or(admin),
                decided,
                action::EXTENSION_APPROVED,
                Some(("due_date", &o, &n)),
                Some("Đồng ý gia hạn"),
            );
            events.push((decided, "", -1, due, None));
        } else if kind == Kind::Overdue && self.pending_extensions < 20 && self.rng.chance(0.002) {
            // A handful of requests waiting for a leader's decision.
            let ext = self.next_extension_id;
            self.next_extension_id += 1;
            self.pending_extensions += 1;
            let requested = add_days(today, 30);
            self.extensions.row(format_args!(
                "{ext},{id},{},{},{},{},'pending',NULL,NULL,NULL,{}",
                staff_id,
                d(due),
                d(requested),
                q("Vướng mắc hồ sơ pháp lý; đề nghị gia hạn để hoàn thành."),
                ts(add_days(today, -1)),
            ));
            let (o, n) = (due.to_string(), requested.to_string());
            self.history(
                id,
                staff,
                add_days(today, -1),
                action::EXTENSION_REQUESTED,
                Some(("due_date", &o, &n)),
                None,
            );
        }

        if status == "in_progress" {
            let pr = progress.to_string();
            let started = assigned_on.max(add_days(due.min(today), -20));
            self.history(
                id,
                staff,
                started,
                action::UPDATED,
                Some(("progress", "0", &pr)),
                None,
            );
            events.push((started, "in_progress", progress, due, None));
        }
        if let Some(done) = completed_on {
            self.history(
                id,
                staff,
                done,
                action::REPORTED_DONE,
                Some(("status", "in_progress", "reported_done")),
                Some("Báo cáo hoàn thành"),
            );
            events.push((done, "reported_done", 100, due, Some(done)));
            if status == "completed" {
                let confirmed = add_days(done, self.rng.below(5) as i64).min(today);
                events.push((confirmed, "completed", 100, due, Some(done)));
                self.history(
                    id,
                    leader.or(admin),
                    confirmed,
                    action::CONFIRMED,
                    Some(("status", "reported_done", "completed")),
                    None,
                );
            }
        }
        if status == "cancelled" {
            self.history(
                id,
                leader.or(admin),
                assigned_on,
                action::CANCELLED,
                Some(("status", "not_started", "cancelled")),
                Some("Không còn phù hợp, dừng thực hiện"),
            );
        }

        self.states(id, programme_id, lead, field, leader, &mut events);

        // Reminder documents (văn bản đôn đốc) on late tasks.
        let reminders = match kind {
            Kind::Overdue => {
                let age = (today - due).num_days();
                if age > 14 && self.rng.chance(0.7) {
                    1 + u32::from(age > 60) + u32::from(age > 150)
                } else {
                    0
                }
            }
            Kind::Late if self.rng.chance(0.4) => 1,
            _ => 0,
        };
        for n in 0..reminders {
            let wanted = add_days(due, 7 + 30 * i64::from(n) + self.rng.below(7) as i64)
                .min(add_days(today, -1));
            let reuse = match &mut self.reminder {
                Some(open)
                    if open.room > 0
                        && open.last_task != id
                        && open.issued_on > due
                        && open.issued_on <= today =>
                {
                    open.room -= 1;
                    open.last_task = id;
                    Some((open.id, open.number, open.issued_on))
                }
                _ => None,
            };
            let (doc, number, issued_on) = match reuse {
                Some(found) => found,
                None => {
                    let doc = self.next_doc_id;
                    self.next_doc_id += 1;
                    self.reminder_numbers += 1;
                    self.counts.reminder_documents += 1;
                    let room = self.rng.below(5) as u32;
                    self.reminder = Some(OpenReminder {
                        id: doc,
                        number: self.reminder_numbers,
                        issued_on: wanted,
                        room,
                        last_task: id,
                    });
                    let signer = LEADERS[self.rng.below(LEADERS.len() as u64) as usize].1;
                    self.documents.row(format_args!(
                        "{doc},{},'official_letter',{},{},{},{},{}",
                        q(&format!("{}/UBND-VP", self.reminder_numbers)),
                        q("V/v đôn đốc thực hiện các nhiệm vụ chậm tiến độ"),
                        d(wanted),
                        q(signer),
                        self.plan.admin_id,
                        ts(wanted),
                    ));
                    (doc, self.reminder_numbers, wanted)
                }
            };
            self.counts.reminder_links += 1;
            self.links
                .row(format_args!("{doc},{id},'reminds',{}", ts(issued_on)));
            let note = format!(
                "Văn bản đôn đốc số {number}/UBND-VP ngày {}",
                issued_on.format("%d/%m/%Y")
            );
            self.history(
                id,
                admin,
                issued_on,
                action::DOCUMENT_LINKED,
                None,
                Some(&note),
            );
        }
    }

    /// Writes a task's states from its events: sorted by day, one state per
    /// day (the day's last), each valid until the next one begins. An
    /// event's status "" keeps the previous one, progress −1 likewise.
    fn states(
        &mut self,
        id: i64,
        programme_id: i64,
        lead: i64,
        field: &str,
        leader: Option<i64>,
        events: &mut [(NaiveDate, &str, i32, NaiveDate, Option<NaiveDate>)],
    ) {
        events.sort_by_key(|e| e.0);
        let mut states: Vec<(NaiveDate, String, i32, NaiveDate, Option<NaiveDate>)> = Vec::new();
        for (day, status, progress, due, done) in events.iter() {
            let (prev_status, prev_progress) = states
                .last()
                .map(|s| (s.1.clone(), s.2))
                .unwrap_or_default();
            let status = if status.is_empty() {
                prev_status
            } else {
                (*status).to_string()
            };
            let progress = if *progress < 0 {
                prev_progress
            } else {
                *progress
            };
            match states.last_mut() {
                Some(last) if last.0 == *day => *last = (*day, status, progress, *due, *done),
                _ => states.push((*day, status, progress, *due, *done)),
            }
        }
        let original = events.first().map(|e| e.3);
        for (i, (day, status, progress, due, done)) in states.iter().enumerate() {
            let until = states
                .get(i + 1)
                .map(|next| ts(next.0))
                .unwrap_or_else(|| "NULL".to_string());
            self.states.row(format_args!(
                "{id},{},{until},{programme_id},{lead},{},{},{},{progress},{},{},{},{},NULL",
                ts(*day),
                q(field),
                oi(leader),
                q(status),
                d(*due),
                d(original.unwrap_or(*due)),
                od(*done),
                od(*done),
            ));
        }
    }

    /// The statements of one batch, parents before children.
    fn batch(&mut self, n: u64) -> Vec<String> {
        for _ in 0..n {
            self.one_task();
        }
        [
            &mut self.tasks,
            &mut self.documents,
            &mut self.extensions,
            &mut self.coordinators,
            &mut self.links,
            &mut self.history,
            &mut self.states,
        ]
        .into_iter()
        .filter_map(Insert::take)
        .collect()
    }
}

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
