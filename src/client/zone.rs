//! Zone detection (`versioninformation`, then `zoneInformation?user=`) and the rules for which hosts may
//! receive the credentials.

use super::sync::lock;
use super::Client;
use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use url::Url;

/// Zones found per (zone lookup URL, user), shared by every client in the process: the same user name
/// asked of another lookup host (a test tenant, a simulator) may live in another zone.
fn zone_cache() -> &'static Mutex<HashMap<(String, String), Url>> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), Url>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Whether a zone answer's API base may receive the credentials: on the lookup host itself, or on a host
/// of the same parent domain (`webservices15.autotask.net` for a lookup on `webservices2.autotask.net`);
/// for a loopback lookup (a simulator, a test), on a loopback host.
fn zone_host_allowed(lookup: &Url, zone: &Url) -> bool {
    if is_loopback(lookup) {
        return is_loopback(zone);
    }
    let (Some(lookup_host), Some(zone_host)) = (lookup.host_str(), zone.host_str()) else {
        return false;
    };
    let (lookup_host, zone_host) = (
        lookup_host.to_ascii_lowercase(),
        zone_host.to_ascii_lowercase(),
    );
    if lookup_host == zone_host {
        return true;
    }
    // The parent domain must itself have two labels at least (`autotask.net`, never `net`).
    match lookup_host.split_once('.') {
        Some((_, parent)) if parent.contains('.') => zone_host.ends_with(&format!(".{parent}")),
        _ => false,
    }
}

/// https only, except loopback addresses (the simulator, local tests).
pub(super) fn checked_url(text: &str) -> Result<Url> {
    let url =
        Url::parse(text).map_err(|e| Error::Configuration(format!("invalid URL {text:?}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(Error::Configuration(format!(
            "{text:?}: only https URLs are allowed (http only for loopback addresses)"
        ))),
    }
}

pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `https://x/ATServicesRest/` (as zoneInformation gives it) or `.../V1.0/` → the `V1.0/` base.
pub(super) fn api_base(text: &str) -> Result<Url> {
    let mut text = text.trim().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    if !text.to_ascii_lowercase().ends_with("/v1.0/") {
        text.push_str("V1.0/");
    }
    checked_url(&text)
}

impl Client {
    /// `versioninformation` then `zoneInformation?user=`; cached per (lookup URL, user) unless `fresh`.
    /// The answer's `url` must be on the lookup host's domain ([`zone_host_allowed`]) before any
    /// credential is sent to it.
    pub(crate) async fn detect_zone(&self, fresh: bool) -> Result<Url> {
        let mut slot = self.inner.base.write().await;
        let lookup = &self.inner.zone_lookup;
        let key = (lookup.as_str().to_string(), self.inner.username.clone());
        if !fresh {
            if let Some(base) = slot.clone() {
                return Ok(base);
            }
            if let Some(base) = lock(zone_cache()).get(&key).cloned() {
                *slot = Some(base.clone());
                return Ok(base);
            }
        }
        let lookup_url = |path: &str| {
            let url = lookup
                .join(path)
                .map_err(|e| Error::Configuration(format!("zone lookup URL: {e}")))?;
            if url.origin() == lookup.origin() {
                Ok(url)
            } else {
                Err(Error::Protocol(format!(
                    "refusing the zone lookup path {path:?}: it leaves the lookup host"
                )))
            }
        };
        let versions: Value = self.plain_get(lookup_url("versioninformation")?).await?;
        let version = versions["apiVersions"]
            .as_array()
            .and_then(|v| v.last())
            .and_then(Value::as_str)
            .unwrap_or("V1.0")
            .to_string();
        let mut zone_url = lookup_url(&format!("{version}/zoneInformation"))?;
        zone_url
            .query_pairs_mut()
            .append_pair("user", &self.inner.username);
        let zone: Value = self.plain_get(zone_url).await.map_err(|error| {
            // The lookup answers an unknown user with "Zone information could not be determined".
            if error.is_validation() || error.is_not_found() {
                Error::Authentication {
                    status: match &error {
                        Error::Validation { status, .. } | Error::NotFound { status, .. } => {
                            *status
                        }
                        _ => 500,
                    },
                    message: format!(
                        "the zone lookup does not know the user name {:?} ({error}); check \
                         AUTOTASK_USERNAME / ClientBuilder::username",
                        self.inner.username
                    ),
                }
            } else {
                error
            }
        })?;
        let url = zone["url"]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("zoneInformation answer has no url: {zone}")))?;
        let base = api_base(url)?;
        if !zone_host_allowed(lookup, &base) {
            return Err(Error::Protocol(format!(
                "refusing the zone {url:?}: its host is not on the zone lookup host's domain ({}), so \
                 the credentials are not sent there",
                lookup.host_str().unwrap_or_default()
            )));
        }
        tracing::debug!(zone = zone["zoneName"].as_str().unwrap_or(""), base = %base, "zone detected");
        lock(zone_cache()).insert(key, base.clone());
        *slot = Some(base.clone());
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback() {
        assert!(checked_url("https://webservices2.autotask.net/atservicesrest/").is_ok());
        assert!(checked_url("http://127.0.0.1:8080/").is_ok());
        assert!(checked_url("http://localhost:1/").is_ok());
        assert!(checked_url("http://[::1]:1/").is_ok());
        assert!(matches!(
            checked_url("http://example.com/"),
            Err(Error::Configuration(_))
        ));
    }

    #[test]
    fn api_base_accepts_zone_url_forms() {
        let base = api_base("https://webservices15.autotask.net/ATServicesRest/").unwrap();
        assert_eq!(
            base.as_str(),
            "https://webservices15.autotask.net/ATServicesRest/V1.0/"
        );
        let base = api_base("https://webservices15.autotask.net/atservicesrest/v1.0").unwrap();
        assert_eq!(
            base.as_str(),
            "https://webservices15.autotask.net/atservicesrest/v1.0/"
        );
    }

    #[test]
    fn zone_hosts_stay_on_the_lookup_domain() {
        let url = |u: &str| Url::parse(u).unwrap();
        let lookup = url("https://webservices2.autotask.net/atservicesrest/");
        assert!(zone_host_allowed(
            &lookup,
            &url("https://webservices15.autotask.net/x/")
        ));
        assert!(zone_host_allowed(
            &lookup,
            &url("https://WEBSERVICES2.autotask.net/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://webservices15.attacker.example/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://autotask.net.attacker.example/x/")
        ));
        assert!(!zone_host_allowed(
            &lookup,
            &url("https://evilautotask.net/x/")
        ));
        let local = url("http://127.0.0.1:9/atservicesrest/");
        assert!(zone_host_allowed(&local, &url("http://127.0.0.1:10/x/")));
        assert!(!zone_host_allowed(
            &local,
            &url("https://webservices15.autotask.net/x/")
        ));
        let short = url("https://localhost.net/");
        assert!(!zone_host_allowed(&short, &url("https://other.net/")));
    }
}
