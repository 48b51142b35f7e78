//! `teilhabe`: the one binary. Serves the site, migrates, loads the demo, adds tenants and
//! users, and backs up an SQLite site.

mod plan;
mod polis;

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use th_core::{Clock, Email, Locale, Role, SystemClock};
use th_storage::Db;

const DEFAULT_DB: &str = "sqlite://teilhabe.db";

#[derive(Parser)]
#[command(
    name = "teilhabe",
    version,
    about = "Teilhabe: a region's integration concept from participation to monitoring, in one binary."
)]
struct Cli {
    /// Database URL: sqlite://FILE (created on first start) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "TEILHABE_DATABASE_URL", default_value = DEFAULT_DB)]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the Region Hannover demo into an empty database (no-op when it is there).
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure: auto = unless listening on loopback over plain HTTP.
        #[arg(long, value_parser = ["auto", "always", "never"], default_value = "auto")]
        cookie_secure: String,
        /// SMTP server for the outbox: smtp://HOST:PORT (plain relay), smtp://USER:PASS@HOST:587?tls=required
        /// (STARTTLS) or smtps://USER:PASS@HOST:465; HOST:PORT alone means a plain relay.
        /// Without it e-mails wait in the outbox.
        #[arg(long, env = "TEILHABE_SMTP")]
        smtp: Option<String>,
        /// Sender address of e-mails.
        #[arg(
            long,
            env = "TEILHABE_MAIL_FROM",
            default_value = "teilhabe@localhost.localdomain"
        )]
        mail_from: String,
        /// The default tenant's public address, e.g. https://integration.region-hannover.de, for
        /// links in e-mails (never taken from a request). Other tenants use their host name with
        /// this scheme and port. Default: the listening address.
        #[arg(long, env = "TEILHABE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Bearer token that /metrics requires; without one, /metrics answers loopback only.
        #[arg(long, env = "TEILHABE_METRICS_TOKEN")]
        metrics_token: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the Region Hannover demo (no-op when it is there).
    Demo,
    /// Manage tenants (regions or cities on this installation).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of a (running) SQLite site to FILE.
    Backup {
        /// Target file; must not exist.
        file: std::path::PathBuf,
    },
    /// List every route with its access rule (JSON), for tooling and tests.
    Routes,
    /// The registry of organisations.
    Organisations {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Solve a measures scenario (docs/planner.md) and print the plan as JSON; an infeasible
    /// scenario prints the conflicting rules and exits with 1.
    Plan {
        file: std::path::PathBuf,
        /// Stop after this many seconds with the best plan found and its proven gap.
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Stop once the plan is proven within this relative gap of the optimum (0: optimal).
        #[arg(long, default_value_t = 0.0)]
        gap: f64,
    },
    /// Opinion maps in Polis's export format (comments.csv, votes.csv, …).
    Polis {
        #[command(subcommand)]
        command: PolisCommand,
    },
}

#[derive(Subcommand)]
enum PolisCommand {
    /// Analyse a Polis export directory without a database (docs/polis-analysis.md).
    Analyze {
        dir: std::path::PathBuf,
        /// Print the result as JSON (the keys of polis_ref.py analyze and more).
        #[arg(long)]
        json: bool,
        /// Seed of the PCA's start vectors (results are the same for the same seed).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Leave out the member lists of groups and in_conv (for very large conversations).
        #[arg(long)]
        no_members: bool,
    },
    /// Import a Polis export directory as a new (closed) conversation; prints its id.
    Import {
        dir: std::path::PathBuf,
        /// Title of the conversation (default: the topic in summary.csv, else the directory name).
        #[arg(long)]
        topic: Option<String>,
        /// Attach it to this participation process.
        #[arg(long)]
        process: Option<i64>,
        /// Host of the tenant (default: the default tenant).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Write conversation ID to DIR in Polis's export format, with group-id and
    /// group-informed-consensus.
    Export {
        id: i64,
        dir: std::path::PathBuf,
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Import organisations from a CSV file (UTF-8 or Windows-1252, comma or semicolon, German or
    /// English headers). Every row is checked first; nothing is written unless the file is clean.
    Import {
        file: std::path::PathBuf,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Host of the tenant (default: the default tenant).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Write the registry as CSV to standard output.
    Export {
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Add a tenant that answers on host H.
    Add {
        /// The host name the tenant answers on, e.g. integration.stadt-beispiel.de.
        #[arg(long)]
        host: String,
        /// The tenant's name as shown on its pages, e.g. "Stadt Beispiel".
        #[arg(long)]
        name: String,
    },
    /// List tenants.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input; with --link a one-time
    /// link to set it is printed instead.
    Create {
        #[arg(long)]
        email: String,
        /// participant, org_member, staff, team_lead, coordinator or admin.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Host of the tenant (default: the default tenant).
        #[arg(long)]
        tenant: Option<String>,
        /// Print a one-time link to set the password instead of reading one.
        #[arg(long)]
        link: bool,
        /// Base URL for the link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::io::stderr().is_terminal()
        && std::env::var("TEILHABE_LOG_FORMAT").as_deref() != Ok("json")
    {
        b.compact().init();
    } else {
        b.json().flatten_event(true).init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teilhabe: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open(url: &str) -> Result<Db, String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    db.ensure_default_tenant(SystemClock.now())
        .await
        .map_err(|e| e.to_string())?;
    Ok(db)
}

async fn load_demo(db: &Db) -> Result<(), String> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("loading the Region Hannover demo");
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let out = th_demo::load(db, SystemClock.now())
        .await
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    match out {
        th_demo::Outcome::Loaded(_) => tracing::info!("demo loaded: Region Hannover"),
        th_demo::Outcome::AlreadyThere(_) => tracing::info!("demo already there; nothing changed"),
    }
    Ok(())
}

async fn tenant_of(db: &Db, host: Option<&str>) -> Result<th_storage::platform::Tenant, String> {
    match host {
        Some(h) => db
            .tenant_by_host_exact(h)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no tenant answers on {h}")),
        None => db
            .default_tenant()
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no default tenant".into()),
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Migrate => {
            let db = Db::connect(&cli.database)
                .await
                .map_err(|e| e.to_string())?;
            let n = db.migrate().await.map_err(|e| e.to_string())?;
            db.ensure_default_tenant(SystemClock.now())
                .await
                .map_err(|e| e.to_string())?;
            println!("applied {n} migration(s)");
        }
        Command::Demo => load_demo(&open(&cli.database).await?).await?,
        Command::Routes => {
            println!(
                "{}",
                serde_json::to_string_pretty(&th_web::routes::list()).map_err(|e| e.to_string())?
            );
        }
        Command::Tenant {
            command: TenantCommand::Add { host, name },
        } => {
            let db = open(&cli.database).await?;
            let t = db
                .add_tenant(&host, &name, SystemClock.now())
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "tenant {} \"{}\" answers on {}",
                t.id.0,
                t.name,
                t.host.unwrap_or_default()
            );
        }
        Command::Tenant {
            command: TenantCommand::List,
        } => {
            let db = open(&cli.database).await?;
            for t in db.tenants().await.map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}{}",
                    t.id.0,
                    t.host.unwrap_or_else(|| "*".into()),
                    t.name,
                    if t.is_default { "\t(default)" } else { "" }
                );
            }
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    role,
                    name,
                    tenant,
                    link,
                    base_url,
                },
        } => {
            let db = open(&cli.database).await?;
            let t = tenant_of(&db, tenant.as_deref()).await?;
            let email = Email::parse(&email).map_err(|c| format!("e-mail address: {c}"))?;
            let role = Role::parse(&role).filter(|r| r.is_account_role()).ok_or(
                "role must be one of participant, org_member, staff, team_lead, coordinator, admin",
            )?;
            let password = if link {
                None
            } else {
                let mut s = String::new();
                if std::io::stdin().is_terminal() {
                    eprintln!("password (then Enter):");
                    std::io::stdin()
                        .read_line(&mut s)
                        .map_err(|e| e.to_string())?;
                } else {
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| e.to_string())?;
                }
                let p = s.trim_end_matches(['\n', '\r']).to_string();
                th_auth::check_password(&p).map_err(|_| {
                    format!(
                        "the password needs at least {} characters",
                        th_auth::MIN_PASSWORD_CHARS
                    )
                })?;
                Some(p)
            };
            let now = SystemClock.now();
            let display = if name.is_empty() {
                email.as_str().split('@').next().unwrap_or("").to_string()
            } else {
                name
            };
            let mut tx = db.begin().await.map_err(|e| e.to_string())?;
            let user = th_auth::create_user(
                &mut tx,
                t.id,
                th_auth::NewUser {
                    email: &email,
                    display_name: &display,
                    password: password.as_deref(),
                    role,
                    locale: Locale::De,
                    email_confirmed: true,
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            if link {
                let token =
                    th_auth::create_link(&db, &user, th_auth::LinkPurpose::Reset, 7 * 86400, now)
                        .await
                        .map_err(|e| e.to_string())?;
                println!(
                    "{}/passwort-neu?token={token}",
                    base_url.trim_end_matches('/')
                );
            } else {
                println!("account {} created for {} as {}", user.id, user.email, role);
            }
        }
        Command::Organisations {
            command:
                OrgCommand::Import {
                    file,
                    dry_run,
                    tenant,
                },
        } => {
            let db = open(&cli.database).await?;
            let t = tenant_of(&db, tenant.as_deref()).await?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message(format!("checking {}", file.display()));
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            let municipalities: Vec<(String, String)> = db
                .municipalities(t.id)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|m| (m.key, m.name))
                .collect();
            let fields: Vec<i64> = match th_concept::current(&db, t.id)
                .await
                .map_err(|e| format!("{e:?}"))?
            {
                Some(c) => c.fields.iter().map(|f| f.number).collect(),
                None => (1..=20).collect(),
            };
            let plan = th_participation::import::check(
                &db,
                t.id,
                &bytes,
                &municipalities,
                &fields,
                SystemClock.now(),
            )
            .await
            .map_err(|e| format!("{e:?}"))?;
            bar.finish_and_clear();
            println!(
                "{}: {} rows ({}, delimiter {:?}); {} organisations and {} contacts to add",
                file.display(),
                plan.rows,
                plan.encoding,
                plan.delimiter,
                plan.organisations,
                plan.contacts
            );
            for d in &plan.duplicates {
                match d.first_line {
                    Some(first) => println!(
                        "line {}: duplicate ({}) {} {} (first in line {first})",
                        d.line, d.code, d.column, d.value
                    ),
                    None => println!(
                        "line {}: duplicate ({}) {} {}",
                        d.line, d.code, d.column, d.value
                    ),
                }
            }
            for e in &plan.errors {
                println!(
                    "line {}: error in {}: {} {:?}",
                    e.line,
                    if e.column.is_empty() {
                        "the row"
                    } else {
                        &e.column
                    },
                    e.code,
                    e.value
                );
            }
            if !plan.is_clean() {
                return Err(format!(
                    "{} error(s); nothing was written. Fix the lines above and import again.",
                    plan.errors.len()
                ));
            }
            if dry_run {
                println!("dry run: nothing was written");
            } else {
                let n = th_participation::import::apply(&db, t.id, &plan, SystemClock.now())
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                println!("imported {n} organisations");
            }
        }
        Command::Organisations {
            command: OrgCommand::Export { tenant },
        } => {
            let db = open(&cli.database).await?;
            let t = tenant_of(&db, tenant.as_deref()).await?;
            print!(
                "{}",
                th_participation::export_csv(&db, t.id)
                    .await
                    .map_err(|e| format!("{e:?}"))?
            );
        }
        Command::Polis {
            command:
                PolisCommand::Analyze {
                    dir,
                    json,
                    seed,
                    no_members,
                },
        } => polis::analyze(&dir, json, seed, !no_members)?,
        Command::Polis {
            command:
                PolisCommand::Import {
                    dir,
                    topic,
                    process,
                    tenant,
                },
        } => {
            let db = open(&cli.database).await?;
            let t = tenant_of(&db, tenant.as_deref()).await?;
            let id = polis::import(&db, t.id, &dir, topic, process, SystemClock.now()).await?;
            println!("{id}");
        }
        Command::Polis {
            command: PolisCommand::Export { id, dir, tenant },
        } => {
            let db = open(&cli.database).await?;
            let t = tenant_of(&db, tenant.as_deref()).await?;
            polis::export(&db, t.id, id, &dir).await?;
        }
        Command::Plan { file, seconds, gap } => plan::run(&file, seconds, gap)?,
        Command::Backup { file } => {
            let db = Db::connect(&cli.database)
                .await
                .map_err(|e| e.to_string())?;
            db.backup_to(&file).await.map_err(|e| e.to_string())?;
            println!("consistent copy written to {}", file.display());
        }
        Command::Serve {
            listen,
            demo,
            cookie_secure,
            smtp,
            mail_from,
            public_url,
            metrics_token,
        } => {
            let started = std::time::Instant::now();
            let db = open(&cli.database).await?;
            if demo {
                load_demo(&db).await?;
            }
            let secure = match cookie_secure.as_str() {
                "always" => true,
                "never" => false,
                _ => !listen.ip().is_loopback(),
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let state = th_web::AppState::new(
                db.clone(),
                clock.clone(),
                th_web::WebConfig {
                    cookie_secure: secure,
                    public_base: public_url,
                    listen_origin: format!("{}://{addr}", if secure { "https" } else { "http" }),
                    metrics_token,
                },
            )?;
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            tokio::spawn(th_web::jobs::run(state.clone(), stop_rx.clone()));
            tokio::spawn(th_web::jobs::run_index(state.clone(), stop_rx.clone()));
            tokio::spawn(th_web::jobs::run_opinion(state.clone(), stop_rx.clone()));
            if let Some(s) = smtp {
                let cfg = th_mail::SmtpConfig::parse(&s, &mail_from).map_err(|e| e.to_string())?;
                let node = format!("{}-{}", listen, std::process::id());
                tokio::spawn(th_mail::run_worker(
                    db.clone(),
                    cfg,
                    node,
                    clock.clone(),
                    stop_rx,
                ));
            }
            tracing::info!(%addr, database = %th_storage::redact(&cli.database), ms = started.elapsed().as_millis() as u64, "listening");
            println!("Teilhabe is listening on http://{addr}");
            let app = th_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = tokio::signal::ctrl_c().await;
                    let _ = stop_tx.send(true);
                })
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
