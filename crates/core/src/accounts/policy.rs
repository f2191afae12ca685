//! Who may do what: the role table of `docs/design.md` as one pure
//! function. Every handler and page asks `can` (or `require`) before acting;
//! nothing else in the code compares roles.
//!
//! | role   | may                                                                      |
//! |--------|--------------------------------------------------------------------------|
//! | admin  | everything                                                               |
//! | leader | read all; overdue list; create/edit tasks, change due dates, confirm,    |
//! |        | decide extensions; record documents; statistics; notifications          |
//! | staff  | read tasks their department leads or coordinates; update status,         |
//! |        | progress and result where it leads; add notes where it coordinates;      |
//! |        | request extensions where it leads; its own overdue list and figures;     |
//! |        | the reminder register limited to letters sent to its department          |
//!
//! Drafting and recording reminder letters and the annual/periodic review
//! are leader and admin acts (the office that issues the letters).

use crate::{
    accounts::principal::Principal,
    domain::Role,
    error::{Error, Result},
    messages::Msg,
};

/// Something a user may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See a task (and its history, documents and notices).
    ReadTask,
    /// Change status, progress, completion date or result note.
    UpdateTaskProgress,
    /// Add a note to the task's history.
    AddTaskNote,
    /// Request a later due date.
    RequestExtension,
    /// Change title, field, departments, leader or due date directly.
    EditTask,
    CreateTask,
    /// Confirm a reported-done task, or return it.
    ConfirmTask,
    /// Re-open a completed or cancelled task, or cancel one.
    ReopenOrCancelTask,
    DecideExtension,
    RecordDocument,
    /// See every department's tasks, overdue list and figures.
    ReadAllDepartments,
    /// See the overdue list (staff: their department's only).
    ReadOverdue,
    /// See statistics (staff: their department's only).
    ReadStats,
    ReadNotifications,
    ManageDepartments,
    ManageUsers,
    ImportTasks,
    /// Ask for the overdue list as of another day than today.
    ChooseAsOfDate,
    /// Draft a reminder letter (công văn đôn đốc) for a department and
    /// record it once issued.
    DraftLetter,
    /// Read the reminder register (staff: the letters sent to their department).
    ReadReminderRegister,
    /// Read the annual or periodic review of the whole programme.
    ReadReview,
    /// Freeze the figures and the overdue list for a meeting.
    TakeSnapshot,
    /// List, show and compare meeting snapshots.
    ReadSnapshots,
    /// Ask the lead department of an overdue task for an explanation.
    RequestExplanation,
    /// Answer a request for explanation (the lead department).
    AnswerExplanation,
    /// See the list of requests for explanation (staff: their department's).
    ReadExplanations,
}

/// The departments a task involves.
#[derive(Debug, Clone, Default)]
pub struct TaskScope {
    pub lead_department_id: i64,
    pub coordinating_department_ids: Vec<i64>,
}

impl TaskScope {
    fn leads(&self, user: &Principal) -> bool {
        user.department_id == Some(self.lead_department_id)
    }

    fn coordinates(&self, user: &Principal) -> bool {
        user.department_id
            .is_some_and(|d| self.coordinating_department_ids.contains(&d))
    }
}

/// Whether `user` may do `action` (on `task`, for task actions).
pub fn can(user: &Principal, action: Action, task: Option<&TaskScope>) -> bool {
    use Action::*;
    match user.role {
        Role::Admin => true,
        Role::Leader => !matches!(
            action,
            ManageDepartments | ManageUsers | ImportTasks | RequestExtension | AnswerExplanation
        ),
        Role::Staff => {
            let leads = task.is_some_and(|t| t.leads(user));
            let coordinates = task.is_some_and(|t| t.coordinates(user));
            match action {
                ReadTask => leads || coordinates,
                UpdateTaskProgress | RequestExtension => leads,
                AddTaskNote => leads || coordinates,
                ReadOverdue | ReadStats | ReadReminderRegister => user.department_id.is_some(),
                AnswerExplanation => leads,
                ReadExplanations => user.department_id.is_some(),
                TakeSnapshot | ReadSnapshots | RequestExplanation => false,
                EditTask | CreateTask | ConfirmTask | ReopenOrCancelTask | DecideExtension
                | RecordDocument | ReadAllDepartments | ReadNotifications | ManageDepartments
                | ManageUsers | ImportTasks | ChooseAsOfDate | DraftLetter | ReadReview => false,
            }
        }
    }
}

/// `can`, as a `Forbidden` error naming the action when refused.
pub fn require(user: &Principal, action: Action, task: Option<&TaskScope>) -> Result<()> {
    if can(user, action, task) {
        Ok(())
    } else {
        Err(Error::Forbidden(describe(action)))
    }
}

/// Whose deadlines a private calendar feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedTarget {
    /// Tasks a department leads (by department id).
    Department(i64),
    /// Tasks a leader is in charge of (by user id).
    Leader(i64),
}

/// Who may create, regenerate or revoke a calendar feed: staff their own
/// department's, leaders their own, admins any.
pub fn can_manage_feed(user: &Principal, target: FeedTarget) -> bool {
    may_feed(user.role, user.user_id, user.department_id, target)
}

/// `can_manage_feed` for an account as it is now (a feed's maker, who may
/// have moved department or changed role since making it).
pub fn may_feed(role: Role, user_id: i64, department_id: Option<i64>, target: FeedTarget) -> bool {
    match role {
        Role::Admin => true,
        Role::Leader => target == FeedTarget::Leader(user_id),
        Role::Staff => department_id.is_some_and(|d| target == FeedTarget::Department(d)),
    }
}

/// `can_manage_feed`, as a `Forbidden` error.
pub fn require_feed(user: &Principal, target: FeedTarget) -> Result<()> {
    if can_manage_feed(user, target) {
        Ok(())
    } else {
        Err(Error::Forbidden(Msg::ForbiddenManageFeed))
    }
}

/// The department a user's lists are limited to (`None` = sees everything).
pub fn visible_department(user: &Principal) -> Option<i64> {
    if can(user, Action::ReadAllDepartments, None) {
        None
    } else {
        // Staff without a department see nothing: scope to an id that cannot exist.
        Some(user.department_id.unwrap_or(-1))
    }
}

/// What was refused, for the 403 message.
pub fn describe(action: Action) -> Msg {
    use Action::*;
    match action {
        ReadTask => Msg::ForbiddenReadTask,
        UpdateTaskProgress => Msg::ForbiddenUpdateTaskProgress,
        AddTaskNote => Msg::ForbiddenAddTaskNote,
        RequestExtension => Msg::ForbiddenRequestExtension,
        EditTask => Msg::ForbiddenEditTask,
        CreateTask => Msg::ForbiddenCreateTask,
        ConfirmTask => Msg::ForbiddenConfirmTask,
        ReopenOrCancelTask => Msg::ForbiddenReopenOrCancelTask,
        DecideExtension => Msg::ForbiddenDecideExtension,
        RecordDocument => Msg::ForbiddenRecordDocument,
        ReadAllDepartments => Msg::ForbiddenReadAllDepartments,
        ReadOverdue => Msg::ForbiddenReadOverdue,
        ReadStats => Msg::ForbiddenReadStats,
        ReadNotifications => Msg::ForbiddenReadNotifications,
        ManageDepartments => Msg::ForbiddenManageDepartments,
        ManageUsers => Msg::ForbiddenManageUsers,
        ImportTasks => Msg::ForbiddenImportTasks,
        ChooseAsOfDate => Msg::ForbiddenChooseAsOfDate,
        DraftLetter => Msg::ForbiddenDraftLetter,
        ReadReminderRegister => Msg::ForbiddenReadReminderRegister,
        ReadReview => Msg::ForbiddenReadReview,
        TakeSnapshot => Msg::ForbiddenTakeSnapshot,
        ReadSnapshots => Msg::ForbiddenReadSnapshots,
        RequestExplanation => Msg::ForbiddenRequestExplanation,
        AnswerExplanation => Msg::ForbiddenAnswerExplanation,
        ReadExplanations => Msg::ForbiddenReadExplanations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::principal::TokenKind;

    fn user(role: Role, department: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            full_name: "U".into(),
            role,
            department_id: department,
            department_code: None,
            department_name: None,
            language: Default::default(),
            token_id: 1,
            token_kind: TokenKind::Api,
            csrf_token: None,
            must_change_password: false,
        }
    }

    fn task() -> TaskScope {
        TaskScope {
            lead_department_id: 10,
            coordinating_department_ids: vec![20],
        }
    }

    #[test]
    fn staff_rights_follow_their_departments_involvement() {
        let lead = user(Role::Staff, Some(10));
        let coord = user(Role::Staff, Some(20));
        let other = user(Role::Staff, Some(30));
        let t = task();
        for (who, read, update, note, extend) in [
            (&lead, true, true, true, true),
            (&coord, true, false, true, false),
            (&other, false, false, false, false),
        ] {
            assert_eq!(can(who, Action::ReadTask, Some(&t)), read);
            assert_eq!(can(who, Action::UpdateTaskProgress, Some(&t)), update);
            assert_eq!(can(who, Action::AddTaskNote, Some(&t)), note);
            assert_eq!(can(who, Action::RequestExtension, Some(&t)), extend);
            for refused in [
                Action::EditTask,
                Action::ConfirmTask,
                Action::DecideExtension,
                Action::RecordDocument,
                Action::CreateTask,
                Action::DraftLetter,
                Action::ReadReview,
            ] {
                assert!(!can(who, refused, Some(&t)), "{refused:?}");
            }
            assert!(can(who, Action::ReadReminderRegister, None));
        }
    }

    #[test]
    fn leaders_read_and_decide_but_do_not_administer() {
        let leader = user(Role::Leader, None);
        let t = task();
        for allowed in [
            Action::ReadTask,
            Action::EditTask,
            Action::CreateTask,
            Action::ConfirmTask,
            Action::DecideExtension,
            Action::RecordDocument,
            Action::ReadAllDepartments,
            Action::ChooseAsOfDate,
            Action::DraftLetter,
            Action::ReadReminderRegister,
            Action::ReadReview,
        ] {
            assert!(can(&leader, allowed, Some(&t)), "{allowed:?}");
        }
        for refused in [
            Action::ManageUsers,
            Action::ManageDepartments,
            Action::ImportTasks,
        ] {
            assert!(!can(&leader, refused, Some(&t)), "{refused:?}");
        }
    }

    #[test]
    fn explanations_are_asked_by_leaders_and_answered_by_the_lead_department_only() {
        let t = task();
        let lead = user(Role::Staff, Some(10));
        let coord = user(Role::Staff, Some(20));
        let other = user(Role::Staff, Some(30));
        let leader = user(Role::Leader, None);
        assert!(can(&lead, Action::AnswerExplanation, Some(&t)));
        assert!(!can(&coord, Action::AnswerExplanation, Some(&t)));
        assert!(can(&coord, Action::ReadTask, Some(&t)), "coordinators read");
        assert!(!can(&other, Action::AnswerExplanation, Some(&t)));
        assert!(!can(&other, Action::ReadTask, Some(&t)));
        assert!(!can(&leader, Action::AnswerExplanation, Some(&t)));
        for staff in [&lead, &coord, &other] {
            for refused in [
                Action::RequestExplanation,
                Action::TakeSnapshot,
                Action::ReadSnapshots,
            ] {
                assert!(!can(staff, refused, Some(&t)), "{refused:?}");
            }
        }
        for allowed in [
            Action::RequestExplanation,
            Action::TakeSnapshot,
            Action::ReadSnapshots,
            Action::ReadExplanations,
        ] {
            assert!(can(&leader, allowed, Some(&t)), "{allowed:?}");
        }
    }

    #[test]
    fn feeds_are_managed_by_their_own_department_or_leader() {
        let staff = user(Role::Staff, Some(10));
        assert!(can_manage_feed(&staff, FeedTarget::Department(10)));
        assert!(!can_manage_feed(&staff, FeedTarget::Department(20)));
        assert!(!can_manage_feed(&staff, FeedTarget::Leader(1)));
        let leader = user(Role::Leader, None);
        assert!(can_manage_feed(&leader, FeedTarget::Leader(1)));
        assert!(!can_manage_feed(&leader, FeedTarget::Leader(2)));
        assert!(!can_manage_feed(&leader, FeedTarget::Department(10)));
        let admin = user(Role::Admin, None);
        assert!(can_manage_feed(&admin, FeedTarget::Department(20)));
        assert!(can_manage_feed(&admin, FeedTarget::Leader(2)));
        assert!(require_feed(&staff, FeedTarget::Department(20)).is_err());
    }

    #[test]
    fn admins_may_do_everything_and_staff_lists_are_scoped() {
        let admin = user(Role::Admin, Some(1));
        assert!(can(&admin, Action::ManageUsers, None));
        assert_eq!(visible_department(&admin), None);
        assert_eq!(visible_department(&user(Role::Staff, Some(10))), Some(10));
        assert_eq!(visible_department(&user(Role::Staff, None)), Some(-1));
    }
}
