//! `autotask sim`: the local simulator, so that every command works on a fresh machine.

use crate::args::{SeedKind, SimArgs};
use crate::config::{SIM_INTEGRATION_CODE, SIM_SECRET, SIM_USERNAME};
use crate::error::{CliError, Result};
use crate::output;
use autotask_sim::{Seed, SeedSize, Simulator};
use std::net::SocketAddr;

pub async fn run(args: SimArgs) -> Result<()> {
    let seed = match args.seed {
        SeedKind::None => Seed::None,
        SeedKind::Demo => Seed::Demo(SeedSize {
            tickets: args.tickets,
            companies: args.companies,
            ..SeedSize::default()
        }),
    };
    let mut builder = Simulator::builder()
        .bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
        .seed(seed)
        .request_latency(std::time::Duration::from_millis(args.latency_ms));
    for rule in args.faults {
        builder = builder.fault(rule);
    }
    if let Some(state) = &args.state {
        builder = builder.state_file(state);
    }
    let sim = builder.start().await.map_err(|e| {
        CliError::failure(format!(
            "cannot start the simulator on port {}: {e}",
            args.port
        ))
        .hint("pick another --port (0 picks a free one)")
    })?;
    let url = sim.base_url().to_string();
    let flag = if args.port == 8080 {
        String::new()
    } else {
        format!(" --api-url {url}")
    };
    output::emit(&format!(
        "autotask-sim listening on {url}\n\
         credentials: UserName={SIM_USERNAME} ApiIntegrationCode={SIM_INTEGRATION_CODE} Secret={SIM_SECRET} (demo values)\n\
         try:         autotask --sim{flag} query Tickets --limit 5\n\
         or:          export AUTOTASK_API_URL={url} AUTOTASK_USERNAME={SIM_USERNAME} \
         AUTOTASK_INTEGRATION_CODE={SIM_INTEGRATION_CODE} AUTOTASK_SECRET={SIM_SECRET}\n\
         Ctrl-C stops it."
    ))?;
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::failure(format!("cannot wait for Ctrl-C: {e}")))?;
    sim.shutdown().await;
    eprintln!("simulator stopped");
    Ok(())
}
