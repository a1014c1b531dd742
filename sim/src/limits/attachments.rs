//! The attachment window (PROTOCOL.md §6.3): at most 10,000,000 bytes of attachment data in any 5-minute
//! window; going over it blocks attachment creation for 5 minutes, the upload that crossed the limit
//! included.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window, and how long a block lasts.
pub const WINDOW: Duration = Duration::from_secs(300);

/// Attachment bytes accepted in the last five minutes, and the block, if one is in force.
#[derive(Debug, Default)]
pub struct AttachmentWindow {
    uploads: VecDeque<(Instant, u64)>,
    total: u64,
    blocked_until: Option<Instant>,
}

/// Why an upload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This upload would take the window over the limit; a block starts now.
    Crossed,
    /// A block started earlier is still in force, for this long.
    Blocked(Duration),
}

impl AttachmentWindow {
    /// Accounts `bytes` if the window has room under `limit` and no block is in force.
    pub fn try_add(&mut self, bytes: u64, limit: u64, now: Instant) -> Result<(), Refusal> {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Err(Refusal::Blocked(until - now));
            }
            self.blocked_until = None;
        }
        while let Some(&(at, size)) = self.uploads.front() {
            if now.duration_since(at) < WINDOW {
                break;
            }
            self.total -= size;
            self.uploads.pop_front();
        }
        if self.total + bytes > limit {
            self.blocked_until = Some(now + WINDOW);
            return Err(Refusal::Crossed);
        }
        self.total += bytes;
        self.uploads.push_back((now, bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_blocks_for_five_minutes_then_the_window_is_fresh() {
        let mut window = AttachmentWindow::default();
        let start = Instant::now();
        assert_eq!(window.try_add(800, 1_500, start), Ok(()));
        assert_eq!(window.try_add(800, 1_500, start), Err(Refusal::Crossed));
        let later = start + Duration::from_secs(60);
        assert_eq!(
            window.try_add(1, 1_500, later),
            Err(Refusal::Blocked(Duration::from_secs(240)))
        );
        let after = start + WINDOW;
        assert_eq!(window.try_add(1_500, 1_500, after), Ok(()));
    }
}
