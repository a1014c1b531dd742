//! The SDK side of the benches: the client every bench points at its server, and the calls more than
//! one bench measures. Each bench uses part of it.
#![allow(dead_code)]

use autotask::entities::Ticket;
use autotask::Client;
use futures::TryStreamExt;

/// A client for `base_url` with the simulator's credentials (the fixed-page server takes any).
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(autotask_sim::DEFAULT_INTEGRATION_CODE)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(base_url)
        .build()
        .expect("client builds")
}

/// Every ticket through the typed sequential stream, nothing kept; the number of records.
pub async fn stream_all_tickets(client: &Client) -> u64 {
    client
        .tickets()
        .query()
        .stream()
        .try_fold(0u64, |n, _ticket: Ticket| async move { Ok(n + 1) })
        .await
        .expect("sdk stream")
}
