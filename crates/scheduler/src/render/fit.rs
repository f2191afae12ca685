//! Keeping a digest under `mail.max_message_bytes`: the email lists as many
//! task lines as fit, in order (oldest overdue first), and says how many
//! more there are, with a link to them on the site. Never a message the
//! server may refuse for its size (Postfix's default limit is 10 MB).

use super::{
    RenderSettings,
    digest::{ExplanationLineView, More, SectionView},
};

/// Headers, MIME boundaries and part headers, apart from `Subject:` and
/// `To:` (counted from their contents).
const FIXED_HEADERS: usize = 2_000;

/// What the email does not list, for the closing line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    /// Task lines not listed anywhere in the email (sections dropped whole).
    pub tasks: usize,
    /// The cap, as the email states it ("2.0 MB", "40 KB").
    pub limit: String,
    pub link: String,
}

/// The sections and explanations an email shows.
pub(super) struct Shown {
    pub sections: Vec<SectionView>,
    pub explanations: Vec<ExplanationLineView>,
    pub more_explanations: usize,
    pub omitted: Option<Omitted>,
}

/// The size of `n` bytes once encoded as base64 in 76-column lines.
pub fn encoded_len(n: usize) -> usize {
    let base64 = n.div_ceil(3) * 4;
    base64 + base64.div_ceil(76) * 2
}

/// A body part's size once sent, exactly: lettre writes each line ending
/// as CRLF, then picks quoted-printable (up to ~1.7× for Vietnamese text
/// with its `=3D`s) or base64 (~1.37×); the part is built to be measured.
pub fn part_len(body: &str) -> usize {
    lettre::message::SinglePart::plain(body.to_string())
        .formatted()
        .len()
}

/// Bytes left for the two bodies, once encoded, in a message of at most
/// `max` bytes with this subject and these recipients.
pub fn body_budget(max: usize, subject: &str, recipients: &[String]) -> usize {
    // Encoded words: base64 of the UTF-8 plus `=?utf-8?b?…?=` and folding.
    let subject = encoded_len(subject.len()) * 3 / 2 + 64;
    let to: usize = recipients.iter().map(|a| a.len() + 8).sum();
    max.saturating_sub(FIXED_HEADERS + subject + to)
}

fn size_words(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} KB", bytes / 1_000)
    }
}

pub(super) fn lines_of(sections: &[SectionView]) -> usize {
    sections.iter().map(|s| s.lines.len()).sum()
}

/// The next number of lines to try after a render of `size` bytes with
/// `limit` lines, or `None` when it fits (or nothing more can be left out).
pub fn next_limit(limit: usize, size: usize, budget: usize) -> Option<usize> {
    if size <= budget || limit == 0 {
        return None;
    }
    let scaled = (limit as f64 * (budget as f64 / size as f64) * 0.95).floor() as usize;
    Some(scaled.min(limit - 1))
}

/// The first `limit` task lines (sections in order, then explanations);
/// each cut section says how many more it has, and a section with no line
/// left is dropped, counted in [`Omitted`].
pub(super) fn truncate(
    sections: &[SectionView],
    explanations: &[ExplanationLineView],
    limit: usize,
    settings: &RenderSettings,
) -> Shown {
    let mut left = limit;
    let mut omitted_tasks = 0;
    let mut shown = Vec::with_capacity(sections.len());
    for section in sections {
        let already_hidden = section.more.as_ref().map_or(0, |m| m.count);
        let take = section.lines.len().min(left);
        left -= take;
        if take == 0 && !section.lines.is_empty() {
            omitted_tasks += section.lines.len() + already_hidden;
            continue;
        }
        let hidden = section.lines.len() - take + already_hidden;
        shown.push(SectionView {
            lines: section.lines[..take].to_vec(),
            more: (hidden > 0).then(|| More {
                count: hidden,
                link: section.link.clone(),
            }),
            ..section.clone()
        });
    }
    let take = explanations.len().min(left);
    let omitted = (omitted_tasks > 0).then(|| Omitted {
        tasks: omitted_tasks,
        limit: size_words(settings.max_message_bytes),
        link: format!("{}/overdue", settings.public_url),
    });
    Shown {
        sections: shown,
        explanations: explanations[..take].to_vec(),
        more_explanations: explanations.len() - take,
        omitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_bounds_base64_with_line_breaks() {
        assert_eq!(encoded_len(0), 0);
        assert_eq!(encoded_len(3), 6);
        assert_eq!(encoded_len(57), 78);
        assert!(encoded_len(1_000_000) > 1_333_333);
    }

    #[test]
    fn the_limit_shrinks_until_it_fits_and_then_stops() {
        assert_eq!(next_limit(100, 1_000, 2_000), None);
        assert_eq!(next_limit(0, 5_000, 2_000), None);
        let next = next_limit(100, 4_000, 2_000).unwrap();
        assert!(next < 50, "{next}");
        assert_eq!(next_limit(1, 4_000, 3_999), Some(0));
    }
}
