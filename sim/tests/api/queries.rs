//! Query grammar, IncludeFields, MaxRecords, count and paging.

use crate::common::{error_text, start, Harness};
use autotask_sim::Simulator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn tickets() -> Harness {
    let h = start(Simulator::builder()).await;
    let rows = [
        (
            "Printer offline",
            1,
            2,
            "2024-01-01T10:00:00Z",
            Some("REF-1"),
        ),
        ("printer jam", 5, 1, "2024-01-02T10:00:00.5Z", None),
        ("VPN down", 8, 3, "2024-01-03T10:00:00Z", Some("ref-2")),
        ("Email", 5, 4, "2024-01-04T10:00:00Z", None),
    ];
    for (title, status, priority, due, reference) in rows {
        h.sim
            .insert("Tickets", json!({"companyID": 0, "title": title, "status": status, "priority": priority, "dueDateTime": due,
                                      "isVisibleToComanaged": status == 5,
                                      "userDefinedFields": [{"name": "Customer Reference", "value": reference}]}))
            .unwrap();
    }
    h
}

async fn ids(h: &Harness, filter: Value) -> Vec<i64> {
    let (status, body) = h
        .post("V1.0/Tickets/query", json!({ "filter": filter }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_operator() {
    let h = tickets().await;
    let f =
        |op: &str, field: &str, value: Value| json!([{"op": op, "field": field, "value": value}]);
    assert_eq!(ids(&h, f("eq", "status", json!(5))).await, [2, 4]);
    assert_eq!(ids(&h, f("noteq", "status", json!(5))).await, [1, 3]);
    assert_eq!(ids(&h, f("gt", "priority", json!(2))).await, [3, 4]);
    assert_eq!(ids(&h, f("gte", "priority", json!("2"))).await, [1, 3, 4]);
    assert_eq!(
        ids(&h, f("lt", "dueDateTime", json!("2024-01-02T10:00:00.5Z"))).await,
        [1]
    );
    assert_eq!(
        ids(
            &h,
            f("lte", "dueDateTime", json!("2024-01-02T11:00:00+01:00"))
        )
        .await,
        [1],
        "instants, not text"
    );
    assert_eq!(
        ids(&h, f("beginsWith", "title", json!("PRINTER"))).await,
        [1, 2]
    );
    assert_eq!(ids(&h, f("endsWith", "title", json!("DOWN"))).await, [3]);
    assert_eq!(ids(&h, f("contains", "Title", json!("in"))).await, [1, 2]);
    assert_eq!(
        ids(&h, json!([{"op": "exist", "field": "dueDateTime"}])).await,
        [1, 2, 3, 4]
    );
    assert_eq!(
        ids(&h, json!([{"op": "notExist", "field": "description"}])).await,
        [1, 2, 3, 4]
    );
    assert_eq!(ids(&h, f("in", "status", json!([1, 8]))).await, [1, 3]);
    assert_eq!(ids(&h, f("notIn", "status", json!([1, 8]))).await, [2, 4]);
    assert_eq!(
        ids(&h, f("eq", "isVisibleToComanaged", json!(true))).await,
        [2, 4]
    );
    let nested = json!([{"op": "or", "items": [
        {"op": "eq", "field": "status", "value": 8},
        {"op": "and", "items": [{"op": "eq", "field": "status", "value": 5}, {"op": "gte", "field": "priority", "value": 4}]}
    ]}]);
    assert_eq!(ids(&h, nested).await, [3, 4]);
    let udf =
        json!([{"op": "beginsWith", "field": "customer reference", "value": "ref", "udf": true}]);
    assert_eq!(ids(&h, udf).await, [1, 3]);
}

#[tokio::test]
async fn query_errors() {
    let h = tickets().await;
    let two_udfs = json!({"filter": [
        {"op": "exist", "field": "Customer Reference", "udf": true},
        {"op": "exist", "field": "Billable Override", "udf": true}]});
    let cases = [
        (two_udfs, "Only one user-defined field"),
        (
            json!({"filter": [{"op": "eq", "field": "isVisibleToComanaged", "value": 1}]}),
            "true or false",
        ),
        (
            json!({"filter": [{"op": "eq", "field": "isVisibleToComanaged", "value": null}]}),
            "true or false",
        ),
        (
            json!({"filter": [{"op": "eq", "field": "nosuch", "value": 1}]}),
            "Unable to find nosuch in the Ticket Entity.",
        ),
        (
            json!({"filter": [{"op": "eq", "field": "status", "value": "material"}]}),
            "Conversion failed",
        ),
        (
            json!({"filter": [], "MaxRecords": 0}),
            "maxCountOfRecordsToReturn must be between 1 and 500",
        ),
        (
            json!({"filter": [], "maxrecords": 501}),
            "maxCountOfRecordsToReturn must be between 1 and 500",
        ),
        (
            json!({"filter": [], "IncludeFields": ["nosuch"]}),
            "Unable to find nosuch",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = h.post("V1.0/Tickets/query", body).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            error_text(&answer).contains(expected),
            "{answer} should contain {expected}"
        );
    }
}

#[tokio::test]
async fn include_fields_max_records_and_count() {
    let h = tickets().await;
    let (_, body) = h.post("V1.0/Tickets/query", json!({"Filter": [{"op": "gte", "field": "id", "value": 0}], "MaxRecords": 2, "IncludeFields": ["Title"]})).await;
    let item = body["items"][0].as_object().unwrap();
    let mut keys: Vec<_> = item.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "title", "userDefinedFields"]);
    assert_eq!(body["pageDetails"]["count"], 2);
    assert_eq!(body["pageDetails"]["requestCount"], 2);
    assert!(body["pageDetails"]["prevPageUrl"].is_null());
    let (_, count) = h
        .post(
            "V1.0/Tickets/query/count",
            json!({"filter": [{"op": "eq", "field": "status", "value": 5}]}),
        )
        .await;
    assert_eq!(count, json!({"queryCount": 2}));
    let search = r#"{"filter":[{"op":"contains","field":"title","value":"printer"}]}"#;
    let response = h
        .request(Method::GET, "V1.0/Tickets/query/count")
        .query(&[("search", search)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"queryCount": 2})
    );
}

async fn seeded(count: usize) -> Harness {
    let h = start(Simulator::builder()).await;
    for n in 0..count {
        h.sim.insert("Tickets", json!({"companyID": 0, "title": format!("T{n}"), "status": if n % 2 == 0 { 1 } else { 5 }, "priority": 2})).unwrap();
    }
    h
}

#[tokio::test]
async fn paging_post_queries() {
    let h = seeded(1_234).await;
    let body = json!({"filter": [{"op": "gte", "field": "id", "value": 0}]});
    let (mut url, mut seen, mut pages) = ("V1.0/Tickets/query".to_string(), Vec::new(), 0);
    loop {
        let (status, page) = h.send(Method::POST, &url, Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
        pages += 1;
        if pages == 2 {
            assert!(page["pageDetails"]["prevPageUrl"].is_string());
        }
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&format!(
                    "{}V1.0/Tickets/query/next?paging=",
                    h.sim.base_url()
                )));
                if pages == 1 {
                    assert_eq!(
                        h.get(next).await.0,
                        StatusCode::METHOD_NOT_ALLOWED,
                        "a POST query's next link is not GET-able"
                    );
                    let paging = next.split("paging=").nth(1).unwrap();
                    let decoded: Value = serde_json::from_str(&percent_decode(paging)).unwrap();
                    assert_eq!(
                        decoded,
                        json!({"pageSize": 500, "previousIds": [-1], "nextIds": [500]})
                    );
                }
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, (1..=1_234).collect::<Vec<i64>>());
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn paging_get_queries() {
    let h = seeded(1_234).await;
    let search = r#"{"filter":[{"op":"eq","field":"status","value":5}],"MaxRecords":200}"#;
    let first = h
        .request(Method::GET, "V1.0/Tickets/query")
        .query(&[("search", search)])
        .send()
        .await
        .unwrap();
    let mut page: Value = first.json().await.unwrap();
    let mut seen = Vec::new();
    loop {
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
        let Some(next) = page["pageDetails"]["nextPageUrl"].as_str() else {
            break;
        };
        assert!(next.contains("&search="));
        page = h.get(next).await.1;
    }
    assert_eq!(
        seen,
        (1..=1_234).filter(|n| n % 2 == 0).collect::<Vec<i64>>()
    );
}

/// Top-level `id` conditions narrow the scan to an id range (as a database's primary key would); the
/// records and counts are those of checking every record.
#[tokio::test]
async fn id_conditions_select_what_a_full_scan_selects() {
    let h = start(Simulator::builder()).await;
    for i in 0..40 {
        h.sim
            .insert("Tickets", json!({"companyID": 0, "title": format!("t{i}"), "status": if i % 3 == 0 { 5 } else { 1 }, "priority": 2}))
            .unwrap();
    }
    let all: Vec<(i64, i64)> = h
        .sim
        .records("Tickets")
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t["status"].as_i64().unwrap()))
        .collect();
    let c = |op: &str, value: Value| json!({"op": op, "field": "id", "value": value});
    type Check = fn(i64, i64) -> bool;
    let cases: Vec<(Value, Check)> = vec![
        (json!([c("gt", json!(10))]), |id, _| id > 10),
        (json!([c("gt", json!(10.5))]), |id, _| id > 10),
        (json!([c("gte", json!(10.5))]), |id, _| id >= 11),
        (json!([c("lt", json!(7))]), |id, _| id < 7),
        (json!([c("lt", json!(7.5))]), |id, _| id <= 7),
        (json!([c("lte", json!(7.5))]), |id, _| id <= 7),
        (json!([c("eq", json!(12))]), |id, _| id == 12),
        (json!([c("eq", json!(12.5))]), |_, _| false),
        (json!([c("gte", json!(5)), c("lt", json!(20))]), |id, _| {
            (5..20).contains(&id)
        }),
        (json!([c("gt", json!(20)), c("lt", json!(5))]), |_, _| false),
        (
            json!([c("gte", json!(5)), c("lt", json!(30)), {"op": "eq", "field": "status", "value": 5}]),
            |id, s| (5..30).contains(&id) && s == 5,
        ),
        (
            json!([{"op": "or", "items": [c("lt", json!(3)), c("gt", json!(37))]}]),
            |id, _| !(3..=37).contains(&id),
        ),
        (
            json!([c("gte", json!(-1e300)), c("lte", json!(1e300))]),
            |_, _| true,
        ),
        (
            json!([c("noteq", json!(4)), c("gte", json!(2))]),
            |id, _| id != 4 && id >= 2,
        ),
    ];
    for (filter, check) in cases {
        let expected: Vec<i64> = all
            .iter()
            .filter(|(id, s)| check(*id, *s))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(ids(&h, filter.clone()).await, expected, "{filter}");
        let (status, body) = h
            .post("V1.0/Tickets/query/count", json!({ "filter": filter }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["queryCount"], expected.len(), "{filter}");
    }
    // Through the cursor of a next page too: pages of 4 from id 10 on.
    let (_, first) = h
        .post(
            "V1.0/Tickets/query",
            json!({"filter": [c("gte", json!(10)), c("lt", json!(19))], "MaxRecords": 4}),
        )
        .await;
    let next = first["pageDetails"]["nextPageUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, second) = h
        .send(
            Method::POST,
            &next,
            Some(json!({"filter": [c("gte", json!(10)), c("lt", json!(19))], "MaxRecords": 4})),
        )
        .await;
    let second: Vec<i64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(second, [14, 15, 16, 17]);
}
