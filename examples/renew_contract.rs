//! Job 6: renew the contracts that expire in the next 30 days.
//!
//! A renewal is a new contract for the next term (same length, starting the day after the original
//! ends), linked to the original, with the original's services copied; every service's outcome is
//! reported, so a partial copy is never hidden.
//!
//! ```sh
//! cargo run --example renew_contract
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::helpers::contracts::ContractRenewal;
use autotask::prelude::*;

/// Renews every active contract whose end date is within `days` days; one renewal per contract.
pub async fn renew_expiring(client: &Client, days: u32) -> Result<Vec<ContractRenewal>> {
    let mut renewals = Vec::new();
    for contract in client.contracts().get_expiring_contracts(days).await? {
        renewals.push(client.contracts().renew_contract(contract.id).await?);
    }
    Ok(renewals)
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let connection = connect::connect_for_writes().await?;
    for renewal in renew_expiring(&connection.client, 30).await? {
        let contract = &renewal.contract;
        println!(
            "contract {} renews {:?}: {:?} to {:?}, {} of {} services copied",
            contract.id,
            contract.renewed_contract_id,
            contract.start_date,
            contract.end_date,
            renewal.services.iter().filter(|s| s.result.is_ok()).count(),
            renewal.services.len()
        );
        for failed in renewal.services.iter().filter(|s| s.result.is_err()) {
            eprintln!(
                "  service {} not copied: {:?}",
                failed.original_id, failed.result
            );
        }
    }
    Ok(())
}
