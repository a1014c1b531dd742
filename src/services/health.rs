//! `client.health()`: py-autotask's `SystemHealth`, from real requests.

use super::api_usage::ThresholdUsage;
use crate::client::Client;
use crate::error::{Error, Result};
use serde_json::Value;
use std::time::{Duration, Instant};
use url::Url;

/// The zone the API user's tenant lives in (`zoneInformation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneInfo {
    /// `zoneName`.
    pub name: String,
    /// `url`: the zone's API base (`https://webservicesN.autotask.net/ATServicesRest/`).
    pub url: String,
    /// `webUrl`: the zone's web UI.
    pub web_url: Option<String>,
    /// `ci`: the tenant database's identifier.
    pub ci: Option<i64>,
}

/// The answer of [`Health::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReport {
    /// `apiVersions` from `versioninformation` (the last one is the current version, `V1.0`).
    pub api_versions: Vec<String>,
    /// What `zoneInformation` says for this client's user.
    pub zone: ZoneInfo,
    /// The API base this client sends requests to.
    pub base_url: Url,
    /// True when the client's base is on the host zoneInformation names (false after a tenant move
    /// the client has not noticed yet, or when the client was pointed at another base on purpose).
    pub base_matches_zone: bool,
    /// Round trip of one authenticated `GET /ThresholdInformation`, as measured here.
    pub latency: Duration,
    /// That request's answer.
    pub usage: ThresholdUsage,
}

/// py-autotask's `SystemHealth`: `client.health()`.
#[derive(Debug, Clone)]
pub struct Health {
    client: Client,
}

impl Client {
    /// API version, zone, round-trip latency and threshold usage.
    pub fn health(&self) -> Health {
        Health {
            client: self.clone(),
        }
    }
}

impl Health {
    /// Makes three requests in turn:
    ///
    /// 1. `GET {host}/ATServicesRest/versioninformation`, without credentials (as the API wants);
    /// 2. `GET .../V1.0/zoneInformation?user={username}`, without credentials;
    /// 3. `GET .../V1.0/ThresholdInformation`, authenticated and timed: its round trip is the latency
    ///    (it is the cheapest authenticated call; it counts against the hourly threshold).
    ///
    /// If the client has no base URL yet, zone detection runs first (two more unauthenticated GETs).
    /// Any failing request fails the check with that request's error: an unreachable or refusing API is
    /// the answer a health check exists to give.
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// let health = client.health().check().await?;
    /// println!("{} in {}: {:?}", health.api_versions.join(","), health.zone.name, health.latency);
    /// # Ok(()) }
    /// ```
    pub async fn check(&self) -> Result<HealthReport> {
        let base = self.client.base_url().await?;
        let version_url = join(&base, "../versioninformation")?;
        let versions = self.client.plain_get(version_url).await?;
        let api_versions = versions["apiVersions"]
            .as_array()
            .ok_or_else(|| {
                Error::Protocol(format!("versioninformation has no apiVersions: {versions}"))
            })?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut zone_url = join(&base, "zoneInformation")?;
        zone_url
            .query_pairs_mut()
            .append_pair("user", self.client.username());
        let zone = parse_zone(&self.client.plain_get(zone_url).await?)?;
        let base_matches_zone = Url::parse(&zone.url)
            .map(|zone_url| zone_url.origin() == base.origin())
            .unwrap_or(false);
        // The round trip is timed on the cheapest authenticated request, which also gives the usage.
        let started = Instant::now();
        let usage = self.client.api_usage().get_current_usage().await?;
        let latency = started.elapsed();
        Ok(HealthReport {
            api_versions,
            zone,
            base_url: base,
            base_matches_zone,
            latency,
            usage,
        })
    }
}

fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .map_err(|e| Error::Configuration(format!("cannot build {path} from {base}: {e}")))
}

fn parse_zone(answer: &Value) -> Result<ZoneInfo> {
    let text = |key: &str| answer[key].as_str().map(str::to_string);
    Ok(ZoneInfo {
        name: text("zoneName")
            .ok_or_else(|| Error::Protocol(format!("zoneInformation has no zoneName: {answer}")))?,
        url: text("url")
            .ok_or_else(|| Error::Protocol(format!("zoneInformation has no url: {answer}")))?,
        web_url: text("webUrl"),
        ci: answer["ci"].as_i64(),
    })
}
