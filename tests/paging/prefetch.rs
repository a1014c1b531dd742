//! The sequential stream requests the next page while the consumer works through the current one.

use crate::insert_tickets;
use crate::sim_support::client_builder;
use autotask_sim::{Seed, Simulator};
use futures::TryStreamExt;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_next_page_is_requested_while_the_consumer_works() {
    let sim = Simulator::builder()
        .seed(Seed::None)
        .request_latency(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    insert_tickets(&sim, 300, |_| 1);
    let client = client_builder(&sim).build().unwrap();
    let mut stream = client.tickets().query().max_records(100).stream();
    let mut delivered = 0;
    let mut overlapped = 0;
    while let Some(_ticket) = stream.try_next().await.unwrap() {
        delivered += 1;
        if delivered % 100 == 1 && delivered < 201 {
            // The consumer works on this page for a while (without polling the stream): a request for
            // the next page is in the simulator meanwhile.
            let until = Instant::now() + Duration::from_millis(250);
            let mut seen = false;
            while Instant::now() < until {
                seen |= sim.threads_in_use(autotask_sim::DEFAULT_INTEGRATION_CODE, "Tickets") > 0;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            overlapped += usize::from(seen);
        }
    }
    assert_eq!(delivered, 300);
    assert_eq!(
        overlapped, 2,
        "the next page was in flight while each of the first two pages was consumed"
    );
}
