//! The demo's data as written in `programme.toml`, and the summary printed
//! after seeding.

use serde::Deserialize;

use dondoc_core::{
    domain::{DepartmentKind, DocumentKind, Role},
    error::{Error, Result},
};

const PROGRAMME_TOML: &str = include_str!("programme.toml");

/// Documents are dated from a programme start this many days before today.
pub(super) const PROGRAMME_START_DAYS_AGO: u64 = 335;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoData {
    pub(super) departments: Vec<DemoDepartment>,
    pub(super) leaders: Vec<DemoLeader>,
    pub(super) documents: Vec<DemoDocument>,
    pub(super) tasks: Vec<DemoTask>,
    pub(super) reminders: Vec<DemoReminder>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoDepartment {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: DepartmentKind,
    pub(super) email: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoLeader {
    pub(super) username: String,
    pub(super) full_name: String,
    pub(super) position: String,
    pub(super) email: String,
    #[allow(dead_code)]
    pub(super) fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoDocument {
    pub(super) key: String,
    pub(super) number: String,
    pub(super) kind: DocumentKind,
    pub(super) title: String,
    pub(super) issued_day_of_year: u64,
    pub(super) signer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoTask {
    pub(super) code: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) field: String,
    pub(super) lead: String,
    pub(super) coordinators: Vec<String>,
    pub(super) leader: String,
    pub(super) source: String,
    pub(super) scenario: String,
    pub(super) due_in_days: i64,
    pub(super) completed_after_due_days: Option<i64>,
    pub(super) extended_by_days: Option<i64>,
    pub(super) pending_extension_days: Option<i64>,
    pub(super) progress: i32,
    pub(super) result_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DemoReminder {
    pub(super) number: String,
    pub(super) title: String,
    pub(super) issued_days_ago: u64,
    pub(super) signer: String,
    pub(super) tasks: Vec<String>,
}

/// One demo account, for the message printed after seeding.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub label: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub year: i32,
    pub departments: usize,
    pub tasks: usize,
    pub reminder_documents: usize,
    pub accounts: Vec<DemoAccount>,
}

impl DemoSummary {
    /// The lines printed once after seeding: the accounts and their passwords.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "Đã tạo dữ liệu mẫu / demo data seeded: chương trình năm {}, {} nhiệm vụ, {} đơn vị, {} văn bản đôn đốc.\n\
             Tài khoản mẫu / demo accounts (mật khẩu lấy từ cấu hình demo.* / passwords from config demo.*):\n",
            self.year, self.tasks, self.departments, self.reminder_documents
        );
        let mut shown_staff = 0;
        for account in &self.accounts {
            if account.role == Role::Staff {
                shown_staff += 1;
                if shown_staff > 3 {
                    continue;
                }
            }
            out.push_str(&format!(
                "  {:<16} {:<8} {:<22} {}\n",
                account.username,
                account.role.as_str(),
                account.password,
                account.label
            ));
        }
        let staff_total = self
            .accounts
            .iter()
            .filter(|a| a.role == Role::Staff)
            .count();
        if staff_total > 3 {
            out.push_str(&format!(
                "  … và {} tài khoản cán bộ khác, mỗi đơn vị một tài khoản: cb.<mã đơn vị viết thường> (ví dụ cb.tnmt, cb.xa-dat-cuoc)\n",
                staff_total - 3
            ));
        }
        out
    }
}

pub(super) fn parse_data() -> Result<DemoData> {
    toml::from_str(PROGRAMME_TOML)
        .map_err(|err| Error::Unexpected(anyhow::anyhow!("demo data is invalid: {err}")))
}
