//! Job 4: move a ticket to a status given by its label, and set a user-defined field, in one PATCH.
//!
//! The label ("Waiting Customer") becomes a typed `TicketStatus` through the tenant's picklist; the UDF
//! value is checked against the tenant's UDF definition before anything is sent.
//!
//! ```sh
//! cargo run --example move_ticket -- "Waiting Customer" "PO-1234"
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{Ticket, TicketField, TicketPatch, TicketStatus};
use autotask::prelude::*;

/// Sets ticket `ticket_id`'s status to the one labelled `status_label` and its "Customer Reference"
/// UDF to `reference`; the ticket as read back.
pub async fn move_ticket(
    client: &Client,
    ticket_id: i64,
    status_label: &str,
    reference: &str,
) -> Result<Ticket> {
    let statuses = client.picklists().of::<Ticket>(TicketField::Status).await?;
    let status: TicketStatus = statuses.get(status_label)?;
    let udfs = client.udf_definitions_for::<Ticket>().await?;

    let mut patch = TicketPatch::new(ticket_id);
    patch.status = status.into();
    patch.set_udf(udfs.value("Customer Reference", reference)?);
    client.tickets().update(&patch).await?;
    client
        .tickets()
        .get(ticket_id)
        .await?
        .ok_or_else(|| Error::InvalidInput(format!("ticket {ticket_id} is gone")))
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let label = args.next().unwrap_or_else(|| "Waiting Customer".into());
    let reference = args.next().unwrap_or_else(|| "PO-1234".into());
    let connection = connect::connect_for_writes().await?;
    let client = &connection.client;
    let open = client
        .tickets()
        .query()
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .max_total_records(1)
        .all()
        .await?;
    let Some(ticket) = open.first() else {
        println!("no open ticket to move");
        return Ok(());
    };
    let moved = move_ticket(client, ticket.id, &label, &reference).await?;
    println!(
        "ticket {} is now {:?} with Customer Reference {:?}",
        moved.id,
        client.picklists().label(moved.status).await?,
        moved.udf("Customer Reference")
    );
    Ok(())
}
