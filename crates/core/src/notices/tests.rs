//! `derive` knows the history's actions by their stored names: they must be
//! the history's own.

use super::{derive::kind_of, kind};
use crate::{
    followup::explanations::{HISTORY_ANSWERED, HISTORY_REQUESTED},
    tasks::history::action,
};

#[test]
fn every_announced_action_is_named_as_the_history_names_it() {
    let cases = [
        (action::REPORTED_DONE, None, Some(kind::REPORTED_DONE)),
        (action::CONFIRMED, Some("status"), Some(kind::CONFIRMED)),
        (action::RETURNED, Some("status"), Some(kind::RETURNED)),
        (
            action::EXTENSION_REQUESTED,
            Some("due_date"),
            Some(kind::EXTENSION_REQUESTED),
        ),
        (
            action::EXTENSION_APPROVED,
            Some("due_date"),
            Some(kind::EXTENSION_DECIDED),
        ),
        (
            action::EXTENSION_REJECTED,
            None,
            Some(kind::EXTENSION_DECIDED),
        ),
        (
            HISTORY_REQUESTED,
            Some("answer_by"),
            Some(kind::EXPLANATION_ASKED),
        ),
        (HISTORY_ANSWERED, None, Some(kind::EXPLANATION_ANSWERED)),
        (
            action::UPDATED,
            Some("due_date"),
            Some(kind::DUE_DATE_CHANGED),
        ),
        (
            action::UPDATED,
            Some("lead_department"),
            Some(kind::ASSIGNED),
        ),
        (
            action::UPDATED,
            Some("coordinating_departments"),
            Some(kind::ASSIGNED),
        ),
        (action::CREATED, None, Some(kind::ASSIGNED)),
        (action::UPDATED, Some("progress"), None),
        (action::NOTE, None, None),
        (action::IMPORTED, None, None),
        (action::RECURRED, None, None),
        (action::EXTENSION_WITHDRAWN, None, None),
    ];
    for (a, field, expected) in cases {
        assert_eq!(kind_of(a, field), expected, "{a} {field:?}");
    }
}

#[test]
fn every_kind_has_words_in_both_languages() {
    for lang in dondoc_i18n::Lang::ALL {
        for k in kind::ALL {
            for key in [format!("notice-kind-{k}"), format!("notice-says-{k}")] {
                assert!(dondoc_i18n::has(lang, &key), "{key} missing in {lang:?}");
            }
        }
        for m in super::mail_mode::ALL {
            assert!(dondoc_i18n::has(lang, &format!("notice-mail-{m}")));
        }
    }
}
