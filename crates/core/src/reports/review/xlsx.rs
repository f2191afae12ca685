//! The review as a workbook: a summary sheet, one sheet per table, and the
//! long-overdue tasks. Sheet names keep their diacritics.

use super::{Review, docx::FIGURE_HEADS};
use crate::{
    error::{Error, Result},
    reports::figures::Figures,
};

/// The review as a workbook: a summary sheet, one sheet per table.
// Longer than 100 lines: the workbook is written sheet by sheet as it is read; splitting it would hide the layout's order.
pub fn to_xlsx(r: &Review, organization: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| {
        Error::Unexpected(anyhow::anyhow!("cannot write the spreadsheet: {e}"))
    };
    let title = Format::new().set_bold().set_font_size(13);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F4F7");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Tổng hợp").map_err(xlsx)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH LÀM VIỆC {} — {}",
                r.period.label_vi.to_uppercase(),
                organization.to_uppercase()
            ),
            &title,
        )
        .map_err(xlsx)?;
    sheet
        .write_string(1, 0, r.heading_vi.clone())
        .map_err(xlsx)?;
    sheet.set_column_width(0, 100.0).map_err(xlsx)?;
    sheet.set_row_height(3, 120.0).map_err(xlsx)?;
    sheet
        .write_string_with_format(3, 0, &r.paragraph_vi, &wrap)
        .map_err(xlsx)?;
    sheet.set_column_width(1, 14.0).map_err(xlsx)?;
    let mut row = 5u32;
    for (label, value) in [
        ("Văn bản đã ban hành", r.documents_total),
        ("Văn bản đôn đốc", r.reminder_documents),
        ("Nhiệm vụ quá hạn trên 30 ngày", r.overdue_over_30),
        ("Nhiệm vụ quá hạn trên 60 ngày", r.overdue_over_60),
        ("Nhiệm vụ quá hạn trên 120 ngày", r.overdue_over_120),
    ] {
        sheet.write_string(row, 0, label).map_err(xlsx)?;
        sheet.write_number(row, 1, value as f64).map_err(xlsx)?;
        row += 1;
    }
    row += 1;
    for k in &r.documents_by_kind {
        sheet.write_string(row, 0, &k.label_vi).map_err(xlsx)?;
        sheet.write_number(row, 1, k.count as f64).map_err(xlsx)?;
        row += 1;
    }

    for (name, first, rows) in [
        ("Theo đơn vị", "Đơn vị", &r.departments),
        ("Theo lĩnh vực", "Lĩnh vực", &r.fields),
        ("Theo lãnh đạo", "Lãnh đạo phụ trách", &r.leaders),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(xlsx)?;
        sheet
            .write_string_with_format(0, 0, first, &header)
            .map_err(xlsx)?;
        for (i, h) in FIGURE_HEADS.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16 + 1, *h, &header)
                .map_err(xlsx)?;
        }
        sheet.set_column_width(0, 45.0).map_err(xlsx)?;
        sheet.set_row_height(0, 45.0).map_err(xlsx)?;
        let write = |sheet: &mut rust_xlsxwriter::Worksheet,
                     row: u32,
                     label: &str,
                     f: &Figures|
         -> Result<()> {
            sheet.write_string(row, 0, label).map_err(xlsx)?;
            let values = [
                f.total,
                f.completed,
                f.completed_on_time,
                f.completed_on_time_after_extension,
                f.completed_late,
                f.in_progress,
                f.not_started,
                f.overdue,
                f.cancelled,
            ];
            for (i, v) in values.iter().enumerate() {
                sheet
                    .write_number(row, i as u16 + 1, *v as f64)
                    .map_err(xlsx)?;
            }
            sheet
                .write_number(row, 10, f.completion_permille() as f64 / 10.0)
                .map_err(xlsx)?;
            Ok(())
        };
        let mut row = 1u32;
        for g in rows.iter() {
            write(sheet, row, &g.name, &g.figures)?;
            row += 1;
        }
        write(sheet, row, "Tổng cộng", &r.overall)?;
        sheet.set_freeze_panes(1, 1).map_err(xlsx)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("Quá hạn").map_err(xlsx)?;
    for (i, h) in [
        "Mã",
        "Nội dung",
        "Đơn vị chủ trì",
        "Lãnh đạo phụ trách",
        "Hạn",
        "Số ngày quá hạn",
        "Quá hạn trên (ngày)",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(0, i as u16, *h, &header)
            .map_err(xlsx)?;
    }
    for (i, w) in [10.0, 60.0, 30.0, 24.0, 12.0, 12.0, 12.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(i as u16, *w).map_err(xlsx)?;
    }
    for (i, t) in r.overdue_tasks.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &t.code).map_err(xlsx)?;
        sheet
            .write_string_with_format(row, 1, &t.title, &wrap)
            .map_err(xlsx)?;
        sheet.write_string(row, 2, &t.department).map_err(xlsx)?;
        sheet.write_string(row, 3, &t.leader).map_err(xlsx)?;
        sheet
            .write_string(row, 4, t.due_date.format("%d/%m/%Y").to_string())
            .map_err(xlsx)?;
        sheet
            .write_number(row, 5, t.days_overdue as f64)
            .map_err(xlsx)?;
        sheet
            .write_number(row, 6, f64::from(t.over_days))
            .map_err(xlsx)?;
    }
    workbook.save_to_buffer().map_err(xlsx)
}
