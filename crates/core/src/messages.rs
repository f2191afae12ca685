//! What an error says, as a code with arguments. Core never writes prose for
//! an error: the API, the pages and the CLI render a `Msg` through the Fluent
//! files of `dondoc-i18n` (`locales/*/errors.ftl`) in the reader's language.
//!
//! Each message is one variant: its Fluent key is written next to it and its
//! fields become the Fluent arguments of the same names. `Msg::samples()`
//! builds every variant, so a test renders each one in both languages.

use chrono::NaiveDate;
pub use dondoc_i18n::{Arg, Lang};

/// A value a test can put in a message field, to render every message.
pub trait Sample {
    fn sample() -> Self;
}

impl Sample for String {
    fn sample() -> Self {
        "X".to_string()
    }
}
impl Sample for i64 {
    fn sample() -> Self {
        2
    }
}
impl Sample for u64 {
    fn sample() -> Self {
        2
    }
}
impl Sample for usize {
    fn sample() -> Self {
        2
    }
}
impl Sample for NaiveDate {
    fn sample() -> Self {
        NaiveDate::default()
    }
}
impl Sample for Arg {
    fn sample() -> Self {
        Arg::Text("x".to_string())
    }
}

/// Declares `Msg`: each line is `Variant { field: Type, … } => "fluent-key"`.
macro_rules! messages {
    ($(
        $(#[$doc:meta])*
        $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $key:literal
    ),+ $(,)?) => {
        /// A message of an error, in no language yet.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Msg {
            $( $(#[$doc])* $variant $({ $($field: $ty),* })?, )+
        }

        impl Msg {
            /// The Fluent key.
            pub fn key(&self) -> &'static str {
                match self {
                    $( Msg::$variant { .. } => $key, )+
                }
            }

            /// The Fluent arguments, named like the fields.
            pub fn args(&self) -> Vec<(&'static str, Arg)> {
                match self {
                    $( Msg::$variant $({ $($field),* })? => vec![
                        $($( (stringify!($field), Arg::from($field)) ),*)?
                    ], )+
                }
            }

            /// One of every message, with sample arguments (for tests).
            pub fn samples() -> Vec<Msg> {
                vec![$( Msg::$variant $({ $($field: <$ty as Sample>::sample()),* })?, )+]
            }
        }
    };
}

/// A derived (not stored) enum people read: its label is the Fluent message
/// `<PREFIX>-<code>`. Stored enums have the same methods from `stored_enum!`.
pub trait Label: Copy + 'static {
    const PREFIX: &'static str;
    /// Every value, so a test can check each label is translated.
    const ALL: &'static [Self];

    fn code(self) -> &'static str;

    fn label_key(self) -> String {
        format!("{}-{}", Self::PREFIX, self.code())
    }

    fn label(self, lang: Lang) -> String {
        dondoc_i18n::text(lang, &self.label_key())
    }

    fn label_arg(self) -> Arg {
        Arg::label(self.label_key())
    }
}

impl Msg {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        dondoc_i18n::text_with(lang, self.key(), &self.args())
    }
}

messages! {
    // Any field.
    Required => "error-required",
    TooLong { max: usize } => "error-too-long",
    ControlCharacters => "error-control-characters",
    InvalidDate { value: String } => "error-invalid-date",
    InvalidYear { value: String } => "error-invalid-year",
    YearRange => "error-year-range",
    NotANumber => "error-not-a-number",
    TaskIdNotNumber => "error-task-id-not-number",
    /// A stored enum's code that is not one of `choices`.
    InvalidChoice { value: String, choices: String } => "error-invalid-choice",
    /// Anything else that went wrong while reading a form, as its own text.
    Other { detail: String } => "error-other",

    // Values.
    InvalidDepartmentCode => "error-invalid-department-code",
    TaskCodeSpaces => "error-task-code-spaces",
    InvalidUsername => "error-invalid-username",
    InvalidEmail { value: String } => "error-invalid-email",
    ProgressRange => "error-progress-range",

    // Looking things up by what a person typed.
    UnknownDepartment { code: String } => "error-unknown-department",
    /// Department aliases (`/admin/aliases`).
    AliasRequired => "alias-required",
    AliasTaken { alias: String, department: String } => "alias-taken",
    AliasUnknownDepartment => "alias-unknown-department",
    UnknownDepartmentCode { code: String } => "error-unknown-department-code",
    UnknownThisDepartment => "error-unknown-this-department",
    UnknownFieldCode { code: String } => "error-unknown-field-code",
    UnknownField { value: String } => "error-unknown-field",
    UnknownUser { username: String } => "error-unknown-user",
    UnknownLeader { name: String } => "error-unknown-leader",
    UnknownThisLeader => "error-unknown-this-leader",
    NotActiveLeader { name: String } => "error-not-active-leader",
    NotALeader { name: String } => "error-not-a-leader",
    UnknownDocument { id: i64 } => "error-unknown-document",
    UnknownTask { id: i64 } => "error-unknown-task",
    FieldRequired => "error-field-required",
    DepartmentRequired => "error-department-required",
    LeadDepartmentRequired => "error-lead-department-required",
    LeaderRequired => "error-leader-required",

    // Task lists.
    PageNumber => "error-page-number",
    PerPageRange { max: u64 } => "error-per-page-range",
    InvalidInvolvement { value: String } => "error-invalid-involvement",
    InvalidTimeliness { value: String } => "error-invalid-timeliness",
    SearchTooLong => "error-search-too-long",
    ExportTooMany { total: u64, max: u64 } => "error-export-too-many",
    InvalidSort { value: String } => "error-invalid-sort",

    // Tasks.
    EmptyUpdate => "error-empty-update",
    DuplicateTaskCode { code: String, year: i64 } => "error-duplicate-task-code",
    CompletedInFuture => "error-completed-in-future",
    ResultNoteRequired => "error-result-note-required",
    ResultNoteUnchanged => "error-result-note-unchanged",
    CompletedOnNotDone => "error-completed-on-not-done",
    ProgressAfterDone => "error-progress-after-done",
    ReportedDoneWaitsForReturn => "error-reported-done-waits-for-return",
    ClosedReopenBeforeReport => "error-closed-reopen-before-report",
    CancelledReopenFirst => "error-cancelled-reopen-first",
    InvalidTransition => "error-invalid-transition",
    ConfirmNotReported { status: Arg } => "error-confirm-not-reported",
    ReturnNeedsReason => "error-return-needs-reason",
    ReopenNeedsReason => "error-reopen-needs-reason",
    CompletionFrozen => "error-completion-frozen",
    CompletedBeforeCreated { created: NaiveDate } => "error-completed-before-created",
    CompletedAfterReport { reported: NaiveDate } => "error-completed-after-report",
    NoDeclaredCompletion => "error-no-declared-completion",
    AcceptDeclaredNeedsReason => "error-accept-declared-needs-reason",
    DueDateFrozen { status: Arg } => "error-due-date-frozen",
    AsOfInFuture => "error-as-of-in-future",

    // Extensions.
    ExtensionReasonRequired => "error-extension-reason-required",
    ExtensionNotLater { due: NaiveDate } => "error-extension-not-later",
    ExtensionTaskDone => "error-extension-task-done",
    ExtensionPending => "error-extension-pending",
    ExtensionDecided { state: Arg } => "error-extension-decided",
    ExtensionTaskClosed { status: Arg } => "error-extension-task-closed",
    RejectNeedsReason => "error-reject-needs-reason",

    // Recurring tasks.
    InvalidFrequency => "error-invalid-frequency",
    DueDayRange => "error-due-day-range",
    MonthRange { max: i64 } => "error-month-range",
    RecurrenceCodeTaken { period: String, base: String } => "error-recurrence-code-taken",

    // Departments and accounts.
    DuplicateDepartmentCode { code: String } => "error-duplicate-department-code",
    StaffNeedsDepartment => "error-staff-needs-department",
    DuplicateUsername { name: String } => "error-duplicate-username",
    WrongPassword => "error-wrong-password",
    PasswordUnchanged => "error-password-unchanged",
    SelfDeactivate => "error-self-deactivate",
    SelfRoleChange => "error-self-role-change",
    PasswordTooShort { min: usize } => "error-password-too-short",
    PasswordTooLong => "error-password-too-long",
    PasswordHasUsername => "error-password-has-username",

    // Documents and letters.
    IssuedInFuture => "error-issued-in-future",
    TooManyLinks => "error-too-many-links",
    ReportBackBeforeIssue => "error-report-back-before-issue",
    InvalidRelation => "error-invalid-relation",
    LetterNeedsTask => "error-letter-needs-task",
    LetterTooManyTasks => "error-letter-too-many-tasks",
    TaskNotOfDepartment { code: String, department: String } => "error-task-not-of-department",

    // Explanations.
    QuestionRequired => "error-question-required",
    AnswerByNotAfterToday { today: NaiveDate } => "error-answer-by-not-after-today",
    ExplanationNotOverdue => "error-explanation-not-overdue",
    ExplanationOpen => "error-explanation-open",
    AnswerRequired => "error-answer-required",
    ExplanationAnswered => "error-explanation-answered",
    InvalidExplanationState { value: String } => "error-invalid-explanation-state",

    // Notifications.
    InvalidNotificationState { value: String, choices: String } => "error-invalid-notification-state",
    NotificationNoRecipient { id: i64 } => "error-notification-no-recipient",
    NotificationNotFailed { id: i64, state: String } => "error-notification-not-failed",

    // Calendar feeds.
    InvalidFeedScope { value: String } => "error-invalid-feed-scope",

    // Reports and snapshots.
    InvalidQuarter => "error-invalid-quarter",
    RangeNeedsBothDays => "error-range-needs-both-days",
    QuarterAndRange => "error-quarter-and-range",
    EndBeforeStart => "error-end-before-start",
    RangeTooLong => "error-range-too-long",
    SnapshotTitleRequired => "error-snapshot-title-required",
    SnapshotTitleTooLong { max: usize } => "error-snapshot-title-too-long",
    SnapshotTitleControl => "error-snapshot-title-control",
    SnapshotRefInvalid { value: String } => "error-snapshot-ref-invalid",

    // The API's own checks of a request.
    IfMatchInvalid => "error-if-match-invalid",
    UnknownJsonField => "error-unknown-json-field",
    MissingJsonField => "error-missing-json-field",
    WrongJsonType { detail: String } => "error-wrong-json-type",
    InvalidCharacters => "error-invalid-characters",

    // Attachments.
    AttachmentEmpty => "error-attachment-empty",
    AttachmentTooLarge { max_mb: u64 } => "error-attachment-too-large",
    AttachmentType => "error-attachment-type",
    AttachmentHtml => "error-attachment-html",
    AttachmentSvg => "error-attachment-svg",
    AttachmentScript => "error-attachment-script",
    AttachmentExecutable => "error-attachment-executable",
    AttachmentPackage { reason: String } => "error-attachment-package",
    AttachmentMissing => "error-attachment-missing",
    AttachmentSupersedes => "error-attachment-supersedes",
    EvidenceTooMany { max: u64 } => "error-evidence-too-many",
    EvidenceNotTieable { id: i64 } => "error-evidence-not-tieable",
    EvidenceNeedsStep => "error-evidence-needs-step",

    // Seeding and backups (the CLI).
    SyntheticTasksRange => "error-synthetic-tasks-range",
    SyntheticDepartmentsRange => "error-synthetic-departments-range",
    SyntheticYearsRange => "error-synthetic-years-range",
    SyntheticNotEmpty => "error-synthetic-not-empty",
    DemoNotEmpty => "error-demo-not-empty",
    BackupTargetExists { path: String } => "error-backup-target-exists",
    BackupFolderMissing { path: String } => "error-backup-folder-missing",

    // What the database refused.
    DuplicateValue { detail: String } => "error-duplicate-value",
    ReferencedRecord { detail: String } => "error-referenced-record",

    // Not found: what was looked for.
    NotFoundTask { id: i64 } => "not-found-task",
    NotFoundExtension { id: i64 } => "not-found-extension",
    NotFoundExplanation { id: i64 } => "not-found-explanation",
    NotFoundDocument { id: i64 } => "not-found-document",
    NotFoundSnapshot { id: i64 } => "not-found-snapshot",
    NotFoundNotification { id: i64 } => "not-found-notification",
    NotFoundFeed { id: i64 } => "not-found-feed",
    NotFoundFeedToken => "not-found-feed-token",
    NotFoundDepartment { code: String } => "not-found-department",
    NotFoundUser { username: String } => "not-found-user",
    NotFoundRecurrence { id: i64 } => "not-found-recurrence",
    NotFoundRecord { what: String } => "not-found-record",
    NotFoundExportFormat { format: String } => "not-found-export-format",
    NotFoundAttachment { id: i64 } => "not-found-attachment",

    // Forbidden: one sentence per guarded action (see `policy::describe`).
    ForbiddenReadTask => "forbidden-read-task",
    ForbiddenUpdateTaskProgress => "forbidden-update-task-progress",
    ForbiddenAddTaskNote => "forbidden-add-task-note",
    ForbiddenRequestExtension => "forbidden-request-extension",
    ForbiddenEditTask => "forbidden-edit-task",
    ForbiddenCreateTask => "forbidden-create-task",
    ForbiddenConfirmTask => "forbidden-confirm-task",
    ForbiddenReopenOrCancelTask => "forbidden-reopen-or-cancel-task",
    ForbiddenDecideExtension => "forbidden-decide-extension",
    ForbiddenRecordDocument => "forbidden-record-document",
    ForbiddenReadAllDepartments => "forbidden-read-all-departments",
    ForbiddenReadOverdue => "forbidden-read-overdue",
    ForbiddenReadStats => "forbidden-read-stats",
    ForbiddenReadNotifications => "forbidden-read-notifications",
    ForbiddenManageDepartments => "forbidden-manage-departments",
    ForbiddenManageUsers => "forbidden-manage-users",
    ForbiddenImportTasks => "forbidden-import-tasks",
    ForbiddenChooseAsOfDate => "forbidden-choose-as-of-date",
    ForbiddenDraftLetter => "forbidden-draft-letter",
    ForbiddenReadReminderRegister => "forbidden-read-reminder-register",
    ForbiddenReadReview => "forbidden-read-review",
    ForbiddenTakeSnapshot => "forbidden-take-snapshot",
    ForbiddenReadSnapshots => "forbidden-read-snapshots",
    ForbiddenRequestExplanation => "forbidden-request-explanation",
    ForbiddenAnswerExplanation => "forbidden-answer-explanation",
    ForbiddenReadExplanations => "forbidden-read-explanations",
    ForbiddenManageFeed => "forbidden-manage-feed",
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message renders in both languages with its arguments (a
    /// message naming an argument its variant lacks fails to format).
    #[test]
    fn every_message_is_translated_in_both_languages() {
        let mut missing = Vec::new();
        for msg in Msg::samples() {
            for lang in Lang::ALL {
                match dondoc_i18n::lookup(lang, msg.key(), &msg.args()) {
                    Some(text) if !text.trim().is_empty() => {}
                    _ => missing.push(format!("{} ({})", msg.key(), lang.code())),
                }
            }
        }
        assert!(missing.is_empty(), "untranslated messages: {missing:?}");
    }

    fn label_keys<T: Label>() -> Vec<String> {
        T::ALL.iter().map(|v| v.label_key()).collect()
    }

    /// Sentences core composes from keys chosen at run time.
    #[test]
    fn composed_sentences_are_translated_in_both_languages() {
        use crate::tasks::recurrence::{Frequency, describe};
        for lang in Lang::ALL {
            for frequency in [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly] {
                let text = describe(frequency, 15, 2, lang);
                assert!(
                    text.contains("15") && !text.starts_with("recurrence-"),
                    "{text}"
                );
            }
        }
        assert_eq!(
            describe(Frequency::Quarterly, 15, 2, Lang::Vi),
            "Hằng quý, hạn ngày 15 tháng thứ 2 của quý"
        );
    }

    /// Labels of derived values are keys built at run time: each one exists.
    #[test]
    fn every_derived_label_is_translated_in_both_languages() {
        let mut keys = label_keys::<crate::domain::Timeliness>();
        keys.extend(label_keys::<crate::followup::explanations::ExplanationState>());
        keys.extend(label_keys::<crate::documents::register::ReplyState>());
        keys.extend(label_keys::<crate::domain::figure::Figure>());
        for key in keys {
            for lang in Lang::ALL {
                assert!(
                    dondoc_i18n::lookup(lang, &key, &[]).is_some(),
                    "{key} ({lang:?})"
                );
            }
        }
    }
}
