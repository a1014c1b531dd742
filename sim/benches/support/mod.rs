//! Shared by the simulator's benches: a reqwest client that sends the demo user's credentials.

/// A client with `ApiIntegrationCode`, `UserName` and `Secret` of the built-in demo user.
pub fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in [
        ("ApiIntegrationCode", autotask_sim::DEFAULT_INTEGRATION_CODE),
        ("UserName", autotask_sim::DEFAULT_USERNAME),
        ("Secret", autotask_sim::DEFAULT_SECRET),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// `GET {base}V1.0/Tickets/{id}`, which must succeed; the body is read in full.
pub async fn get_ticket(client: &reqwest::Client, base: &str, id: i64) {
    let response = client
        .get(format!("{base}V1.0/Tickets/{id}"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.bytes().await.unwrap();
}
