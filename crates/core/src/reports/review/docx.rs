//! The review as a Word document (landscape A4): the heading with the day
//! it describes, the paragraph, the figures tables, the long-overdue tasks
//! and the documents issued. Official documents are Vietnamese only.

use super::Review;
use crate::{
    documents::docx::{self, Align, Cell, Paragraph, Run, Table},
    error::Result,
    reports::figures::{Figures, Group},
};

/// The columns of every figures table, in the order of [`figure_cells`].
pub(super) const FIGURE_HEADS: [&str; 10] = [
    "Tổng số",
    "Đã hoàn thành",
    "Đúng hạn",
    "Đúng hạn sau khi được gia hạn",
    "Quá hạn (đã hoàn thành)",
    "Đang thực hiện",
    "Chưa triển khai",
    "Trong đó quá hạn",
    "Đã hủy",
    "Tỷ lệ hoàn thành (%)",
];

pub(super) fn figure_cells(f: &Figures) -> [String; 10] {
    [
        f.total.to_string(),
        f.completed.to_string(),
        f.completed_on_time.to_string(),
        f.completed_on_time_after_extension.to_string(),
        f.completed_late.to_string(),
        f.in_progress.to_string(),
        f.not_started.to_string(),
        f.overdue.to_string(),
        f.cancelled.to_string(),
        f.rate(crate::messages::Lang::Vi),
    ]
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .run(Run::new(text).bold())
        .before(12)
        .after(6)
}

fn figures_table(first: &str, rows: &[Group], total: &Figures, width: u32) -> Table {
    let name_width = width.saturating_sub(12 + 10 * 17).max(40);
    let mut table = Table::new(
        [12, name_width]
            .into_iter()
            .chain(std::iter::repeat_n(17, 10))
            .collect(),
        true,
    )
    .size(11.0);
    let head = |t: &str| {
        Cell::new(vec![
            Paragraph::new()
                .run(Run::new(t).bold())
                .align(Align::Center),
        ])
    };
    let mut header = vec![head("STT"), head(first)];
    header.extend(FIGURE_HEADS.iter().map(|h| head(h)));
    table.header(header);
    let num = |t: String| Cell::new(vec![Paragraph::text(t).align(Align::Right)]);
    for (i, r) in rows.iter().enumerate() {
        let mut cells = vec![
            Cell::new(vec![
                Paragraph::text((i + 1).to_string()).align(Align::Center),
            ]),
            Cell::text(r.name.clone()),
        ];
        cells.extend(figure_cells(&r.figures).into_iter().map(num));
        table.row(cells);
    }
    let mut cells = vec![
        Cell::text(""),
        Cell::new(vec![Paragraph::new().run(Run::new("Tổng cộng").bold())]),
    ];
    cells.extend(figure_cells(total).into_iter().map(num));
    table.row(cells);
    table
}

/// The review as a Word document: the paragraph, then the tables.
// Longer than 100 lines: the document is written top to bottom as it prints; splitting it would hide the layout's order.
pub fn to_docx(r: &Review, organization: &str) -> Result<Vec<u8>> {
    let mut doc = docx::Document::new();
    doc.landscape = true;
    doc.font_size = 13.0;
    doc.margins_mm = (20, 15, 20, 25);
    let width = doc.text_width_mm();
    doc.paragraph(
        Paragraph::new()
            .run(Run::new(organization.to_uppercase()).bold())
            .align(Align::Center),
    );
    doc.paragraph(
        Paragraph::new()
            .run(
                Run::new(format!(
                    "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH LÀM VIỆC {}",
                    r.period.label_vi.to_uppercase()
                ))
                .bold(),
            )
            .align(Align::Center)
            .before(6),
    );
    doc.paragraph(
        Paragraph::new()
            .run(Run::new(format!("({})", r.heading_vi)).italic())
            .align(Align::Center)
            .after(12),
    );
    doc.paragraph(
        Paragraph::text(r.paragraph_vi.clone())
            .align(Align::Both)
            .indent(10)
            .after(6),
    );
    doc.paragraph(heading("1. Kết quả thực hiện theo đơn vị chủ trì"));
    doc.table(figures_table("Đơn vị", &r.departments, &r.overall, width));
    doc.paragraph(heading("2. Kết quả thực hiện theo lĩnh vực"));
    doc.table(figures_table("Lĩnh vực", &r.fields, &r.overall, width));
    doc.paragraph(heading("3. Kết quả thực hiện theo lãnh đạo phụ trách"));
    doc.table(figures_table(
        "Lãnh đạo phụ trách",
        &r.leaders,
        &r.overall,
        width,
    ));
    doc.paragraph(heading(&format!(
        "4. Nhiệm vụ quá hạn trên 30 ngày ({}; trong đó trên 60 ngày: {}, trên 120 ngày: {})",
        r.overdue_over_30, r.overdue_over_60, r.overdue_over_120
    )));
    if r.overdue_tasks.is_empty() {
        doc.paragraph(Paragraph::text("Không có nhiệm vụ quá hạn trên 30 ngày."));
    } else {
        let mut table = Table::new(
            vec![
                12,
                width.saturating_sub(12 + 60 + 45 + 22 + 18 + 22),
                60,
                45,
                22,
                18,
                22,
            ],
            true,
        )
        .size(11.0);
        let head = |t: &str| {
            Cell::new(vec![
                Paragraph::new()
                    .run(Run::new(t).bold())
                    .align(Align::Center),
            ])
        };
        table.header(vec![
            head("STT"),
            head("Nội dung"),
            head("Đơn vị chủ trì"),
            head("Lãnh đạo phụ trách"),
            head("Hạn"),
            head("Số ngày quá hạn"),
            head("Nhóm"),
        ]);
        for (i, t) in r.overdue_tasks.iter().enumerate() {
            table.row(vec![
                Cell::new(vec![
                    Paragraph::text((i + 1).to_string()).align(Align::Center),
                ]),
                Cell::text(format!("{} ({})", t.title, t.code)),
                Cell::text(t.department.clone()),
                Cell::text(t.leader.clone()),
                Cell::text(t.due_date.format("%d/%m/%Y").to_string()),
                Cell::new(vec![
                    Paragraph::text(t.days_overdue.to_string()).align(Align::Right),
                ]),
                Cell::text(format!("Trên {} ngày", t.over_days)),
            ]);
        }
        doc.table(table);
    }
    doc.paragraph(heading(&format!(
        "5. Văn bản đã ban hành ({} văn bản; {} văn bản đôn đốc)",
        r.documents_total, r.reminder_documents
    )));
    let mut table = Table::new(vec![12, 80, 30], true).size(11.0);
    table.header(vec![
        Cell::new(vec![Paragraph::new().run(Run::new("STT").bold())]),
        Cell::new(vec![Paragraph::new().run(Run::new("Loại văn bản").bold())]),
        Cell::new(vec![Paragraph::new().run(Run::new("Số lượng").bold())]),
    ]);
    for (i, k) in r.documents_by_kind.iter().enumerate() {
        table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(k.label_vi.clone()),
            Cell::new(vec![
                Paragraph::text(k.count.to_string()).align(Align::Right),
            ]),
        ]);
    }
    table.row(vec![
        Cell::text(""),
        Cell::new(vec![Paragraph::new().run(Run::new("Tổng cộng").bold())]),
        Cell::new(vec![
            Paragraph::text(r.documents_total.to_string()).align(Align::Right),
        ]),
    ]);
    doc.table(table);
    doc.to_bytes()
}
