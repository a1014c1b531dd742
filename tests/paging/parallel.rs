//! The parallel stream gives exactly the sequential stream's records, in the same order, within the
//! per-endpoint thread limit.

use crate::sim_support::{client_builder, start, start_with};
use crate::{insert_tickets, page_requests};
use autotask::entities::{Ticket, TicketField, TicketStatus};
use autotask::{Client, RetryPolicy, Where};
use autotask_sim::{FaultKind, FaultRule, RunningSimulator, Seed, Simulator};
use futures::TryStreamExt;
use std::collections::HashSet;
use std::time::Duration;

/// Ids strictly ascending, so none twice.
fn assert_ascending(ids: &[i64]) {
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids not strictly ascending"
    );
}

/// Requests that asked for an id range of a parallel stream (`id lt ...`).
fn range_requests(sim: &RunningSimulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| {
            r.body.as_ref().is_some_and(|b| {
                b.to_string().contains(r#""field":"id","op":"lt""#)
                    || b.to_string().contains(r#""op":"lt","field":"id""#)
            })
        })
        .count()
}

#[tokio::test]
async fn parallel_stream_equals_sequential_record_for_record() {
    let (sim, client) = start(Seed::None).await;
    // Dense ids, then a filter that leaves a sparse, uneven set (1 in 7 in the first half, all of the
    // second half), so that the first page's density misjudges the rest.
    insert_tickets(&sim, 3000, |i| if i < 1500 && i % 7 != 0 { 5 } else { 1 });
    let all = client.tickets().query().max_records(100);
    let sparse = all
        .clone()
        .filter(TicketField::Status.eq(TicketStatus::NEW));
    for (name, query, expected) in [("all", all, 3000), ("sparse", sparse, 215 + 1500)] {
        let sequential: Vec<Ticket> = query.all().await.unwrap();
        sim.clear_requests();
        let parallel: Vec<Ticket> = query.clone().parallel(3).all().await.unwrap();
        assert_eq!(sequential.len(), expected, "{name}");
        assert_eq!(
            parallel, sequential,
            "{name}: the same records in the same order"
        );
        assert_ascending(&parallel.iter().map(|t| t.id).collect::<Vec<_>>());
        assert!(
            range_requests(&sim) >= 10,
            "{name}: the parallel stream fetched id ranges ({} range requests)",
            range_requests(&sim)
        );
    }
}

#[tokio::test]
async fn parallel_stream_equals_sequential_under_injected_faults() {
    let (sim, client) = start_with(Simulator::builder().seed(Seed::None).fault_seed(13)).await;
    insert_tickets(&sim, 2000, |i| if i % 3 == 0 { 5 } else { 1 });
    let query = client
        .tickets()
        .query()
        .max_records(100)
        .filter(TicketField::Status.eq(TicketStatus::NEW));
    let expected: Vec<Ticket> = query.all().await.unwrap();
    // Server errors, dropped connections and lost answers on every query, count and probe.
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError)
            .path_contains("Tickets/query")
            .probability(0.15),
    );
    sim.add_fault(
        FaultRule::new(FaultKind::DropConnection)
            .path_contains("Tickets/query")
            .probability(0.05),
    );
    sim.add_fault(
        FaultRule::new(FaultKind::ResponseLost)
            .path_contains("Tickets/query")
            .probability(0.05),
    );
    sim.clear_requests();
    let sequential: Vec<Ticket> = query.all().await.unwrap();
    let parallel: Vec<Ticket> = query.clone().parallel(3).all().await.unwrap();
    let faulted = sim.requests().iter().filter(|r| r.status != 200).count();
    assert!(faulted >= 5, "faults were injected ({faulted})");
    assert_eq!(sequential, expected);
    assert_eq!(parallel, expected, "the same records in the same order");
}

/// Consumes `stream`, inserting `created` tickets once `after` records were delivered; the ids.
async fn consume_creating(
    sim: &RunningSimulator,
    mut stream: futures::stream::BoxStream<'static, autotask::Result<Ticket>>,
    after: usize,
    created: usize,
) -> (Vec<i64>, Vec<i64>) {
    let mut ids = Vec::new();
    let mut new_ids = Vec::new();
    while let Some(ticket) = stream.try_next().await.unwrap() {
        ids.push(ticket.id);
        if ids.len() == after {
            for i in 0..created {
                let id = sim
                    .insert(
                        "Tickets",
                        serde_json::json!({"companyID": 0, "title": format!("new {i}"), "status": 1, "priority": 2}),
                    )
                    .unwrap();
                new_ids.push(id);
            }
        }
    }
    (ids, new_ids)
}

#[tokio::test]
async fn records_created_during_the_run_are_found_as_by_the_sequential_stream() {
    for parallel in [1, 3] {
        // Created once the first records were delivered, long before the stream reaches the end.
        for after in [1, 120] {
            let (sim, client) = start(Seed::None).await;
            // Sparse at first (1 in 7 matches), dense later: the first page's density overestimates
            // how far the ids go, so planned ranges past the last id would be fetched (empty) before
            // the new records exist, unless the plan's end is confirmed.
            insert_tickets(&sim, 1000, |i| if i < 700 && i % 7 != 0 { 5 } else { 1 });
            let query = client
                .tickets()
                .query()
                .max_records(50)
                .filter(TicketField::Status.eq(TicketStatus::NEW));
            let before: Vec<i64> = sim
                .records("Tickets")
                .iter()
                .filter(|t| t["status"] == 1)
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
            let (ids, new_ids) =
                consume_creating(&sim, query.clone().parallel(parallel).stream(), after, 40).await;
            assert_ascending(&ids);
            let mut expected = before.clone();
            expected.extend(&new_ids);
            expected.sort_unstable();
            let missing: Vec<i64> = expected
                .iter()
                .copied()
                .filter(|id| !ids.contains(id))
                .collect();
            assert!(
                ids == expected,
                "parallel({parallel}), created after {after}: every record, the new ones too; missing {missing:?}"
            );
        }
    }
}

/// Records created continuously while the stream runs: each stream delivers every record that existed
/// at its start, none twice, in ascending order, and of the new ones a prefix in id order (a record
/// created after one that was delivered is the only kind that may be missing), as the sequential
/// stream does.
#[tokio::test]
async fn records_created_while_paging_keep_the_sequential_guarantees() {
    let sim = Simulator::builder()
        .seed(Seed::None)
        .request_latency(Duration::from_millis(5))
        .start()
        .await
        .unwrap();
    let client = client_builder(&sim).build().unwrap();
    // Sparse at first (1 in 7 matches), dense later: the first page's density overestimates how far
    // the ids go, so the planned ranges would reach past the last id if the plan's end were not
    // confirmed, and records created during the run would fall into ranges already fetched.
    insert_tickets(&sim, 1500, |i| if i < 700 && i % 7 != 0 { 5 } else { 1 });
    let sim = std::sync::Arc::new(sim);
    for parallel in [1, 3] {
        let before: HashSet<i64> = sim
            .records("Tickets")
            .iter()
            .filter(|t| t["status"] == 1)
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let creator = {
            let (sim, stop) = (sim.clone(), stop.clone());
            tokio::spawn(async move {
                // Bursts, so that the new ids run through several planned ranges while they are
                // being fetched.
                let mut created = Vec::new();
                for _ in 0..40 {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    for _ in 0..60 {
                        let id = sim
                            .insert("Tickets", serde_json::json!({"companyID": 0, "title": "racing", "status": 1, "priority": 2}))
                            .unwrap();
                        created.push(id);
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                created
            })
        };
        let ids: Vec<i64> = client
            .tickets()
            .query()
            .max_records(50)
            .filter(TicketField::Status.eq(TicketStatus::NEW))
            .parallel(parallel)
            .stream()
            .map_ok(|t| t.id)
            .try_collect()
            .await
            .unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let created = creator.await.unwrap();
        assert!(created.len() > 10, "records were created during the run");
        assert_ascending(&ids);
        let delivered: HashSet<i64> = ids.iter().copied().collect();
        assert!(
            before.is_subset(&delivered),
            "parallel({parallel}): every record that existed at the start"
        );
        let new: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !before.contains(id))
            .collect();
        assert_eq!(
            new,
            created[..new.len()].to_vec(),
            "parallel({parallel}): the new records delivered are a prefix of those created"
        );
    }
}

#[tokio::test]
async fn never_more_than_three_in_flight_with_other_work_on_the_endpoint() {
    let sim = Simulator::builder()
        .seed(Seed::None)
        .thread_limit(3)
        .request_latency(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    insert_tickets(&sim, 1500, |_| 1);
    // No retries: a request over the limit would be refused by the simulator (Itgenatr005) and fail.
    let client = client_builder(&sim)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let expected: Vec<i64> = sim
        .records("Tickets")
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    sim.clear_requests();
    let stream = client
        .tickets()
        .query()
        .max_records(50)
        .parallel(10)
        .stream()
        .map_ok(|t| t.id)
        .try_collect::<Vec<i64>>();
    let other = other_work(&client);
    let (ids, other) = tokio::join!(stream, other);
    assert_eq!(ids.unwrap(), expected);
    other.unwrap();
    assert!(
        sim.requests().iter().all(|r| r.status == 200),
        "no request was refused by the thread limit"
    );
    assert!(range_requests(&sim) >= 10, "the stream ran in parallel");

    // Control: a client allowed 5 in flight is refused by the same simulator, so the clean run above
    // was not luck.
    let eager = client_builder(&sim)
        .retry_policy(RetryPolicy::none())
        .max_concurrent_per_endpoint(5)
        .build()
        .unwrap();
    let stream = eager
        .tickets()
        .query()
        .max_records(50)
        .parallel(5)
        .stream()
        .try_collect::<Vec<Ticket>>();
    let (ids, other) = tokio::join!(stream, other_work(&eager));
    assert!(
        ids.is_err() || other.is_err(),
        "more than 3 in flight is refused"
    );
}

/// Counts and reads on the same endpoint while the stream runs.
async fn other_work(client: &Client) -> autotask::Result<()> {
    for id in 1..=15 {
        client.tickets().query().count().await?;
        client.tickets().get(id).await?;
    }
    Ok(())
}

#[tokio::test]
async fn at_most_n_pages_wait_for_a_consumer_that_stops() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 3000, |_| 1);
    for parallel in [1, 3] {
        sim.clear_requests();
        let mut stream = client
            .tickets()
            .query()
            .max_records(100)
            .parallel(parallel)
            .stream();
        stream.try_next().await.unwrap().unwrap();
        // The consumer holds the first page and stops; whatever was going to be fetched ahead is.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let fetched = page_requests(&sim);
        // The first page, and `parallel` pages ahead (the next one of the sequential stream).
        assert_eq!(
            fetched,
            1 + parallel,
            "parallel({parallel}): pages fetched for a consumer still on the first"
        );
        drop(stream);
    }
}

#[tokio::test]
async fn small_results_and_failures_of_the_count_fall_back_to_the_first_pages_chain() {
    let (sim, client) = start(Seed::None).await;
    insert_tickets(&sim, 450, |_| 1);
    let query = client.tickets().query().max_records(100);
    let sequential: Vec<Ticket> = query.all().await.unwrap();
    // The count fails for good: the parallel stream pages the rest sequentially.
    let id = sim.add_fault(FaultRule::new(FaultKind::ServerError).path_contains("query/count"));
    sim.clear_requests();
    let parallel: Vec<Ticket> = query.clone().parallel(3).all().await.unwrap();
    assert_eq!(parallel, sequential);
    assert_eq!(range_requests(&sim), 0);
    sim.remove_fault(id);
    // 450 records in pages of 300: the rest after the first page fits in one page.
    let query = client.tickets().query().max_records(300);
    sim.clear_requests();
    let parallel: Vec<Ticket> = query.clone().parallel(3).all().await.unwrap();
    assert_eq!(parallel, sequential);
    assert_eq!(range_requests(&sim), 0);
}
