//! The jobs and their cron schedules, evaluated in the office's time zone.
//!
//! Expressions are the `cron` crate's: six or seven fields, **seconds
//! first** (`0 0 7 * * Mon-Fri`). Two traps are refused at start-up with a
//! message that names the job and shows the fixed form: a standard 5-field
//! crontab line, and day-of-week *numbers* (this syntax counts 1 = Sunday,
//! so `1-5` would silently mean Sunday–Thursday).

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use dondoc_core::{Settings, followup::reminders::DigestKind};

/// The scheduled jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    DepartmentDigest,
    Escalation,
    LeaderDigest,
    Deliver,
}

impl Job {
    pub const ALL: [Job; 4] = [
        Job::DepartmentDigest,
        Job::Escalation,
        Job::LeaderDigest,
        Job::Deliver,
    ];

    /// The name used on the command line, in logs and as `schedule_key`.
    pub fn name(self) -> &'static str {
        match self {
            Job::DepartmentDigest => "department-digest",
            Job::Escalation => "escalation",
            Job::LeaderDigest => "leader-digest",
            Job::Deliver => "deliver",
        }
    }

    /// The configuration key holding its expression.
    pub fn config_key(self) -> &'static str {
        match self {
            Job::DepartmentDigest => "scheduler.jobs.department_digest",
            Job::Escalation => "scheduler.jobs.escalation",
            Job::LeaderDigest => "scheduler.jobs.leader_digest",
            Job::Deliver => "scheduler.jobs.deliver",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Job::DepartmentDigest => {
                "thư nhắc mỗi đơn vị: quá hạn / đến hạn hôm nay / sắp đến hạn (department digest)"
            }
            Job::Escalation => "báo lãnh đạo phụ trách các nhiệm vụ quá hạn lâu (escalation)",
            Job::LeaderDigest => "tổng hợp tuần cho lãnh đạo (weekly leader digest)",
            Job::Deliver => "gửi thư đang chờ trong hàng đợi (deliver the outbox)",
        }
    }

    /// The digest a job enqueues (`None` for `deliver`).
    pub fn digest(self) -> Option<DigestKind> {
        match self {
            Job::DepartmentDigest => Some(DigestKind::DepartmentDigest),
            Job::Escalation => Some(DigestKind::Escalation),
            Job::LeaderDigest => Some(DigestKind::LeaderDigest),
            Job::Deliver => None,
        }
    }

    /// Accepts the job name (`department-digest`) or its config key form (`department_digest`).
    pub fn parse(text: &str) -> Option<Job> {
        let wanted = text.trim().replace('_', "-");
        Self::ALL.into_iter().find(|j| j.name() == wanted)
    }

    pub fn names() -> String {
        Self::ALL.map(Job::name).join(", ")
    }

    fn expression(self, settings: &Settings) -> &str {
        let jobs = &settings.scheduler.jobs;
        match self {
            Job::DepartmentDigest => &jobs.department_digest,
            Job::Escalation => &jobs.escalation,
            Job::LeaderDigest => &jobs.leader_digest,
            Job::Deliver => &jobs.deliver,
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A bad schedule, naming the job and its configuration key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad schedule for job `{job}` ({key} = \"{expression}\"): {reason}")]
pub struct ScheduleError {
    pub job: String,
    pub key: String,
    pub expression: String,
    pub reason: String,
}

/// One job's parsed schedule.
#[derive(Debug, Clone)]
pub struct JobSchedule {
    pub job: Job,
    pub expression: String,
    schedule: cron::Schedule,
}

impl JobSchedule {
    /// Occurrences strictly after `after`, in order.
    pub fn after(&self, after: DateTime<Utc>, tz: Tz) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        self.schedule
            .after(&after.with_timezone(&tz))
            .map(|at| at.with_timezone(&Utc))
    }

    /// The next `n` run times after `after`, in the office's time zone.
    pub fn next_runs(&self, after: DateTime<Utc>, tz: Tz, n: usize) -> Vec<DateTime<Tz>> {
        self.after(after, tz)
            .take(n)
            .map(|at| at.with_timezone(&tz))
            .collect()
    }

    /// Occurrences in `(after, until]`, at most `cap` (the most recent ones
    /// are kept when there are more), oldest first; and how many were dropped.
    pub fn between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: Tz,
        cap: usize,
    ) -> (Vec<DateTime<Utc>>, usize) {
        let mut out = std::collections::VecDeque::new();
        let mut dropped = 0usize;
        for at in self.after(after, tz) {
            if at > until {
                break;
            }
            if out.len() == cap {
                out.pop_front();
                dropped += 1;
            }
            out.push_back(at);
        }
        (out.into(), dropped)
    }
}

/// Every job's schedule, parsed once at start-up.
#[derive(Debug, Clone)]
pub struct Schedules {
    tz: Tz,
    jobs: Vec<JobSchedule>,
}

impl Schedules {
    /// Parses every job's expression; the first bad one stops start-up.
    pub fn from_settings(settings: &Settings) -> Result<Self, ScheduleError> {
        let jobs = Job::ALL
            .into_iter()
            .map(|job| {
                let expression = job.expression(settings).trim().to_string();
                let schedule = parse_expression(job, &expression)?;
                Ok(JobSchedule {
                    job,
                    expression,
                    schedule,
                })
            })
            .collect::<Result<Vec<_>, ScheduleError>>()?;
        Ok(Self {
            tz: settings.organization.timezone,
            jobs,
        })
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    pub fn get(&self, job: Job) -> &JobSchedule {
        // Every job is parsed in `from_settings`; `ALL` order is kept.
        let index = Job::ALL.iter().position(|j| *j == job).unwrap_or(0);
        &self.jobs[index]
    }

    pub fn iter(&self) -> impl Iterator<Item = &JobSchedule> {
        self.jobs.iter()
    }
}

/// Parses one job's expression, refusing the two classic mistakes with a
/// message that shows the fixed form.
pub fn parse_expression(job: Job, expression: &str) -> Result<cron::Schedule, ScheduleError> {
    let error = |reason: String| ScheduleError {
        job: job.name().to_string(),
        key: job.config_key().to_string(),
        expression: expression.to_string(),
        reason,
    };
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() == 5 {
        let mut fixed = vec!["0"];
        fixed.extend(&fields[..4]);
        let dow = crontab_days_to_names(fields[4]);
        let fixed = format!("{} {}", fixed.join(" "), dow);
        return Err(error(format!(
            "this is a 5-field crontab line; dondoc's expressions start with a seconds field. \
             Write \"{fixed}\" instead (day names, because in this syntax 1 = Sunday)"
        )));
    }
    if !(6..=7).contains(&fields.len()) {
        return Err(error(format!(
            "expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), found {}; \
             e.g. \"0 0 7 * * Mon-Fri\"",
            fields.len()
        )));
    }
    let dow = fields[5];
    if dow.chars().any(|c| c.is_ascii_digit()) && !dow.starts_with('*') && !dow.starts_with('?') {
        let mut fixed: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        fixed[5] = cron_days_to_names(dow);
        return Err(error(format!(
            "day-of-week numbers are ambiguous (this syntax counts 1 = Sunday, 2 = Monday, …); \
             use day names: \"{}\"",
            fixed.join(" ")
        )));
    }
    expression
        .parse::<cron::Schedule>()
        .map_err(|err| error(format!("{err}; e.g. \"0 0 7 * * Mon-Fri\"")))
}

const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Standard crontab day numbers (0 or 7 = Sunday, 1 = Monday) → names.
fn crontab_days_to_names(field: &str) -> String {
    map_day_numbers(field, |n| NAMES.get((n % 7) as usize).copied())
}

/// This syntax's day numbers (1 = Sunday … 7 = Saturday) → names.
fn cron_days_to_names(field: &str) -> String {
    map_day_numbers(field, |n| {
        n.checked_sub(1)
            .and_then(|i| NAMES.get(i as usize).copied())
    })
}

fn map_day_numbers(field: &str, name: impl Fn(u32) -> Option<&'static str>) -> String {
    let mut out = String::new();
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String| {
        if !number.is_empty() {
            match number.parse::<u32>().ok().and_then(&name) {
                Some(n) => out.push_str(n),
                None => out.push_str(number),
            }
            number.clear();
        }
    };
    let mut after_slash = false;
    for ch in field.chars() {
        if ch.is_ascii_digit() && !after_slash {
            number.push(ch);
        } else {
            flush(&mut number, &mut out);
            if ch == '/' {
                after_slash = true;
            } else if !ch.is_ascii_digit() {
                after_slash = false;
            }
            out.push(ch);
        }
    }
    flush(&mut number, &mut out);
    out
}

/// A `DateTime<Utc>` at a local wall-clock time (tests, examples).
pub fn local(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<DateTime<Utc>> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike, Weekday};
    use chrono_tz::Asia::Ho_Chi_Minh;

    #[test]
    fn weekday_mornings_over_2026_are_261_fires_all_at_midnight_utc() {
        let job = JobSchedule {
            job: Job::DepartmentDigest,
            expression: "0 0 7 * * Mon-Fri".into(),
            schedule: parse_expression(Job::DepartmentDigest, "0 0 7 * * Mon-Fri").unwrap(),
        };
        let start = local(Ho_Chi_Minh, 2026, 1, 1, 0, 0).unwrap() - chrono::Duration::seconds(1);
        let end = local(Ho_Chi_Minh, 2027, 1, 1, 0, 0).unwrap();
        let (fires, dropped) = job.between(start, end, Ho_Chi_Minh, 10_000);
        assert_eq!(dropped, 0);
        assert_eq!(fires.len(), 261);
        for at in &fires {
            assert_eq!((at.hour(), at.minute(), at.second()), (0, 0, 0), "{at}");
            let wd = at.with_timezone(&Ho_Chi_Minh).weekday();
            assert!(!matches!(wd, Weekday::Sat | Weekday::Sun), "{at}");
        }
    }

    #[test]
    fn next_three_after_a_friday_morning_are_the_next_monday_to_wednesday() {
        let s = parse_expression(Job::DepartmentDigest, "0 0 7 * * Mon-Fri").unwrap();
        let job = JobSchedule {
            job: Job::DepartmentDigest,
            expression: String::new(),
            schedule: s,
        };
        let after = local(Ho_Chi_Minh, 2026, 5, 15, 8, 0).unwrap();
        let next = job.next_runs(after, Ho_Chi_Minh, 3);
        let days: Vec<u32> = next.iter().map(|t| t.day()).collect();
        assert_eq!(days, vec![18, 19, 20]);
        assert!(next.iter().all(|t| t.hour() == 7));
    }

    #[test]
    fn a_five_field_crontab_line_is_refused_with_the_fixed_form() {
        let err = parse_expression(Job::Escalation, "15 7 * * 1-5").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`escalation`"), "{text}");
        assert!(text.contains("scheduler.jobs.escalation"), "{text}");
        assert!(text.contains("\"0 15 7 * * Mon-Fri\""), "{text}");
    }

    #[test]
    fn day_numbers_are_refused_with_names_suggested() {
        let err = parse_expression(Job::LeaderDigest, "0 30 7 * * 2")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"0 30 7 * * Mon\""), "{err}");
        let err = parse_expression(Job::DepartmentDigest, "0 0 7 * * 2-6")
            .unwrap_err()
            .to_string();
        assert!(err.contains("Mon-Fri"), "{err}");
    }

    #[test]
    fn garbage_is_refused_naming_the_job() {
        let err = parse_expression(Job::Deliver, "every 30 seconds please ok").unwrap_err();
        assert_eq!(err.job, "deliver");
        assert!(parse_expression(Job::Deliver, "*/30 * * * * *").is_ok());
        assert!(parse_expression(Job::Deliver, "0 0 7 * * Mon-Fri 2026").is_ok());
    }

    #[test]
    fn settings_with_a_bad_job_stop_start_up() {
        let mut settings = Settings::defaults().unwrap();
        assert!(Schedules::from_settings(&settings).is_ok());
        settings.scheduler.jobs.leader_digest = "30 7 * * 1".into();
        let err = Schedules::from_settings(&settings).unwrap_err();
        assert_eq!(err.job, "leader-digest");
        assert!(err.to_string().contains("\"0 30 7 * * Mon\""), "{err}");
    }

    #[test]
    fn between_keeps_the_most_recent_when_capped() {
        let s = parse_expression(Job::Deliver, "0 0 * * * *").unwrap();
        let job = JobSchedule {
            job: Job::Deliver,
            expression: String::new(),
            schedule: s,
        };
        let start = local(Ho_Chi_Minh, 2026, 1, 1, 0, 0).unwrap();
        let (kept, dropped) =
            job.between(start, start + chrono::Duration::hours(10), Ho_Chi_Minh, 3);
        assert_eq!(dropped, 7);
        assert_eq!(
            kept.last().copied(),
            Some(start + chrono::Duration::hours(10))
        );
        assert_eq!(kept.len(), 3);
    }

    #[test]
    fn job_names_parse_both_ways() {
        assert_eq!(Job::parse("department-digest"), Some(Job::DepartmentDigest));
        assert_eq!(Job::parse("leader_digest"), Some(Job::LeaderDigest));
        assert_eq!(Job::parse("nope"), None);
    }
}
