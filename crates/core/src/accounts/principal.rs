//! Who is acting: the signed-in user of a request or a job, with the role
//! and department the permission policy looks at.

use crate::domain::{Language, Role};

/// A bearer token for API clients, or a browser session (cookie + CSRF token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Api,
    Session,
}

impl TokenKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Session => "session",
        }
    }
}

/// The authenticated user of a request: who, in which role and department.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub department_code: Option<String>,
    /// The department's name, for people to read (the header); read in
    /// the same query as the rest, so authenticating stays one round trip.
    pub department_name: Option<String>,
    /// The account's language (pages after login, mails to the person).
    pub language: Language,
    pub token_id: i64,
    pub token_kind: TokenKind,
    /// The CSRF token of this login: cookie-authenticated writes must echo it.
    pub csrf_token: Option<String>,
    pub must_change_password: bool,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn is_leader_or_admin(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Leader)
    }
}
