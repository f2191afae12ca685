//! Language negotiation: Vietnamese first, English when asked for
//! (`Accept-Language: en`, or the `lang` cookie the pages set).

use actix_web::HttpRequest;
pub use dondoc_i18n::Lang;

/// The language of a request. A trait because `Lang` lives in `dondoc-i18n`,
/// which knows nothing of HTTP; bring it into scope to call `Lang::of(req)`.
pub trait Negotiate {
    /// For pages: Vietnamese unless the person chose English with the
    /// switch (many officials' browsers say English; the product stays Vietnamese).
    fn for_page(req: &HttpRequest) -> Lang;
    /// For the API: the `lang` cookie, else `Accept-Language`.
    fn of(req: &HttpRequest) -> Lang;
}

impl Negotiate for Lang {
    fn for_page(req: &HttpRequest) -> Lang {
        match req.cookie("lang") {
            Some(cookie) if cookie.value() == "en" => Lang::En,
            _ => Lang::Vi,
        }
    }

    fn of(req: &HttpRequest) -> Lang {
        if let Some(cookie) = req.cookie("lang") {
            return if cookie.value() == "en" {
                Lang::En
            } else {
                Lang::Vi
            };
        }
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(parse_accept_language)
            .unwrap_or_default()
    }
}

/// The preferred of `vi` and `en` in an Accept-Language header (highest q wins; ties keep order).
pub fn parse_accept_language(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = if tag.starts_with("en") {
            Lang::En
        } else if tag.starts_with("vi") {
            Lang::Vi
        } else {
            continue;
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(parse_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(parse_accept_language("vi-VN,vi;q=0.9,en;q=0.8"), Lang::Vi);
        assert_eq!(parse_accept_language("fr-FR,en;q=0.5"), Lang::En);
        assert_eq!(parse_accept_language("fr"), Lang::Vi);
        assert_eq!(parse_accept_language(""), Lang::Vi);
    }
}
