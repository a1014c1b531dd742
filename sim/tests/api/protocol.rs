//! Discovery, auth, routing, CRUD semantics, validation, metadata and attachments.

use crate::common::{error_text, start, Harness};
use autotask_sim::Simulator;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn with_company() -> (Harness, i64) {
    let h = start(Simulator::builder()).await;
    let company = h
        .sim
        .insert(
            "Companies",
            json!({"companyName": "Acme", "companyType": 1, "phone": "1", "ownerResourceID": 4}),
        )
        .unwrap();
    (h, company)
}

#[tokio::test]
async fn discovery_endpoints() {
    let h = start(Simulator::builder()).await;
    let version: serde_json::Value = h
        .client
        .get(h.url("versioninformation"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version, json!({"apiVersions": ["V1.0"]}));
    let zone = h
        .client
        .get(h.url("v1.0/zoneInformation?user=sim@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(zone.status(), StatusCode::OK);
    let zone: serde_json::Value = zone.json().await.unwrap();
    assert_eq!(zone["url"], h.sim.base_url());
    assert!(zone["zoneName"].is_string() && zone["ci"].is_number() && zone["webUrl"].is_string());
    let unknown = h
        .client
        .get(h.url("V1.0/ZoneInformation?user=nobody@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!error_text(&unknown.json().await.unwrap()).is_empty());

    let (status, threshold) = h.get("V1.0/ThresholdInformation").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(threshold["externalRequestThreshold"], 10_000);
    assert_eq!(threshold["requestThresholdTimeframe"], 60);
    assert_eq!(
        threshold["currentTimeframeRequestCount"], 1,
        "the call counts itself"
    );
    let (_, threshold) = h.get("v1.0/thresholdinformation").await;
    assert_eq!(threshold["currentTimeframeRequestCount"], 2);
    let (_, modules) = h.get("V1.0/Modules").await;
    assert!(modules["modules"][0]["key"].is_number());
    let (_, all) = h.get("V1.0/EntityInformation").await;
    assert_eq!(all["entityDescriptions"].as_array().unwrap().len(), 232);
}

#[tokio::test]
async fn auth_failures() {
    let h = start(Simulator::builder()).await;
    let url = h.url("V1.0/Tickets/entityInformation");
    let send = |user: &str, secret: &str, code: &str| {
        h.client
            .get(&url)
            .header("username", user)
            .header("SECRET", secret)
            .header("apiintegrationcode", code)
            .send()
    };
    assert_eq!(
        send("sim@example.com", "secret", "SIMCODE")
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let bad_user = send("who@example.com", "secret", "SIMCODE").await.unwrap();
    assert_eq!(bad_user.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!error_text(&bad_user.json().await.unwrap()).is_empty());
    assert_eq!(
        send("sim@example.com", "secret", "WRONG")
            .await
            .unwrap()
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        send("sim@example.com", "wrong", "SIMCODE")
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn routes_follow_metadata() {
    let h = start(Simulator::builder()).await;
    let (status, body) = h
        .send(Method::PATCH, "V1.0/Tickets/5", Some(json!({"title": "x"})))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        body["Message"],
        "The requested resource does not support http method 'PATCH'."
    );
    assert_eq!(
        h.delete("V1.0/Tickets/5").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        h.post("V1.0/TicketNotes", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("V1.0/NoSuchThings/query").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post("V1.0/Tickets/1/Notes/query", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.delete("V1.0/Tickets/1/Notes/3").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        h.get("v1.0/tickets/entityinformation/fields").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn create_get_patch_put_delete() {
    let (h, company) = with_company().await;
    let (status, created) = h
        .post("V1.0/Tickets", json!({"companyID": company, "title": "Printer", "status": 1, "priority": 2, "description": "d", "dueDateTime": "2024-05-01T10:00:00+02:00"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    let (_, got) = h.get(&format!("V1.0/Tickets/{id}")).await;
    let item = &got["item"];
    assert_eq!(item["title"], "Printer");
    assert_eq!(item["dueDateTime"], "2024-05-01T08:00:00Z");
    assert!(item.as_object().unwrap().contains_key("apiVendorID") && item["apiVendorID"].is_null());
    assert!(item["userDefinedFields"].is_array());
    assert_eq!(item["creatorResourceID"], 4);

    h.sim.clear_requests();
    let (status, patched) = h
        .patch("V1.0/Tickets", json!({"id": id, "title": "Printer fixed"}))
        .await;
    assert_eq!(
        (status, patched["itemId"].as_i64()),
        (StatusCode::OK, Some(id))
    );
    let log = h.sim.requests();
    assert_eq!(log[0].method, "PATCH");
    assert_eq!(
        log[0].body,
        Some(json!({"id": id, "title": "Printer fixed"}))
    );
    let item = h.sim.get("Tickets", id).unwrap();
    assert_eq!(
        (item["title"].as_str(), item["description"].as_str()),
        (Some("Printer fixed"), Some("d"))
    );

    let (status, _) = h.put("V1.0/Tickets", json!({"id": id, "companyID": company, "title": "Replaced", "status": 5, "priority": 1})).await;
    assert_eq!(status, StatusCode::OK);
    let item = h.sim.get("Tickets", id).unwrap();
    assert!(item["description"].is_null(), "PUT clears fields left out");
    assert_eq!(item["status"], 5);

    let (status, body) = h
        .patch("V1.0/Tickets", json!({"id": 999_999, "title": "x"}))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error_text(&body).contains("No matching records"));
    let (status, body) = h.get("V1.0/Tickets/999999").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"item": null})));

    let contact = h
        .post(
            &format!("V1.0/Companies/{company}/Contacts"),
            json!({"firstName": "A", "lastName": "B", "isActive": 1}),
        )
        .await
        .1["itemId"]
        .as_i64()
        .unwrap();
    assert_eq!(
        h.sim.get("Contacts", contact).unwrap()["companyID"],
        company,
        "child create sets the parent field"
    );
    let (_, listed) = h.get(&format!("V1.0/Companies/{company}/Contacts")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (status, deleted) = h
        .delete(&format!("V1.0/Companies/{company}/Contacts/{contact}"))
        .await;
    assert_eq!(
        (status, deleted),
        (StatusCode::OK, json!({"itemId": contact}))
    );
    let (status, body) = h
        .delete(&format!("V1.0/Companies/{company}/Contacts/{contact}"))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_text(&body), "No message. No matching records found. The logged in Resource may not have the required permissions to delete the data.");

    let missing404 = start(Simulator::builder().missing_get_returns_404(true)).await;
    assert_eq!(
        missing404.get("V1.0/Tickets/1").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn writes_are_validated() {
    let (h, company) = with_company().await;
    let cases = [
        (
            json!({"companyID": company, "title": "t", "status": 1, "priority": 2, "bogus": 1}),
            "Unable to find bogus",
        ),
        (
            json!({"companyID": company, "status": 1, "priority": 2}),
            "Missing Required Field: title",
        ),
        (
            json!({"companyID": company, "title": "x".repeat(300), "status": 1, "priority": 2}),
            "maximum length",
        ),
        (
            json!({"companyID": company, "title": "t", "status": 99, "priority": 2}),
            "picklist field status",
        ),
        (
            json!({"companyID": 777, "title": "t", "status": 1, "priority": 2}),
            "Company with id 777 does not exist",
        ),
        (
            json!({"companyID": "abc", "title": "t", "status": 1, "priority": 2}),
            "Unable to convert",
        ),
        (
            json!({"companyID": company, "title": "t", "status": 1, "priority": 2, "dueDateTime": "soon"}),
            "Unable to convert",
        ),
        (
            json!({"companyID": company, "title": "t", "status": 1, "priority": 2, "userDefinedFields": [{"name": "Nope", "value": "1"}]}),
            "user-defined field Nope",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = h.post("V1.0/Tickets", body).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            error_text(&answer).contains(expected),
            "{answer} should mention {expected}"
        );
    }
    // Read-only fields are ignored.
    let (status, created) = h.post("V1.0/Tickets", json!({"companyID": company, "title": "t", "status": 1, "priority": 2, "createDate": "2000-01-01"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(
        h.sim
            .get("Tickets", created["itemId"].as_i64().unwrap())
            .unwrap()["createDate"],
        "2000-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn impersonation_is_recorded_or_refused() {
    let (h, company) = with_company().await;
    let response = h
        .request(Method::POST, "V1.0/Tickets")
        .header("ImpersonationResourceId", "29")
        .json(&json!({"companyID": company, "title": "t", "status": 1, "priority": 2}))
        .send()
        .await
        .unwrap();
    let id = response.json::<serde_json::Value>().await.unwrap()["itemId"]
        .as_i64()
        .unwrap();
    assert_eq!(
        h.sim.get("Tickets", id).unwrap()["impersonatorCreatorResourceID"],
        29
    );
    let refused = h
        .request(Method::GET, "V1.0/Roles/1")
        .header("ImpersonationResourceId", "29")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn metadata_endpoints() {
    let h = start(Simulator::builder()).await;
    let (_, info) = h.get("V1.0/Tickets/entityInformation").await;
    assert_eq!(info["info"]["name"], "Ticket");
    assert_eq!(info["info"]["canDelete"], false);
    assert_eq!(info["info"]["userAccessForDelete"], "None");
    let (_, fields) = h.get("V1.0/Tickets/entityInformation/fields").await;
    let fields = fields["fields"].as_array().unwrap();
    let status = fields.iter().find(|f| f["name"] == "status").unwrap();
    let labels: Vec<_> = status["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap(), v["label"].as_str().unwrap()))
        .collect();
    assert!(
        labels.contains(&("1", "New"))
            && labels.contains(&("5", "Complete"))
            && labels.contains(&("8", "In Progress"))
    );
    let sub = fields.iter().find(|f| f["name"] == "subIssueType").unwrap();
    assert_eq!(sub["picklistParentValueField"], "issueType");
    assert_eq!(sub["picklistValues"][0]["parentValue"], "4");
    let company = fields.iter().find(|f| f["name"] == "companyID").unwrap();
    assert_eq!(
        (
            company["isReference"].as_bool(),
            company["referenceEntityType"].as_str()
        ),
        (Some(true), Some("Company"))
    );
    let (_, udfs) = h
        .get("V1.0/Companies/entityInformation/userDefinedFields")
        .await;
    assert!(udfs["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["name"] == "Number of Employees" && u["type"] == "decimal"));
    let (status, child) = h.get("V1.0/Tickets/1/Notes/entityInformation/fields").await;
    assert_eq!(status, StatusCode::OK);
    assert!(child["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "noteType"));
}

#[tokio::test]
async fn attachments_data_and_size_cap() {
    let h = start(Simulator::builder().limits(autotask_sim::Limits {
        attachment_max_bytes: 1_000,
        attachment_window_bytes: 1_500,
        ..Default::default()
    }))
    .await;
    let ticket = h.ticket();
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 800]);
    let body = json!({"attachmentType": "FILE_ATTACHMENT", "fullPath": "log.txt", "publish": 1, "title": "log", "data": data});
    assert_eq!(
        h.post("V1.0/TicketAttachments", body.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, created) = h
        .post(&format!("V1.0/Tickets/{ticket}/Attachments"), body.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["itemId"].as_i64().unwrap();
    let (_, one) = h
        .get(&format!("V1.0/Tickets/{ticket}/Attachments/{id}"))
        .await;
    assert_eq!(one["item"]["data"], data);
    assert_eq!(one["item"]["ticketID"], ticket);
    assert_eq!(one["item"]["fileSize"].as_f64(), Some(800.0));
    let (_, root) = h.get(&format!("V1.0/TicketAttachments/{id}")).await;
    assert!(root["item"]["data"].is_null());
    let (_, listed) = h.get(&format!("V1.0/Tickets/{ticket}/Attachments")).await;
    assert!(listed["items"][0]["data"].is_null());
    let (status, window) = h
        .post(&format!("V1.0/Tickets/{ticket}/Attachments"), body)
        .await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the 5-minute window is full: {window}"
    );
    let big = json!({"attachmentType": "FILE_ATTACHMENT", "fullPath": "big.bin", "publish": 1, "title": "big",
                     "data": base64::engine::general_purpose::STANDARD.encode(vec![1u8; 1_001])});
    let (status, body) = h
        .post(&format!("V1.0/Tickets/{ticket}/Attachments"), big)
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error_text(&body).contains("maximum"));
}
