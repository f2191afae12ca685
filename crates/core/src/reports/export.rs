//! Exports: a year's tasks (in the import layout, so a file exported can be
//! edited and imported into another year) and the annual report figures,
//! as .xlsx (rust_xlsxwriter) and UTF-8 CSV with a BOM (Excel opens it
//! with the diacritics intact).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    db::Db,
    entity::task,
    error::{Error, Result},
    messages::{Label, Lang},
    org::programmes,
    reports::stats::{Figures, Stats},
    tasks::{TaskView, view::load_views},
};

const TASK_HEADERS: [&str; 13] = [
    "Mã",
    "Nội dung",
    "Lĩnh vực",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Lãnh đạo phụ trách",
    "Ghi chú",
    "Tình trạng",
    "Tiến độ (%)",
    "Thời hạn ban đầu",
    "Ngày hoàn thành",
    "Kết quả thực hiện",
];

/// Every task of `year`, loaded in pages so memory stays flat.
pub async fn year_tasks(
    db: &Db,
    year: i32,
    today: chrono::NaiveDate,
    due_soon_days: u32,
    mut each: impl FnMut(&TaskView) -> Result<()>,
) -> Result<usize> {
    let Some(programme) = programmes::find_by_year(db, year).await? else {
        return Ok(0);
    };
    let mut after = 0i64;
    let mut count = 0;
    loop {
        let batch = task::Entity::find()
            .filter(task::Column::ProgrammeId.eq(programme.id))
            .filter(task::Column::Id.gt(after))
            .order_by_asc(task::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for view in load_views(db, batch, today, due_soon_days).await? {
            each(&view)?;
            count += 1;
        }
    }
    Ok(count)
}

fn task_cells(t: &TaskView) -> [String; 13] {
    [
        t.code.clone(),
        t.title.clone(),
        t.field_name.clone(),
        t.lead_department.code.clone(),
        t.coordinating_departments
            .iter()
            .map(|d| d.code.clone())
            .collect::<Vec<_>>()
            .join("; "),
        t.due_date.format("%d/%m/%Y").to_string(),
        t.leader_in_charge
            .as_ref()
            .map(|l| l.username.clone())
            .unwrap_or_default(),
        t.description.clone(),
        t.status.label(Lang::Vi),
        t.progress.to_string(),
        t.original_due_date.format("%d/%m/%Y").to_string(),
        t.completed_on
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        t.result_note.clone().unwrap_or_default(),
    ]
}

/// A cell that a spreadsheet would run as a formula is written as text
/// (CSV injection).
fn safe_csv_cell(text: &str) -> String {
    let dash_formula = text.starts_with('-') && !text.starts_with("- ") && text.len() > 1;
    if text.starts_with(['=', '+', '@', '\t', '\r']) || dash_formula {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn xlsx_error(err: rust_xlsxwriter::XlsxError) -> Error {
    Error::Unexpected(anyhow::anyhow!("cannot write the spreadsheet: {err}"))
}

pub async fn tasks_csv(
    db: &Db,
    year: i32,
    today: chrono::NaiveDate,
    due_soon_days: u32,
) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer
        .write_record(TASK_HEADERS)
        .map_err(|e| Error::Unexpected(e.into()))?;
    year_tasks(db, year, today, due_soon_days, |t| {
        let cells = task_cells(t).map(|c| safe_csv_cell(&c));
        writer
            .write_record(cells)
            .map_err(|e| Error::Unexpected(e.into()))
    })
    .await?;
    writer
        .into_inner()
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("{e}")))
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F4F7")
}

fn title_format() -> Format {
    Format::new().set_bold().set_font_size(13)
}

pub async fn tasks_xlsx(
    db: &Db,
    year: i32,
    organization: &str,
    today: chrono::NaiveDate,
    due_soon_days: u32,
) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Nhiệm vụ").map_err(xlsx_error)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "DANH MỤC NHIỆM VỤ TRỌNG TÂM NĂM {year} — {}",
                organization.to_uppercase()
            ),
            &title_format(),
        )
        .map_err(xlsx_error)?;
    let header = header_format();
    for (col, name) in TASK_HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(2, col as u16, *name, &header)
            .map_err(xlsx_error)?;
    }
    let widths = [
        10.0, 60.0, 24.0, 14.0, 24.0, 12.0, 16.0, 30.0, 18.0, 10.0, 14.0, 14.0, 40.0,
    ];
    for (col, width) in widths.iter().enumerate() {
        sheet
            .set_column_width(col as u16, *width)
            .map_err(xlsx_error)?;
    }
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut row = 3u32;
    year_tasks(db, year, today, due_soon_days, |t| {
        for (col, value) in task_cells(t).iter().enumerate() {
            sheet
                .write_string_with_format(row, col as u16, value, &wrap)
                .map_err(xlsx_error)?;
        }
        row += 1;
        Ok(())
    })
    .await?;
    sheet.set_freeze_panes(3, 2).map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

const FIGURE_HEADERS: [&str; 14] = [
    "Tổng số nhiệm vụ",
    "Đã hoàn thành",
    "Hoàn thành đúng hạn",
    "Hoàn thành đúng hạn sau khi được gia hạn",
    "Hoàn thành quá hạn",
    "Chờ xác nhận",
    "Đang thực hiện",
    "Chưa triển khai",
    "Quá hạn",
    "Quá hạn > 30 ngày",
    "Quá hạn > 60 ngày",
    "Quá hạn > 120 ngày",
    "Sắp đến hạn",
    "Văn bản đôn đốc",
];

fn figure_values(f: &Figures) -> [i64; 14] {
    [
        f.total,
        f.completed,
        f.completed_on_time,
        f.completed_on_time_after_extension,
        f.completed_late,
        f.awaiting_confirmation,
        f.in_progress,
        f.not_started,
        f.overdue,
        f.overdue_over_30_days,
        f.overdue_over_60_days,
        f.overdue_over_120_days,
        f.due_soon,
        f.reminder_documents,
    ]
}

fn report_rows(stats: &Stats) -> Vec<(String, String, &Figures)> {
    let mut rows = vec![("Tổng cộng".to_string(), String::new(), &stats.overall)];
    for d in &stats.departments {
        rows.push(("Đơn vị".to_string(), d.name.clone(), &d.figures));
    }
    for f in &stats.fields {
        rows.push(("Lĩnh vực".to_string(), f.name.clone(), &f.figures));
    }
    rows
}

pub fn report_csv(stats: &Stats) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut header = vec!["Nhóm".to_string(), "Tên".to_string()];
    header.extend(FIGURE_HEADERS.iter().map(|h| h.to_string()));
    header.push("Tỷ lệ hoàn thành (%)".to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(&header);
    for (group, name, figures) in report_rows(stats) {
        let mut record = vec![group, safe_csv_cell(&name)];
        record.extend(figure_values(figures).iter().map(ToString::to_string));
        record.push(figures.completion_rate.to_string());
        let _ = writer.write_record(&record);
    }
    if let Ok(bytes) = writer.into_inner() {
        out.extend(bytes);
    }
    out
}

fn write_figures(sheet: &mut Worksheet, row: u32, label: &str, figures: &Figures) -> Result<()> {
    sheet.write_string(row, 0, label).map_err(xlsx_error)?;
    for (i, value) in figure_values(figures).iter().enumerate() {
        sheet
            .write_number(row, i as u16 + 1, *value as f64)
            .map_err(xlsx_error)?;
    }
    sheet
        .write_number(
            row,
            FIGURE_HEADERS.len() as u16 + 1,
            figures.completion_rate,
        )
        .map_err(xlsx_error)?;
    Ok(())
}

pub fn report_xlsx(stats: &Stats, organization: &str) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let header = header_format();
    for (sheet_name, label, rows) in [
        (
            "Theo đơn vị",
            "Đơn vị",
            stats
                .departments
                .iter()
                .map(|d| (d.name.clone(), &d.figures))
                .collect::<Vec<_>>(),
        ),
        (
            "Theo lĩnh vực",
            "Lĩnh vực",
            stats
                .fields
                .iter()
                .map(|f| (f.name.clone(), &f.figures))
                .collect::<Vec<_>>(),
        ),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name).map_err(xlsx_error)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!(
                    "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {} — {}",
                    stats.year,
                    organization.to_uppercase()
                ),
                &title_format(),
            )
            .map_err(xlsx_error)?;
        sheet
            .write_string(
                1,
                0,
                format!("Số liệu tính đến ngày {}", stats.as_of.format("%d/%m/%Y")),
            )
            .map_err(xlsx_error)?;
        sheet
            .write_string_with_format(3, 0, label, &header)
            .map_err(xlsx_error)?;
        for (i, name) in FIGURE_HEADERS.iter().enumerate() {
            sheet
                .write_string_with_format(3, i as u16 + 1, *name, &header)
                .map_err(xlsx_error)?;
        }
        sheet
            .write_string_with_format(3, 13, "Tỷ lệ hoàn thành (%)", &header)
            .map_err(xlsx_error)?;
        sheet.set_column_width(0, 42.0).map_err(xlsx_error)?;
        for col in 1..=13 {
            sheet.set_column_width(col, 12.0).map_err(xlsx_error)?;
        }
        sheet.set_row_height(3, 45.0).map_err(xlsx_error)?;
        let mut row = 4;
        for (name, figures) in rows {
            write_figures(sheet, row, &name, figures)?;
            row += 1;
        }
        write_figures(sheet, row, "Tổng cộng", &stats.overall)?;
        sheet.set_freeze_panes(4, 1).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The columns of a task list as exported: what the list showed, as of its day.
const LIST_HEADERS: [&str; 14] = [
    "STT",
    "Mã",
    "Nội dung",
    "Lĩnh vực",
    "Đơn vị chủ trì",
    "Lãnh đạo phụ trách",
    "Thời hạn ban đầu",
    "Thời hạn",
    "Tình trạng",
    "Tiến độ (%)",
    "Ngày báo cáo hoàn thành",
    "Ngày hoàn thành được tính",
    "Đánh giá",
    "Số ngày quá hạn",
];

/// A task list as a workbook: a heading naming the list (its scope, figure
/// and day), the number of tasks, and one row per task — so a person can
/// count the rows and find the figure.
pub fn list_xlsx(heading: &str, tasks: &[TaskView]) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Danh sách").map_err(xlsx_error)?;
    sheet
        .write_string_with_format(0, 0, heading, &title_format())
        .map_err(xlsx_error)?;
    sheet
        .write_string(1, 0, format!("Số nhiệm vụ: {}", tasks.len()))
        .map_err(xlsx_error)?;
    let header = header_format();
    for (col, name) in LIST_HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(3, col as u16, *name, &header)
            .map_err(xlsx_error)?;
    }
    let widths = [
        6.0, 12.0, 60.0, 22.0, 28.0, 22.0, 12.0, 12.0, 16.0, 10.0, 14.0, 14.0, 22.0, 10.0,
    ];
    for (col, width) in widths.iter().enumerate() {
        sheet
            .set_column_width(col as u16, *width)
            .map_err(xlsx_error)?;
    }
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    for (i, t) in tasks.iter().enumerate() {
        let row = 4 + i as u32;
        sheet
            .write_number(row, 0, (i + 1) as f64)
            .map_err(xlsx_error)?;
        let cells = [
            t.code.clone(),
            t.title.clone(),
            t.field_name.clone(),
            t.lead_department.name.clone(),
            t.leader_in_charge
                .as_ref()
                .map(|l| l.full_name.clone())
                .unwrap_or_default(),
            day(Some(t.original_due_date)),
            day(Some(t.due_date)),
            t.status.label(Lang::Vi),
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet
                .write_string_with_format(row, col as u16 + 1, value, &wrap)
                .map_err(xlsx_error)?;
        }
        sheet
            .write_number(row, 9, f64::from(t.progress))
            .map_err(xlsx_error)?;
        sheet
            .write_string(row, 10, day(t.reported_on))
            .map_err(xlsx_error)?;
        sheet
            .write_string(row, 11, day(t.completed_on))
            .map_err(xlsx_error)?;
        sheet
            .write_string(
                row,
                12,
                t.timeliness.map(|x| x.label(Lang::Vi)).unwrap_or_default(),
            )
            .map_err(xlsx_error)?;
        if let Some(days) = t.days_overdue {
            sheet
                .write_number(row, 13, days as f64)
                .map_err(xlsx_error)?;
        }
    }
    sheet.set_freeze_panes(4, 3).map_err(xlsx_error)?;
    sheet
        .autofilter(3, 0, 3 + tasks.len() as u32, LIST_HEADERS.len() as u16 - 1)
        .map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised_in_csv() {
        assert_eq!(safe_csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_csv_cell("-5"), "'-5");
        assert_eq!(safe_csv_cell("Đất Cuốc"), "Đất Cuốc");
        assert_eq!(safe_csv_cell("- gạch đầu dòng"), "- gạch đầu dòng");
    }
}
