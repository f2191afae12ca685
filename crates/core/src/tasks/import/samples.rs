//! Word annexes as offices write them, for the tests of this crate and of
//! the API: a .docx is built from table rows, with merged cells.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;

/// A Word table cell: text, columns spanned, vertical merge (None, start, continue).
pub fn tc(text: &str, span: usize, vmerge: Option<bool>) -> String {
    let mut props = String::new();
    if span > 1 {
        props.push_str(&format!("<w:gridSpan w:val=\"{span}\"/>"));
    }
    match vmerge {
        Some(true) => props.push_str("<w:vMerge w:val=\"restart\"/>"),
        Some(false) => props.push_str("<w:vMerge/>"),
        None => {}
    }
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p></w:tc>"
    )
}

/// A .docx whose body has a heading, a small table that is not an annex,
/// then the annex table of `rows` (each a row's cells).
pub fn docx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut body = String::from(
        "<w:p><w:r><w:t>KẾ HOẠCH Thực hiện nhiệm vụ năm 2027</w:t></w:r></w:p>\
         <w:tbl><w:tr>",
    );
    body.push_str(&tc("Nơi nhận", 1, None));
    body.push_str(&tc("- Như trên", 1, None));
    body.push_str("</w:tr></w:tbl><w:p><w:r><w:t>PHỤ LỤC</w:t></w:r></w:p><w:tbl>");
    for row in rows {
        body.push_str("<w:tr>");
        for cell in row {
            body.push_str(cell);
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(
            b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
        )
        .unwrap();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

pub fn header_row() -> Vec<String> {
    [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời hạn",
        "Lãnh đạo phụ trách",
    ]
    .iter()
    .map(|h| tc(h, 1, None))
    .collect()
}

/// Annex 3 (.docx): 30 tasks in three sections (each merged across the
/// table), every way of writing a deadline, unit and leader; the lead unit
/// of the first section merged down its five rows.
pub fn annex_docx_30() -> (Vec<u8>, Vec<&'static str>) {
    let sections = [
        "I. LĨNH VỰC TÀI CHÍNH – NGÂN SÁCH",
        "II. VĂN HÓA – XÃ HỘI",
        "III. TÀI NGUYÊN – MÔI TRƯỜNG",
    ];
    let leads = [
        [
            "TC-KH",
            "Phòng TC-KH",
            "Phòng Tài chính - Kế hoạch",
            "TCKH",
            "Chi cục Thuế huyện",
        ],
        ["VH-TT", "Phòng VH-TT", "LĐ-TB&XH", "GD&ĐT", "Phòng Y tế"],
        [
            "Phòng TN&MT",
            "UBND xã Lạc An",
            "Xã Tân Mỹ",
            "Thị trấn Tân Thành",
            "NN&PTNT",
        ],
    ];
    let dues = [
        "Quý I/2027",
        "Quý II",
        "Tháng 6/2027",
        "Tháng XII",
        "6 tháng đầu năm",
        "6 tháng cuối năm",
        "Trước 30/6/2027",
        "Trước ngày 15/3",
        "30/9",
        "31/12/2027",
    ];
    let leaders = [
        "PCT Lê Văn Thịnh",
        "Chủ tịch Trần Quốc Khánh",
        "pct.vanhoa",
        "Nguyễn Thị Mỹ Hạnh",
        "",
    ];
    let mut rows = vec![header_row()];
    let mut n = 0;
    for (s, heading) in sections.iter().enumerate() {
        rows.push(vec![tc(heading, 6, None)]);
        for i in 0..10 {
            let lead = if s == 0 && i < 5 {
                // Merged down five rows.
                if i == 0 {
                    tc("Phòng TC-KH", 1, Some(true))
                } else {
                    tc("", 1, Some(false))
                }
            } else {
                tc(leads[s][i % 5], 1, None)
            };
            rows.push(vec![
                tc(&(i + 1).to_string(), 1, None),
                tc(&format!("Nhiệm vụ số {} của mục {}", i + 1, s + 1), 1, None),
                lead,
                tc(if i % 3 == 0 { "TN&MT; VH-TT" } else { "" }, 1, None),
                tc(dues[(i + n) % dues.len()], 1, None),
                tc(leaders[i % leaders.len()], 1, None),
            ]);
        }
        n += 3;
    }
    let codes: Vec<&'static str> = vec![
        "TCNS-01", "TCNS-02", "TCNS-03", "TCNS-04", "TCNS-05", "TCNS-06", "TCNS-07", "TCNS-08",
        "TCNS-09", "TCNS-10", "VHXH-01", "VHXH-02", "VHXH-03", "VHXH-04", "VHXH-05", "VHXH-06",
        "VHXH-07", "VHXH-08", "VHXH-09", "VHXH-10", "TNMT-01", "TNMT-02", "TNMT-03", "TNMT-04",
        "TNMT-05", "TNMT-06", "TNMT-07", "TNMT-08", "TNMT-09", "TNMT-10",
    ];
    (docx(&rows), codes)
}
