//! The response body. It carries the request's thread slot (PROTOCOL.md §6.2), so the slot stays busy
//! while the answer is being written, and is freed at a moment the client cannot get ahead of.
//!
//! **When the slot is released.** The body is handed to hyper in chunks; hyper asks for the next chunk
//! only when it can write more, so while a client is slow to read, the slot stays held. The slot is
//! released when hyper takes the *last* chunk, that is, *before* the answer's final bytes are written
//! to the socket. Releasing after the final flush instead would leave a window in which a client already
//! has the whole answer (its `Content-Length` is satisfied) but the slot is still counted: a client that
//! sends its next request as soon as it has read the answer could then be refused by its own finished
//! request. With the release before the last write, a request sent after the complete answer was read
//! always finds the slot free: deterministic with respect to everything the client can observe. The
//! price is that the slot is free while that last chunk (at most [`CHUNK`] bytes) is in flight.
//! If the client goes away, hyper drops the body and the slot is released with it.

use crate::limits::threads::SlotGuard;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The largest chunk handed to hyper at a time.
pub const CHUNK: usize = 64 * 1024;

/// A complete answer body, written in chunks, holding the thread slot (if any) until the last chunk.
#[derive(Debug)]
pub struct AnswerBody {
    rest: Bytes,
    slot: Option<SlotGuard>,
}

impl AnswerBody {
    /// `bytes`, releasing `slot` when the last chunk is taken.
    pub fn new(bytes: impl Into<Bytes>, slot: Option<SlotGuard>) -> Self {
        AnswerBody {
            rest: bytes.into(),
            slot,
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            this.slot = None;
            return Poll::Ready(None);
        }
        let chunk = this.rest.split_to(this.rest.len().min(CHUNK));
        if this.rest.is_empty() {
            // The last chunk: release before it is written (see the module documentation).
            this.slot = None;
        }
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.rest.len() as u64)
    }
}
