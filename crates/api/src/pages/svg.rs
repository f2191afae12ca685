//! The per-department bar chart of the dashboard, as inline SVG: readable
//! without JavaScript, printable, and labelled for screen readers.

use super::Tr;

pub struct Bar {
    pub label: String,
    pub overdue: i64,
    pub due_soon: i64,
    pub completed: i64,
    pub total: i64,
    /// The department's overdue tasks (the bar opens them).
    pub href: String,
}

/// Text for the SVG, which the dashboard inlines into its page: escaped by
/// askama's HTML escaper, the one every page uses.
fn escape(text: &str) -> String {
    let Ok(escaped) = askama::filters::escape(text, askama::filters::Html);
    escaped.to_string()
}

/// Horizontal stacked bars, one row per department; widths are shares of
/// the department's total so small communes stay readable next to big offices.
pub fn department_chart(t: Tr, bars: &[Bar]) -> String {
    let row_height = 26;
    let label_width = 250;
    let bar_width = 420;
    let height = bars.len() as i64 * row_height + 30;
    let width = label_width + bar_width + 110;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"chart-title\" class=\"chart\"><title id=\"chart-title\">{}</title>",
        escape(&t.get("by_department_chart"))
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = i as i64 * row_height + 4;
        let total = bar.total.max(1);
        let scale = |n: i64| (n * bar_width / total).max(if n > 0 { 2 } else { 0 });
        let (w_over, w_soon, w_done) = (
            scale(bar.overdue),
            scale(bar.due_soon),
            scale(bar.completed),
        );
        out.push_str(&format!(
            "<a href=\"{href}\" class=\"chart-bar\"><g><title>{label}: {o} {over}, {s} {soon}, {c}/{n} {done}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\">{label}</text>\
             <rect x=\"{x0}\" y=\"{y}\" width=\"{bar_width}\" height=\"18\" class=\"chart-bg\"/>\
             <rect x=\"{x0}\" y=\"{y}\" width=\"{w_done}\" height=\"18\" class=\"chart-done\"/>\
             <rect x=\"{x1}\" y=\"{y}\" width=\"{w_soon}\" height=\"18\" class=\"chart-soon\"/>\
             <rect x=\"{x2}\" y=\"{y}\" width=\"{w_over}\" height=\"18\" class=\"chart-over\"/>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"chart-value\">{o} · {s} · {c}/{n}</text></g></a>",
            href = escape(&bar.href),
            label = escape(&bar.label),
            o = bar.overdue,
            s = bar.due_soon,
            c = bar.completed,
            n = bar.total,
            over = escape(&t.get("overdue")),
            soon = escape(&t.get("due_soon")),
            done = escape(&t.get("completed")),
            lx = label_width - 8,
            ty = y + 14,
            x0 = label_width,
            x1 = label_width + w_done,
            x2 = label_width + w_done + w_soon,
            vx = label_width + bar_width + 8,
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn labels_are_escaped() {
        let svg = department_chart(
            Tr(Lang::Vi),
            &[Bar {
                label: "<script>x</script> & Đất Cuốc".into(),
                overdue: 1,
                due_soon: 0,
                completed: 3,
                total: 5,
                href: "/tasks?department=DC&figure=overdue".into(),
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&#60;script&#62;x&#60;/script&#62; &#38; Đất Cuốc"));
        assert!(svg.contains("<a href=\"/tasks?department=DC&#38;figure=overdue\""));
    }
}
