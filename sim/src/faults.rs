//! Fault injection: rules matched on method and path, triggered on every Nth match, with a probability
//! (seeded, so runs are repeatable), for the next K matches, or always.

use crate::rng::SplitMix64;
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

/// A fault rule. Build with [`FaultRule::new`] and the narrowing methods.
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

    /// Fires with probability `p` per match.
    pub fn probability(mut self, p: f64) -> Self {
        self.trigger = Trigger::Probability(p);
        self
    }

    /// Fires on the next `k` matches only.
    pub fn next(mut self, k: u64) -> Self {
        self.trigger = Trigger::NextK(k);
        self
    }

    fn applies_to(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.to_ascii_lowercase().contains(p))
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
