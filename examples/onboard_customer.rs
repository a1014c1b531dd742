//! Job 3: a new customer end to end: company → contact → ticket → note → attachment.
//!
//! Contacts, notes and attachments are written only under their parent (`/Companies/{id}/Contacts`,
//! `/Tickets/{id}/Notes`, `/Tickets/{id}/Attachments`): their helpers are on the parent's handle.
//! Every id is an `i64`, so an id read from one record goes straight into the next.
//!
//! ```sh
//! cargo run --example onboard_customer
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{
    Company, Contact, Ticket, TicketAttachment, TicketNote, TicketNoteNoteType,
};
use autotask::prelude::*;

/// What the onboarding created.
#[derive(Debug)]
pub struct Onboarded {
    /// The company.
    pub company: Company,
    /// Its first contact.
    pub contact: Contact,
    /// The contact's first ticket.
    pub ticket: Ticket,
    /// The ticket's first note.
    pub note: TicketNote,
    /// The file attached to the ticket.
    pub attachment: TicketAttachment,
}

/// Creates the company `name` (its account manager is the first active resource), a contact, a
/// ticket for that contact, a note on it and a small attachment. Each step reads its record back.
pub async fn onboard(client: &Client, name: &str) -> Result<Onboarded> {
    let account_manager = client
        .resources()
        .query()
        .filter(autotask::entities::ResourceField::IsActive.eq(true))
        .max_total_records(1)
        .all()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::InvalidInput("the tenant has no active resource".into()))?;

    let company = client
        .companies()
        .create_company(account_manager.id, name, "555-0199")
        .send()
        .await?;
    let contact = client
        .companies()
        .contacts(company.id)
        .create_contact("Grace", "Hopper", "grace@example.com")
        .send()
        .await?;
    let ticket = client
        .tickets()
        .create_ticket(company.id, "New laptop setup", "Prepare a laptop for Grace")
        .contact_id(contact.id)
        .send()
        .await?;

    // Note types are tenant values: take the tenant's first active one, typed.
    let note_types = client.picklists().for_type::<TicketNoteNoteType>().await?;
    let note_type = note_types
        .entries()
        .iter()
        .find(|entry| entry.is_active)
        .ok_or_else(|| Error::InvalidInput("TicketNotes.noteType has no active value".into()))?
        .to::<TicketNoteNoteType>()?;
    let note = client
        .tickets()
        .notes(ticket.id)
        .create_ticket_note("Ordered the laptop; arrives Monday.", note_type)
        .title("Order placed")
        .send()
        .await?;
    let attachment = client
        .tickets()
        .attachments(ticket.id)
        .upload_attachment_bytes(
            "checklist.txt",
            b"1. image 2. accounts 3. handover".to_vec(),
        )
        .title("Setup checklist")
        .send()
        .await?;
    Ok(Onboarded {
        company,
        contact,
        ticket,
        note,
        attachment,
    })
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let connection = connect::connect_for_writes().await?;
    let done = onboard(&connection.client, "Hopper Consulting").await?;
    println!(
        "company {} → contact {} → ticket {} ({}) → note {} → attachment {}",
        done.company.id,
        done.contact.id,
        done.ticket.id,
        done.ticket.ticket_number.unwrap_or_default(),
        done.note.id,
        done.attachment.id
    );
    Ok(())
}
