//! Complete, bounded paging: follow `nextPageUrl` until the API says there is no more, decoding each page
//! straight from the answer's text into the records.
//!
//! A POST query's next page is POSTed again with the same body; a link that carries `search=` (from a GET
//! query or a child list) is followed with GET. The next page is fetched while the consumer works through
//! the current one, so at most two pages are held at a time.
//!
//! Pages come in ascending id order (PROTOCOL.md 3.4), which bounds what a misbehaving server can do: a
//! record at or below the highest id already seen is a repeat and is not delivered again, a page that
//! brings no record beyond it ends the stream (a server alternating links, or minting new links over
//! the same records, would otherwise page forever), and so does the page cap
//! ([`ClientBuilder::max_pages_per_stream`](crate::ClientBuilder::max_pages_per_stream)). A stream that
//! fails after delivering records says how far it got ([`Error::StreamInterrupted`]) and can be resumed
//! from its last id.
//!
//! A parallel stream ([`QueryBuilder::parallel`](super::QueryBuilder::parallel)) splits the ids after its
//! first page into consecutive ranges of about one page each (from `query/count` and the first page's id
//! density, adjusted as the ranges come back), and fetches up to N of them at once, each by its own `nextPageUrl` chain; the last range is
//! open-ended, so records created during the run are found as the sequential stream would find them.
//! Ranges are delivered in order, so records still come in ascending id order, and at most N pages wait
//! for the consumer.

use super::codec::{read_page, PageRecords, RawPage};
use super::query_builder::Record;
use crate::client::{Client, Request};
use crate::error::{Error, Result, ResumePoint};
use crate::query::{Filter, Op, QuerySpec, MAX_PAGE_SIZE};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// How the first page is asked for.
#[derive(Debug, Clone)]
pub(crate) enum FirstPage {
    /// `POST {E}/query` with this body.
    Query { path: String, body: Value },
    /// `GET {Parent}/{id}/{Seg}`: a child list.
    List { path: String },
}

enum Next {
    First(FirstPage),
    Post {
        url: String,
        body: Value,
    },
    Get {
        url: String,
    },
    /// The server offered another page beyond the cap.
    Capped,
    Done,
}

/// Sends `request` and reads its answer as a page of `R` records.
pub(crate) async fn fetch_page<R: Record>(
    client: &Client,
    entity: &str,
    request: Request,
) -> Result<RawPage<R>> {
    let mut page = None;
    let mut read = |text: &str| {
        page = Some(read_page::<R>(entity, text, R::FAST_PAGE_READER)?);
        Ok(())
    };
    client.execute_read(request, &mut read).await?;
    page.ok_or_else(|| Error::Protocol(format!("{entity}: a query was answered without a page")))
}

/// `query/count` of one query part.
pub(crate) async fn count_part(client: &Client, entity: &str, spec: &QuerySpec) -> Result<u64> {
    let request = Request::new(Method::POST, format!("{entity}/query/count"), entity)
        .body(spec.body())
        .read_only();
    let answer = client.execute(request).await?;
    answer["queryCount"].as_u64().ok_or_else(|| {
        Error::Protocol(format!("{entity} count answer has no queryCount: {answer}"))
    })
}

/// One `nextPageUrl` chain: the request for its next page and what it has seen so far.
struct Chain {
    client: Client,
    entity: String,
    next: Next,
    first_body: Option<Value>,
    pages: usize,
    /// The highest id of every page so far.
    highest_id: Option<i64>,
    /// Records at or below this id are not delivered (a resumed child list).
    after_id: Option<i64>,
}

impl Chain {
    fn new(client: Client, entity: String, first: FirstPage, after_id: Option<i64>) -> Self {
        let first_body = match &first {
            FirstPage::Query { body, .. } => Some(body.clone()),
            FirstPage::List { .. } => None,
        };
        Self {
            client,
            entity,
            next: Next::First(first),
            first_body,
            pages: 0,
            highest_id: None,
            after_id,
        }
    }

    fn is_done(&self) -> bool {
        matches!(self.next, Next::Done)
    }

    /// The next page's records (repeats left out); `None` once the chain is done.
    async fn next_page<R: Record>(&mut self) -> Result<Option<PageRecords<R>>> {
        let entity = self.entity.as_str();
        let max_pages = self.client.inner.max_pages_per_stream;
        let request = match std::mem::replace(&mut self.next, Next::Done) {
            Next::Done => return Ok(None),
            Next::Capped => {
                return Err(Error::Protocol(format!(
                "{entity}: the server still offered a next page after {max_pages} pages, the most \
                     one stream follows (ClientBuilder::max_pages_per_stream)"
            )))
            }
            Next::First(FirstPage::Query { path, body }) | Next::Post { url: path, body } => {
                Request::new(Method::POST, path, entity)
                    .body(body)
                    .read_only()
            }
            Next::First(FirstPage::List { path }) | Next::Get { url: path } => {
                Request::new(Method::GET, path, entity)
            }
        };
        let page = fetch_page::<R>(&self.client, entity, request).await?;
        self.pages += 1;
        let mut records = page.records;
        let page_highest = records.decoded().filter_map(R::record_id).max();
        if let (Some(page_highest), Some(highest)) = (page_highest, self.highest_id) {
            if page_highest <= highest {
                return Err(Error::Protocol(format!(
                    "{entity}: page {} brought no record beyond id {highest}, the highest already \
                     seen (pages come in ascending id order); stopping instead of paging in a loop",
                    self.pages
                )));
            }
        }
        let fetched_any = records.len() > 0;
        // Ascending order: anything at or below the highest id seen was delivered already (or, in a
        // resumed stream, before the interruption).
        if let Some(threshold) = self.highest_id.max(self.after_id) {
            records.retain(|record| record.record_id().is_none_or(|id| id > threshold));
        }
        self.highest_id = self.highest_id.max(page_highest);
        self.next = match page.next_page_url {
            None => Next::Done,
            Some(url) if !fetched_any => {
                tracing::debug!(%url, "empty page with a next link; stopping");
                Next::Done
            }
            Some(_) if self.pages >= max_pages => Next::Capped,
            Some(url) => match (
                &self.first_body,
                url.to_ascii_lowercase().contains("search="),
            ) {
                (Some(body), false) => Next::Post {
                    url,
                    body: body.clone(),
                },
                _ => Next::Get { url },
            },
        };
        Ok(Some(records))
    }
}

/// What a page fetch gives back: the chain (to go on with) and the page.
type Fetched<R> = (Chain, Result<Option<PageRecords<R>>>);

/// Fetches the chain's next page.
async fn fetch_next<R: Record>(mut chain: Chain) -> Fetched<R> {
    let page = chain.next_page().await;
    (chain, page)
}

/// A fetch running on its own task, so that it proceeds (and its page is decoded, on another core
/// when there is one) while the consumer works; aborted when dropped, so a dropped stream sends
/// nothing more.
struct Task<T>(tokio::task::JoinHandle<T>);

impl<T: Send + 'static> Task<T> {
    fn spawn(future: impl Future<Output = T> + Send + 'static) -> Self {
        Task(tokio::spawn(future.instrument(tracing::Span::current())))
    }

    async fn join(mut self) -> T {
        match (&mut self.0).await {
            Ok(value) => value,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => panic!("a page fetch was cancelled while awaited: {error}"),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A chain whose next page is fetched while the consumer works through the current one: at most one
/// page waits.
struct Prefetched<R> {
    pending: Option<Task<Fetched<R>>>,
}

impl<R: Record> Prefetched<R> {
    fn start(chain: Chain) -> Self {
        let pending = (!chain.is_done()).then(|| Task::spawn(fetch_next(chain)));
        Self { pending }
    }

    async fn next(&mut self) -> Option<Result<PageRecords<R>>> {
        let (chain, page) = self.pending.take()?.join().await;
        match page {
            Ok(Some(records)) => {
                if !chain.is_done() {
                    self.pending = Some(Task::spawn(fetch_next(chain)));
                }
                Some(Ok(records))
            }
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}

/// The pages of one query or child list, in order; records at or below `after_id` (and repeats) are
/// not delivered.
fn pages<R: Record>(
    client: Client,
    entity: String,
    first: FirstPage,
    after_id: Option<i64>,
) -> BoxStream<'static, Result<PageRecords<R>>> {
    let chain = Chain::new(client, entity, first, after_id);
    stream::unfold(Prefetched::start(chain), |mut chain| async move {
        let page = chain.next().await?;
        Some((page, chain))
    })
    .boxed()
}

/// The id ranges a parallel stream still has to fetch: `[from, from + width)` up to `end`, then the
/// open-ended `[from, ∞)`. Planned as `bounded` ranges of `width` ids; the width follows what the ranges
/// turn out to hold.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Plan {
    from: i64,
    width: i64,
    bounded: u64,
    /// Where the open-ended range starts.
    end: i64,
    tail_issued: bool,
}

impl Plan {
    /// Ranges of about one page each over the `remaining` records after a first page of `fetched`
    /// records with ids `lowest..=highest`; `None` when the rest fits in one page.
    fn after_first_page(
        lowest: i64,
        highest: i64,
        fetched: u64,
        remaining: u64,
        page: u64,
    ) -> Option<Plan> {
        if remaining <= page || fetched == 0 {
            return None;
        }
        let span = highest.checked_sub(lowest)?.checked_add(1)? as f64;
        let width = ((page as f64) * span / fetched as f64).floor().max(1.0);
        let width = if width >= i64::MAX as f64 {
            i64::MAX
        } else {
            width as i64
        };
        let mut plan = Plan {
            from: highest.checked_add(1)?,
            width,
            bounded: remaining.div_ceil(page).saturating_sub(1),
            end: 0,
            tail_issued: false,
        };
        plan.end = plan.end_after(plan.bounded)?;
        Some(plan)
    }

    /// Where the open-ended range starts when `bounded` ranges come before it.
    fn end_after(&self, bounded: u64) -> Option<i64> {
        i64::try_from(bounded)
            .ok()
            .and_then(|k| k.checked_mul(self.width))
            .and_then(|span| self.from.checked_add(span))
    }

    /// The number of planned ranges that end at or below `id + 1`.
    fn ranges_up_to(&self, id: i64) -> u64 {
        let covered = id.saturating_add(1).saturating_sub(self.from).max(0) / self.width;
        (covered as u64).min(self.bounded)
    }

    /// The next range (lowest id, end if bounded).
    fn next_range(&mut self) -> Option<(i64, Option<i64>)> {
        if self.tail_issued {
            return None;
        }
        let from = self.from;
        if from >= self.end {
            self.tail_issued = true;
            return Some((from, None));
        }
        let to = from.saturating_add(self.width).min(self.end);
        self.from = to;
        Some((from, Some(to)))
    }

    /// Fits the width of the ranges still to come to what a range held: `count` records on its first
    /// page of `page`, and whether it had more pages (a narrower width then), or far fewer (wider, at
    /// most double).
    fn adapt(&mut self, count: usize, more: bool, page: u64) {
        if self.tail_issued {
            return;
        }
        let count = count as u64;
        if more {
            self.width = (self.width - self.width / 4).max(1);
        } else if count < page * 3 / 4 {
            let grown = if count == 0 {
                2.0
            } else {
                (page as f64 / count as f64).min(2.0)
            };
            self.width = (self.width as f64 * grown).min(i64::MAX as f64) as i64;
        }
    }
}

/// The smallest id at or above `id` among the records matching `spec`, by a one-record query.
async fn first_id_from(
    client: &Client,
    entity: &str,
    spec: &QuerySpec,
    id: i64,
) -> Result<Option<i64>> {
    let mut probe = spec.clone();
    probe.max_records = Some(1);
    probe.filters.push(Filter::condition("id", Op::Gte, id));
    let request = Request::new(Method::POST, format!("{entity}/query"), entity)
        .body(probe.body())
        .read_only();
    let page = fetch_page::<Value>(client, entity, request).await?;
    Ok(page.records.decoded().filter_map(Record::record_id).min())
}

/// Makes the bounded ranges of `plan` end where a record existed when the stream started, so that
/// every record created during the run (its id is above every existing one) falls in the open-ended
/// range, whose `nextPageUrl` chain finds it as the sequential stream's would. A probe at the planned
/// end confirms it (the usual case, one request); otherwise a binary search over the range
/// boundaries finds the last confirmed one.
async fn confirm_end(client: &Client, entity: &str, spec: &QuerySpec, plan: Plan) -> Result<Plan> {
    // Ranges 0..known end at or below an existing id + 1; ranges from `beyond` on do not.
    let (mut known, mut beyond) = (0u64, plan.bounded + 1);
    let mut at = plan.bounded;
    while known + 1 < beyond {
        let Some(end) = plan.end_after(at) else {
            beyond = at;
            at = known + (beyond - known) / 2;
            continue;
        };
        match first_id_from(client, entity, spec, end.saturating_sub(1)).await? {
            Some(id) => known = known.max(plan.ranges_up_to(id)).max(at),
            None => beyond = at,
        }
        at = known + (beyond - known) / 2;
        if at == known {
            break;
        }
    }
    let end = plan.end_after(known).unwrap_or(plan.from);
    Ok(Plan {
        bounded: known,
        end,
        ..plan
    })
}

/// The plan of the ranges after the first page, and the first ranges already on their way.
type Started<R> = (Plan, VecDeque<Task<Fetched<R>>>);

/// Starts fetching the first page of the range `[from, to)` (`[from, ∞)` without `to`) of `spec`,
/// after `delay`.
fn start_range<R: Record>(
    client: &Client,
    entity: &'static str,
    spec: &QuerySpec,
    (from, to): (i64, Option<i64>),
    delay: Duration,
) -> Task<Fetched<R>> {
    let mut spec = spec.clone();
    spec.filters.push(Filter::condition("id", Op::Gte, from));
    if let Some(to) = to {
        spec.filters.push(Filter::condition("id", Op::Lt, to));
    }
    let first = FirstPage::Query {
        path: format!("{entity}/query"),
        body: spec.body(),
    };
    let chain = Chain::new(client.clone(), entity.to_string(), first, None);
    Task::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        fetch_next(chain).await
    })
}

/// What a parallel stream knows about the ranges after its first page.
enum Planning<R> {
    /// Not yet started.
    NotStarted,
    /// Counting and probing, while the consumer works through the first page, then starting the first
    /// ranges; the first page's own chain goes on if no plan comes.
    Pending(Task<Option<Started<R>>>, Chain),
    /// Following the first page's own chain (the rest is small, or the plan failed).
    Sequential,
    /// The ranges are being fetched.
    Ranges(Plan),
}

/// The pages of one query, fetched up to `width` ranges at a time and delivered in id order.
struct Parallel<R> {
    client: Client,
    entity: &'static str,
    spec: QuerySpec,
    width: usize,
    max_total: Option<u64>,
    planning: Planning<R>,
    /// The rest of the range being delivered, when it has more than one page.
    current: Option<Prefetched<R>>,
    /// The first pages of the next ranges, in id order.
    ahead: VecDeque<Task<Fetched<R>>>,
}

impl<R: Record> Parallel<R> {
    fn page_size(&self) -> u64 {
        u64::from(self.spec.max_records.unwrap_or(MAX_PAGE_SIZE))
    }

    fn chain(&self, spec: &QuerySpec) -> Chain {
        let first = FirstPage::Query {
            path: format!("{}/query", self.entity),
            body: spec.body(),
        };
        Chain::new(self.client.clone(), self.entity.to_string(), first, None)
    }

    async fn next(&mut self) -> Option<Result<PageRecords<R>>> {
        match std::mem::replace(&mut self.planning, Planning::Sequential) {
            Planning::NotStarted => return self.start().await,
            Planning::Pending(task, chain) => match task.join().await {
                Some((plan, ahead)) => {
                    self.planning = Planning::Ranges(plan);
                    self.ahead = ahead;
                    self.fill();
                }
                None => self.current = Some(Prefetched::start(chain)),
            },
            other => self.planning = other,
        }
        loop {
            if let Some(current) = &mut self.current {
                match current.next().await {
                    Some(page) => return Some(page),
                    None => {
                        self.current = None;
                        self.fill();
                    }
                }
            }
            let (chain, page) = self.ahead.pop_front()?.join().await;
            match page {
                Ok(Some(records)) => {
                    let page = self.page_size();
                    if let Planning::Ranges(plan) = &mut self.planning {
                        plan.adapt(records.len(), !chain.is_done(), page);
                    }
                    if chain.is_done() {
                        self.fill();
                    } else {
                        // The range has more pages: they come next, and take the place of one range
                        // ahead, so that no more than `width` pages wait.
                        self.current = Some(Prefetched::start(chain));
                    }
                    return Some(Ok(records));
                }
                Ok(None) => continue,
                Err(error) => {
                    self.ahead.clear();
                    self.planning = Planning::Sequential;
                    return Some(Err(error));
                }
            }
        }
    }

    /// The first page, with `query/count` asked alongside; the ranges after it are planned (and their
    /// end confirmed) while the consumer works through it.
    async fn start(&mut self) -> Option<Result<PageRecords<R>>> {
        let started = Instant::now();
        let first = Task::spawn(fetch_next::<R>(self.chain(&self.spec)));
        let (client, entity, spec) = (self.client.clone(), self.entity, self.spec.clone());
        let counting = Task::spawn(async move { count_part(&client, entity, &spec).await });
        let (chain, page) = first.join().await;
        // The first ranges start this far apart, so that their answers (and the server's work on
        // them) come in turn rather than all at once, and stay staggered as each is replaced.
        let stagger = (started.elapsed() / self.width as u32).min(Duration::from_secs(1));
        let records = match page {
            Ok(Some(records)) => records,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        if chain.is_done() {
            return Some(Ok(records));
        }
        let ids = || records.decoded().filter_map(R::record_id);
        let (Some(lowest), Some(highest)) = (ids().min(), ids().max()) else {
            self.current = Some(Prefetched::start(chain));
            return Some(Ok(records));
        };
        let fetched = records.len() as u64;
        let page = self.page_size();
        let (client, entity, spec, max_total, width) = (
            self.client.clone(),
            self.entity,
            self.spec.clone(),
            self.max_total,
            self.width,
        );
        let planning = Task::spawn(async move {
            let total = match counting.join().await {
                Ok(total) => total,
                Err(error) => {
                    tracing::debug!(%error, "query/count failed; paging the rest sequentially");
                    return None;
                }
            };
            let mut remaining = total.saturating_sub(fetched);
            if let Some(max_total) = max_total {
                remaining = remaining.min(max_total.saturating_sub(fetched));
            }
            let plan = Plan::after_first_page(lowest, highest, fetched, remaining, page)?;
            match confirm_end(&client, entity, &spec, plan).await {
                Ok(mut plan) => {
                    let ahead = std::iter::from_fn(|| plan.next_range())
                        .take(width)
                        .enumerate()
                        .map(|(k, range)| {
                            start_range(&client, entity, &spec, range, stagger * k as u32)
                        })
                        .collect();
                    Some((plan, ahead))
                }
                Err(error) => {
                    tracing::debug!(%error, "probing the last id failed; paging the rest sequentially");
                    None
                }
            }
        });
        self.planning = Planning::Pending(planning, chain);
        Some(Ok(records))
    }

    /// Starts the next ranges until `width` pages are on their way.
    fn fill(&mut self) {
        let Planning::Ranges(plan) = &mut self.planning else {
            return;
        };
        while self.ahead.len() < self.width {
            let Some(range) = plan.next_range() else {
                return;
            };
            let task = start_range(&self.client, self.entity, &self.spec, range, Duration::ZERO);
            self.ahead.push_back(task);
        }
    }
}

/// The pages of one query fetched up to `width` id ranges at a time, in id order.
fn parallel_pages<R: Record>(
    client: Client,
    entity: &'static str,
    spec: QuerySpec,
    width: usize,
    max_total: Option<u64>,
) -> BoxStream<'static, Result<PageRecords<R>>> {
    let state = Parallel {
        client,
        entity,
        spec,
        width,
        max_total,
        planning: Planning::NotStarted,
        current: None,
        ahead: VecDeque::new(),
    };
    stream::unfold(state, |mut state| async move {
        let page = state.next().await?;
        Some((page, state))
    })
    .boxed()
}

/// Records tagged with the query part they came from (a record that does not decode as its error), or
/// a failure of the stream with the part it happened in.
type Tagged<R> = BoxStream<'static, std::result::Result<(usize, Result<R>), (usize, Error)>>;

/// The records of one part's pages, tagged with the part.
fn tagged<R: Record>(part: usize, pages: BoxStream<'static, Result<PageRecords<R>>>) -> Tagged<R> {
    pages
        .map_ok(move |records| stream::iter(records.into_results().map(move |r| Ok((part, r)))))
        .map_err(move |error| (part, error))
        .try_flatten()
        .boxed()
}

/// Counts what was delivered and ends at the first failure, which, once records were delivered (or for a
/// resumed stream), becomes [`Error::StreamInterrupted`] with the point to resume from. A record that
/// does not decode is reported in its place ([`Error::Decode`]) without ending the stream.
fn tracked<R: Record>(
    entity: String,
    records: Tagged<R>,
    start: Option<ResumePoint>,
) -> BoxStream<'static, Result<R>> {
    struct Tracking<R> {
        records: Tagged<R>,
        entity: String,
        delivered: u64,
        point: ResumePoint,
        resumed: bool,
        done: bool,
    }
    let state = Tracking {
        records,
        entity,
        delivered: 0,
        point: start.unwrap_or_default(),
        resumed: start.is_some(),
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        match state.records.next().await? {
            Ok((part, Ok(record))) => {
                state.delivered += 1;
                let after_id = record
                    .record_id()
                    .or(state.point.after_id.filter(|_| state.point.part == part));
                state.point = ResumePoint { part, after_id };
                Some((Ok(record), state))
            }
            Ok((_, Err(undecodable))) => Some((Err(undecodable), state)),
            Err((part, error)) => {
                state.done = true;
                if state.point.part != part {
                    state.point = ResumePoint {
                        part,
                        after_id: None,
                    };
                }
                let error = if state.delivered > 0 || state.resumed {
                    Error::StreamInterrupted {
                        entity: state.entity.clone(),
                        delivered: state.delivered,
                        resume: state.point,
                        source: Box::new(error),
                    }
                } else {
                    error
                };
                Some((Err(error), state))
            }
        }
    })
    .boxed()
}

/// Every record matching `spec`, in pages, merged across split `in` lists without duplicates; from
/// `resume` on when given. With `parallel` above 1 (and one query part), up to that many pages are
/// fetched at once.
pub(crate) fn records<R: Record>(
    client: Client,
    entity: &'static str,
    spec: &QuerySpec,
    max_total: Option<u64>,
    resume: Option<ResumePoint>,
    parallel: usize,
) -> BoxStream<'static, Result<R>> {
    let parts = spec.split_long_lists();
    let dedupe = parts.len() > 1;
    let path = format!("{entity}/query");
    let first_part = resume.map_or(0, |r| r.part);
    let one_part = parts.len() == 1;
    let streams = parts
        .into_iter()
        .enumerate()
        .skip(first_part)
        .map(move |(index, mut part)| {
            let after_id = resume.filter(|r| r.part == index).and_then(|r| r.after_id);
            if let Some(id) = after_id {
                part.filters.push(Filter::condition("id", Op::Gt, id));
            }
            let pages = if one_part && parallel > 1 {
                parallel_pages(client.clone(), entity, part, parallel, max_total)
            } else {
                let first = FirstPage::Query {
                    path: path.clone(),
                    body: part.body(),
                };
                pages(client.clone(), entity.to_string(), first, after_id)
            };
            tagged(index, pages)
        });
    let mut seen: HashSet<i64> = HashSet::new();
    let merged = stream::iter(streams)
        .flatten()
        .try_filter(move |(_, record)| {
            let keep = !dedupe
                || record
                    .as_ref()
                    .ok()
                    .and_then(R::record_id)
                    .is_none_or(|id| seen.insert(id));
            futures::future::ready(keep)
        })
        .boxed();
    let all = tracked(entity.to_string(), merged, resume);
    match max_total {
        Some(n) => all.take(n as usize).boxed(),
        None => all,
    }
}

/// Every child under a parent path (`GET {Parent}/{id}/{Seg}`), from `resume` on when given (a child
/// list cannot be filtered, so a resumed list skips the records up to the resume id).
pub(crate) fn children<R: Record>(
    client: Client,
    entity: &str,
    path: String,
    resume: Option<ResumePoint>,
) -> BoxStream<'static, Result<R>> {
    let after_id = resume.and_then(|r| r.after_id);
    let pages = pages(
        client,
        entity.to_string(),
        FirstPage::List { path },
        after_id,
    );
    tracked(entity.to_string(), tagged(0, pages), resume)
}

#[cfg(test)]
mod tests {
    use super::Plan;

    /// Every range of a plan, with the open-ended one last.
    fn ranges(mut plan: Plan) -> Vec<(i64, Option<i64>)> {
        std::iter::from_fn(|| plan.next_range()).collect()
    }

    #[test]
    fn ranges_follow_each_other_without_gaps_and_end_open() {
        // 500 records with ids 1..=500, 99,500 more: 198 ranges of 500 ids, then the rest.
        let plan = Plan::after_first_page(1, 500, 500, 99_500, 500).unwrap();
        let all = ranges(plan);
        assert_eq!(all.len(), 199);
        assert_eq!(all[0], (501, Some(1001)));
        assert_eq!(*all.last().unwrap(), (99_501, None));
        assert!(all.windows(2).all(|w| w[0].1 == Some(w[1].0)));
        // The rest fits in one page: no plan.
        assert_eq!(Plan::after_first_page(1, 500, 500, 500, 500), None);
    }

    #[test]
    fn the_width_follows_what_ranges_hold_within_the_end() {
        let mut plan = Plan::after_first_page(1, 1000, 500, 5_000, 500).unwrap();
        assert_eq!(plan.width, 1000);
        let first = plan.next_range().unwrap();
        plan.adapt(500, true, 500);
        let second = plan.next_range().unwrap();
        assert_eq!(second, (first.1.unwrap(), Some(first.1.unwrap() + 750)));
        plan.adapt(0, false, 500);
        plan.adapt(100, false, 500);
        let rest = ranges(plan);
        assert_eq!(rest[0].0, second.1.unwrap());
        assert!(rest.windows(2).all(|w| w[0].1 == Some(w[1].0)));
        assert_eq!(rest.last().unwrap().1, None);
        assert_eq!(
            rest[rest.len() - 2].1,
            Some(plan.end),
            "bounded ranges stop at the end"
        );
    }
}
