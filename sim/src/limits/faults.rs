//! Fault injection: rules matched on method and path, triggered on every Nth match, with a probability
//! (seeded, so runs are repeatable), for the next K matches, or always. Rules can also be written as text,
//! `kind:rate[:method][:path]` (the binary's `--fault`), see [`FaultRule::parse`].

use crate::rng::SplitMix64;
use std::str::FromStr;
use std::time::Duration;

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer `500 {"errors":["Simulated fault..."]}` without processing.
    ServerError,
    /// Answer `429` with `Retry-After: seconds` without processing.
    TooManyRequests {
        /// The `Retry-After` header's value, in whole seconds.
        retry_after_secs: u64,
    },
    /// Wait this long (holding the request's thread slot), then process normally.
    Delay(Duration),
    /// Close the TCP connection without processing or answering.
    DropConnection,
    /// Process the request (writes happen), then close the connection without answering.
    ResponseLost,
}

/// When a matching rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// Every matching request.
    Always,
    /// The Nth, 2Nth, ... matching request.
    EveryNth(u64),
    /// Each matching request with this probability, from the simulator's seeded generator.
    Probability(f64),
    /// The next K matching requests, then never again.
    NextK(u64),
}

/// A fault rule. Build with [`FaultRule::new`] and the narrowing methods, or parse one from the text
/// form `kind:rate[:method][:path]` ([`FaultRule::parse`]):
///
/// ```
/// use autotask_sim::{FaultKind, FaultRule, Trigger};
/// use std::time::Duration;
///
/// // Half of the POSTs to a path containing /Tickets/query answer 500.
/// let rule: FaultRule = "server-error:0.5:POST:/Tickets/query".parse().unwrap();
/// assert_eq!(rule, FaultRule::new(FaultKind::ServerError).probability(0.5).method("POST").path_contains("/Tickets/query"));
///
/// // Every request waits 2 s (inside its thread slot).
/// let slow = FaultRule::parse("delay=2s:1").unwrap();
/// assert_eq!((slow.kind, slow.trigger), (FaultKind::Delay(Duration::from_secs(2)), Trigger::Always));
///
/// // 10% of any method on paths containing /Companies get 429 with Retry-After: 30.
/// let busy = FaultRule::parse("429=30:10%::/Companies").unwrap();
/// assert_eq!(busy.kind, FaultKind::TooManyRequests { retry_after_secs: 30 });
/// assert_eq!(busy.method, None);
///
/// assert!(FaultRule::parse("explode:0.5").is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// What happens when the rule fires.
    pub kind: FaultKind,
    /// Only this HTTP method (any when `None`).
    pub method: Option<String>,
    /// Only paths containing this text, case-insensitively (any when `None`), e.g. `"/Tickets/query"`.
    pub path_contains: Option<String>,
    /// Which matching requests it fires on ([`Trigger::Always`] unless narrowed).
    pub trigger: Trigger,
}

impl FaultRule {
    /// A rule firing `kind` on every request.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            method: None,
            path_contains: None,
            trigger: Trigger::Always,
        }
    }

    /// Restricts the rule to one method.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Restricts the rule to paths containing `text` (case-insensitive).
    pub fn path_contains(mut self, text: &str) -> Self {
        self.path_contains = Some(text.to_ascii_lowercase());
        self
    }

    /// Fires on every `n`th match.
    pub fn every_nth(mut self, n: u64) -> Self {
        self.trigger = Trigger::EveryNth(n.max(1));
        self
    }

    /// Fires with probability `p` per match (drawn from the simulator's seeded generator).
    pub fn probability(mut self, p: f64) -> Self {
        self.trigger = Trigger::Probability(p);
        self
    }

    /// Fires on the next `k` matches only.
    pub fn next(mut self, k: u64) -> Self {
        self.trigger = Trigger::NextK(k);
        self
    }

    /// Parses the text form `kind:rate[:method][:path]`:
    ///
    /// * `kind`: `server-error` (or `500`): answer 500; `too-many-requests[=SECS]` (or `429[=SECS]`):
    ///   answer 429 with `Retry-After: SECS` (default 1); `delay=DURATION`: wait, then process
    ///   (`DURATION` is milliseconds, or has an `ms` or `s` suffix); `drop-connection` (or `drop`): close
    ///   the connection unprocessed; `response-lost` (or `lost`): process, then close without answering.
    /// * `rate`: the probability that a matching request gets the fault, `0` to `1` (`0.25`) or a
    ///   percentage (`25%`); `1` or `100%` means every matching request.
    /// * `method`: `GET`, `POST`, `PATCH`, `PUT` or `DELETE` (any case); empty or `*` for any.
    /// * `path`: only paths containing this text, case-insensitively (the rest of the spec, so it may hold
    ///   `:`). A spec whose third part starts with `/` takes it as the path, with any method.
    pub fn parse(spec: &str) -> Result<FaultRule, FaultSpecError> {
        let error = |why: &str| FaultSpecError(format!("{spec:?}: {why}"));
        let mut parts = spec.splitn(3, ':');
        let kind_text = parts.next().unwrap_or_default().trim();
        let rate_text = parts
            .next()
            .ok_or_else(|| error("expected kind:rate[:method][:path]"))?
            .trim();
        let kind = parse_kind(kind_text).map_err(|why| error(&why))?;
        let mut rule = FaultRule::new(kind);
        let probability = parse_rate(rate_text).map_err(|why| error(&why))?;
        if probability < 1.0 {
            rule = rule.probability(probability);
        }
        let rest = parts.next().unwrap_or_default();
        let (method, path) = if rest.starts_with('/') {
            ("", rest)
        } else {
            rest.split_once(':').unwrap_or((rest, ""))
        };
        match method.trim() {
            "" | "*" => {}
            m if ["GET", "POST", "PATCH", "PUT", "DELETE"]
                .iter()
                .any(|known| known.eq_ignore_ascii_case(m)) =>
            {
                rule = rule.method(m);
            }
            other => {
                return Err(error(&format!(
                    "unknown method {other:?} (GET, POST, PATCH, PUT, DELETE or *)"
                )))
            }
        }
        if !path.is_empty() {
            rule = rule.path_contains(path);
        }
        Ok(rule)
    }

    fn applies_to(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.to_ascii_lowercase().contains(p))
    }
}

impl FromStr for FaultRule {
    type Err = FaultSpecError;

    /// See [`FaultRule::parse`].
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        FaultRule::parse(spec)
    }
}

/// A fault spec that does not parse; the text says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec {0}")]
pub struct FaultSpecError(String);

fn parse_kind(text: &str) -> Result<FaultKind, String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name.trim(), Some(value.trim())),
        None => (text, None),
    };
    let no_value = |kind: FaultKind| match value {
        None => Ok(kind),
        Some(_) => Err(format!("{name} takes no value")),
    };
    match name.to_ascii_lowercase().as_str() {
        "server-error" | "500" => no_value(FaultKind::ServerError),
        "drop-connection" | "drop" => no_value(FaultKind::DropConnection),
        "response-lost" | "lost" => no_value(FaultKind::ResponseLost),
        "too-many-requests" | "429" => {
            let retry_after_secs = match value {
                None => 1,
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("{v:?} is not a whole number of seconds"))?,
            };
            Ok(FaultKind::TooManyRequests { retry_after_secs })
        }
        "delay" => {
            let v = value.ok_or("delay needs a duration, e.g. delay=500ms")?;
            parse_duration(v).map(FaultKind::Delay)
        }
        _ => Err(format!(
            "unknown fault kind {name:?} (server-error, too-many-requests, delay, drop-connection, response-lost)"
        )),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a duration (500, 500ms, 2s)");
    if let Some(seconds) = text.strip_suffix("ms") {
        seconds
            .trim()
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| invalid())
    } else if let Some(seconds) = text.strip_suffix('s') {
        let seconds: f64 = seconds.trim().parse().map_err(|_| invalid())?;
        Duration::try_from_secs_f64(seconds).map_err(|_| invalid())
    } else {
        text.parse()
            .map(Duration::from_millis)
            .map_err(|_| invalid())
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let invalid = || format!("rate {text:?} is not a probability (0.25) or a percentage (25%)");
    let value = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map_err(|_| invalid())? / 100.0,
        None => text.parse::<f64>().map_err(|_| invalid())?,
    };
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid())
    }
}

/// Identifies an added rule, for removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultId(pub u64);

#[derive(Debug)]
struct ActiveRule {
    id: FaultId,
    rule: FaultRule,
    matched: u64,
}

/// The rules in force.
#[derive(Debug)]
pub struct FaultSet {
    rules: Vec<ActiveRule>,
    next_id: u64,
    rng: SplitMix64,
}

impl FaultSet {
    /// An empty set whose probabilistic rules draw from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rules: Vec::new(),
            next_id: 1,
            rng: SplitMix64::new(seed),
        }
    }

    /// Adds a rule.
    pub fn add(&mut self, rule: FaultRule) -> FaultId {
        let id = FaultId(self.next_id);
        self.next_id += 1;
        self.rules.push(ActiveRule {
            id,
            rule,
            matched: 0,
        });
        id
    }

    /// Removes one rule; false when it was not there.
    pub fn remove(&mut self, id: FaultId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault to inject into this request, if any (the first rule that fires wins).
    pub fn pick(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let mut fired = None;
        for active in &mut self.rules {
            if !active.rule.applies_to(method, path) {
                continue;
            }
            active.matched += 1;
            let fires = match active.rule.trigger {
                Trigger::Always => true,
                Trigger::EveryNth(n) => active.matched % n == 0,
                Trigger::Probability(p) => self.rng.next_f64() < p,
                Trigger::NextK(k) => active.matched <= k,
            };
            if fires {
                fired = Some(active.rule.kind.clone());
                break;
            }
        }
        self.rules
            .retain(|r| !matches!(r.rule.trigger, Trigger::NextK(k) if r.matched >= k));
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_into_rules() {
        let cases = [
            ("500:1", FaultRule::new(FaultKind::ServerError)),
            (
                "lost:100%:patch",
                FaultRule::new(FaultKind::ResponseLost).method("PATCH"),
            ),
            (
                "drop:0.1:*:/V1.0/Tickets",
                FaultRule::new(FaultKind::DropConnection)
                    .probability(0.1)
                    .path_contains("/v1.0/tickets"),
            ),
            (
                "too-many-requests:0.5:/Companies/query",
                FaultRule::new(FaultKind::TooManyRequests {
                    retry_after_secs: 1,
                })
                .probability(0.5)
                .path_contains("/companies/query"),
            ),
            (
                "delay=150:1:GET:/a:b",
                FaultRule::new(FaultKind::Delay(Duration::from_millis(150)))
                    .method("GET")
                    .path_contains("/a:b"),
            ),
            (
                "delay=1.5s:1",
                FaultRule::new(FaultKind::Delay(Duration::from_millis(1500))),
            ),
        ];
        for (spec, rule) in cases {
            assert_eq!(FaultRule::parse(spec).as_ref(), Ok(&rule), "{spec}");
        }
    }

    #[test]
    fn bad_specs_say_why() {
        for (spec, why) in [
            ("500", "kind:rate"),
            ("boom:1", "unknown fault kind"),
            ("500:2", "rate"),
            ("500:abc", "rate"),
            ("delay:1", "duration"),
            ("delay=soon:1", "duration"),
            ("500=3:1", "no value"),
            ("500:1:FETCH", "unknown method"),
            ("429=x:1", "seconds"),
        ] {
            let error = FaultRule::parse(spec).unwrap_err().to_string();
            assert!(error.contains(why), "{spec}: {error}");
        }
    }
}
