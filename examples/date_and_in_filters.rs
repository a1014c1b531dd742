//! Job 5: filters on dates and on lists of values.
//!
//! Typed values compose: `chrono` date-times and dates, picklist constants and `i64` ids go straight
//! into the filters, and a value that does not fit its field is refused before sending. An `in` list
//! longer than the API's 500 values is split into several queries and merged without duplicates.
//!
//! ```sh
//! cargo run --example date_and_in_filters
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::entities::{Ticket, TicketField, TicketPriority, TicketStatus};
use autotask::prelude::*;
use chrono::{Duration, Utc};

/// Open High or Critical tickets created in the last `days` days.
pub async fn recent_urgent_tickets(client: &Client, days: i64) -> Result<Vec<Ticket>> {
    client
        .tickets()
        .query()
        .filter(TicketField::CreateDate.gte(Utc::now() - Duration::days(days)))
        .filter(TicketField::Priority.in_list([TicketPriority::HIGH, TicketPriority::CRITICAL]))
        .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
        .all()
        .await
}

/// The tickets of any of `company_ids`, however many ids (more than 500 are split into several
/// queries), counted on the server without fetching them.
pub async fn tickets_of_companies(client: &Client, company_ids: &[i64]) -> Result<u64> {
    client
        .tickets()
        .query()
        .filter(TicketField::CompanyId.in_list(company_ids))
        .count()
        .await
}

/// Tickets due before the start of a given day (a `NaiveDate` is midnight UTC).
pub async fn due_before(client: &Client, day: chrono::NaiveDate) -> Result<u64> {
    client
        .tickets()
        .query()
        .filter(TicketField::DueDateTime.lt(day))
        .count()
        .await
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let connection = connect::connect().await?;
    let client = &connection.client;
    let urgent = recent_urgent_tickets(client, 7).await?;
    println!("{} open urgent tickets created this week", urgent.len());
    // 1,200 company ids: three queries of at most 500 ids each, counted together.
    let companies: Vec<i64> = (0..1200).collect();
    println!(
        "{} tickets belong to the first 1,200 company ids",
        tickets_of_companies(client, &companies).await?
    );
    let next_month = (Utc::now() + Duration::days(30)).date_naive();
    println!(
        "{} tickets are due before {next_month}",
        due_before(client, next_month).await?
    );
    Ok(())
}
