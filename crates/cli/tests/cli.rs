//! The `dondoc` binary as an operator meets it: one clear line for every
//! mistake, and the commands that set a database up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

fn dondoc(
    dir: &std::path::Path,
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dondoc"));
    cmd.args(args)
        .current_dir(dir)
        // Run from an empty folder: only the compiled-in defaults apply.
        .env("DONDOC_CONFIG_DIR", dir.join("config"))
        .env_remove("DONDOC_ENV")
        .env(
            "DONDOC__DATABASE__URL",
            format!("sqlite://{}/data/dondoc.db", dir.display()),
        )
        .env("DONDOC__CLOCK__TODAY", "2026-11-25")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_one_clear_line(out: &Output, must_contain: &[&str]) {
    assert!(!out.status.success(), "should fail");
    let text = stderr(out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    for word in must_contain {
        assert!(text.contains(word), "`{word}` missing from: {text}");
    }
}

#[test]
fn a_malformed_config_file_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[server]\nport = \"eighty\"\n").unwrap();
    let out = dondoc(
        dir.path(),
        &["--config", file.to_str().unwrap(), "migrate"],
        &[],
        None,
    );
    assert_one_clear_line(&out, &["server.port"]);
    assert_eq!(out.status.code(), Some(2));

    std::fs::write(&file, "[server\nport = 1").unwrap();
    let out = dondoc(
        dir.path(),
        &["--config", file.to_str().unwrap(), "migrate"],
        &[],
        None,
    );
    assert_one_clear_line(&out, &["bad.toml"]);

    let out = dondoc(
        dir.path(),
        &["migrate"],
        &[("DONDOC__ORGANIZATION__TIMEZONE", "Mars/Base")],
        None,
    );
    assert_one_clear_line(&out, &["organization.timezone", "Mars/Base"]);

    let out = dondoc(
        dir.path(),
        &["migrate"],
        &[("DONDOC__SERVER__PROT", "1")],
        None,
    );
    assert_one_clear_line(&out, &["prot"]);
}

#[test]
fn an_unreachable_database_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dondoc(
        dir.path(),
        &["migrate"],
        &[
            (
                "DONDOC__DATABASE__URL",
                "postgres://dondoc:secret@127.0.0.1:1/dondoc",
            ),
            ("DONDOC__DATABASE__CONNECT_TIMEOUT_SECS", "2"),
        ],
        None,
    );
    assert_one_clear_line(&out, &["database", "127.0.0.1:1"]);
    assert!(
        !stderr(&out).contains("secret"),
        "the password leaked: {}",
        stderr(&out)
    );
}

#[test]
fn a_bad_argument_is_explained_by_clap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dondoc(dir.path(), &["serve", "--colour"], &[], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--colour"), "{}", stderr(&out));
    let out = dondoc(
        dir.path(),
        &["user", "add", "--username", "x", "--role", "staff"],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--password-stdin"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn migrate_seed_add_a_user_and_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dondoc(dir.path(), &["migrate"], &[], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        dir.path().join("data/dondoc.db").exists(),
        "the SQLite file and its folder are created"
    );

    let out = dondoc(dir.path(), &["seed", "demo"], &[], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("96 nhiệm vụ") && printed.contains("admin-demo-2026"),
        "{printed}"
    );
    // Seeding again is refused with a reason.
    let out = dondoc(dir.path(), &["seed", "demo"], &[], None);
    assert_one_clear_line(&out, &["empty database"]);

    let out = dondoc(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "nguyen.van.an",
            "--role",
            "staff",
            "--department",
            "TNMT",
            "--password-stdin",
        ],
        &[],
        Some("mat-khau-rat-dai-2026\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nguyen.van.an"));
    // A weak password or an unknown department is refused, naming the field.
    let out = dondoc(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "le.thi.b",
            "--role",
            "staff",
            "--department",
            "KHONGCO",
            "--password-stdin",
        ],
        &[],
        Some("ngan\n"),
    );
    assert_one_clear_line(&out, &["department", "password"]);

    let backup = dir.path().join("sao-luu.db");
    let out = dondoc(dir.path(), &["backup", backup.to_str().unwrap()], &[], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::metadata(&backup).unwrap().len() > 10_000);
    // The copy is a working database: migrate it in place and it has the demo.
    let out = dondoc(
        dir.path(),
        &["seed", "demo"],
        &[(
            "DONDOC__DATABASE__URL",
            &format!("sqlite://{}", backup.display()),
        )],
        None,
    );
    assert_one_clear_line(&out, &["empty database"]);
    // Never overwrite an existing file.
    let out = dondoc(dir.path(), &["backup", backup.to_str().unwrap()], &[], None);
    assert_one_clear_line(&out, &["already exists"]);
}

#[test]
fn export_a_year_and_import_it_into_the_next() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        dondoc(dir.path(), &["seed", "demo"], &[], None)
            .status
            .success()
    );
    let csv = dir.path().join("2026.csv");
    let xlsx = dir.path().join("2026.xlsx");
    for (format, path) in [("csv", &csv), ("xlsx", &xlsx)] {
        let out = dondoc(
            dir.path(),
            &[
                "export",
                "tasks",
                "--year",
                "2026",
                "--format",
                format,
                "--output",
                path.to_str().unwrap(),
            ],
            &[],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    assert!(
        text.contains("Thủ Biên") && text.lines().count() > 96,
        "{}",
        &text[..200.min(text.len())]
    );
    // Never overwrite.
    let out = dondoc(
        dir.path(),
        &[
            "export",
            "tasks",
            "--year",
            "2026",
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert_one_clear_line(&out, &["already exists"]);

    // The exported workbook is a valid import for another year: every row.
    let out = dondoc(
        dir.path(),
        &[
            "import",
            "tasks",
            xlsx.to_str().unwrap(),
            "--year",
            "2027",
            "--dry-run",
        ],
        &[],
        None,
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let out = dondoc(
        dir.path(),
        &["import", "tasks", xlsx.to_str().unwrap(), "--year", "2027"],
        &[],
        None,
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("96"));
    // Again into the same year: every code is taken, the whole file is refused, row by row.
    let out = dondoc(
        dir.path(),
        &["import", "tasks", csv.to_str().unwrap(), "--year", "2027"],
        &[],
        None,
    );
    assert!(!out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    // Each problem in Vietnamese, then in English beneath it.
    for (start, column) in [("Dòng ", "cột Mã"), ("  row ", "column Mã")] {
        assert_eq!(
            listed
                .lines()
                .filter(|l| l.starts_with(start) && l.contains(column))
                .count(),
            96,
            "{listed}"
        );
    }
    assert!(
        stderr(&out).contains("nothing was imported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hostile_workbooks_are_refused_with_the_reason_and_exit_1() {
    use dondoc_core::tasks::import::hostile::{self, Declared};
    let dir = tempfile::tempdir().unwrap();
    assert!(dondoc(dir.path(), &["migrate"], &[], None).status.success());
    for (name, bytes, reason) in [
        ("corner.xlsx", hostile::far_corner_workbook(), "1048576"),
        (
            "s10.xlsx",
            hostile::shared_strings_declaring("1e10"),
            "uniqueCount",
        ),
        (
            "s18.xlsx",
            hostile::shared_strings_declaring("1e18"),
            "uniqueCount",
        ),
        (
            "honest.xlsx",
            hostile::zip_bomb(false, Declared::Honest),
            "100 MB",
        ),
        (
            "lying.xlsx",
            hostile::zip_bomb(false, Declared::Lying),
            "khai báo",
        ),
        (
            "body.docx",
            hostile::zip_bomb(true, Declared::Honest),
            "100 MB",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for dry_run in [true, false] {
            let mut args = vec!["import", "tasks", path.to_str().unwrap(), "--year", "2027"];
            if dry_run {
                args.push("--dry-run");
            }
            let out = dondoc(dir.path(), &args, &[], None);
            assert_eq!(out.status.code(), Some(1), "{name}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(stdout.contains(reason), "{name}: {stdout}");
            assert_one_clear_line(&out, &["refused", "nothing was imported"]);
        }
    }
}
