//! The CLI's error: what failed, why, and what to do, with a documented exit code per kind.

use std::fmt;

/// Exit codes, documented in `autotask --help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success (also when the reader of the output stopped early, as `| head` does).
    Success = 0,
    /// 1: anything else (connection refused, server error, I/O, aborted by the user).
    Failure = 1,
    /// 2: bad arguments, filter or names; refused before anything was sent.
    Usage = 2,
    /// 3: missing or rejected credentials, or permission denied.
    Auth = 3,
    /// 4: the record or route does not exist.
    NotFound = 4,
    /// 5: Autotask rejected the request's content.
    Validation = 5,
    /// 6: the hourly threshold or the thread limit was hit (after the SDK's retries).
    RateLimited = 6,
    /// 7: a bulk command where some records failed and others succeeded.
    Partial = 7,
    /// 130: interrupted by Ctrl-C (an export leaves a checkpoint to resume from).
    Interrupted = 130,
}

/// The exit-code table shown in `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    other failure (connection, server error, I/O, not confirmed)
  2    usage error: bad arguments, filter, entity or field name (nothing was sent)
  3    authentication: missing or rejected credentials, permission denied
  4    not found
  5    validation: Autotask rejected the request's content
  6    rate limited: hourly threshold or thread limit, after retries
  7    partial failure of a bulk command (see the per-record results)
  130  interrupted (Ctrl-C); an export can be resumed with --resume";

/// One error, printed as one line: `error: <what>: <why>` and, when there is one, `; <hint>`.
#[derive(Debug)]
pub struct CliError {
    /// The exit code's kind.
    pub exit: Exit,
    /// What failed and why.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// Extra lines shown under the message (the filter with a caret under the mistake).
    pub detail: Option<String>,
    /// Exit with the code but print nothing (the output pipe was closed: `| head`).
    pub silent: bool,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
            detail: None,
            silent: false,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Prefixes the message with what was being done (`get Tickets 5: ...`).
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    pub fn silent(mut self) -> Self {
        self.silent = true;
        self
    }

    pub fn io(what: impl fmt::Display, error: std::io::Error) -> Self {
        Self::failure(format!("{what}: {error}"))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
