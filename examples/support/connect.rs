//! How every example connects: to your tenant when `AUTOTASK_USERNAME`, `AUTOTASK_INTEGRATION_CODE`
//! and `AUTOTASK_SECRET` are set ([`Client::from_env`]), otherwise to a simulator of the Autotask API
//! started in this process with its demo data (25 companies, 500 tickets, contracts, projects, ...), so
//! that every example runs on a fresh machine without credentials.
//!
//! In your own tests, `autotask::testing::start()` (cargo feature `testing`) gives the same simulator
//! and client in one line.

#![allow(dead_code)]

use autotask::Client;
use autotask_sim::{RunningSimulator, Seed, SeedSize, Simulator};

/// A connected client, and the simulator it talks to when no tenant is configured (keep it alive for
/// as long as the client is used).
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The in-process simulator, when the client talks to one.
    pub simulator: Option<RunningSimulator>,
}

/// Your tenant from the environment, else a local simulator.
pub async fn connect() -> Result<Connection, Box<dyn std::error::Error>> {
    if std::env::var_os("AUTOTASK_USERNAME").is_some() {
        eprintln!("Connecting to the tenant of AUTOTASK_USERNAME.");
        return Ok(Connection {
            client: Client::from_env()?,
            simulator: None,
        });
    }
    simulator().await
}

/// For examples that write (create, update): your tenant only when `AUTOTASK_EXAMPLES_MAY_WRITE=1` is
/// set as well as the credentials, since they create and change records there; otherwise the local
/// simulator.
pub async fn connect_for_writes() -> Result<Connection, Box<dyn std::error::Error>> {
    let configured = std::env::var_os("AUTOTASK_USERNAME").is_some();
    let allowed = std::env::var("AUTOTASK_EXAMPLES_MAY_WRITE").is_ok_and(|v| v == "1");
    if configured && !allowed {
        eprintln!(
            "This example writes records: set AUTOTASK_EXAMPLES_MAY_WRITE=1 to run it against your tenant."
        );
        return simulator().await;
    }
    connect().await
}

/// A local simulator with the demo data, and a client for it.
pub async fn simulator() -> Result<Connection, Box<dyn std::error::Error>> {
    let simulator = Simulator::builder()
        .seed(Seed::Demo(SeedSize::default()))
        .start()
        .await?;
    eprintln!(
        "No AUTOTASK_* credentials set: using a local simulator at {}",
        simulator.base_url()
    );
    let client = Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(simulator.base_url())
        .build()?;
    Ok(Connection {
        client,
        simulator: Some(simulator),
    })
}
