//! Sending one callout: an HTTP POST with reqwest, to loopback hosts only unless allowed, with a timeout,
//! never retried (PROTOCOL.md §6.8 documents no retries).

use super::{CalloutDelivery, DeliveryOptions};
use std::net::IpAddr;

/// The client every delivery of one simulator uses: no proxy, no redirects, the configured timeout.
pub fn client(options: DeliveryOptions) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .user_agent("autotask-sim")
        .build()
        .unwrap_or_default()
}

/// POSTs the callout; the receiver's status code, or why there is none.
pub async fn send(
    client: &reqwest::Client,
    delivery: &CalloutDelivery,
    options: DeliveryOptions,
) -> Result<u16, String> {
    let url = url::Url::parse(&delivery.url)
        .map_err(|e| format!("refused: {:?} is not a valid URL: {e}", delivery.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "refused: callouts go to http or https URLs, not {}",
            url.scheme()
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    if !loopback && !options.allow_non_loopback {
        return Err(format!(
            "refused: {} is not a loopback address (allow_non_loopback_callouts is off)",
            url.host_str().unwrap_or_default()
        ));
    }
    let response = client
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-Hook-Signature", &delivery.signature)
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                format!("timed out after {:?}", options.timeout)
            } else {
                format!("delivery failed: {e}")
            }
        })?;
    Ok(response.status().as_u16())
}
