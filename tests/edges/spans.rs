//! Tracing under a real `tracing-subscriber`: concurrent requests on a multi-threaded runtime never panic
//! and each request's span belongs to the task that made it; a panic inside a request leaves the
//! client's shared state usable and correct.

use crate::stub::{Reply, Stub};
use crate::{builder_for, ticket};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Instrument, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The fields of a span or event, as text.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        ));
    }
}

/// What a span was created with.
struct SpanFields(Fields);

/// Tickets from this id on are read by tasks without a span of their own.
const PLAIN_FROM: i64 = 8_000;

/// Checks that every `autotask.request` span, and every event inside one, belongs to the task that
/// made the request: under the `probe` span whose `id` is the ticket asked for, or, for tasks without a
/// span of their own (ids from [`PLAIN_FROM`]), under no span at all (never under another request).
#[derive(Clone, Default)]
struct Attribution {
    problems: Arc<Mutex<Vec<String>>>,
    request_spans: Arc<AtomicUsize>,
    request_events: Arc<AtomicUsize>,
}

impl Attribution {
    fn check<S: Subscriber + for<'a> LookupSpan<'a>>(
        &self,
        span: &tracing_subscriber::registry::SpanRef<'_, S>,
        what: &str,
    ) {
        let extensions = span.extensions();
        let Some(SpanFields(fields)) = extensions.get::<SpanFields>() else {
            return;
        };
        let path = fields.get("path").unwrap_or("").to_string();
        drop(extensions);
        let id: i64 = path
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(-1);
        let parent = span.parent().map(|parent| {
            let id = parent
                .extensions()
                .get::<SpanFields>()
                .and_then(|SpanFields(f)| f.get("id").map(str::to_string));
            (parent.name().to_string(), id)
        });
        let fine = match &parent {
            None => id > PLAIN_FROM,
            Some((name, probe)) => {
                name == "probe" && id <= PLAIN_FROM && probe.as_deref() == Some(&*id.to_string())
            }
        };
        if !fine {
            self.problems
                .lock()
                .unwrap()
                .push(format!("{what} of {path} attributed to {parent:?}"));
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Attribution {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let name = attrs.metadata().name();
        if name != "autotask.request" && name != "probe" {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = ctx.span(id).expect("a new span is registered");
        span.extensions_mut().insert(SpanFields(fields));
        if name == "autotask.request" {
            self.request_spans.fetch_add(1, SeqCst);
            self.check(&span, "a request span");
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("autotask") {
            return;
        }
        if let Some(span) = ctx.event_span(event) {
            if span.name() == "autotask.request" {
                self.request_events.fetch_add(1, SeqCst);
                self.check(&span, "an event");
            }
        }
    }
}

#[test]
fn concurrent_requests_under_a_real_subscriber_keep_their_spans() {
    let attribution = Attribution::default();
    let subscriber = tracing_subscriber::registry()
        .with(attribution.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(tracing_subscriber::filter::LevelFilter::DEBUG),
        );
    let dispatch = tracing::Dispatch::new(subscriber);
    let _test_thread = tracing::dispatcher::set_default(&dispatch);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .on_thread_start({
            let dispatch = dispatch.clone();
            move || std::mem::forget(tracing::dispatcher::set_default(&dispatch))
        })
        .build()
        .unwrap();
    let (panics, wrong_answers) = runtime.block_on(async {
        let stub = Stub::scripted(|seen, n| {
            let id: i64 = seen.path().rsplit('/').next().unwrap().parse().unwrap();
            // Some answers take a moment, so that tasks interleave on the worker threads.
            let wait = Duration::from_micros((n % 7) as u64 * 300);
            Reply::json_after(wait, 200, json!({"item": ticket(id)}))
        })
        .await;
        let client = builder_for(&stub).build().unwrap();
        let tasks: Vec<_> = (0..16_i64)
            .map(|task| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut wrong = 0;
                    for i in 0..150_i64 {
                        let id = task * 1000 + i + 1;
                        let tickets = client.tickets();
                        let get = tickets.get(id);
                        let found = if id <= PLAIN_FROM {
                            get.instrument(tracing::info_span!("probe", id)).await
                        } else {
                            get.await
                        };
                        wrong += usize::from(found.unwrap().unwrap().id != id);
                    }
                    wrong
                })
            })
            .collect();
        let mut panics = 0;
        let mut wrong = 0;
        for task in tasks {
            match task.await {
                Ok(n) => wrong += n,
                Err(e) if e.is_panic() => panics += 1,
                Err(e) => panic!("{e}"),
            }
        }
        // The client still works afterwards.
        let after = client.tickets().get(99_999).await;
        assert_eq!(after.unwrap().unwrap().id, 99_999);
        (panics, wrong)
    });
    assert_eq!(panics, 0, "tasks panicked");
    assert_eq!(wrong_answers, 0);
    let problems = attribution.problems.lock().unwrap();
    assert!(
        problems.is_empty(),
        "{} misattributed, e.g. {:?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
    assert_eq!(attribution.request_spans.load(SeqCst), 16 * 150 + 1);
    assert!(
        attribution.request_events.load(SeqCst) >= 16 * 150,
        "every answer is logged inside its request's span"
    );
}

/// Panics when a `PATCH` request's span records its status: a panic inside a request, after the
/// server processed it.
struct PanicOnPatchAnswer;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for PanicOnPatchAnswer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() == "autotask.request" {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            ctx.span(id)
                .unwrap()
                .extensions_mut()
                .insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let is_patch = span
            .extensions()
            .get::<SpanFields>()
            .is_some_and(|SpanFields(f)| f.get("method") == Some("PATCH"));
        let mut recorded = Fields::default();
        values.record(&mut recorded);
        if is_patch && recorded.get("status").is_some() {
            panic!("injected panic inside a PATCH request");
        }
    }
}

#[tokio::test]
async fn a_panic_inside_a_request_leaves_the_client_usable_and_its_cache_correct() {
    let _subscriber =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(PanicOnPatchAnswer));
    let title = Arc::new(Mutex::new("before".to_string()));
    let stub = Stub::scripted({
        let title = title.clone();
        move |seen, _| {
            if seen.method == "PATCH" {
                *title.lock().unwrap() = seen.json()["title"].as_str().unwrap().to_string();
                return Reply::json(200, json!({"itemId": 1}));
            }
            let mut record = ticket(1);
            record["title"] = json!(title.lock().unwrap().clone());
            Reply::json(200, json!({"item": record}))
        }
    })
    .await;
    let client = builder_for(&stub)
        .cache(Duration::from_secs(600), 100)
        .build()
        .unwrap();
    let read = client.tickets().get(1).await.unwrap().unwrap();
    assert_eq!(read.title.as_deref(), Some("before"));
    let patching = client.clone();
    let panicked = tokio::spawn(async move {
        let mut patch = autotask::entities::TicketPatch::new(1);
        patch.title = "after".into();
        patching.tickets().update(&patch).await
    })
    .await;
    assert!(
        panicked.is_err_and(|e| e.is_panic()),
        "the injected panic happened"
    );
    // The write reached the server, so the cached record is stale and must not be served.
    let read = client.tickets().get(1).await.unwrap().unwrap();
    assert_eq!(read.title.as_deref(), Some("after"));
    // Nothing shared is left broken: limits, statistics, journal, cache.
    for _ in 0..20 {
        client.tickets().get(1).await.unwrap().unwrap();
    }
    assert!(client.endpoint_stats()["Tickets"].requests >= 2);
    // The interrupted write is journaled, with an unknown outcome.
    let (journal, _) = client.write_journal();
    assert!(
        matches!(journal.as_slice(), [entry] if entry.method == "PATCH"
            && matches!(entry.outcome, autotask::client::journal::WriteOutcome::Unknown(_))),
        "{journal:?}"
    );
}
