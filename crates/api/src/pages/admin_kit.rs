//! What the administration's tables and edit forms share: sortable column
//! headings and pager links that keep the search and filters, and the
//! errors of a refused form shown beside their fields.

use dondoc_core::{Error, org::tables::RawTableQuery};

use super::Tr;

/// A sortable column heading: its label, the link that sorts by it (or
/// reverses the order when it is the current one) and its `aria-sort`.
pub struct Column {
    pub key: &'static str,
    pub label: String,
    pub link: String,
    /// `ascending`, `descending` or `none`.
    pub aria_sort: &'static str,
    /// ▲ / ▼ beside the current column.
    pub arrow: &'static str,
}

/// `key=value&…` of the query's non-empty values, with `sort`, `dir` and
/// `page` replaced by the given ones.
fn link(
    base: &str,
    raw: &RawTableQuery,
    sort: Option<&str>,
    dir: Option<&str>,
    page: Option<u64>,
) -> String {
    let page = page.map(|p| p.to_string());
    let pairs: [(&str, Option<&str>); 8] = [
        ("q", raw.q.as_deref()),
        ("role", raw.role.as_deref()),
        ("department", raw.department.as_deref()),
        ("kind", raw.kind.as_deref()),
        ("status", raw.status.as_deref()),
        ("sort", sort),
        ("dir", dir),
        ("page", page.as_deref()),
    ];
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            url.append_pair(key, value);
        }
    }
    let query = url.finish();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    }
}

/// The headings of a table at `base`, sorted by `sort` (`desc` or not),
/// from `(column, label key)` pairs.
pub fn columns(
    t: Tr,
    base: &str,
    raw: &RawTableQuery,
    sort: &str,
    desc: bool,
    cols: &[(&'static str, &str)],
) -> Vec<Column> {
    cols.iter()
        .map(|(key, label)| {
            let current = *key == sort;
            let dir = if current && !desc { "desc" } else { "asc" };
            Column {
                key,
                label: t.get(label),
                link: link(base, raw, Some(key), Some(dir), None),
                aria_sort: match (current, desc) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (current, desc) {
                    (false, _) => "",
                    (true, false) => "▲",
                    (true, true) => "▼",
                },
            }
        })
        .collect()
}

/// The previous and next pages' links (empty when there is none).
pub fn pager(base: &str, raw: &RawTableQuery, page: u64, pages: u64) -> (String, String) {
    let at = |n: u64| link(base, raw, raw.sort.as_deref(), raw.dir.as_deref(), Some(n));
    (
        if page > 1 {
            at(page - 1)
        } else {
            String::new()
        },
        if page < pages {
            at(page + 1)
        } else {
            String::new()
        },
    )
}

/// The errors of a refused form, each beside its field.
#[derive(Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// The field errors of a validation error, in the page's language;
    /// `None` for any other error.
    pub fn of(t: Tr, err: &Error) -> Option<Self> {
        match err {
            Error::Validation(fields) => Some(FieldErrors(
                fields
                    .iter()
                    .map(|f| (f.field.clone(), f.message.text(t.0)))
                    .collect(),
            )),
            _ => None,
        }
    }

    /// What is wrong with `field` ("" when nothing).
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// "Field: message" lines, for the summary above the form.
    pub fn lines(&self, t: &Tr) -> Vec<String> {
        self.0
            .iter()
            .map(|(f, m)| {
                if f.is_empty() {
                    m.clone()
                } else {
                    format!("{}: {m}", t.get(f))
                }
            })
            .collect()
    }
}

/// A username or unit code as one URL path segment.
pub(super) fn encode(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn headings_keep_the_filters_and_toggle_the_direction() {
        let raw = RawTableQuery {
            q: Some("nguyễn".into()),
            role: Some("staff".into()),
            page: Some("3".into()),
            ..Default::default()
        };
        let cols = columns(
            Tr(Lang::Vi),
            "/admin/users",
            &raw,
            "full_name",
            false,
            &[("username", "username"), ("full_name", "full_name")],
        );
        assert_eq!(
            cols[0].link,
            "/admin/users?q=nguy%E1%BB%85n&role=staff&sort=username&dir=asc"
        );
        assert_eq!(
            cols[1].link,
            "/admin/users?q=nguy%E1%BB%85n&role=staff&sort=full_name&dir=desc"
        );
        assert_eq!(
            (cols[0].aria_sort, cols[1].aria_sort),
            ("none", "ascending")
        );
        let (prev, next) = pager("/admin/users", &raw, 1, 2);
        assert_eq!(prev, "");
        assert_eq!(next, "/admin/users?q=nguy%E1%BB%85n&role=staff&page=2");
    }
}
