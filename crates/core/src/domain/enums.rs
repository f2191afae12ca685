//! Stored enums. Each is kept in the database as its snake_case name, which
//! is also its JSON form; `label_vi` / `label_en` are what people read.

use std::{fmt, str::FromStr};

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Implements `as_str`, `Display`, `FromStr`, `ALL` and the two labels for a
/// stored enum, from one table of (variant, code, Vietnamese, English).
macro_rules! stored_enum {
    ($name:ident, $what:literal, [$(($variant:ident, $code:literal, $vi:literal, $en:literal)),+ $(,)?]) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),+ }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// Every accepted code, for error messages.
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                let wanted = text.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| Error::field(
                        $what,
                        "invalid_choice",
                        format!("“{}” không hợp lệ; chọn một trong: {}", wanted, Self::codes()),
                    ))
            }
        }
    };
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "leader")]
    Leader,
    #[sea_orm(string_value = "staff")]
    Staff,
}

stored_enum!(
    Role,
    "role",
    [
        (Admin, "admin", "Quản trị", "Administrator"),
        (Leader, "leader", "Lãnh đạo", "Leader"),
        (Staff, "staff", "Cán bộ", "Staff"),
    ]
);

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    #[sea_orm(string_value = "office")]
    Office,
    #[sea_orm(string_value = "commune")]
    Commune,
    #[sea_orm(string_value = "agency")]
    Agency,
}

stored_enum!(
    DepartmentKind,
    "kind",
    [
        (Office, "office", "Phòng chuyên môn", "Office"),
        (Commune, "commune", "Xã, thị trấn", "Commune or town"),
        (Agency, "agency", "Cơ quan, đơn vị", "Agency"),
    ]
);

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    #[sea_orm(string_value = "not_started")]
    NotStarted,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "reported_done")]
    ReportedDone,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

stored_enum!(
    TaskStatus,
    "status",
    [
        (NotStarted, "not_started", "Chưa thực hiện", "Not started"),
        (InProgress, "in_progress", "Đang thực hiện", "In progress"),
        (
            ReportedDone,
            "reported_done",
            "Đã báo cáo hoàn thành",
            "Reported done"
        ),
        (Completed, "completed", "Hoàn thành", "Completed"),
        (Cancelled, "cancelled", "Đã hủy", "Cancelled"),
    ]
);

impl TaskStatus {
    /// Still to be done: the statuses the overdue list and reminders chase.
    pub const OPEN: [TaskStatus; 2] = [TaskStatus::NotStarted, TaskStatus::InProgress];
    /// Done from the department's side (confirmed or awaiting confirmation).
    pub const DONE: [TaskStatus; 2] = [TaskStatus::ReportedDone, TaskStatus::Completed];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    pub fn is_done(self) -> bool {
        Self::DONE.contains(&self)
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    #[sea_orm(string_value = "directive")]
    Directive,
    #[sea_orm(string_value = "decision")]
    Decision,
    #[sea_orm(string_value = "plan")]
    Plan,
    #[sea_orm(string_value = "submission")]
    Submission,
    #[sea_orm(string_value = "report")]
    Report,
    #[sea_orm(string_value = "notice")]
    Notice,
    #[sea_orm(string_value = "official_letter")]
    OfficialLetter,
    #[sea_orm(string_value = "conclusion_notice")]
    ConclusionNotice,
}

stored_enum!(
    DocumentKind,
    "kind",
    [
        (Directive, "directive", "Chỉ thị", "Directive"),
        (Decision, "decision", "Quyết định", "Decision"),
        (Plan, "plan", "Kế hoạch", "Plan"),
        (Submission, "submission", "Tờ trình", "Submission"),
        (Report, "report", "Báo cáo", "Report"),
        (Notice, "notice", "Thông báo", "Notice"),
        (
            OfficialLetter,
            "official_letter",
            "Công văn",
            "Official letter"
        ),
        (
            ConclusionNotice,
            "conclusion_notice",
            "Thông báo kết luận",
            "Conclusion notice"
        ),
    ]
);

/// How a document relates to a task.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum LinkRelation {
    /// The document assigns the task (văn bản giao nhiệm vụ).
    #[sea_orm(string_value = "assigns")]
    Assigns,
    /// The document urges the task on (văn bản đôn đốc).
    #[sea_orm(string_value = "reminds")]
    Reminds,
}

stored_enum!(
    LinkRelation,
    "relation",
    [
        (Assigns, "assigns", "Giao nhiệm vụ", "Assigns"),
        (Reminds, "reminds", "Đôn đốc", "Reminds"),
    ]
);

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ExtensionState {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Closed without a decision: the task was done or cancelled meanwhile.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

stored_enum!(
    ExtensionState,
    "state",
    [
        (Pending, "pending", "Chờ quyết định", "Pending"),
        (Approved, "approved", "Đã đồng ý", "Approved"),
        (Rejected, "rejected", "Không đồng ý", "Rejected"),
        (Withdrawn, "withdrawn", "Đã tự đóng", "Withdrawn"),
    ]
);
