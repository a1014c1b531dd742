//! Job 1: every open ticket with its status label.
//!
//! Statuses are per-tenant picklist values: the labels come from the tenant's field metadata (one
//! request, then cached), and the generated `TicketStatus` carries the system values (`COMPLETE`).
//!
//! ```sh
//! cargo run --example open_tickets
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{Ticket, TicketField, TicketStatus};
use autotask::prelude::*;

/// One open ticket as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTicket {
    /// The ticket's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its status, as the tenant labels it.
    pub status: String,
}

/// Every ticket whose status is not Complete, in id order, with its status label. The stream pages
/// through every open ticket however many there are, one page in memory at a time.
pub async fn open_tickets(client: &Client) -> Result<Vec<OpenTicket>> {
    let statuses = client.picklists().of::<Ticket>(TicketField::Status).await?;
    let mut open = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .include_fields([TicketField::Title, TicketField::Status])
        .stream();
    let mut report = Vec::new();
    while let Some(ticket) = open.try_next().await? {
        let status = match ticket.status {
            Some(status) => statuses.label_of(status)?.to_string(),
            None => "(no status)".to_string(),
        };
        report.push(OpenTicket {
            id: ticket.id,
            title: ticket.title.unwrap_or_default(),
            status,
        });
    }
    Ok(report)
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let connection = connect::connect().await?;
    let client = &connection.client;
    let report = open_tickets(client).await?;
    for ticket in &report {
        println!("{:>7}  {:<20}  {}", ticket.id, ticket.status, ticket.title);
    }
    println!("{} open tickets", report.len());
    // For one record, one call gives the label of its picklist value.
    if let Some(first) = report.first() {
        if let Some(ticket) = client.tickets().get(first.id).await? {
            let label = client.picklists().label(ticket.priority).await?;
            println!("ticket {} has priority {label:?}", ticket.id);
        }
    }
    Ok(())
}
