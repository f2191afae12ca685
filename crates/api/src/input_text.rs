//! Text a person can type: no NUL or other control characters (tab and line
//! breaks excepted), checked at the edge — the URL's path and query, JSON
//! bodies and page forms — so they never reach the database. PostgreSQL
//! refuses NUL in text with an error, and stored control characters break
//! the exports, the mail headers and the calendar files downstream. A
//! refusal is a 422 `invalid_characters` naming the field.

use actix_web::dev::ServiceRequest;
use dondoc_core::{Error, FieldError, Msg};
use serde_json::Value;

/// The stable code of the refusal (problem type and field error code).
pub const CODE: &str = crate::problem::INVALID_CHARACTERS;

/// Whether `c` may appear in text a person sends.
pub fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Whether `text` holds only allowed characters.
pub fn is_clean(text: &str) -> bool {
    text.chars().all(allowed)
}

/// The refusal for `field`.
pub fn refusal(field: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new(field, CODE, Msg::InvalidCharacters)])
}

/// The first field of a decoded urlencoded string (a query or a form body)
/// whose name or value holds a control character.
pub fn first_bad_pair<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    pairs
        .into_iter()
        .find(|(k, v)| !is_clean(k) || !is_clean(v))
        .map(|(k, _)| k.chars().filter(|c| allowed(*c)).collect())
}

/// The field of a posted page form (its decoded pairs) that holds a
/// control character.
pub fn bad_form_field(pairs: &[(String, String)]) -> Option<String> {
    first_bad_pair(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The path (`title`, `links[2].note`) of the first string in a JSON body
/// that holds a control character, object keys included.
pub fn bad_json_field(body: &[u8]) -> Option<String> {
    // Most bodies have nothing that could decode to a control character:
    // no escape sequence and no raw control (C1 characters may be raw UTF-8).
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains('\\') && is_clean(text) {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    bad_in_value(&value, String::new())
}

fn bad_in_value(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) if !is_clean(s) => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| bad_in_value(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if is_clean(k) {
                bad_in_value(v, field)
            } else {
                Some(field.chars().filter(|c| allowed(*c)).collect())
            }
        }),
        _ => None,
    }
}

/// The field of the URL at fault: `path`, or the query parameter's name.
pub fn bad_url_field(req: &ServiceRequest) -> Option<String> {
    let path = req.uri().path();
    let decoded = percent_decode(path);
    if !is_clean(&decoded) {
        return Some("path".to_string());
    }
    let query = req.uri().query().unwrap_or("");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    first_bad_pair(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// `%XX` escapes decoded (invalid UTF-8 replaced, which is not a control).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_line_breaks_are_text_other_controls_are_not() {
        assert!(is_clean("Báo cáo\tquý IV\r\ndòng hai"));
        for bad in [
            "a\u{0}b",
            "\u{7}",
            "x\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
        ] {
            assert!(!is_clean(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_json_field_at_fault_is_named() {
        assert_eq!(bad_json_field(br#"{"title": "ok", "note": "a\nb"}"#), None);
        assert_eq!(
            bad_json_field(br#"{"title": "ok", "note": "a\u0000b"}"#).as_deref(),
            Some("note")
        );
        assert_eq!(
            bad_json_field(br#"{"links": [{"note": "x"}, {"note": "\u0007"}]}"#).as_deref(),
            Some("links[1].note")
        );
        assert_eq!(bad_json_field(br#"["\b"]"#).as_deref(), Some("[0]"));
        assert_eq!(
            bad_json_field("{\"a\": \"\u{85}\"}".as_bytes()).as_deref(),
            Some("a")
        );
        // Not JSON: the deserializer says so, not this check.
        assert_eq!(bad_json_field(b"{\"a\": \\u0000"), None);
    }

    #[test]
    fn the_url_is_decoded_before_it_is_checked() {
        assert_eq!(percent_decode("/tasks/%00x"), "/tasks/\u{0}x");
        assert_eq!(percent_decode("/t%C3%A1c%zz%4"), "/tác%zz%4");
        let pairs = [("q", "a\u{0}"), ("page", "1")];
        assert_eq!(first_bad_pair(pairs).as_deref(), Some("q"));
        assert_eq!(first_bad_pair([("q", "đường\t")]), None);
    }
}
