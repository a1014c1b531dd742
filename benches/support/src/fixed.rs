//! A local HTTP/1.1 server that answers every request, whatever its method and path, with the same
//! `200 application/json` bytes. It reads (and drops) each request body so that keep-alive connections
//! stay usable, and hands out the body as a shared `Bytes`: answering costs a few microseconds plus the
//! loopback copy, so a client's time against it is its own request building and decoding.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running fixed-bytes server; stops on [`FixedServer::shutdown`] or drop.
#[derive(Debug)]
pub struct FixedServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FixedServer {
    /// Serves `body` on `addr` (port 0: any free port).
    pub async fn start(body: Bytes, addr: SocketAddr) -> std::io::Result<FixedServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve(listener, body, stopped));
        Ok(FixedServer {
            addr,
            stop,
            task: Some(task),
        })
    }

    /// Serves `body` on an ephemeral loopback port.
    pub async fn start_local(body: Bytes) -> std::io::Result<FixedServer> {
        Self::start(body, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// The socket address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An Autotask-shaped base URL on this server, `http://127.0.0.1:PORT/ATServicesRest/` (any path
    /// gets the same answer).
    pub fn base_url(&self) -> String {
        format!("http://{}/ATServicesRest/", self.addr)
    }

    /// Stops accepting and closes open connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(listener: TcpListener, body: Bytes, mut stopped: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let body = body.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let body = body.clone();
                        async move {
                            // Read the request to its end: the connection is reused for the next one.
                            let _ = request.into_body().collect().await;
                            Ok::<_, Infallible>(
                                Response::builder()
                                    .header("Content-Type", "application/json; charset=utf-8")
                                    .body(Full::new(body))
                                    .expect("static response parts"),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = stopped.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}
