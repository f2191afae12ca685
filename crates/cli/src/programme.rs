//! `dondoc import tasks` and `dondoc export tasks`: a year's work programme
//! in and out of the office's spreadsheet annex.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use dondoc_core::{Clock, Settings, db::Db};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a year's tasks from .xlsx, .csv or a Word annex .docx (all or nothing; bad rows are listed as "row N, column X: reason").
    Tasks {
        /// The file: .xlsx, .docx (its first annex table), or .csv in UTF-8 (with or without BOM).
        file: PathBuf,
        /// The programme year the tasks belong to.
        #[arg(long)]
        year: i32,
        /// Check every row and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Make recurring tasks of rows whose deadline is "Thường xuyên",
        /// "Hằng tháng", "Hằng quý" or "Hằng năm" (refused without it).
        #[arg(long)]
        recurring: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export a year's tasks in the import layout (plus status, progress and results).
    Tasks {
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write; must not exist yet.
        #[arg(long)]
        output: PathBuf,
    },
}

pub async fn import(
    command: ImportCommand,
    db: Db,
    clock: Clock,
    settings: &Settings,
) -> anyhow::Result<()> {
    let ImportCommand::Tasks {
        file,
        year,
        dry_run,
        recurring,
    } = command;
    let options = dondoc_core::tasks::import::ImportOptions {
        year,
        today: clock.today(),
        confirm_recurring: recurring,
    };
    dondoc_core::domain::parse_year("--year", i64::from(year))?;
    // Sized before it is read: a huge file is refused without loading it.
    let size = std::fs::metadata(&file)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", file.display()))?
        .len();
    if size > dondoc_core::tasks::import::MAX_FILE_BYTES as u64 {
        anyhow::bail!(
            "{} refused: the file is larger than {} MB; nothing was imported",
            file.display(),
            dondoc_core::tasks::import::MAX_FILE_BYTES / 1024 / 1024
        );
    }
    let bytes = std::fs::read(&file)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refused = if dry_run {
        match dondoc_core::tasks::import::read_rows_off_thread(bytes, name).await? {
            Ok(rows) => match dondoc_core::tasks::import::check(&db, &rows, options).await? {
                Ok(checked) => {
                    for row in &checked {
                        let due = match &row.due_text {
                            Some(text) => format!("{} ({text})", row.task.due_date),
                            None => row.task.due_date.to_string(),
                        };
                        println!(
                            "row {}: {}{} | {} | {} | {due}",
                            row.row,
                            row.task.code,
                            if row.code_generated { "*" } else { "" },
                            row.lead_name,
                            row.leader_name
                        );
                    }
                    println!(
                        "{}: {} rows are valid for {year}; nothing written (--dry-run; * = code made by the import)",
                        file.display(),
                        checked.len()
                    );
                    return Ok(());
                }
                Err(refused) => refused,
            },
            Err(refused) => refused,
        }
    } else {
        match dondoc_core::tasks::import::import(
            &db,
            &clock,
            &settings.organization.name,
            None,
            bytes,
            &name,
            options,
        )
        .await?
        {
            Ok(report) => {
                println!(
                    "Đã nhập / imported {} tasks ({} recurring) into the {year} programme from {}",
                    report.imported,
                    report.recurring,
                    file.display()
                );
                return Ok(());
            }
            Err(refused) => refused,
        }
    };
    // Every bad row on standard output, in Vietnamese and then in English
    // (indented); the summary as the error.
    for problem in &refused.problems {
        println!("{}", problem.localized(dondoc_core::messages::Lang::Vi));
        println!("  {}", problem.localized(dondoc_core::messages::Lang::En));
    }
    anyhow::bail!(
        "{} bị từ chối / refused: {} lỗi / problem(s) listed above; không nhập gì / nothing was imported",
        file.display(),
        refused.problems.len()
    )
}

pub async fn export(
    command: ExportCommand,
    db: Db,
    clock: Clock,
    settings: &Settings,
) -> anyhow::Result<()> {
    let ExportCommand::Tasks {
        year,
        format,
        output,
    } = command;
    dondoc_core::domain::parse_year("--year", i64::from(year))?;
    if output.exists() {
        anyhow::bail!(
            "{} already exists; choose a new file name",
            output.display()
        );
    }
    let today = clock.today();
    let due_soon = settings.policy.due_soon_days;
    let bytes = match format {
        ExportFormat::Csv => {
            dondoc_core::reports::export::tasks_csv(&db, year, today, due_soon).await?
        }
        ExportFormat::Xlsx => {
            dondoc_core::reports::export::tasks_xlsx(
                &db,
                year,
                &settings.organization.name,
                today,
                due_soon,
            )
            .await?
        }
    };
    std::fs::write(&output, bytes)
        .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", output.display()))?;
    println!(
        "Đã xuất / exported the {year} programme to {}",
        output.display()
    );
    Ok(())
}
