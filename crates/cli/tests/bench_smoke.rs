//! The benchmark harness must never rot: `bench/run.sh --smoke` (about
//! 1,000 tasks on SQLite, one-second runs) is run with the binaries this test
//! build made, and must print its tables. No figure is asserted: speed is
//! measured by the benchmark itself (docs/performance.md), never by tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Command};

use dondoc_core::testing;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn the_benchmark_smoke_run_prints_its_tables() {
    if !have("wrk") && !have("oha") {
        testing::skip(
            "bench",
            "neither wrk nor oha is installed (apt-get install wrk)",
        );
        return;
    }
    if !have("curl") {
        testing::skip("bench", "curl is not installed");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_dondoc"))
        .parent()
        .unwrap()
        .to_path_buf();
    assert!(
        bin_dir.join("dondoc-bench").exists(),
        "dondoc-bench is built next to dondoc"
    );
    let out = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .arg(root.join("bench/run.sh"))
        .args(["--smoke", "--bin-dir"])
        .arg(&bin_dir)
        .arg("--out")
        .arg(out.path())
        .env_remove("DONDOC__DATABASE__URL")
        .env_remove("DONDOC_ENV")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "bench/run.sh --smoke failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- log\n{}",
        std::fs::read_to_string(out.path().join("bench.log")).unwrap_or_default()
    );
    // The HTTP table, with a row per request, each with figures.
    assert!(
        stdout.contains("| DB | tasks | request | req/s |"),
        "{stdout}"
    );
    for request in [
        "/healthz",
        "/api/v1/overdue",
        "/api/v1/tasks",
        "/api/v1/stats",
        "/overdue",
        "PATCH",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with("| sqlite | 1k |") && l.contains(request))
            .unwrap_or_else(|| panic!("no row for {request} in\n{stdout}"));
        let rps = row.split('|').nth(4).unwrap().trim();
        assert!(
            rps != "–" && rps != "0.0",
            "{request}: no throughput measured: {row}\n{stderr}"
        );
    }
    // The jobs table: digest, (delivery when aiosmtpd is there), memory, start-up.
    let jobs = stdout
        .lines()
        .find(|l| l.starts_with("| sqlite | 1k | 30 |"))
        .unwrap_or_else(|| panic!("no jobs row in\n{stdout}"));
    let cells: Vec<&str> = jobs.split('|').map(str::trim).collect();
    assert_ne!(cells[5], "–", "digest job time: {jobs}");
    assert_ne!(cells[17], "–", "ready time: {jobs}");
    let smtp_available = Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if smtp_available {
        assert_ne!(cells[10], "–", "delivery rate: {jobs}");
    } else {
        testing::skip(
            "smtp",
            "python3 aiosmtpd is not installed; the benchmark's delivery part did not run",
        );
    }
}
