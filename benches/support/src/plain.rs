//! The baseline a user would write by hand: reqwest, the demo credentials as headers, one POST per
//! page re-sending the same body to `nextPageUrl` until there is none (PROTOCOL.md 3.4), each page
//! decoded in one `serde_json::from_slice` pass into the item type the caller names.

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A client sending the simulator's demo credentials (`ApiIntegrationCode`, `UserName`, `Secret`).
pub fn demo_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in [
        ("ApiIntegrationCode", autotask_sim::DEFAULT_INTEGRATION_CODE),
        ("UserName", autotask_sim::DEFAULT_USERNAME),
        ("Secret", autotask_sim::DEFAULT_SECRET),
    ] {
        headers.insert(name, value.parse().expect("header value"));
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client builds")
}

/// A query answer: the records and where the next page is.
#[derive(Debug, Deserialize)]
pub struct PageOf<T> {
    /// The records of the page.
    pub items: Vec<T>,
    /// `nextPageUrl` and friends.
    #[serde(rename = "pageDetails")]
    pub page_details: PageDetails,
}

/// The part of `pageDetails` paging needs.
#[derive(Debug, Deserialize)]
pub struct PageDetails {
    /// The next page, re-POSTed with the same body; `null` on the last page.
    #[serde(rename = "nextPageUrl")]
    pub next_page_url: Option<String>,
}

/// `POST url` with `body`; the page decoded as `PageOf<T>`.
pub async fn post_page<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    body: &str,
) -> PageOf<T> {
    let answer = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("query sent");
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    let bytes = answer.bytes().await.expect("page read");
    serde_json::from_slice(&bytes).expect("page decodes")
}

/// Follows `nextPageUrl` from `POST {base}V1.0/{entity}/query` to the last page, handing each record to
/// `each`; the number of records.
pub async fn query_loop<T: DeserializeOwned>(
    client: &reqwest::Client,
    base: &str,
    entity: &str,
    body: &str,
    mut each: impl FnMut(T),
) -> u64 {
    let mut url = format!("{base}V1.0/{entity}/query");
    let mut records = 0;
    loop {
        let page: PageOf<T> = post_page(client, &url, body).await;
        records += page.items.len() as u64;
        page.items.into_iter().for_each(&mut each);
        match page.page_details.next_page_url {
            Some(next) if !next.trim().is_empty() => url = next,
            _ => return records,
        }
    }
}
