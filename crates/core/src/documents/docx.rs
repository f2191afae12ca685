//! A small WordprocessingML (.docx) writer: paragraphs of runs, tables and
//! an A4 section, in Times New Roman — what an official letter
//! (Nghị định 30/2020/NĐ-CP) and the review export need, nothing more.
//! The package is the four parts Word and LibreOffice require
//! (`[Content_Types].xml`, `_rels/.rels`, `word/document.xml`,
//! `word/styles.xml` with its relationship), zipped with the `zip` crate.

use std::io::Write;

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::error::{Error, Result};

/// A4 in twentieths of a point (twips).
pub const A4_WIDTH: u32 = 11906;
pub const A4_HEIGHT: u32 = 16838;
/// One millimetre in twips.
pub const MM: u32 = 57;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    /// Justified.
    Both,
}

impl Align {
    fn code(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
        }
    }
}

/// A stretch of text with one formatting.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    /// Font size in points; `None` = the document's.
    pub size: Option<f32>,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Default::default()
        }
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
    pub fn underline(mut self) -> Self {
        self.underline = true;
        self
    }
    pub fn size(mut self, points: f32) -> Self {
        self.size = Some(points);
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub align: Align,
    /// First-line indent, in millimetres.
    pub first_line_mm: u32,
    /// Space after, in points.
    pub after: u32,
    /// Space before, in points.
    pub before: u32,
    /// Start a new page before this paragraph.
    pub page_break_before: bool,
}

impl Paragraph {
    pub fn new() -> Self {
        Self::default()
    }
    /// One plain run.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new().run(Run::new(text))
    }
    pub fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
    pub fn indent(mut self, first_line_mm: u32) -> Self {
        self.first_line_mm = first_line_mm;
        self
    }
    pub fn after(mut self, points: u32) -> Self {
        self.after = points;
        self
    }
    pub fn before(mut self, points: u32) -> Self {
        self.before = points;
        self
    }
    pub fn page_break(mut self) -> Self {
        self.page_break_before = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub paragraphs: Vec<Paragraph>,
}

impl Cell {
    pub fn new(paragraphs: Vec<Paragraph>) -> Self {
        Self { paragraphs }
    }
    /// One paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(vec![Paragraph::text(text)])
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Repeated at the top of each page the table spans.
    pub header: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column widths in millimetres.
    pub widths_mm: Vec<u32>,
    pub rows: Vec<Row>,
    pub borders: bool,
    /// Font size of the table's text, in points; `None` = the document's.
    pub size: Option<f32>,
}

impl Table {
    pub fn new(widths_mm: Vec<u32>, borders: bool) -> Self {
        Self {
            widths_mm,
            borders,
            ..Default::default()
        }
    }
    pub fn size(mut self, points: f32) -> Self {
        self.size = Some(points);
        self
    }
    pub fn header(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row {
            cells,
            header: true,
        });
    }
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row {
            cells,
            header: false,
        });
    }
}

#[derive(Debug, Clone)]
enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// A document: blocks in order, one A4 section.
#[derive(Debug, Clone)]
pub struct Document {
    blocks: Vec<Block>,
    /// Font size of body text, in points.
    pub font_size: f32,
    pub landscape: bool,
    /// Margins in millimetres: top, right, bottom, left.
    pub margins_mm: (u32, u32, u32, u32),
}

impl Default for Document {
    fn default() -> Self {
        Self::new()
    }
}

impl Document {
    /// A4 portrait, Times New Roman 14, the margins Nghị định 30 sets
    /// (top 20, right 15, bottom 20, left 30 mm).
    pub fn new() -> Self {
        Self {
            blocks: Vec::new(),
            font_size: 14.0,
            landscape: false,
            margins_mm: (20, 15, 20, 30),
        }
    }

    pub fn paragraph(&mut self, p: Paragraph) {
        self.blocks.push(Block::Paragraph(p));
    }

    pub fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }

    /// Width between the margins, in millimetres.
    pub fn text_width_mm(&self) -> u32 {
        let page = if self.landscape { 297 } else { 210 };
        page - self.margins_mm.1 - self.margins_mm.3
    }

    /// The `word/document.xml` part.
    pub fn document_xml(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>",
        );
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => write_paragraph(&mut out, p, None),
                Block::Table(t) => write_table(&mut out, t),
            }
        }
        let (w, h) = if self.landscape {
            (A4_HEIGHT, A4_WIDTH)
        } else {
            (A4_WIDTH, A4_HEIGHT)
        };
        let (top, right, bottom, left) = self.margins_mm;
        out.push_str(&format!(
            "<w:sectPr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
             <w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" \
             w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr>",
            top * MM,
            right * MM,
            bottom * MM,
            left * MM,
            orient = if self.landscape {
                " w:orient=\"landscape\""
            } else {
                ""
            }
        ));
        out.push_str("</w:body></w:document>");
        out
    }

    /// The `word/styles.xml` part: Times New Roman at `font_size` throughout.
    pub fn styles_xml(&self) -> String {
        let half_points = (self.font_size * 2.0).round() as u32;
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
             <w:docDefaults><w:rPrDefault><w:rPr>\
             <w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>\
             <w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/><w:lang w:val=\"vi-VN\"/>\
             </w:rPr></w:rPrDefault>\
             <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
             </w:docDefaults>\
             <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
             <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
             <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
             <w:left w:w=\"85\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/>\
             </w:tblCellMar></w:tblPr></w:style>\
             </w:styles>"
        )
    }

    /// The whole package.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let parts: [(&str, String); 5] = [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", PACKAGE_RELS.to_string()),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
            ("word/document.xml", self.document_xml()),
            ("word/styles.xml", self.styles_xml()),
        ];
        zip_parts(parts.iter().map(|(n, c)| (*n, c.as_bytes())))
    }
}

/// Zips named parts (deflated) into one archive in memory.
pub fn zip_parts<'a>(parts: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<u8>> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in parts {
        writer.start_file(name, options).map_err(zip_error)?;
        writer
            .write_all(content)
            .map_err(|e| Error::Unexpected(e.into()))?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

fn zip_error(err: zip::result::ZipError) -> Error {
    Error::Unexpected(anyhow::anyhow!("cannot write the archive: {err}"))
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

/// Escapes text for XML content and attributes; drops characters XML 1.0
/// forbids (control characters a user might paste).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn write_paragraph(out: &mut String, p: &Paragraph, table_size: Option<f32>) {
    out.push_str("<w:p><w:pPr>");
    if p.page_break_before {
        out.push_str("<w:pageBreakBefore/>");
    }
    out.push_str(&format!(
        "<w:spacing w:before=\"{}\" w:after=\"{}\"/>",
        p.before * 20,
        p.after * 20
    ));
    if p.first_line_mm > 0 {
        out.push_str(&format!(
            "<w:ind w:firstLine=\"{}\"/>",
            p.first_line_mm * MM
        ));
    }
    out.push_str(&format!("<w:jc w:val=\"{}\"/></w:pPr>", p.align.code()));
    for run in &p.runs {
        out.push_str("<w:r><w:rPr>");
        if run.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if run.italic {
            out.push_str("<w:i/><w:iCs/>");
        }
        if run.underline {
            out.push_str("<w:u w:val=\"single\"/>");
        }
        if let Some(size) = run.size.or(table_size) {
            let half = (size * 2.0).round() as u32;
            out.push_str(&format!(
                "<w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/>"
            ));
        }
        out.push_str("</w:rPr>");
        out.push_str(&format!(
            "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            escape(&run.text)
        ));
    }
    out.push_str("</w:p>");
}

fn write_table(out: &mut String, t: &Table) {
    let total: u32 = t.widths_mm.iter().sum::<u32>() * MM;
    out.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/>"
    ));
    if t.borders {
        out.push_str(
            "<w:tblBorders>\
             <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             </w:tblBorders>",
        );
    }
    out.push_str("</w:tblPr><w:tblGrid>");
    for w in &t.widths_mm {
        out.push_str(&format!("<w:gridCol w:w=\"{}\"/>", w * MM));
    }
    out.push_str("</w:tblGrid>");
    for row in &t.rows {
        out.push_str("<w:tr>");
        if row.header {
            out.push_str("<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
        } else {
            out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
        }
        for (i, cell) in row.cells.iter().enumerate() {
            let width = t.widths_mm.get(i).copied().unwrap_or(20) * MM;
            out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>"
            ));
            if cell.paragraphs.is_empty() {
                out.push_str("<w:p/>");
            }
            for p in &cell.paragraphs {
                write_paragraph(out, p, t.size);
            }
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("<Đất & \"Cuốc\">\u{1}"),
            "&lt;Đất &amp; &quot;Cuốc&quot;&gt;"
        );
    }

    #[test]
    fn a_document_is_a_zip_with_the_required_parts_and_an_a4_section() {
        let mut doc = Document::new();
        doc.paragraph(Paragraph::new().run(Run::new("Kính gửi: Phòng <A>").bold()));
        let mut table = Table::new(vec![10, 50], true);
        table.header(vec![Cell::text("STT"), Cell::text("Nội dung")]);
        table.row(vec![Cell::text("1"), Cell::text("Đất & nước")]);
        doc.table(table);
        let xml = doc.document_xml();
        assert!(xml.contains("w:w=\"11906\" w:h=\"16838\""), "{xml}");
        assert!(xml.contains("Phòng &lt;A&gt;"));
        assert!(xml.contains("<w:tblHeader/>"));
        let bytes = doc.to_bytes().unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for part in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/_rels/document.xml.rels",
        ] {
            assert!(archive.by_name(part).is_ok(), "{part}");
        }
        assert!(doc.styles_xml().contains("Times New Roman"));
    }
}
