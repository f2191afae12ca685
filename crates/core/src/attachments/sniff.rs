//! What a file is, from its bytes alone: the name a person gave it and the
//! Content-Type their browser sent are never believed. Only the kinds a
//! report, a note or a signed scan needs are accepted; HTML, SVG, scripts
//! and executables are named when refused, so the person knows why.
//!
//! Office packages (.docx, .xlsx, .odt) are zips: each is walked by the
//! import's zip-bomb guard first (every entry inflated through a counter),
//! then recognised by its declared main part (`[Content_Types].xml`) or
//! its `mimetype` entry. Macro-enabled packages are not recognised.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::{messages::Msg, tasks::import};

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Odt,
}

impl FileKind {
    pub const ALL: [FileKind; 8] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Odt,
    ];

    /// The media type the file is served with.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
        }
    }

    /// The extensions a file of this kind may carry (the first one is added
    /// to a name that carries none of them).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Odt => &["odt"],
        }
    }

    /// The kind a stored media type names.
    pub fn from_mime(mime: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.mime() == mime)
    }

    /// PDFs and images can be shown in the browser (under a strict CSP).
    pub fn viewable_inline(self) -> bool {
        !matches!(self, FileKind::Docx | FileKind::Xlsx | FileKind::Odt)
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileKind::Png | FileKind::Jpeg | FileKind::Gif | FileKind::Webp
        )
    }
}

const DOCX_MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const XLSX_MAIN: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
const ODT_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.text";

/// The kind of `bytes`, or why it is refused.
pub fn sniff(bytes: &[u8]) -> Result<FileKind, Msg> {
    if bytes.is_empty() {
        return Err(Msg::AttachmentEmpty);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(FileKind::Gif);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Ok(FileKind::Webp);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return package_kind(bytes);
    }
    Err(refusal_of_other(bytes))
}

/// A zip: safe to inflate (the guard), then an office document or refused.
fn package_kind(bytes: &[u8]) -> Result<FileKind, Msg> {
    if let Err(refusal) = import::check_package(bytes) {
        let reason = match refusal {
            import::PackageRefusal::TooLarge(why) | import::PackageRefusal::Malformed(why) => why,
        };
        return Err(Msg::AttachmentPackage { reason });
    }
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|err| Msg::AttachmentPackage {
            reason: err.to_string(),
        })?;
    if let Some(mimetype) = small_entry(&mut archive, "mimetype", 256)
        && mimetype.trim_ascii() == ODT_MIMETYPE
    {
        return Ok(FileKind::Odt);
    }
    if let Some(types) = small_entry(&mut archive, "[Content_Types].xml", 1024 * 1024) {
        let types = String::from_utf8_lossy(&types);
        let declares = |main: &str| types.contains(&format!("\"{main}\""));
        match (declares(DOCX_MAIN), declares(XLSX_MAIN)) {
            (true, false) => return Ok(FileKind::Docx),
            (false, true) => return Ok(FileKind::Xlsx),
            _ => {}
        }
    }
    Err(Msg::AttachmentType)
}

/// An entry's bytes when it exists and is at most `limit` bytes long.
fn small_entry(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Option<Vec<u8>> {
    let entry = archive.by_name(name).ok()?;
    let mut out = Vec::new();
    entry.take(limit + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= limit).then_some(out)
}

/// Why a file that is none of the accepted kinds is refused: executables,
/// scripts, SVG and HTML by name, anything else as "not an accepted type".
fn refusal_of_other(bytes: &[u8]) -> Msg {
    const EXECUTABLE: [&[u8]; 7] = [
        b"MZ",
        b"\x7fELF",
        &[0xFE, 0xED, 0xFA, 0xCE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCE, 0xFA, 0xED, 0xFE],
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ];
    if EXECUTABLE.iter().any(|magic| bytes.starts_with(magic)) {
        return Msg::AttachmentExecutable;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("#!") {
        return Msg::AttachmentScript;
    }
    if text.contains("<svg") {
        return Msg::AttachmentSvg;
    }
    if text.starts_with("<!doctype html")
        || text.contains("<html")
        || text.contains("<script")
        || text.contains("<body")
        || text.contains("<iframe")
    {
        return Msg::AttachmentHtml;
    }
    Msg::AttachmentType
}

/// The name to keep: the last path segment, without control characters,
/// at most 200 characters, ending in an extension of the kind found (one
/// is appended when the name carries another, so `bao-cao.exe` holding a
/// PDF is kept as `bao-cao.exe.pdf`).
pub fn clean_name(given: &str, kind: FileKind) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    if name.is_empty() {
        name = "tep-dinh-kem".to_string();
    }
    if name.chars().count() > 200 {
        name = name.chars().take(200).collect();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&extension.as_str()) {
        name = format!("{name}.{}", kind.extensions()[0]);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Ok(FileKind::Jpeg));
        assert_eq!(sniff(b"GIF89a...."), Ok(FileKind::Gif));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Ok(FileKind::Webp));
    }

    #[test]
    fn hostile_files_are_named_when_refused() {
        assert_eq!(sniff(b""), Err(Msg::AttachmentEmpty));
        assert_eq!(sniff(b"MZ\x90\0\x03"), Err(Msg::AttachmentExecutable));
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Err(Msg::AttachmentExecutable));
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), Err(Msg::AttachmentScript));
        assert_eq!(
            sniff(b"\xef\xbb\xbf  <!DOCTYPE html><p>hi"),
            Err(Msg::AttachmentHtml)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"),
            Err(Msg::AttachmentSvg)
        );
        assert_eq!(sniff(b"plain words"), Err(Msg::AttachmentType));
        assert_eq!(sniff(b"PK\x03\x04garbage"), sniff(b"PK\x03\x04garbage"));
        assert!(matches!(
            sniff(b"PK\x03\x04garbage"),
            Err(Msg::AttachmentPackage { .. })
        ));
    }

    #[test]
    fn names_keep_their_last_segment_and_get_the_right_extension() {
        assert_eq!(
            clean_name("C:\\docs\\bao-cao.pdf", FileKind::Pdf),
            "bao-cao.pdf"
        );
        assert_eq!(clean_name("../../x.exe", FileKind::Pdf), "x.exe.pdf");
        assert_eq!(clean_name("ảnh.JPEG", FileKind::Jpeg), "ảnh.JPEG");
        assert_eq!(clean_name("\u{7}\"", FileKind::Png), "tep-dinh-kem.png");
        assert_eq!(clean_name(".htaccess", FileKind::Odt), "htaccess.odt");
    }
}
