//! Layered configuration: the compiled-in `config/default.toml`, then the
//! same file on disk (if present), then `config/$DONDOC_ENV.toml`, then any
//! `--config FILE`, then `DONDOC__SECTION__KEY` environment variables.
//! Unknown keys and bad values stop start-up with a message naming the key.

use std::{fmt, path::PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use crate::error::Result;

mod load;
mod validate;

pub use load::ConfigSources;

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub clock: ClockSettings,
    pub organization: OrganizationSettings,
    pub policy: PolicySettings,
    pub calendar: CalendarSettings,
    pub demo: DemoSettings,
    pub auth: AuthSettings,
    pub scheduler: SchedulerSettings,
    pub mail: MailSettings,
    pub log: LogSettings,
    pub letters: LetterSettings,
    pub figures: FiguresSettings,
    pub attachments: AttachmentSettings,
}

/// Where attached files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentStorage {
    /// Files on disk with SQLite, in the database with PostgreSQL.
    Auto,
    /// Files in a folder (`attachments.dir`), named by their SHA-256.
    Disk,
    /// Files in the database (`attachment_blobs`), shared by every instance.
    Database,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSettings {
    /// Largest attached file, in bytes.
    pub max_bytes: u64,
    pub storage: AttachmentStorage,
    /// The folder of files kept on disk; empty = `attachments/` beside the
    /// SQLite database.
    pub dir: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresSettings {
    /// Keep today's facts of every task in memory (32 bytes a task), so
    /// figures and the lists behind them cost what they show; `false` reads
    /// the database for each.
    pub in_memory: bool,
    /// How often, in milliseconds, to look for changes other instances made
    /// (this instance's own are seen at once).
    pub refresh_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// The address users reach the product at; links in emails point here.
    pub public_url: String,
    /// Largest accepted request body, in kilobytes (imports have their own limit).
    pub body_limit_kb: usize,
    /// Largest accepted import file, in kilobytes.
    pub upload_limit_kb: usize,
    /// Worker threads; 0 = one per core.
    pub workers: usize,
    /// How long an authenticated token is trusted without asking the
    /// database again, in milliseconds; 0 = ask on every request. A token
    /// revoked through another instance stops working within this time.
    pub auth_trust_ms: u64,
    /// How long an identical read of the overdue lists may be answered from
    /// memory while no task or document changed, in milliseconds; 0 = never.
    pub read_cache_ms: u64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`.
    pub url: String,
    /// Pool size; 0 = chosen from the number of cores.
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// SQLite: how long a writer waits for the lock before giving up.
    pub busy_timeout_ms: u64,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

/// Hides the password of a `scheme://user:password@host/…` URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    /// Pins *today* (`YYYY-MM-DD`); empty or absent = the real date.
    #[serde(default, deserialize_with = "optional_date")]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSettings {
    pub name: String,
    /// Place name used in letters ("Bắc Tân Uyên, ngày … tháng … năm …").
    pub place: String,
    #[serde(deserialize_with = "time_zone")]
    pub timezone: Tz,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// A task not done whose due date is this many days away or fewer is "due soon".
    pub due_soon_days: u32,
    /// Overdue this many days or more → escalated to the leader in charge.
    pub escalate_after_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// Public holidays (`YYYY-MM-DD`); no digests go out on them or at weekends.
    #[serde(deserialize_with = "date_list")]
    pub holidays: Vec<NaiveDate>,
    /// Compensatory working days (ngày làm bù, `YYYY-MM-DD`): a Saturday or
    /// Sunday worked in exchange for a day off; digests go out on them.
    #[serde(deserialize_with = "date_list")]
    pub working_days: Vec<NaiveDate>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    /// Seed the demo programme on first start when the database is empty.
    pub enabled: bool,
    #[serde(deserialize_with = "string_like")]
    pub admin_password: String,
    #[serde(deserialize_with = "string_like")]
    pub leader_password: String,
    #[serde(deserialize_with = "string_like")]
    pub staff_password: String,
}

impl fmt::Debug for DemoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoSettings")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Lifetime of an API bearer token, in hours.
    pub token_ttl_hours: u32,
    /// Lifetime of a browser session, in hours.
    pub session_ttl_hours: u32,
    /// Failed logins allowed per account (and per address) per window.
    pub max_failed_logins: u32,
    pub failed_login_window_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// Run the scheduler inside `dondoc serve`.
    pub enabled: bool,
    /// How often every instance looks for due occurrences and deliverable mail.
    pub tick_seconds: u64,
    /// Missed occurrences older than this are recorded as skipped, not run.
    pub max_catchup_hours: u64,
    pub jobs: JobSchedules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSchedules {
    pub department_digest: String,
    pub escalation: String,
    pub leader_digest: String,
    pub deliver: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Smtp,
    File,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// Sender, e.g. `dondoc <dondoc@example.gov.vn>`.
    pub from: String,
    /// Where the `file` transport writes `.eml` files.
    pub file_dir: PathBuf,
    /// `Reply-To` of every notice (an office mailbox a person reads); empty:
    /// none, replies go to `from`.
    pub reply_to: String,
    /// The domain after `@` in every `Message-ID` (empty: the domain of
    /// `from`), e.g. the public host name, so that threads and spam filters
    /// see a domain the organisation owns.
    #[serde(default)]
    pub message_id_domain: String,
    /// No message is ever built larger than this (bytes, as sent): a digest
    /// that would be larger shows its oldest tasks and says how many more
    /// there are. Default 2 MB, well under the 10 MB most servers accept.
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
    pub smtp: SmtpSettings,
    pub delivery: DeliverySettings,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    #[serde(deserialize_with = "string_like")]
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    #[serde(deserialize_with = "string_like")]
    pub username: String,
    #[serde(deserialize_with = "string_like")]
    pub password: String,
    pub pool_size: u32,
    pub timeout_secs: u64,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// How many notifications one claim takes.
    pub batch_size: u32,
    /// How long a claim is held before another worker may take it over.
    pub lease_seconds: u64,
    /// A notification still undelivered after this long is marked failed.
    pub max_age_hours: u64,
    /// First retry delay; doubles each attempt up to `max_backoff_secs`.
    pub base_backoff_secs: u64,
    pub max_backoff_secs: u64,
    /// After a configuration failure (bad credentials, TLS), pause this long.
    pub pause_on_config_error_secs: u64,
    /// Whole-message refusals of the same kind (code and enhanced status) in
    /// a row after which the server, not the mailboxes, is taken to refuse:
    /// delivery pauses and the streak's notifications go back in the queue.
    pub refusals_before_pause: u32,
    /// Messages sent at the same time, each on its own SMTP connection
    /// (`mail.smtp.pool_size` keeps at least this many open).
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
}

fn default_concurrency() -> u32 {
    4
}

/// The drafted reminder letter (công văn đôn đốc) and the review's wording.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterSettings {
    /// Issuing body in full, upper left of the header, one entry per line
    /// (["ỦY BAN NHÂN DÂN", "HUYỆN BẮC TÂN UYÊN"]); a single string is one
    /// line (or several, split at line breaks). The first line is the body's
    /// name in the head's signature block ("TM. ỦY BAN NHÂN DÂN").
    #[serde(deserialize_with = "lines")]
    pub issuing_body: Vec<String>,
    /// How the issuing body names itself in running text ("UBND huyện").
    pub short_name: String,
    /// After the slash of the number: `Số: …/UBND-VP`.
    pub number_suffix: String,
    /// Subject line after "V/v " ({year} = programme year).
    pub subject: String,
    /// Opening paragraph ({year}, {department}).
    pub opening: String,
    /// Request to report back ({department}, {report_back_date}).
    pub request: String,
    /// Report back this many days after the letter's date.
    pub report_back_days: u32,
    /// The head's title ("CHỦ TỊCH"): a leader whose position starts with it
    /// signs "TM. <body> / <head_title>"; others sign "KT. <head_title> /
    /// <deputy_title>".
    #[serde(default = "default_head_title")]
    pub head_title: String,
    /// A deputy's title ("PHÓ CHỦ TỊCH").
    #[serde(default = "default_deputy_title")]
    pub deputy_title: String,
    /// The block used when no leader account can sign (no leaders yet).
    pub signer_authority: String,
    pub signer_deputy: String,
    pub signer_title: String,
    pub signer_name: String,
    /// Lines of "Nơi nhận:" ({department}).
    pub copies_to: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter, e.g. `info,sqlx=warn`.
    pub filter: String,
    /// `text` or `json`.
    pub format: String,
}

fn default_head_title() -> String {
    "CHỦ TỊCH".into()
}

fn default_deputy_title() -> String {
    "PHÓ CHỦ TỊCH".into()
}

/// A list of lines, or one string (split at its line breaks).
fn lines<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let all = match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(text) => text.lines().map(str::to_string).collect(),
        OneOrMany::Many(lines) => lines,
    };
    Ok(all
        .into_iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// Accepts a number or boolean where text is expected: an environment
/// variable such as `DONDOC__MAIL__SMTP__PASSWORD=123456` arrives as a number.
fn string_like<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Signed(i64),
        Unsigned(u64),
        Float(f64),
        Bool(bool),
    }
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Text(text) => text,
        Scalar::Signed(n) => n.to_string(),
        Scalar::Unsigned(n) => n.to_string(),
        Scalar::Float(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
    })
}

fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let raw = Option::<String>::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                serde::de::Error::custom(format!("`{text}` is not a date in the form YYYY-MM-DD"))
            }),
    }
}

fn date_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<NaiveDate>, D::Error> {
    let raw = Vec::<String>::deserialize(deserializer)?;
    raw.iter()
        .map(|text| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                serde::de::Error::custom(format!("`{text}` is not a date in the form YYYY-MM-DD"))
            })
        })
        .collect()
}

fn time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
    let raw = String::deserialize(deserializer)?;
    raw.trim().parse::<Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{raw}` is not an IANA time zone such as Asia/Ho_Chi_Minh"
        ))
    })
}

fn default_max_message_bytes() -> usize {
    2_000_000
}

impl MailSettings {
    /// The domain of every `Message-ID`: `message_id_domain`, else the
    /// domain of `from`.
    pub fn message_id_domain(&self) -> String {
        let configured = self.message_id_domain.trim();
        if !configured.is_empty() {
            return configured.trim_matches(['<', '>', '@']).to_string();
        }
        self.from
            .rsplit_once('@')
            .map(|(_, d)| d.trim().trim_end_matches('>').trim().to_string())
            .unwrap_or_default()
    }
}

impl Settings {
    pub fn public_url(&self) -> &str {
        self.server.public_url.trim_end_matches('/')
    }

    pub fn is_postgres(&self) -> bool {
        self.database.url.starts_with("postgres")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(overrides: &str) -> Result<Settings> {
        Settings::load(&ConfigSources {
            dir: Some(PathBuf::from("/nonexistent")),
            overrides: Some(overrides.to_string()),
            ..Default::default()
        })
    }

    #[test]
    fn defaults_load_and_validate() {
        let settings = Settings::defaults().unwrap();
        assert_eq!(settings.server.port, 8080);
        assert_eq!(settings.organization.timezone, chrono_tz::Asia::Ho_Chi_Minh);
        assert_eq!(settings.policy.due_soon_days, 7);
        assert!(settings.clock.today.is_none());
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = with("[server]\nprot = 1\n").unwrap_err().to_string();
        assert!(err.contains("server") && err.contains("prot"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_named() {
        let err = with("[server]\nport = \"eighty\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.port"), "{err}");
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        let err = with("[organization]\ntimezone = \"Mars/Olympus\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("organization.timezone") && err.contains("Mars/Olympus"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_database_url_is_named() {
        let err = with("[database]\nurl = \"mysql://x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");
    }

    #[test]
    fn clock_today_pins_the_date_and_empty_means_unset() {
        let settings = with("[clock]\ntoday = \"2021-12-02\"\n").unwrap();
        assert_eq!(settings.clock.today, NaiveDate::from_ymd_opt(2021, 12, 2));
        let settings = with("[clock]\ntoday = \"\"\n").unwrap();
        assert_eq!(settings.clock.today, None);
        let err = with("[clock]\ntoday = \"2021-02-30\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("clock.today"), "{err}");
    }

    #[test]
    fn letter_settings_have_defaults_and_are_validated() {
        let settings = Settings::defaults().unwrap();
        assert_eq!(settings.letters.report_back_days, 7);
        assert_eq!(settings.letters.signer_authority, "TM. ỦY BAN NHÂN DÂN");
        let err = with("[letters]\nreport_back_days = 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("letters.report_back_days"), "{err}");
        let err = with("[letters]\nopening = \"Thực hiện {programme}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("letters.opening") && err.contains("{programme}"),
            "{err}"
        );
        let err = with("[letters]\nsigner_title = \" \"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("letters.signer_title"), "{err}");
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://dondoc:s3cret@db.local:5432/dondoc"),
            "postgres://dondoc:***@db.local:5432/dondoc"
        );
        assert_eq!(
            redact_url("sqlite://data/dondoc.db"),
            "sqlite://data/dondoc.db"
        );
    }
}
