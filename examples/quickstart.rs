//! Quickstart: runs against a local simulator by default, against your tenant when
//! `AUTOTASK_USERNAME`, `AUTOTASK_INTEGRATION_CODE` and `AUTOTASK_SECRET` are set.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{
    NewTicket, Ticket, TicketField, TicketPatch, TicketPriority, TicketStatus,
};
use autotask::prelude::*;

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // Your tenant when AUTOTASK_* is set (a read-only walk), else a local simulator with demo data.
    let connect::Connection {
        client,
        simulator: sim,
    } = connect::connect().await?;

    let open = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .count()
        .await?;
    println!("Open tickets: {open}");

    // Status labels are per tenant: they come from the field metadata (one request, then cached).
    let statuses = client.picklists().of::<Ticket>(TicketField::Status).await?;
    let status_label = |status: Option<TicketStatus>| match status {
        Some(status) => statuses
            .label_of(status)
            .unwrap_or("(unknown status)")
            .to_string(),
        None => "(no status)".to_string(),
    };

    // Page through every ticket (more than 500: the stream follows nextPageUrl to the end).
    let mut seen = 0usize;
    let mut tickets = client
        .tickets()
        .query()
        .include_fields([TicketField::Title, TicketField::Status])
        .stream();
    while let Some(ticket) = tickets.try_next().await? {
        seen += 1;
        if seen <= 3 {
            println!(
                "  #{} {} ({})",
                ticket.id,
                ticket.title.unwrap_or_default(),
                status_label(ticket.status)
            );
        }
    }
    println!("Streamed {seen} tickets.");

    if sim.is_some() {
        let id = client
            .tickets()
            .create(&NewTicket::new(
                0,
                TicketPriority::MEDIUM,
                TicketStatus::NEW,
                "Created by the quickstart",
            ))
            .await?;
        let mut patch = TicketPatch::new(id);
        patch.status = TicketStatus::COMPLETE.into();
        client.tickets().update(&patch).await?;
        let ticket = client.tickets().get(id).await?.expect("just created");
        println!(
            "Created ticket #{id} {:?}, now {}",
            ticket.title.unwrap_or_default(),
            status_label(ticket.status)
        );
    }
    for (endpoint, stats) in client.endpoint_stats() {
        println!(
            "{endpoint}: {} requests, mean {:?}",
            stats.requests,
            stats.mean_latency()
        );
    }
    Ok(())
}
