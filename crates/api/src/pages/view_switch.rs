//! Whose tasks a page shows, and the one-click switch between views:
//! - a leader in charge of tasks: "Nhiệm vụ tôi phụ trách" (his own) or
//!   the whole organisation — his own by default for a deputy (see
//!   `accounts::leader_view`), the whole organisation otherwise;
//! - staff: every task of the department, those it leads, or those it
//!   supports (coordinates).
//!
//! The dashboard, the overdue page and the task list use it; the links from
//! their numbers carry the same choice (`leader=…`, or `scope=all` when a
//! deputy asked for the whole organisation), so a number and the list it
//! opens stay the same tasks.

use actix_web::HttpRequest;
use dondoc_core::{accounts::leader_view, accounts::principal::Principal};

use super::{PageError, Tr};
use crate::state::AppState;

/// The query value asking for the whole organisation.
pub const SCOPE_ALL: &str = "all";

pub struct SwitchLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The links of the switch, in a labelled group.
pub struct ViewSwitch {
    pub label: String,
    pub links: Vec<SwitchLink>,
}

/// The leader whose tasks are shown, and the switch.
pub struct LeaderChoice {
    /// Username of the leader in charge whose tasks are shown.
    pub leader: Option<String>,
    /// A deputy who asked for the whole organisation: the links keep it.
    pub whole_asked: bool,
    pub switch: Option<ViewSwitch>,
}

impl LeaderChoice {
    /// The pairs every list link of the page adds to keep this view.
    pub fn keep(&self) -> Vec<(&'static str, String)> {
        match &self.leader {
            Some(l) => vec![("leader", l.clone())],
            None if self.whole_asked => vec![("scope", SCOPE_ALL.to_string())],
            None => Vec::new(),
        }
    }
}

/// The request's query without `drop`, plus `add`.
fn link_to(req: &HttpRequest, drop: &[&str], add: &[(&str, &str)]) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if !drop.contains(&k.as_ref()) {
            url.append_pair(&k, &v);
        }
    }
    for (k, v) in add {
        url.append_pair(k, v);
    }
    let query = url.finish();
    if query.is_empty() {
        req.path().to_string()
    } else {
        format!("{}?{query}", req.path())
    }
}

fn query_value(req: &HttpRequest, key: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whose tasks to show: the `leader` asked for, else the viewer's own when
/// that is their default and they did not ask for the whole organisation.
pub async fn leader_choice(
    req: &HttpRequest,
    state: &AppState,
    user: &Principal,
    t: Tr,
) -> Result<LeaderChoice, PageError> {
    let view = leader_view::own_view(&state.db, user).await?;
    let asked = query_value(req, "leader");
    let whole = query_value(req, "scope").as_deref() == Some(SCOPE_ALL);
    let leader = match asked {
        Some(l) => Some(l.to_ascii_lowercase()),
        None if view.by_default && !whole => view.own.clone(),
        None => None,
    };
    let switch = view.own.as_ref().map(|own| {
        let mine = leader.as_deref() == Some(own.as_str());
        let drop = ["leader", "scope", "page"];
        ViewSwitch {
            label: t.get("view_switch"),
            links: vec![
                SwitchLink {
                    label: t.get("view_my_tasks"),
                    href: link_to(req, &drop, &[("leader", own)]),
                    current: mine,
                },
                SwitchLink {
                    label: t.get("view_whole_organisation"),
                    href: link_to(
                        req,
                        &drop,
                        if view.by_default {
                            &[("scope", SCOPE_ALL)]
                        } else {
                            &[]
                        },
                    ),
                    current: leader.is_none(),
                },
            ],
        }
    });
    Ok(LeaderChoice {
        whole_asked: leader.is_none() && view.by_default,
        leader,
        switch,
    })
}

/// Staff: the department's tasks, those it leads, those it supports.
pub fn involvement_switch(
    req: &HttpRequest,
    t: Tr,
    own_department: &str,
    involvement: Option<&str>,
    department: Option<&str>,
) -> Option<ViewSwitch> {
    if own_department.is_empty() {
        return None;
    }
    let drop = ["involvement", "department", "page"];
    let chosen = match (department, involvement) {
        (Some(d), Some("coordinating")) if d.eq_ignore_ascii_case(own_department) => "coordinating",
        (Some(d), _) if d.eq_ignore_ascii_case(own_department) => "lead",
        _ => "",
    };
    let link = |value: &str, key: &str| SwitchLink {
        label: t.get(key),
        href: if value.is_empty() {
            link_to(req, &drop, &[])
        } else {
            link_to(
                req,
                &drop,
                &[("department", own_department), ("involvement", value)],
            )
        },
        current: chosen == value,
    };
    Some(ViewSwitch {
        label: t.get("view_switch"),
        links: vec![
            link("", "view_department_all"),
            link("lead", "view_department_leads"),
            link("coordinating", "view_department_supports"),
        ],
    })
}
