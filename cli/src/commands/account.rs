//! `whoami` and `usage`: who the connection is, and what it costs against Autotask's limits.

use super::connect;
use crate::args::Global;
use crate::error::Result;
use crate::output::{self, Format, RecordWriter};
use serde_json::json;
use std::collections::BTreeMap;

pub async fn whoami(global: &Global) -> Result<()> {
    let sdk = connect(global)?;
    let identity = sdk.identity().await?;
    let usage = &identity.usage;
    let value = json!({
        "user": sdk.username,
        "credentials": sdk.source,
        "zone": identity.zone_name,
        "zoneUrl": identity.zone_url,
        "webUrl": identity.web_url,
        "apiUrl": identity.base_url,
        "apiVersions": identity.api_versions,
        "latencyMs": identity.latency.as_millis() as u64,
        "threshold": usage.threshold,
        "requestsThisHour": usage.current_count,
        "timeframeMinutes": usage.timeframe_minutes,
    });
    output::print_value(Format::choose(global.format), &value, || {
        format!(
            "user:        {}\ncredentials: {}\nzone:        {} ({})\napi:         {} (versions {})\nlatency:     {} ms\nthreshold:   {} of {} requests used in the last {} minutes ({:.1}%)",
            sdk.username,
            sdk.source,
            identity.zone_name,
            identity.zone_url,
            identity.base_url,
            identity.api_versions.join(", "),
            identity.latency.as_millis(),
            usage.current_count,
            usage.threshold,
            usage.timeframe_minutes,
            usage.share_used() * 100.0
        )
    })
}

pub async fn usage(global: &Global) -> Result<()> {
    let sdk = connect(global)?;
    let (usage, level, concurrency, advice) = sdk.rate_limits().await?;
    let format = Format::choose(global.format);
    let stats = sdk.endpoint_stats();
    let endpoints: Vec<serde_json::Value> = stats
        .iter()
        .map(|(endpoint, s)| {
            json!({
                "endpoint": endpoint,
                "requests": s.requests,
                "errors": s.errors,
                "retries": s.retries,
                "meanMs": s.mean_latency().as_millis() as u64,
                "maxMs": s.max_latency.as_millis() as u64,
            })
        })
        .collect();
    let summary = json!({
        "threshold": usage.threshold,
        "requestsThisHour": usage.current_count,
        "remaining": usage.remaining(),
        "timeframeMinutes": usage.timeframe_minutes,
        "level": format!("{level:?}"),
        "threadsPerEndpoint": concurrency,
        "advice": advice,
        "endpoints": endpoints,
    });
    if matches!(format, Format::Json | Format::Jsonl) {
        return output::print_value(format, &summary, String::new);
    }
    let mut text = format!(
        "threshold:   {} of {} requests used in the last {} minutes ({:.1}%), {} left\nlevel:       {level:?}\nthreads:     {concurrency} per endpoint\n",
        usage.current_count,
        usage.threshold,
        usage.timeframe_minutes,
        usage.share_used() * 100.0,
        usage.remaining()
    );
    for line in &advice {
        text.push_str(&format!("advice:      {line}\n"));
    }
    text.push_str("\nrequests of this run:");
    output::emit(&text)?;
    let columns = [
        "endpoint", "requests", "errors", "retries", "meanMs", "maxMs",
    ]
    .map(String::from)
    .to_vec();
    let mut writer = RecordWriter::stdout(format, columns, BTreeMap::new())?;
    for row in &endpoints {
        writer.write(row)?;
    }
    writer.finish()
}
