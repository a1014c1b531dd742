//! A real `redis-server` per test (own port, no persistence), clients with shared limits against the
//! simulator, a load generator and a sampler of the simulator's busy thread slots.

use autotask::shared_limits::SharedLimits;
use autotask::{Client, ClientBuilder, Error, RetryPolicy};
use autotask_sim::RunningSimulator;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `redis-server` child process, killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
}

/// The server for a test, or `None` (after a loud notice) when `redis-server` is not installed and
/// `AUTOTASK_REQUIRE_REDIS=1` is not set; with it set, a missing binary fails the test.
pub fn redis_or_skip(test: &str) -> Option<RedisServer> {
    let installed = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        if std::env::var("AUTOTASK_REQUIRE_REDIS").as_deref() == Ok("1") {
            panic!("{test}: redis-server is not installed but AUTOTASK_REQUIRE_REDIS=1");
        }
        eprintln!(
            "\n**********\n** SKIPPED {test}: redis-server is not installed (apt-get install redis-server); \
             set AUTOTASK_REQUIRE_REDIS=1 to make this a failure\n**********\n"
        );
        return None;
    }
    // A port found free may be taken by another test's server before ours binds it: then ours exits
    // and the port answers for someone else. `start_on` tells, and another port is tried.
    for _ in 0..5 {
        if let Some(server) = RedisServer::try_start_on(free_port()) {
            return Some(server);
        }
    }
    panic!("{test}: redis-server did not start on any of 5 free ports");
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

impl RedisServer {
    /// Starts `redis-server` on `port` and waits until it answers; panics if it does not start, or
    /// if the server answering on the port is not the one started here.
    pub fn start_on(port: u16) -> RedisServer {
        Self::try_start_on(port).unwrap_or_else(|| {
            panic!("redis-server could not listen on port {port}: another process took it")
        })
    }

    /// Starts `redis-server` on `port`; `None` when it exits at once (the port is taken). A server
    /// counts as started only when the one answering on the port reports this child's process id, so
    /// that a test never talks to (or kills) another test's server.
    fn try_start_on(port: u16) -> Option<RedisServer> {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let started = Instant::now();
        loop {
            if child.try_wait().ok().flatten().is_some() {
                return None;
            }
            match server_pid(port) {
                Some(pid) if pid == child.id() => break,
                Some(_) => {
                    // Someone else's server: ours cannot bind the port.
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                None => {}
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server on port {port} did not answer within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(RedisServer {
            child: Some(child),
            port,
        })
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL: no goodbye to its clients) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The process id of the Redis server answering on `port` (`INFO server`), if one answers.
fn server_pid(port: u16) -> Option<u32> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream.write_all(b"INFO server\r\n").ok()?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !answer.windows(11).any(|w| w == b"process_id:") || !answer.ends_with(b"\r\n") {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        answer.extend_from_slice(&chunk[..read]);
    }
    let text = String::from_utf8_lossy(&answer);
    let line = text.lines().find(|l| l.starts_with("process_id:"))?;
    line["process_id:".len()..].trim().parse().ok()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client for `sim` (default credentials unless `code` differs) with no retries, so that every
/// thread-limit error shows.
pub fn builder(sim: &RunningSimulator, code: &str) -> ClientBuilder {
    Client::builder()
        .username(autotask_sim::DEFAULT_USERNAME)
        .integration_code(code)
        .secret(autotask_sim::DEFAULT_SECRET)
        .base_url(sim.base_url())
        .retry_policy(RetryPolicy::none())
}

/// `n` independent clients (each its own Redis connection and lease renewal, as separate workers
/// would have), sharing limits through `redis` when it is given.
pub fn clients(sim: &RunningSimulator, redis: Option<&RedisServer>, n: usize) -> Vec<Client> {
    (0..n)
        .map(|_| {
            let mut b = builder(sim, autotask_sim::DEFAULT_INTEGRATION_CODE);
            if let Some(redis) = redis {
                b = b.shared_limits(SharedLimits::new(redis.url()).lease(Duration::from_secs(2)));
            }
            b.build().unwrap()
        })
        .collect()
}

/// What a load run saw.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub ok: u64,
    pub thread_limit_errors: u64,
    pub other_errors: Vec<String>,
}

/// Every client runs `tasks` concurrent tasks of `per_task` GETs on `entity` (`Tickets` or
/// `Companies`).
pub async fn hammer(clients: &[Client], entity: &str, tasks: usize, per_task: usize) -> Outcome {
    let mut handles = Vec::new();
    for client in clients {
        for _ in 0..tasks {
            let client = client.clone();
            let entity = entity.to_string();
            handles.push(tokio::spawn(async move {
                let mut outcome = Outcome::default();
                for i in 0..per_task {
                    let result = match entity.as_str() {
                        "Tickets" => client.tickets().get(1 + i as i64).await.map(|_| ()),
                        _ => client.companies().get(1 + i as i64).await.map(|_| ()),
                    };
                    record(&mut outcome, result);
                }
                outcome
            }));
        }
    }
    let mut total = Outcome::default();
    for handle in handles {
        let outcome = handle.await.unwrap();
        total.ok += outcome.ok;
        total.thread_limit_errors += outcome.thread_limit_errors;
        total.other_errors.extend(outcome.other_errors);
    }
    total
}

pub fn record(outcome: &mut Outcome, result: Result<(), Error>) {
    match result {
        Ok(()) => outcome.ok += 1,
        Err(Error::ThreadLimit { .. }) => outcome.thread_limit_errors += 1,
        Err(e) => outcome.other_errors.push(e.to_string()),
    }
}

/// Samples the simulator's busy thread slots every millisecond: the most seen per entity, and the
/// most seen on all the watched entities together.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    seen: Arc<Mutex<(Vec<usize>, usize)>>,
}

impl Sampler {
    pub fn start(sim: Arc<RunningSimulator>, code: &str, entities: &[&str]) -> Sampler {
        let keys: Vec<(&str, &str)> = entities.iter().map(|e| (code, *e)).collect();
        Sampler::of(sim, &keys)
    }

    /// Samples (integration code, entity) pairs.
    pub fn of(sim: Arc<RunningSimulator>, keys: &[(&str, &str)]) -> Sampler {
        let keys: Vec<_> = keys.iter().map(|(c, e)| (sim.clone(), *c, *e)).collect();
        Sampler::across(&keys)
    }

    /// Samples (simulator, integration code, entity) triples: several tenants at once.
    pub fn across(keys: &[(Arc<RunningSimulator>, &str, &str)]) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new((vec![0; keys.len()], 0)));
        let keys: Vec<(Arc<RunningSimulator>, String, String)> = keys
            .iter()
            .map(|(s, c, e)| (s.clone(), c.to_string(), e.to_string()))
            .collect();
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let busy: Vec<usize> = keys
                        .iter()
                        .map(|(sim, c, e)| sim.threads_in_use(c, e))
                        .collect();
                    let mut seen = seen.lock().unwrap();
                    for (max, now) in seen.0.iter_mut().zip(&busy) {
                        *max = (*max).max(*now);
                    }
                    seen.1 = seen.1.max(busy.iter().sum());
                    drop(seen);
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        Sampler {
            stop,
            thread: Some(thread),
            seen,
        }
    }

    /// (most busy per entity, most busy on all together).
    pub fn stop(mut self) -> (Vec<usize>, usize) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        self.seen.lock().unwrap().clone()
    }
}

/// Thread-limit refusals (429 with `Itgenatr005`) the simulator answered so far.
pub fn refusals(sim: &RunningSimulator) -> u64 {
    sim.request_counts()
        .by_status
        .get(&429)
        .copied()
        .unwrap_or(0)
}

/// A TCP proxy to the local port `target` that hands every chunk on `delay` after it arrived, in
/// order, both ways: what a worker on another host sees of Redis. Answers the proxy's port; it lives
/// as long as the runtime.
pub async fn slow_proxy(target: u16, delay: Duration) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else {
                continue;
            };
            let (from_client, to_client) = inbound.into_split();
            let (from_server, to_server) = outbound.into_split();
            tokio::spawn(forward_late(from_client, to_server, delay));
            tokio::spawn(forward_late(from_server, to_client, delay));
        }
    });
    port
}

/// Copies `from` to `to`, each chunk `delay` after it was read (a reader and a writer task, so that
/// the delay is latency, not a throughput limit).
async fn forward_late(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (chunks, mut due) =
        tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, bytes)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 16 * 1024];
    while let Ok(read @ 1..) = from.read(&mut buffer).await {
        let at = tokio::time::Instant::now() + delay;
        if chunks.send((at, buffer[..read].to_vec())).is_err() {
            break;
        }
    }
    drop(chunks);
    let _ = writer.await;
}
