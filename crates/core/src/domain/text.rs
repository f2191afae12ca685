//! Text folding for search and header matching: lower case, no diacritics,
//! single spaces — so "dat cuoc" finds "Đất Cuốc" and "THOI HAN" matches
//! the header "Thời hạn". And [`one_line`], for subjects and table cells.

/// One line of text: no line breaks or runs of spaces (mail subjects, table
/// cells), whatever a person typed into a name or title.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds Vietnamese (and any Unicode) text to lower-case ASCII words.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_whitespace() || ch.is_ascii_punctuation() {
            // Keep codes like "GPMB-02" and "125/UBND-VP" findable as written.
            if matches!(ch, '-' | '/' | '.' | '_') && !pending_space && !out.is_empty() {
                out.push(ch);
            } else {
                pending_space = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese_diacritics_and_case() {
        assert_eq!(fold("Đường Thủ Biên – Đất Cuốc"), "duong thu bien dat cuoc");
        assert_eq!(fold("  THỜI   HẠN "), "thoi han");
        assert_eq!(fold("Lĩnh vực"), "linh vuc");
    }

    #[test]
    fn keeps_code_punctuation() {
        assert_eq!(fold("GPMB-02"), "gpmb-02");
        assert_eq!(fold("125/UBND-VP"), "125/ubnd-vp");
    }
}
