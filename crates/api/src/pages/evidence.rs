//! Evidence on the step forms (the update or note form, the extension
//! request, the explanation answer): the forms are `multipart/form-data`
//! with an optional `files` input (`multiple`, at most
//! `attachments::evidence::MAX_FILES`). `PostedForm` reads such a post
//! here: the text fields become its `Form` (so the CSRF check and the
//! drafts work as for any form), the files travel beside it.
//!
//! A draft cannot keep a file. When a post that carried files is kept as a
//! draft (refused, or the session had expired), the draft holds the files'
//! names in `evidence_dropped`, and the form's page says beside the file
//! input that they must be chosen again (`Ctx::evidence_dropped`).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, http::header};
use dondoc_core::attachments::evidence::{Evidence, NewFile};
use futures_util::StreamExt;

use super::{Ctx, Form, PageError, PostedForm};

/// The file input of the step forms.
pub const FILES_FIELD: &str = "files";
/// The draft field naming files that were not saved.
pub const DROPPED_FIELD: &str = "evidence_dropped";
/// Text fields longer than this are cut to it (a note is at most 10 000
/// characters; the core names a longer one).
const FIELD_LIMIT: u64 = 64 * 1024;
/// Parts in one form: the widest step form's fields and its files.
const MAX_PARTS: usize = 32;

/// The files a step form carried.
#[derive(Default)]
pub struct PostedFiles {
    pub files: Vec<NewFile>,
    /// The names of every file posted, a dropped one too.
    pub names: Vec<String>,
    /// A file passed `attachments.max_bytes` (its bytes were dropped).
    pub too_large: bool,
}

/// Whether a post is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads a step form: text fields and files. A file over `max_bytes` is
/// read to its end and dropped (so the person gets the form back with the
/// reason, not a broken connection) unless it runs past four times the
/// limit; an input with no file chosen sends an empty part, which is
/// skipped. `Err` for a broken or abusive form.
pub async fn read(mut payload: Multipart, max_bytes: u64) -> Result<(Form, PostedFiles), String> {
    let mut fields = Vec::new();
    let mut posted = PostedFiles::default();
    let hard_stop = max_bytes.saturating_mul(4).max(1024 * 1024);
    let mut parts = 0;
    while let Some(item) = payload.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        let mut field = item.map_err(|e| e.to_string())?;
        let name = field.name().unwrap_or("").to_string();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        let is_file = name == FILES_FIELD;
        let limit = if is_file { max_bytes } else { FIELD_LIMIT };
        let mut bytes = Vec::new();
        let mut seen: u64 = 0;
        let mut over = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            seen += chunk.len() as u64;
            if seen > hard_stop {
                return Err("the upload is far larger than allowed".into());
            }
            if seen > limit {
                over = true;
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            let file_name = file_name.unwrap_or_default();
            if file_name.is_empty() && seen == 0 {
                // The input with no file chosen.
                continue;
            }
            posted.names.push(file_name.clone());
            if over {
                posted.too_large = true;
            } else {
                posted.files.push(NewFile { file_name, bytes });
            }
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok((Form(fields), posted))
}

/// The names of the files a form carried, for its draft (printable
/// characters only: a draft's fields are text).
pub fn dropped_names(files: &PostedFiles) -> Option<String> {
    if files.names.is_empty() {
        return None;
    }
    let names: Vec<String> = files
        .names
        .iter()
        .map(|n| n.chars().filter(|c| !c.is_control()).collect())
        .collect();
    Some(names.join(", "))
}

impl<P> PostedForm<P> {
    /// The files the form carried, as the core's evidence; a file too large
    /// sends the form back, kept, with the reason beside the file input.
    pub fn take_evidence(&mut self, max_bytes: u64) -> Result<Evidence, PageError> {
        if self.files.too_large {
            let msg = dondoc_core::Msg::AttachmentTooLarge {
                max_mb: max_bytes.div_ceil(1024 * 1024),
            }
            .text(self.t.0);
            return Err(self.refused_field(FILES_FIELD, msg));
        }
        Ok(Evidence {
            files: std::mem::take(&mut self.files.files),
            attachment_ids: Vec::new(),
        })
    }

    /// Whether the form carried a file.
    pub fn has_files(&self) -> bool {
        !self.files.names.is_empty()
    }
}

impl Ctx {
    /// "The files chosen (…) were not saved: choose them again", when the
    /// page shows a draft of `form` that had files.
    pub fn evidence_dropped(&self, form: &str) -> Option<String> {
        self.typed(form, DROPPED_FIELD).map(|names| {
            self.t
                .with("evidence_choose_again", &[("names", names.into())])
        })
    }
}
