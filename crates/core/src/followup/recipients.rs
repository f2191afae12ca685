//! Who receives a reminder: departments and leaders as they are assigned
//! *now*, and their addresses, cleaned and deduplicated.

use std::collections::BTreeSet;

use serde::Serialize;

/// A department as it is assigned *now*: its notification address and the
/// addresses of its active staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentContact {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub email: Option<String>,
    pub staff_emails: Vec<String>,
}

/// A leader (lãnh đạo) as the user table says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderContact {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub position: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Role `leader` (only those get the weekly digest; an escalation goes to
    /// whoever is the task's leader in charge).
    pub is_leader: bool,
}

/// Who a digest is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recipient {
    Department {
        id: i64,
        code: String,
        name: String,
    },
    Leader {
        id: i64,
        username: String,
        full_name: String,
        position: Option<String>,
    },
}

impl Recipient {
    /// The stable part of the idempotency key: department code or username.
    pub fn key(&self) -> &str {
        match self {
            Recipient::Department { code, .. } => code,
            Recipient::Leader { username, .. } => username,
        }
    }

    pub fn display_name(&self) -> &str {
        match self {
            Recipient::Department { name, .. } => name,
            Recipient::Leader { full_name, .. } => full_name,
        }
    }

    pub fn department_id(&self) -> Option<i64> {
        match self {
            Recipient::Department { id, .. } => Some(*id),
            Recipient::Leader { .. } => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Recipient::Leader { id, .. } => Some(*id),
            Recipient::Department { .. } => None,
        }
    }
}

/// Trims, drops empties and duplicates (case-insensitively), keeps first-seen order.
pub fn clean_addresses<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for raw in candidates {
        let address = raw.trim();
        if address.is_empty() {
            continue;
        }
        if seen.insert(address.to_lowercase()) {
            out.push(address.to_string());
        }
    }
    out
}

/// The department's notification address, then its active staff (sorted).
pub fn department_addresses(department: &DepartmentContact) -> Vec<String> {
    let mut staff: Vec<&str> = department.staff_emails.iter().map(String::as_str).collect();
    staff.sort_unstable();
    clean_addresses(department.email.as_deref().into_iter().chain(staff))
}

/// A leader as a recipient, with the addresses to use or why there are none.
pub fn leader_recipient(leader: &LeaderContact) -> (Recipient, Vec<String>, Option<String>) {
    let recipient = Recipient::Leader {
        id: leader.id,
        username: leader.username.clone(),
        full_name: leader.full_name.clone(),
        position: leader.position.clone(),
    };
    if !leader.active {
        return (
            recipient,
            Vec::new(),
            Some(format!(
                "Tài khoản {} đã bị khóa / account {} is deactivated",
                leader.username, leader.username
            )),
        );
    }
    let addresses = clean_addresses(leader.email.as_deref());
    let reason = addresses.is_empty().then(|| {
        format!(
            "Tài khoản {} chưa có địa chỉ email / account {} has no email address",
            leader.username, leader.username
        )
    });
    (recipient, addresses, reason)
}
