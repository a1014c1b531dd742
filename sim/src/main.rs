//! `autotask-sim`: run the Autotask REST API simulator on a local port.

use autotask_sim::{FaultRule, Seed, SeedSize, Simulator};
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedKind {
    None,
    Demo,
}

/// A local simulator of the Autotask PSA REST API.
#[derive(Debug, Parser)]
#[command(name = "autotask-sim", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Data to start with.
    #[arg(long, value_enum, default_value_t = SeedKind::Demo)]
    seed: SeedKind,
    /// Tickets in the demo data.
    #[arg(long, default_value_t = 500)]
    tickets: usize,
    /// Customer companies in the demo data.
    #[arg(long, default_value_t = 25)]
    companies: usize,
    /// Notes per ticket in the demo data.
    #[arg(long, default_value_t = 2)]
    notes_per_ticket: usize,
    /// JSON snapshot loaded at start (if present) and saved on shutdown and every 30 s.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Requests per rolling hour before refusal.
    #[arg(long, default_value_t = 10_000)]
    threshold: u64,
    /// Concurrent requests per (integration code, endpoint).
    #[arg(long, default_value_t = 3)]
    threads: usize,
    /// Milliseconds added to every request, inside its thread slot (150 is realistic for Autotask).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Milliseconds added per request from 50% of the threshold.
    #[arg(long, default_value_t = 500)]
    latency_50_ms: u64,
    /// Milliseconds added per request from 75% of the threshold.
    #[arg(long, default_value_t = 1000)]
    latency_75_ms: u64,
    /// Answer GET of a missing id with 404 instead of 200 {"item":null}.
    #[arg(long)]
    missing_get_404: bool,
    /// Inject a fault, `kind:rate[:method][:path]` (repeatable). Kinds: server-error (500),
    /// too-many-requests[=SECS] (429), delay=MS, drop-connection, response-lost. Rate: a probability
    /// (0.1) or a percentage (10%). Example: --fault server-error:5%:POST:/Tickets
    #[arg(long = "fault", value_name = "SPEC", value_parser = parse_fault)]
    faults: Vec<FaultRule>,
    /// Seed of the generator behind probabilistic faults.
    #[arg(long, default_value_t = 42)]
    fault_seed: u64,
    /// How many requests (and webhook callouts) the in-memory logs keep.
    #[arg(long, default_value_t = autotask_sim::DEFAULT_LOG_CAPACITY)]
    request_log: usize,
}

fn parse_fault(spec: &str) -> Result<FaultRule, String> {
    FaultRule::parse(spec).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let seed = match args.seed {
        SeedKind::None => Seed::None,
        SeedKind::Demo => Seed::Demo(SeedSize {
            tickets: args.tickets,
            companies: args.companies,
            notes_per_ticket: args.notes_per_ticket,
            ..SeedSize::default()
        }),
    };
    let mut builder = Simulator::builder()
        .bind(SocketAddr::new(args.host, args.port))
        .seed(seed)
        .hourly_threshold(args.threshold)
        .thread_limit(args.threads)
        .request_latency(Duration::from_millis(args.latency_ms))
        .fault_seed(args.fault_seed)
        .request_log_capacity(args.request_log)
        .latency(
            Duration::from_millis(args.latency_50_ms),
            Duration::from_millis(args.latency_75_ms),
        )
        .missing_get_returns_404(args.missing_get_404);
    if let Some(state) = args.state {
        builder = builder.state_file(state);
    }
    for rule in args.faults {
        builder = builder.fault(rule);
    }
    let sim = builder.start().await?;
    println!("autotask-sim listening; base URL {}", sim.base_url());
    println!(
        "credentials: UserName={} Secret={} ApiIntegrationCode={}",
        autotask_sim::DEFAULT_USERNAME,
        autotask_sim::DEFAULT_SECRET,
        autotask_sim::DEFAULT_INTEGRATION_CODE
    );
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
