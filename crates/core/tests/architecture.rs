//! The shape of the code, checked: imports between the files of dondoc-core
//! and of dondoc-api run one way (no file imports, directly or through
//! others, a file that imports it), so a reader can follow a rule down
//! without going round in circles; and no source file grows past the size
//! a reader can hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// A module path (`["tasks", "facts"]`) for every `.rs` file under `src`.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect();
                if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                    parts.pop();
                }
                out.insert(parts, path);
            }
        }
    }
    out
}

/// The text of a file without comments, strings and its test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every path a file names with `crate::` or `super::`, including the
/// branches of `use crate::{a::b, c::{d, e}}`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let tail = &rest[i + 4..];
        let Some(end) = tail.find(';') else { break };
        let tree: String = tail[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if tree.starts_with("crate::") || tree.starts_with("super::") || tree.starts_with("self::")
        {
            expand(&[], &tree, &mut out);
        }
        rest = &tail[end..];
    }
    // Inline paths: crate::a::b(…), super::x.
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                let path: Vec<String> = tail[..len]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                out.push(path);
            }
            rest = &tail[len.max(1)..];
        }
    }
    out
}

fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let mut depth = 0;
    let mut item = String::new();
    let mut items = Vec::new();
    for c in tree.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut item));
        } else {
            item.push(c);
        }
    }
    items.push(item);
    for item in items {
        if item.is_empty() {
            continue;
        }
        if let Some(open) = item.find('{')
            && item.ends_with('}')
        {
            let head: Vec<String> = item[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut next = prefix.to_vec();
            next.extend(head);
            expand(&next, &item[open + 1..item.len() - 1], out);
        } else {
            let item = item.split(" as ").next().unwrap_or("");
            let mut path = prefix.to_vec();
            path.extend(
                item.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            out.push(path);
        }
    }
}

/// The file a path from `module` lands in (the longest module prefix).
fn resolve(
    module: &[String],
    path: &[String],
    files: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let (mut base, mut rest) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("self") => (module.to_vec(), &path[1..]),
        Some("super") => {
            let mut base = module.to_vec();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            (base, rest)
        }
        _ => return None,
    };
    while rest.first().map(String::as_str) == Some("self") {
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    (0..=base.len())
        .rev()
        .map(|n| base[..n].to_vec())
        .find(|candidate| files.contains_key(candidate))
        .filter(|found| !found.is_empty())
}

/// File-level import edges of the crate in `src`.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files = modules(src);
    let mut edges = BTreeMap::new();
    for (module, path) in &files {
        let code = code_of(&fs::read_to_string(path).unwrap());
        let mut deps = BTreeSet::new();
        for p in paths(&code) {
            if let Some(target) = resolve(module, &p, &files)
                && &target != module
                // A parent declaring its children is not an import.
                && !(target.len() > module.len() && target.starts_with(module))
            {
                deps.insert(target);
            }
        }
        edges.insert(module.clone(), deps);
    }
    edges
}

/// The cycles of a graph (strongly connected components of two or more).
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    // Reachability by repeated search: the graphs have ~150 nodes.
    let reach = |from: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for m in edges.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> =
        edges.keys().map(|k| (k, reach(k))).collect();
    let mut out = Vec::new();
    for (a, from_a) in &reachable {
        for b in from_a {
            if a < &b && reachable.get(b).is_some_and(|r| r.contains(*a)) {
                out.push(vec![a.join("/"), b.join("/")]);
            }
        }
    }
    out
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join(name)
        .join("src")
}

#[test]
fn imports_between_files_run_one_way_in_core_and_api() {
    for name in ["core", "api"] {
        let edges = graph(&crate_src(name));
        assert!(edges.len() > 20, "{name}: read {} files", edges.len());
        let found = cycles(&edges);
        assert!(
            found.is_empty(),
            "{name}: files that import each other (through others or directly): {found:?}"
        );
    }
}

#[test]
fn the_checker_finds_a_cycle_when_there_is_one() {
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let m = |s: &str| vec![s.to_string()];
    edges.insert(m("a"), BTreeSet::from([m("b")]));
    edges.insert(m("b"), BTreeSet::from([m("c")]));
    edges.insert(m("c"), BTreeSet::from([m("a")]));
    edges.insert(m("d"), BTreeSet::from([m("a")]));
    assert_eq!(cycles(&edges).len(), 3);
    let mut paths_seen = Vec::new();
    expand(&[], "crate::{a::b,c::{d,e}}", &mut paths_seen);
    assert_eq!(paths_seen.len(), 3);
}

#[test]
fn no_source_file_outgrows_what_a_reader_can_hold() {
    // ~600 lines is the rule; a file with its tests may reach a little more.
    const LIMIT: usize = 700;
    for name in ["core", "api", "scheduler", "cli", "seed", "i18n"] {
        for (_, path) in modules(&crate_src(name)) {
            let lines = fs::read_to_string(&path).unwrap().lines().count();
            assert!(
                lines <= LIMIT,
                "{} has {lines} lines; split it by concern",
                path.display()
            );
        }
    }
}
