//! Stored enums. Each is kept in the database as its snake_case code, which
//! is also its JSON form; people read its label, the Fluent message
//! `<prefix>-<code>` (for example `task-status-in_progress`).

use std::{fmt, str::FromStr};

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    messages::{Arg, Lang, Msg, Sample},
};

/// Declares a stored enum with each code written once: the enum, its
/// derives, its serde names and sea-orm `string_value`s, `as_str`,
/// `Display`, `FromStr`, `ALL` and the Fluent key of each label.
///
/// `stored_enum!(Name, "field", "label-prefix", { Variant = "code", … })`;
/// `field` names the input in the error a bad code gives.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, $prefix:literal,
        { $( $(#[$vmeta:meta])* $variant:ident = $code:tt ),+ $(,)? }
    ) => {
        $(#[$meta])*
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
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $code)]
                #[serde(rename = $code)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Fluent key of the label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, "-", $code)),+ }
            }

            /// The label in `lang`.
            pub fn label(self, lang: Lang) -> String {
                dondoc_i18n::text(lang, self.label_key())
            }

            /// The label as a message argument, rendered in the message's language.
            pub fn label_arg(self) -> Arg {
                Arg::label(self.label_key())
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
                        Msg::InvalidChoice { value: wanted.to_string(), choices: Self::codes() },
                    ))
            }
        }

        impl From<$name> for Arg {
            fn from(v: $name) -> Self {
                v.label_arg()
            }
        }

        impl From<&$name> for Arg {
            fn from(v: &$name) -> Self {
                v.label_arg()
            }
        }

        impl Sample for $name {
            fn sample() -> Self {
                $name::ALL[0]
            }
        }
    };
}

stored_enum!(
Role, "role", "role", {
    Admin = "admin",
    Leader = "leader",
    Staff = "staff",
});

stored_enum!(
DepartmentKind, "kind", "department-kind", {
    Office = "office",
    Commune = "commune",
    Agency = "agency",
});

stored_enum!(
TaskStatus, "status", "task-status", {
    NotStarted = "not_started",
    InProgress = "in_progress",
    ReportedDone = "reported_done",
    Completed = "completed",
    Cancelled = "cancelled",
});

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

stored_enum!(
DocumentKind, "kind", "document-kind", {
    Directive = "directive",
    Decision = "decision",
    Plan = "plan",
    Submission = "submission",
    Report = "report",
    Notice = "notice",
    OfficialLetter = "official_letter",
    ConclusionNotice = "conclusion_notice",
});

stored_enum!(
/// How a document relates to a task.
LinkRelation, "relation", "link-relation", {
    /// The document assigns the task (văn bản giao nhiệm vụ).
    Assigns = "assigns",
    /// The document urges the task on (văn bản đôn đốc).
    Reminds = "reminds",
});

stored_enum!(
ExtensionState, "state", "extension-state", {
    Pending = "pending",
    Approved = "approved",
    Rejected = "rejected",
    /// Closed without a decision: the task was done or cancelled meanwhile.
    Withdrawn = "withdrawn",
});

stored_enum!(
/// The language of an account: its pages after login and the notice mails
/// addressed to it. Vietnamese unless the person chose English.
#[derive(Default)]
Language, "language", "account-language", {
    #[default]
    Vi = "vi",
    En = "en",
});

impl Language {
    /// The words' language.
    pub fn lang(self) -> Lang {
        match self {
            Language::Vi => Lang::Vi,
            Language::En => Lang::En,
        }
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Vi => Language::Vi,
            Lang::En => Language::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_label_keys() -> Vec<&'static str> {
        let mut keys = Vec::new();
        keys.extend(Role::ALL.iter().map(|v| v.label_key()));
        keys.extend(DepartmentKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(TaskStatus::ALL.iter().map(|v| v.label_key()));
        keys.extend(DocumentKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(LinkRelation::ALL.iter().map(|v| v.label_key()));
        keys.extend(ExtensionState::ALL.iter().map(|v| v.label_key()));
        keys.extend(Language::ALL.iter().map(|v| v.label_key()));
        keys
    }

    #[test]
    fn every_label_is_translated_in_both_languages() {
        for key in all_label_keys() {
            for lang in Lang::ALL {
                let text = dondoc_i18n::lookup(lang, key, &[]);
                assert!(text.is_some_and(|t| !t.is_empty()), "{key} ({lang:?})");
            }
        }
    }

    /// The code written once is the stored value, the JSON form and what
    /// `FromStr` accepts.
    #[test]
    fn the_code_is_the_stored_value_and_the_json() {
        use sea_orm::ActiveEnum;
        for status in TaskStatus::ALL {
            assert_eq!(status.to_value(), status.as_str());
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
            assert_eq!(status.as_str().parse::<TaskStatus>().unwrap(), *status);
        }
        assert_eq!(DocumentKind::OfficialLetter.as_str(), "official_letter");
        assert_eq!(
            serde_json::to_value(DocumentKind::ConclusionNotice).unwrap(),
            "conclusion_notice"
        );
        assert_eq!(Role::Admin.label(Lang::Vi), "Quản trị");
        assert_eq!(TaskStatus::InProgress.label(Lang::En), "In progress");
        let err = "done".parse::<TaskStatus>().unwrap_err();
        assert!(matches!(err, Error::Validation(ref f) if f[0].code == "invalid_choice"));
    }
}
