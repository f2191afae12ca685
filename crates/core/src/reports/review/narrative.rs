//! The words of a review: its heading (the day it describes) and the
//! paragraph of a self-review, in the register of the district's own report.
//! Every number in them is a figure of the review, under the same name.
//!
//! The sentences are Fluent messages (`review-*` in `review.ftl`), one per
//! clause, with the figures as arguments; this file only decides which
//! clauses a review has and joins them ("; " between clauses, a space before
//! the closing sentence on documents).

use chrono::NaiveDate;

use super::Review;
use crate::{
    messages::{Arg, Lang},
    reports::figures::period::PeriodKind,
};

/// "Số liệu tính đến hết ngày 31/03/2026".
pub fn heading(as_of: NaiveDate, lang: Lang) -> String {
    dondoc_i18n::text_with(lang, "review-heading", &[("date", as_of.into())])
}

/// The selector of "đến cuối năm" / "đến cuối kỳ" once the period is over on
/// the as-of day, else "đến nay" (today) or "đến ngày dd/mm/yyyy" (an
/// earlier day).
fn until(r: &Review, today_is_as_of: bool) -> &'static str {
    if r.period.ended_by(r.as_of) {
        match r.period.kind {
            PeriodKind::Year => "year_end",
            _ => "period_end",
        }
    } else if today_is_as_of {
        "now"
    } else {
        "day"
    }
}

/// The paragraph a self-review states.
pub fn paragraph(r: &Review, short_name: &str, lang: Lang) -> String {
    let o = &r.overall;
    let t = |key: &str, args: &[(&str, Arg)]| dondoc_i18n::text_with(lang, key, args);
    let mut clauses = vec![
        t(
            "review-opening",
            &[
                ("kind", r.period.kind.code().into()),
                ("year", r.period.year.into()),
                ("period", r.period.label(lang).into()),
                ("org", short_name.into()),
                ("total", o.total.into()),
            ],
        ),
        t(
            "review-done",
            &[
                ("until", until(r, r.as_of_query.is_none()).into()),
                ("as_of", r.as_of.into()),
                ("completed", o.completed.into()),
                ("counted", o.counted.into()),
                ("rate", o.rate(lang).into()),
                ("on_time", o.completed_on_time.into()),
                (
                    "on_time_after_extension",
                    o.completed_on_time_after_extension.into(),
                ),
                ("late", o.completed_late.into()),
            ],
        ),
    ];
    if o.open > 0 {
        let mut parts = Vec::new();
        if o.in_progress > 0 {
            parts.push(t(
                "review-open-in-progress",
                &[("count", o.in_progress.into())],
            ));
        }
        if o.not_started > 0 {
            parts.push(t(
                "review-open-not-started",
                &[("count", o.not_started.into())],
            ));
        }
        clauses.push(t(
            "review-open",
            &[
                ("parts", parts.join(", ").into()),
                ("in_progress", o.in_progress.into()),
                ("not_started", o.not_started.into()),
                ("overdue", o.overdue.into()),
                ("over_30", o.overdue_over_30_days.into()),
            ],
        ));
    }
    if o.cancelled > 0 {
        clauses.push(t("review-cancelled", &[("cancelled", o.cancelled.into())]));
    }
    clauses.push(t(
        "review-reminders",
        &[("reminders", o.reminder_documents.into())],
    ));
    let mut text = clauses.join("; ");
    let parts: Vec<String> = r
        .documents_by_kind
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| {
            t(
                "review-kind-count",
                &[("count", k.count.into()), ("kind", k.kind.label_arg())],
            )
        })
        .collect();
    let listed = match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => t(
            "review-list-and",
            &[("rest", rest.join(", ").into()), ("last", last.into())],
        ),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    // Empty when a language says nothing of documents for this review.
    let documents = t(
        "review-documents",
        &[
            ("date", r.as_of.min(r.period.to).into()),
            ("org", short_name.into()),
            ("total", r.documents_total.into()),
            ("listed", listed.into()),
        ],
    );
    if !documents.is_empty() {
        text.push(' ');
        text.push_str(&documents);
    }
    text
}
