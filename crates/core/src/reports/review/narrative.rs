//! The words of a review: its heading (the day it describes) and the
//! paragraph of a self-review, in the register of the district's own report.
//! Every number in them is a figure of the review, under the same name.

use chrono::NaiveDate;

use super::Review;
use crate::reports::figures::period::PeriodKind;

/// "Số liệu tính đến hết ngày 31/03/2026".
pub fn heading_vi(as_of: NaiveDate) -> String {
    format!("Số liệu tính đến hết ngày {}", as_of.format("%d/%m/%Y"))
}

/// "đến cuối năm" / "đến cuối kỳ" once the period is over on the as-of day,
/// else "đến nay" (today) or "đến ngày dd/mm/yyyy" (an earlier day).
fn until_vi(r: &Review, today_is_as_of: bool) -> String {
    if r.period.ended_by(r.as_of) {
        match r.period.kind {
            PeriodKind::Year => "đến cuối năm".to_string(),
            _ => "đến cuối kỳ".to_string(),
        }
    } else if today_is_as_of {
        "đến nay".to_string()
    } else {
        format!("đến ngày {}", r.as_of.format("%d/%m/%Y"))
    }
}

/// The paragraph a self-review states.
pub fn paragraph_vi(r: &Review, short_name: &str) -> String {
    let o = &r.overall;
    let until = until_vi(r, r.as_of_query.is_none());
    let opening = match r.period.kind {
        PeriodKind::Year => format!(
            "Trong Chương trình làm việc năm {}, {short_name} đã đề ra {} nội dung trọng tâm",
            r.period.year, o.total
        ),
        PeriodKind::Quarter | PeriodKind::Range => format!(
            "Trong {}, theo Chương trình làm việc, {short_name} có {} nội dung trọng tâm đến hạn thực hiện",
            r.period.label_vi, o.total
        ),
    };
    let mut text = format!(
        "{opening}; {until} đã thực hiện hoàn thành {}/{} nội dung ({}%), trong đó {} nội dung hoàn thành đúng hạn, {} nội dung hoàn thành đúng hạn sau khi được gia hạn, {} nội dung hoàn thành quá hạn",
        o.completed,
        o.counted,
        o.rate_vi(),
        o.completed_on_time,
        o.completed_on_time_after_extension,
        o.completed_late
    );
    if o.open > 0 {
        let mut parts = Vec::new();
        if o.in_progress > 0 {
            parts.push(format!("{} nội dung đang thực hiện", o.in_progress));
        }
        if o.not_started > 0 {
            parts.push(format!("{} nội dung chưa triển khai", o.not_started));
        }
        text.push_str(&format!(
            "; {} (trong đó {} nội dung đã quá hạn",
            parts.join(", "),
            o.overdue
        ));
        if o.overdue_over_30_days > 0 {
            text.push_str(&format!(
                ", {} nội dung quá hạn trên 30 ngày",
                o.overdue_over_30_days
            ));
        }
        text.push(')');
    }
    if o.cancelled > 0 {
        text.push_str(&format!(
            "; {} nội dung được điều chỉnh, không tiếp tục thực hiện",
            o.cancelled
        ));
    }
    text.push_str(&format!(
        "; đã ban hành {} văn bản đôn đốc, nhắc nhở các ngành, đơn vị, địa phương trong quá trình thực hiện nhiệm vụ.",
        o.reminder_documents
    ));
    if r.documents_total > 0 {
        let parts: Vec<String> = r
            .documents_by_kind
            .iter()
            .filter(|k| k.count > 0)
            .map(|k| format!("{} {}", k.count, k.label_vi))
            .collect();
        let listed = match parts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} và {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => String::new(),
        };
        text.push_str(&format!(
            " Tính đến ngày {}, {short_name} đã ban hành tổng cộng {} văn bản các loại; trong đó có: {listed}.",
            r.as_of.min(r.period.to).format("%d/%m/%Y"),
            r.documents_total
        ));
    }
    text
}

pub fn paragraph_en(r: &Review, short_name: &str) -> String {
    let o = &r.overall;
    let opening = match r.period.kind {
        PeriodKind::Year => format!(
            "In the {} work programme, {short_name} set {} key tasks",
            r.period.year, o.total
        ),
        _ => format!(
            "In {}, {} key tasks of the work programme fell due",
            r.period.label_en, o.total
        ),
    };
    let mut text = format!(
        "{opening}; as of {}, {} of {} are done ({}%): {} on time, {} on time after an extension and {} late",
        r.as_of.format("%d/%m/%Y"),
        o.completed,
        o.counted,
        o.rate_en(),
        o.completed_on_time,
        o.completed_on_time_after_extension,
        o.completed_late
    );
    if o.open > 0 {
        text.push_str(&format!(
            "; {} are in progress and {} not started ({} of them overdue, {} by more than 30 days)",
            o.in_progress, o.not_started, o.overdue, o.overdue_over_30_days
        ));
    }
    if o.cancelled > 0 {
        text.push_str(&format!("; {} were cancelled", o.cancelled));
    }
    text.push_str(&format!(
        "; {} reminder documents were issued. {} documents were issued in all.",
        o.reminder_documents, r.documents_total
    ));
    text
}
