//! The words of the pages, in Vietnamese (default) and English, from the
//! Fluent files of `dondoc-i18n` (`locales/*/pages.ftl` and the others). An
//! unknown key renders as itself, and a test checks every key the templates
//! and the page code name exists in both languages.

use dondoc_i18n::Arg;

use crate::lang::Lang;

/// Translator handed to every template as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// The message `key` (a field name that is no key shows as itself).
    pub fn get(&self, key: &str) -> String {
        dondoc_i18n::text(self.0, key)
    }

    /// The message `key` with its arguments (counts, names, dates).
    pub fn with(&self, key: &str, args: &[(&str, Arg)]) -> String {
        dondoc_i18n::text_with(self.0, key, args)
    }

    pub fn lang(&self) -> Lang {
        self.0
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t.get("key")` and `t.with("key", …)` in the templates and the
    /// page code exists in both languages.
    #[test]
    fn every_key_used_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut seen = 0;
        for dir in ["templates", "src/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for call in ["t.get(\"", "t.with(\""] {
                    for part in text.split(call).skip(1) {
                        let key = part.split('"').next().unwrap();
                        if key == "key" {
                            // This file's own doc comment.
                            continue;
                        }
                        seen += 1;
                        for lang in Lang::ALL {
                            if !dondoc_i18n::has(lang, key) {
                                missing.push(format!("{key} ({})", lang.code()));
                            }
                        }
                    }
                }
            }
        }
        assert!(seen > 300, "the scan found only {seen} keys");
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn reads_the_fluent_files() {
        assert_eq!(Tr(Lang::Vi).get("nav_dashboard"), "Tổng quan");
        assert_eq!(Tr(Lang::En).get("nav_dashboard"), "Dashboard");
        // A field name with a dot is a message attribute.
        assert_eq!(Tr(Lang::Vi).get("recurrence.day"), "Hạn vào ngày");
        // A field name that is no key shows as itself.
        assert_eq!(Tr(Lang::En).get("links[0].task_id"), "links[0].task_id");
    }
}
