//! `dondoc`: the one binary. It reads the configuration, opens the
//! database, and hands over to the API, the scheduler or a one-off command.

use std::{io::BufRead, path::PathBuf, process::ExitCode, sync::Arc};

mod programme;
mod reminders;

use clap::{Args, Parser, Subcommand};
use dondoc_core::{Clock, Settings, config::ConfigSources, db};

#[derive(Parser)]
#[command(
    name = "dondoc",
    version,
    about = "dondoc — theo dõi, đôn đốc nhiệm vụ trọng tâm / follow-up of a work programme's key tasks",
    long_about = "dondoc tracks the key tasks of a local government's annual work programme: who leads each task, \
                  when it is due, which reminder documents were issued, and which tasks are overdue. \
                  Without a subcommand it runs `serve`: it creates and migrates the database, seeds the demo \
                  programme when the database is empty (demo.enabled), and serves the web pages, the JSON API \
                  and the reminder scheduler at http://127.0.0.1:8080.\n\n\
                  Configuration: config/default.toml, then config/$DONDOC_ENV.toml, then --config FILE, \
                  then environment variables DONDOC__SECTION__KEY (e.g. DONDOC__DATABASE__URL)."
)]
struct Cli {
    /// An extra configuration file, applied after config/default.toml and config/$DONDOC_ENV.toml.
    #[arg(long, global = true, value_name = "FILE")]
    config: Vec<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed the demo if the database is empty, then serve pages, API and scheduler (the default).
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Put data into the database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the SQLite database to FILE (PostgreSQL: use pg_dump, see docs/operations.md).
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
    /// Run the reminder scheduler only (no web server), for split deployments.
    Scheduler,
    /// The scheduled jobs: list them, or run one now.
    #[command(subcommand)]
    Jobs(reminders::JobsCommand),
    /// The notification outbox: deliver what is due, retry a failed one.
    #[command(subcommand)]
    Outbox(reminders::OutboxCommand),
    /// Read a year's work programme from a spreadsheet (.xlsx or .csv) or a Word annex (.docx).
    #[command(subcommand)]
    Import(programme::ImportCommand),
    /// Write a year's work programme to a spreadsheet (.xlsx or .csv).
    #[command(subcommand)]
    Export(programme::ExportCommand),
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Serve pages and API only; run `dondoc scheduler` elsewhere for reminders.
    #[arg(long)]
    no_scheduler: bool,
}

#[derive(Subcommand)]
enum SeedCommand {
    /// The demo programme: 96 tasks, 30 departments, 25 reminder documents (empty database only).
    Demo,
    /// Benchmark data: N tasks over D departments and Y programme years, deterministic for a seed (empty database only).
    Synthetic {
        /// How many tasks, e.g. 1000000.
        #[arg(long)]
        tasks: u64,
        /// How many departments (the first 20 are offices and agencies, the rest communes).
        #[arg(long)]
        departments: u32,
        /// Programme years, ending with the current one.
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// Random seed: the same seed and day give the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// staff, leader or admin.
        #[arg(long)]
        role: String,
        /// Department code (required for staff), e.g. TNMT.
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Full name shown in the product (default: the username).
        #[arg(long)]
        full_name: Option<String>,
        /// Read the password from the first line of standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&ConfigSources::from_environment(cli.config.clone())) {
        Ok(s) => Arc::new(s),
        Err(err) => {
            eprintln!("dondoc: {err}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dondoc: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(
        cli.command.unwrap_or(Command::Serve(ServeArgs::default())),
        settings,
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dondoc: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

fn one_line(err: &anyhow::Error) -> String {
    let text = format!("{err:#}");
    text.lines().next().unwrap_or(&text).to_string()
}

fn init_tracing(settings: &Settings) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log.format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

fn clock(settings: &Settings) -> Clock {
    match settings.clock.today {
        Some(day) => Clock::pinned_today(settings.organization.timezone, day),
        None => Clock::system(settings.organization.timezone),
    }
}

async fn open(settings: &Settings) -> anyhow::Result<db::Db> {
    let db = db::connect(&settings.database).await?;
    db::migrate(&db).await?;
    Ok(db)
}

// Longer than 100 lines: one arm per subcommand, each a few lines calling the library.
async fn run(command: Command, settings: Arc<Settings>) -> anyhow::Result<()> {
    let clock = clock(&settings);
    match command {
        Command::Serve(args) => serve(settings, clock, args).await,
        Command::Migrate => {
            open(&settings).await?;
            println!("Đã cập nhật cấu trúc cơ sở dữ liệu / database schema is up to date.");
            Ok(())
        }
        Command::Seed(SeedCommand::Demo) => {
            let db = open(&settings).await?;
            let summary = dondoc_seed::demo::seed(&db, &clock, &settings).await?;
            print!("{}", summary.describe());
            Ok(())
        }
        Command::Seed(SeedCommand::Synthetic {
            tasks,
            departments,
            years,
            seed,
        }) => {
            let spec = dondoc_seed::synthetic::SyntheticSpec {
                tasks,
                departments,
                years,
                seed,
            };
            spec.validate()?;
            // One connection: its page cache stays warm across the batches.
            let mut single = (*settings).clone();
            if single.database.url.trim().starts_with("sqlite:") {
                single.database.max_connections = 1;
            }
            let db = open(&single).await?;
            let summary = dondoc_seed::synthetic::seed(&db, &clock, &settings, spec).await?;
            print!("{}", summary.describe());
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            role,
            department,
            email,
            full_name,
            password_stdin: _,
        }) => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let db = open(&settings).await?;
            let user = dondoc_core::accounts::users::create(
                &db,
                &clock,
                dondoc_core::accounts::users::NewUser {
                    full_name: full_name.unwrap_or_else(|| username.clone()),
                    username,
                    email,
                    position: None,
                    role,
                    department,
                    password,
                    must_change_password: false,
                },
            )
            .await?;
            println!(
                "Đã tạo tài khoản / account created: {} ({}{})",
                user.username,
                user.role.as_str(),
                user.department
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Command::Backup { file } => {
            let db = open(&settings).await?;
            let files = dondoc_core::backup::backup(&db, &file, &settings.attachments).await?;
            println!(
                "Đã sao lưu / backup written to {} ({files} tệp đính kèm / attached files)",
                file.display()
            );
            Ok(())
        }
        Command::Scheduler => {
            reminders::check_schedules(&settings)?;
            let db = open(&settings).await?;
            reminders::scheduler(db, clock, settings).await
        }
        Command::Jobs(command) => {
            let db = open(&settings).await?;
            reminders::jobs(command, db, clock, settings).await
        }
        Command::Outbox(command) => {
            let db = open(&settings).await?;
            reminders::outbox_command(command, db, clock, settings).await
        }
        Command::Import(command) => {
            let db = open(&settings).await?;
            programme::import(command, db, clock, &settings).await
        }
        Command::Export(command) => {
            let db = open(&settings).await?;
            programme::export(command, db, clock, &settings).await
        }
    }
}

async fn serve(settings: Arc<Settings>, clock: Clock, args: ServeArgs) -> anyhow::Result<()> {
    let run_scheduler = settings.scheduler.enabled && !args.no_scheduler;
    if run_scheduler {
        reminders::check_schedules(&settings)?;
    }
    let db = open(&settings).await?;
    if settings.demo.enabled
        && let Some(summary) = dondoc_seed::demo::seed_if_empty(&db, &clock, &settings).await?
    {
        print!("{}", summary.describe());
    }
    let app = dondoc_api::Application::build(settings.clone(), db.clone(), clock.clone())?;
    let handle = app.handle();
    let (stop_scheduler, scheduler_stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = if run_scheduler {
        Some(reminders::spawn_in_process(
            db.clone(),
            clock.clone(),
            settings.clone(),
            async move {
                let _ = scheduler_stopped.await;
            },
        )?)
    } else {
        tracing::info!("scheduler not started here (--no-scheduler or scheduler.enabled = false)");
        None
    };
    println!(
        "dondoc đang chạy / is serving at http://{}:{} (public URL {})",
        settings.server.host,
        app.port(),
        settings.public_url()
    );
    let server = tokio::spawn(app.run_until_stopped());
    tokio::select! {
        result = server => {
            result??;
        }
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("shutting down");
            handle.stop(true).await;
        }
    }
    let _ = stop_scheduler.send(());
    if let Some(task) = scheduler {
        let _ = task.await;
    }
    Ok(())
}
