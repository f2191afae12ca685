//! The words of dondoc in Vietnamese (the default) and English.
//!
//! Every text a person reads that is not data comes from the Fluent files in
//! `locales/vi` and `locales/en` next to this crate: page words, error
//! messages, stored-enum labels, the review paragraph, mail words. The files
//! are compiled into the binary, so a deployment cannot lose them.
//!
//! Messages take arguments (`{ $count }`, `{ $name }`, `{ $date }`); counts
//! are numbers so Fluent can pick plural forms, dates are written dd/mm/yyyy
//! in both languages (the product's convention), and an argument can itself
//! be a message (a status label) resolved in the same language.

use std::{borrow::Cow, collections::HashMap};

use chrono::NaiveDate;
use fluent_templates::{
    LanguageIdentifier,
    fluent_bundle::{FluentValue, types::FluentNumber},
    langid,
};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        // Fluent wraps each argument in Unicode isolation marks by default;
        // the texts here are all left-to-right and the marks would end up in
        // JSON, HTML attributes and .docx files, so they are turned off.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages dondoc speaks. Vietnamese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The language tag, as in `Content-Language` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Vi => langid!("vi"),
            Lang::En => langid!("en"),
        }
    }
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as given (a name, a code, what the person typed).
    Text(String),
    /// A count or a number; Fluent chooses plural forms from it.
    Int(i64),
    /// A day, written dd/mm/yyyy.
    Date(NaiveDate),
    /// Another message, looked up in the same language (a status label, …);
    /// `lower` puts it in lower case for use inside a sentence.
    Label { key: String, lower: bool },
}

impl Arg {
    /// A message used as an argument, e.g. a stored enum's label.
    pub fn label(key: impl Into<String>) -> Self {
        Arg::Label {
            key: key.into(),
            lower: false,
        }
    }

    /// The same label in lower case, for the middle of a sentence.
    pub fn lower(self) -> Self {
        match self {
            Arg::Label { key, .. } => Arg::Label { key, lower: true },
            Arg::Text(text) => Arg::Text(text.to_lowercase()),
            other => other,
        }
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<&&str> for Arg {
    fn from(v: &&str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(v)
    }
}
impl From<&NaiveDate> for Arg {
    fn from(v: &NaiveDate) -> Self {
        Arg::Date(*v)
    }
}
impl From<&Arg> for Arg {
    fn from(v: &Arg) -> Self {
        v.clone()
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::Int(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        impl From<&$t> for Arg {
            fn from(v: &$t) -> Self {
                Arg::Int(i64::try_from(*v).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_arg!(i32, i64, u8, u32, u64, usize);

/// `dd/mm/yyyy`, the one way dates are written in both languages.
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The message `key` in `lang`. A message missing in English falls back to
/// Vietnamese, and one missing everywhere shows its key (tests make sure
/// neither happens).
pub fn text(lang: Lang, key: &str) -> String {
    text_with(lang, key, &[])
}

/// The message `key` in `lang` with its arguments.
pub fn text_with(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    lookup(lang, key, args)
        .or_else(|| {
            (lang != Lang::Vi)
                .then(|| lookup(Lang::Vi, key, args))
                .flatten()
        })
        .unwrap_or_else(|| key.to_string())
}

/// The message `key` in exactly `lang`, or `None` when it is missing there
/// or an argument it names was not given. For tests and for callers that
/// must know.
pub fn lookup(lang: Lang, key: &str, args: &[(&str, Arg)]) -> Option<String> {
    let values: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, arg)| (Cow::Owned(name.to_string()), value(lang, arg)))
        .collect();
    let args = (!values.is_empty()).then_some(&values);
    LOCALES.lookup_single_language(&lang.id(), key, args).ok()
}

/// Whether `key` exists in `lang`, whatever arguments it needs.
pub fn has(lang: Lang, key: &str) -> bool {
    match LOCALES.lookup_single_language::<&str>(&lang.id(), key, None) {
        Ok(_) => true,
        // A message that names arguments fails to format without them, but
        // it exists; the loader's error type is private, so its text tells
        // the two cases apart.
        Err(e) => e.to_string().starts_with("Fluent errors"),
    }
}

fn value(lang: Lang, arg: &Arg) -> FluentValue<'static> {
    match arg {
        Arg::Text(text) => FluentValue::String(Cow::Owned(text.clone())),
        Arg::Int(n) => FluentValue::Number(FluentNumber::from(*n)),
        Arg::Date(day) => FluentValue::String(Cow::Owned(date(*day))),
        Arg::Label { key, lower } => {
            let text = text(lang, key);
            FluentValue::String(Cow::Owned(if *lower { text.to_lowercase() } else { text }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn files(lang: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
        out.sort();
        out
    }

    /// The message ids of one language, checking each file parses and no id
    /// is defined twice (Fluent would silently keep one of them).
    fn ids(lang: &str) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for (name, source) in files(lang) {
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{lang}/{name} does not parse: {errors:?}"));
            for entry in resource.body {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    let id = m.id.name.to_string();
                    // Attributes are looked up as `id.attribute`.
                    for attribute in &m.attributes {
                        ids.insert(format!("{id}.{}", attribute.id.name));
                    }
                    assert!(ids.insert(id.clone()), "{lang}/{name}: {id} defined twice");
                }
            }
        }
        ids
    }

    #[test]
    fn every_file_parses_and_both_languages_have_the_same_keys() {
        let vi = ids("vi");
        let en = ids("en");
        assert!(!vi.is_empty());
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty(), "missing in English: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in Vietnamese: {only_en:?}");
        // Same file names too, so a translator finds each message in the same place.
        let names = |l| files(l).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names("vi"), names("en"));
        // And the compiled loader has every one of them.
        for id in &vi {
            for lang in Lang::ALL {
                assert!(has(lang, id), "{id} not loaded for {lang:?}");
            }
        }
    }

    /// Every key the code names literally (`"review-opening"`, a problem's
    /// `"problem-csrf"`, …) exists: any kebab-case string literal in the Rust
    /// sources that starts with the first word of one of these families.
    /// Keys built at run time (enum labels, `Msg` keys) are checked by tests
    /// that iterate every value, next to their types; the pages' keys by the
    /// API's test of its templates.
    #[test]
    fn every_key_named_in_the_code_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let known = ids("vi");
        const FAMILIES: [&str; 6] = [
            "problem",
            "review",
            "recurrence",
            "import",
            "report",
            "notice",
        ];
        let mut missing = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    if !matches!(name.as_str(), "target" | "tests" | "static" | "locales") {
                        stack.push(path);
                    }
                    continue;
                }
                if !name.ends_with(".rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let kebab = literal.contains('-')
                        && literal.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                        })
                        && !literal.starts_with('-')
                        && !literal.ends_with('-');
                    let first = literal.split('-').next().unwrap_or("");
                    // A literal that is only a prefix ("task-status") names no message.
                    let is_prefix = known.iter().any(|k| k.starts_with(&format!("{literal}-")));
                    if kebab && FAMILIES.contains(&first) && !known.contains(literal) && !is_prefix
                    {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not translated: {missing:#?}"
        );
    }

    #[test]
    fn arguments_and_fallbacks() {
        assert_eq!(text(Lang::Vi, "no-such-key"), "no-such-key");
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()),
            "09/03/2026"
        );
        // A label argument is looked up in the message's language.
        let args = [("status", Arg::label("task-status-in_progress").lower())];
        assert_eq!(
            lookup(Lang::En, "i18n-selftest", &args).as_deref(),
            Some("The task is in progress.")
        );
        assert_eq!(
            lookup(Lang::Vi, "i18n-selftest", &args).as_deref(),
            Some("Nhiệm vụ đang thực hiện.")
        );
        // A missing argument is an error, not a silent "{$status}".
        assert_eq!(lookup(Lang::Vi, "i18n-selftest", &[]), None);
    }
}
