//! `autotask`: a command-line tool for Autotask PSA, built on the `autotask` SDK.

mod args;
mod commands;
mod config;
mod error;
mod filter;
mod output;
mod sdk;
mod values;

use clap::{CommandFactory, FromArgMatches};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A last line of defence: one line, never a backtrace full of internals.
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error ({info}); please report it with the command that caused it"
        );
    }));
    let command = args::Cli::command().after_help(args::top_level_help());
    let matches = command.get_matches();
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot start the runtime: {e}");
            return ExitCode::from(error::Exit::Failure as u8);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    // Background tasks (a listener, a simulator) end with the runtime.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.silent => ExitCode::from(error.exit as u8),
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {error}");
            if let Some(detail) = &error.detail {
                let _ = writeln!(stderr, "{detail}");
            }
            ExitCode::from(error.exit as u8)
        }
    }
}

/// `-v`: one line per request of the SDK (method, path, status, latency); `-vv`: everything, HTTP
/// internals included. Logs go to stderr.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::prelude::*;
    let filter = match verbose {
        0 => return,
        1 => Targets::new()
            .with_target("autotask", LevelFilter::INFO)
            .with_target("autotask_cli", LevelFilter::INFO),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(verbose > 1)
        .with_span_events(FmtSpan::CLOSE);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}
