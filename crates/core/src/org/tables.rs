//! The administration's tables of accounts and units: searched, filtered,
//! sorted and paged on the server from query parameters, so the page shows
//! one screenful however many there are.
//!
//! Invariants a reader must keep:
//! - Search is diacritics- and case-insensitive (`text::fold`), as people
//!   type Vietnamese names without marks ("nguyen van" finds "Nguyễn Văn").
//! - Sorting compares folded text too (so "Đ" sorts with "D", not after
//!   "Z"), then breaks ties by the unique key (username, code): a page
//!   boundary never moves between two reads of the same data.
//! - Accounts and units number in the hundreds or thousands, not millions:
//!   the rows are read once and filtered here, where the folding lives. The
//!   page handed out is always bounded (`PER_PAGE`).
//! - Parsing is pure; a bad parameter is a `Validation` error naming it.

use std::cmp::Ordering;

use sea_orm::ConnectionTrait;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    accounts::users::{self, UserView},
    domain::{DepartmentKind, Role, text::fold},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::departments::{self, Department},
};

/// Rows per page of an administration table.
pub const PER_PAGE: u64 = 25;

/// A table query as it arrives (every value a string, possibly empty).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawTableQuery {
    /// Words to find in the name, username, code, email or job title.
    pub q: Option<String>,
    /// The column to sort by.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Accounts: `admin`, `leader` or `staff`.
    pub role: Option<String>,
    /// Accounts: a department code.
    pub department: Option<String>,
    /// Units: `office`, `commune` or `agency`.
    pub kind: Option<String>,
    /// `active`, `inactive` or empty for both.
    pub status: Option<String>,
}

/// One page of a table.
#[derive(Debug, Clone)]
pub struct TablePage<T> {
    pub items: Vec<T>,
    /// Rows matching the search and filters, on every page.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// The columns of the accounts table that sort.
pub const USER_SORTS: &[&str] = &[
    "username",
    "full_name",
    "position",
    "role",
    "department",
    "email",
    "status",
];

/// The columns of the units table that sort.
pub const DEPARTMENT_SORTS: &[&str] = &["code", "name", "kind", "email", "status"];

/// A parsed table query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableQuery {
    /// Folded search words, all of which must be found.
    pub words: Vec<String>,
    pub sort: &'static str,
    pub desc: bool,
    pub page: u64,
    pub role: Option<Role>,
    pub department: Option<String>,
    pub kind: Option<DepartmentKind>,
    pub active: Option<bool>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn choice(field: &str, value: &str, choices: &[&str]) -> FieldError {
    FieldError::new(
        field,
        "invalid_choice",
        Msg::InvalidChoice {
            value: value.to_string(),
            choices: choices.join(", "),
        },
    )
}

impl RawTableQuery {
    /// Parses the query for a table whose sortable columns are `sorts` (the
    /// first is the default).
    pub fn parse(&self, sorts: &[&'static str]) -> Result<TableQuery> {
        let mut errors = Vec::new();
        let q = non_empty(&self.q).unwrap_or("");
        if q.chars().count() > 200 {
            errors.push(FieldError::new("q", "too_long", Msg::SearchTooLong));
        }
        let sort = match non_empty(&self.sort) {
            None => sorts.first().copied().unwrap_or(""),
            Some(s) => match sorts.iter().find(|c| **c == s) {
                Some(c) => c,
                None => {
                    errors.push(choice("sort", s, sorts));
                    sorts.first().copied().unwrap_or("")
                }
            },
        };
        let desc = match non_empty(&self.dir) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                errors.push(choice("dir", other, &["asc", "desc"]));
                false
            }
        };
        let page = match non_empty(&self.page) {
            None => 1,
            Some(text) => match text.parse::<u64>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new("page", "invalid_number", Msg::PageNumber));
                    1
                }
            },
        };
        let role = match non_empty(&self.role) {
            None => None,
            Some(r) => match r.parse::<Role>() {
                Ok(role) => Some(role),
                Err(Error::Validation(mut fields)) => {
                    errors.append(&mut fields);
                    None
                }
                Err(other) => return Err(other),
            },
        };
        let kind = match non_empty(&self.kind) {
            None => None,
            Some(k) => match k.parse::<DepartmentKind>() {
                Ok(kind) => Some(kind),
                Err(Error::Validation(mut fields)) => {
                    errors.append(&mut fields);
                    None
                }
                Err(other) => return Err(other),
            },
        };
        let active = match non_empty(&self.status) {
            None | Some("all") => None,
            Some("active") => Some(true),
            Some("inactive") => Some(false),
            Some(other) => {
                errors.push(choice("status", other, &["active", "inactive", "all"]));
                None
            }
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(TableQuery {
            words: fold(q)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            sort,
            desc,
            page,
            role,
            department: non_empty(&self.department).map(|d| d.to_ascii_uppercase()),
            kind,
            active,
        })
    }
}

/// Whether every search word is found in one of `texts`.
fn found(words: &[String], texts: &[&str]) -> bool {
    if words.is_empty() {
        return true;
    }
    let haystack = texts.iter().map(|t| fold(t)).collect::<Vec<_>>().join(" ");
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// Folded text compared, empty values last whatever the direction.
fn by_text(a: Option<&str>, b: Option<&str>) -> Ordering {
    let a = a.map(fold).filter(|s| !s.is_empty());
    let b = b.map(fold).filter(|s| !s.is_empty());
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts, then cuts out the page (the last one when `page` is past it).
fn page_of<T>(
    mut rows: Vec<T>,
    query: &TableQuery,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> TablePage<T> {
    rows.sort_by(|a, b| {
        let ordering = cmp(a, b);
        if query.desc {
            ordering.reverse()
        } else {
            ordering
        }
    });
    let total = rows.len() as u64;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = query.page.min(pages);
    let items = rows
        .into_iter()
        .skip(((page - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
        .collect();
    TablePage {
        items,
        total,
        page,
        pages,
    }
}

/// The accounts of one page (pure: the rows are given).
pub fn user_page(all: Vec<UserView>, query: &TableQuery) -> TablePage<UserView> {
    let rows: Vec<UserView> = all
        .into_iter()
        .filter(|u| query.role.is_none_or(|r| u.role == r))
        .filter(|u| query.active.is_none_or(|a| u.active == a))
        .filter(|u| {
            query
                .department
                .as_deref()
                .is_none_or(|d| u.department.as_deref() == Some(d))
        })
        .filter(|u| {
            found(
                &query.words,
                &[
                    &u.username,
                    &u.full_name,
                    u.email.as_deref().unwrap_or(""),
                    u.position.as_deref().unwrap_or(""),
                    u.department.as_deref().unwrap_or(""),
                    u.department_name.as_deref().unwrap_or(""),
                ],
            )
        })
        .collect();
    let sort = query.sort;
    page_of(rows, query, |a, b| {
        let primary = match sort {
            "full_name" => by_text(Some(&a.full_name), Some(&b.full_name)),
            "position" => by_text(a.position.as_deref(), b.position.as_deref()),
            "role" => a.role.as_str().cmp(b.role.as_str()),
            "department" => by_text(a.department_name.as_deref(), b.department_name.as_deref()),
            "email" => by_text(a.email.as_deref(), b.email.as_deref()),
            "status" => b.active.cmp(&a.active),
            _ => Ordering::Equal,
        };
        primary.then_with(|| a.username.cmp(&b.username))
    })
}

/// The units of one page (pure: the rows are given).
pub fn department_page(all: Vec<Department>, query: &TableQuery) -> TablePage<Department> {
    let rows: Vec<Department> = all
        .into_iter()
        .filter(|d| query.kind.is_none_or(|k| d.kind == k))
        .filter(|d| query.active.is_none_or(|a| d.active == a))
        .filter(|d| {
            found(
                &query.words,
                &[&d.code, &d.name, d.email.as_deref().unwrap_or("")],
            )
        })
        .collect();
    let sort = query.sort;
    page_of(rows, query, |a, b| {
        let primary = match sort {
            "name" => by_text(Some(&a.name), Some(&b.name)),
            "kind" => a.kind.as_str().cmp(b.kind.as_str()),
            "email" => by_text(a.email.as_deref(), b.email.as_deref()),
            "status" => b.active.cmp(&a.active),
            _ => Ordering::Equal,
        };
        primary.then_with(|| a.code.cmp(&b.code))
    })
}

/// The accounts table: every account read once, then searched and paged.
pub async fn users<C: ConnectionTrait>(db: &C, raw: &RawTableQuery) -> Result<TablePage<UserView>> {
    let query = raw.parse(USER_SORTS)?;
    Ok(user_page(users::list(db).await?, &query))
}

/// The units table, inactive units included.
pub async fn departments<C: ConnectionTrait>(
    db: &C,
    raw: &RawTableQuery,
) -> Result<TablePage<Department>> {
    let query = raw.parse(DEPARTMENT_SORTS)?;
    Ok(department_page(departments::list(db, true).await?, &query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(
        username: &str,
        full_name: &str,
        role: Role,
        dept: Option<(&str, &str)>,
        active: bool,
    ) -> UserView {
        UserView {
            id: 0,
            username: username.into(),
            full_name: full_name.into(),
            email: None,
            position: None,
            role,
            department: dept.map(|d| d.0.to_string()),
            department_name: dept.map(|d| d.1.to_string()),
            active,
            must_change_password: false,
            language: Default::default(),
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawTableQuery {
        let mut q = RawTableQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "q" => q.q = v,
                "sort" => q.sort = v,
                "dir" => q.dir = v,
                "page" => q.page = v,
                "role" => q.role = v,
                "department" => q.department = v,
                "kind" => q.kind = v,
                "status" => q.status = v,
                _ => unreachable!(),
            }
        }
        q
    }

    fn names(page: &TablePage<UserView>) -> Vec<&str> {
        page.items.iter().map(|u| u.username.as_str()).collect()
    }

    fn sample() -> Vec<UserView> {
        vec![
            user(
                "b.tran",
                "Trần Văn Bình",
                Role::Staff,
                Some(("TNMT", "Phòng Tài nguyên")),
                true,
            ),
            user("a.nguyen", "Nguyễn Thị An", Role::Leader, None, true),
            user(
                "d.do",
                "Đỗ Minh Đức",
                Role::Staff,
                Some(("XA-AN", "Xã An")),
                false,
            ),
            user("z.le", "Lê Zung", Role::Admin, None, true),
        ]
    }

    #[test]
    fn search_ignores_marks_and_case() {
        let q = raw(&[("q", "NGUYEN thi")]).parse(USER_SORTS).unwrap();
        assert_eq!(names(&user_page(sample(), &q)), ["a.nguyen"]);
        let q = raw(&[("q", "tài nguyên")]).parse(USER_SORTS).unwrap();
        assert_eq!(names(&user_page(sample(), &q)), ["b.tran"]);
        let q = raw(&[("q", "nobody")]).parse(USER_SORTS).unwrap();
        assert_eq!(user_page(sample(), &q).total, 0);
    }

    #[test]
    fn sorts_by_folded_text_both_ways_with_a_stable_tie_break() {
        let q = raw(&[("sort", "full_name")]).parse(USER_SORTS).unwrap();
        // Đỗ sorts with D, before L, N and T.
        assert_eq!(
            names(&user_page(sample(), &q)),
            ["d.do", "z.le", "a.nguyen", "b.tran"]
        );
        let q = raw(&[("sort", "full_name"), ("dir", "desc")])
            .parse(USER_SORTS)
            .unwrap();
        assert_eq!(
            names(&user_page(sample(), &q)),
            ["b.tran", "a.nguyen", "z.le", "d.do"]
        );
        let q = raw(&[("sort", "status")]).parse(USER_SORTS).unwrap();
        assert_eq!(names(&user_page(sample(), &q)).last(), Some(&"d.do"));
    }

    #[test]
    fn filters_combine() {
        let q = raw(&[("role", "staff"), ("status", "active")])
            .parse(USER_SORTS)
            .unwrap();
        assert_eq!(names(&user_page(sample(), &q)), ["b.tran"]);
        let q = raw(&[("department", "xa-an")]).parse(USER_SORTS).unwrap();
        assert_eq!(names(&user_page(sample(), &q)), ["d.do"]);
    }

    #[test]
    fn pages_are_bounded_and_a_page_past_the_end_is_the_last() {
        let many: Vec<UserView> = (0..60)
            .map(|i| user(&format!("u{i:02}"), "X", Role::Staff, None, true))
            .collect();
        let q = raw(&[("page", "2")]).parse(USER_SORTS).unwrap();
        let page = user_page(many.clone(), &q);
        assert_eq!(
            (page.total, page.page, page.pages, page.items.len()),
            (60, 2, 3, 25)
        );
        assert_eq!(page.items[0].username, "u25");
        let q = raw(&[("page", "9")]).parse(USER_SORTS).unwrap();
        let page = user_page(many, &q);
        assert_eq!((page.page, page.items.len()), (3, 10));
    }

    #[test]
    fn bad_parameters_are_named() {
        let err = raw(&[
            ("sort", "password_hash"),
            ("dir", "up"),
            ("page", "0"),
            ("role", "boss"),
            ("status", "x"),
        ])
        .parse(USER_SORTS)
        .unwrap_err();
        let Error::Validation(fields) = err else {
            panic!()
        };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        for field in ["sort", "dir", "page", "role", "status"] {
            assert!(named.contains(&field), "{field} in {named:?}");
        }
        assert!(raw(&[("q", &"x".repeat(201))]).parse(USER_SORTS).is_err());
    }

    #[test]
    fn units_sort_by_name_and_filter_by_kind() {
        let dept = |code: &str, name: &str, kind: DepartmentKind| Department {
            id: 0,
            code: code.into(),
            name: name.into(),
            kind,
            email: None,
            active: true,
        };
        let all = vec![
            dept("XA-B", "Xã Bình", DepartmentKind::Commune),
            dept("TNMT", "Phòng Tài nguyên", DepartmentKind::Office),
            dept("XA-A", "Xã Ân", DepartmentKind::Commune),
        ];
        let q = raw(&[("kind", "commune"), ("sort", "name")])
            .parse(DEPARTMENT_SORTS)
            .unwrap();
        let page = department_page(all, &q);
        let codes: Vec<&str> = page.items.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["XA-A", "XA-B"]);
    }
}
