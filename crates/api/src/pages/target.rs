//! Where a page may send the browser next (`next=`, `back=`, the language
//! switch's referrer, every page redirect): only a path on this site.
//!
//! Browsers are lenient with `Location`: they drop tabs and line breaks,
//! read `\` as `/`, and take `//host` or `/\host` as another site. So the
//! rule is an allow-list, not a list of known tricks: one `/`, then a letter
//! or digit (or `?`/`#`, or nothing), printable ASCII without spaces or
//! backslashes, and no percent-encoded control character or backslash
//! (which a later decoding step could turn into one). Anything else is the
//! home page.

/// The page everything that is not a same-site path becomes.
pub const HOME: &str = "/";

/// Whether `target` is a path on this site that is safe to send in `Location`.
pub fn is_same_site(target: &str) -> bool {
    let bytes = target.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    match bytes.get(1) {
        None => {}
        Some(c) if c.is_ascii_alphanumeric() || *c == b'?' || *c == b'#' => {}
        Some(_) => return false,
    }
    if !bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\') {
        return false;
    }
    !has_encoded_danger(bytes)
}

/// `target` if it is a same-site path (see [`is_same_site`]), else `/`.
pub fn same_site(target: &str) -> String {
    if is_same_site(target) {
        target.to_string()
    } else {
        HOME.to_string()
    }
}

/// Whether a `%XX` escape encodes a control character or a backslash.
fn has_encoded_danger(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && match (hex(w[1]), hex(w[2])) {
                (Some(hi), Some(lo)) => {
                    let b = hi * 16 + lo;
                    b < 0x20 || b == 0x7f || b == b'\\'
                }
                _ => false,
            }
    })
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_pass() {
        for ok in [
            "/",
            "/tasks",
            "/tasks/12?tab=history#notes",
            "/?lang=en",
            "/#top",
            "/tasks?q=%C4%91%C6%B0%E1%BB%9Dng",
            "/overdue?as_of=2026-11-25&department=TNMT",
        ] {
            assert!(is_same_site(ok), "{ok}");
            assert_eq!(same_site(ok), ok);
        }
    }

    #[test]
    fn other_sites_and_tricks_become_home() {
        for bad in [
            "",
            "tasks",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example:8080/",
            "/%09/evil.example:8080/",
            "/%5cevil.example",
            "/%5Cevil.example",
            "/x%0d%0aSet-Cookie:%20a=b",
            "/tasks\r\nSet-Cookie: a=b",
            "/tasks\n",
            "/ space",
            "/tasks/\u{0}",
            "/./evil",
            "/-x",
            "/tasks/đường",
            "/%7f",
            "/x\\y",
        ] {
            assert!(!is_same_site(bad), "{bad:?}");
            assert_eq!(same_site(bad), HOME, "{bad:?}");
        }
    }

    #[test]
    fn a_stray_percent_is_not_an_escape() {
        assert!(is_same_site("/tasks?q=100%"));
        assert!(is_same_site("/tasks?q=%zz"));
    }
}
