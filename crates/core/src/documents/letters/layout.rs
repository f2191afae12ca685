//! The draft laid out as an official letter (Nghị định 30/2020/NĐ-CP):
//! header, addressee, the table of tasks, the request, and the signature.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::principal::Principal,
    config::LetterSettings,
    documents::docx::{Align, Cell, Document, Paragraph, Run, Table},
    error::Result,
};

use super::{LetterDraft, dmy, draft, late_departments};

/// The draft laid out as an official letter (.docx).
pub fn render_docx(draft: &LetterDraft, settings: &LetterSettings, place: &str) -> Result<Vec<u8>> {
    let mut doc = Document::new();
    doc.font_size = 14.0;
    let width = doc.text_width_mm();
    doc.table(header(draft, settings, place, width));
    doc.paragraph(
        Paragraph::new()
            .run(Run::new("Kính gửi: "))
            .run(Run::new(draft.department.name.clone()))
            .align(Align::Center)
            .before(18)
            .after(12),
    );
    doc.paragraph(
        Paragraph::text(draft.opening.clone())
            .align(Align::Both)
            .indent(10)
            .after(6),
    );
    doc.table(tasks_table(draft, width));
    doc.paragraph(
        Paragraph::text(draft.request.clone())
            .align(Align::Both)
            .indent(10)
            .before(6)
            .after(12),
    );
    doc.table(footer(draft, settings, width));
    doc.to_bytes()
}

/// Width (mm) of the header's left column: the longest line of the issuing
/// body at 13 pt bold on one line, never under the form's 68 mm, and at
/// most what leaves the motto (12 pt bold) its own line.
fn left_width(settings: &LetterSettings, width: u32) -> u32 {
    let longest = settings
        .issuing_body
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as u32;
    // About 2.9 mm a capital at 13 pt bold, and the cell's margins.
    (longest * 29 / 10 + 8).clamp(68, width.saturating_sub(88).max(68))
}

/// Issuing body (in full, one line each) and number | national name,
/// motto, place and date.
fn header(draft: &LetterDraft, settings: &LetterSettings, place: &str, width: u32) -> Table {
    let left_w = left_width(settings, width);
    let mut header = Table::new(vec![left_w, width - left_w], false);
    let blank_number = format!("Số:        /{}", settings.number_suffix);
    let mut left: Vec<Paragraph> = settings
        .issuing_body
        .iter()
        .map(|line| {
            Paragraph::new()
                .run(Run::new(line.to_uppercase()).bold().size(13.0))
                .align(Align::Center)
        })
        .collect();
    left.extend([
        Paragraph::new()
            .run(Run::new("───────").size(13.0))
            .align(Align::Center),
        Paragraph::new()
            .run(Run::new(blank_number).size(13.0))
            .align(Align::Center)
            .before(4),
        Paragraph::new()
            .run(Run::new(format!("V/v {}", draft.subject)).size(12.0))
            .align(Align::Center)
            .before(4),
    ]);
    header.row(vec![
        Cell::new(left),
        Cell::new(vec![
            Paragraph::new()
                .run(
                    Run::new("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
                        .bold()
                        .size(12.0),
                )
                .align(Align::Center),
            Paragraph::new()
                .run(Run::new("Độc lập - Tự do - Hạnh phúc").bold().size(13.0))
                .align(Align::Center),
            Paragraph::new()
                .run(Run::new("───────────────").size(13.0))
                .align(Align::Center),
            Paragraph::new()
                .run(
                    Run::new(format!("{place}, ngày      tháng      năm {}", draft.year))
                        .italic()
                        .size(14.0),
                )
                .align(Align::Center)
                .before(4),
        ]),
    ]);
    header
}

/// The tasks: STT, nội dung, văn bản giao, hạn, số ngày quá hạn, tình trạng.
fn tasks_table(draft: &LetterDraft, width: u32) -> Table {
    let widths = [12, 53, 28, 23, 16, width.saturating_sub(132).max(20)];
    let mut table = Table::new(widths.to_vec(), true).size(12.0);
    let head = |text: &str| {
        Cell::new(vec![
            Paragraph::new()
                .run(Run::new(text).bold())
                .align(Align::Center),
        ])
    };
    table.header(vec![
        head("STT"),
        head("Nội dung nhiệm vụ"),
        head("Văn bản giao"),
        head("Hạn hoàn thành"),
        head("Số ngày quá hạn"),
        head("Tình trạng"),
    ]);
    for (i, t) in draft.tasks.iter().enumerate() {
        let centred = |text: String| Cell::new(vec![Paragraph::text(text).align(Align::Center)]);
        table.row(vec![
            centred((i + 1).to_string()),
            Cell::new(vec![
                Paragraph::text(t.title.clone()).align(Align::Both),
                Paragraph::new().run(Run::new(format!("({})", t.code)).italic().size(11.0)),
            ]),
            Cell::text(if t.source_document.is_empty() {
                "—".to_string()
            } else {
                t.source_document.clone()
            }),
            centred(dmy(t.due_date)),
            centred(if t.overdue {
                t.days_overdue.to_string()
            } else {
                "—".to_string()
            }),
            Cell::text(t.state_text.clone()),
        ]);
    }
    table
}

/// "Nơi nhận:" (who gets a copy) | the signature block of the draft's signer.
fn footer(draft: &LetterDraft, settings: &LetterSettings, width: u32) -> Table {
    let block = &draft.signature;
    let mut footer = Table::new(vec![80, width - 80], false);
    let mut recipients =
        vec![Paragraph::new().run(Run::new("Nơi nhận:").bold().italic().size(12.0))];
    for line in &settings.copies_to {
        let text = line.replace("{department}", &draft.department.name);
        recipients.push(Paragraph::new().run(Run::new(format!("- {text}")).size(11.0)));
    }
    let mut signature = vec![
        Paragraph::new()
            .run(Run::new(block.authority.clone()).bold())
            .align(Align::Center),
    ];
    if !block.deputy.trim().is_empty() {
        signature.push(
            Paragraph::new()
                .run(Run::new(block.deputy.clone()).bold())
                .align(Align::Center),
        );
    }
    signature.push(
        Paragraph::new()
            .run(Run::new(block.title.clone()).bold())
            .align(Align::Center)
            .after(60),
    );
    signature.push(
        Paragraph::new()
            .run(Run::new(block.name.clone()).bold())
            .align(Align::Center),
    );
    footer.row(vec![Cell::new(recipients), Cell::new(signature)]);
    footer
}

/// A file name for a department's draft (ASCII, safe in a header).
pub fn file_name(department_code: &str, today: NaiveDate) -> String {
    let code: String = department_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("cong-van-don-doc-{code}-{}.docx", today.format("%Y%m%d"))
}

/// Every late department's draft, one .docx each, in one .zip.
pub async fn drafts_zip<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    settings: &LetterSettings,
    place: &str,
    clock: &Clock,
    user: &Principal,
    due_soon_days: u32,
) -> Result<Vec<u8>> {
    let today = clock.today();
    let late = late_departments(db, store, clock, user, due_soon_days).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for d in &late {
        let draft = draft(
            db,
            store,
            settings,
            clock,
            user,
            &d.code,
            due_soon_days,
            None,
        )
        .await?;
        files.push((
            file_name(&d.code, today),
            render_docx(&draft, settings, place)?,
        ));
    }
    crate::documents::docx::zip_parts(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
}
