//! Answers as the real API gives them: 404 for routes that do not exist, millisecond date-times, error
//! texts quoted verbatim from PROTOCOL.md, and the attachment rules of §6.3/§6.5.

use crate::common::{error_text, start};
use autotask_sim::{Limits, Simulator};
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_verb_on_a_root_path_without_a_collection_route_is_404() {
    let h = start(Simulator::builder()).await;
    // Child-only entities have no root collection route at all (PROTOCOL.md §2.1).
    for (method, path) in [
        (Method::GET, "V1.0/Contacts"),
        (Method::POST, "V1.0/Contacts"),
        (Method::PATCH, "V1.0/Contacts"),
        (Method::PUT, "V1.0/Contacts"),
        (Method::POST, "V1.0/TicketNotes"),
        (Method::PATCH, "V1.0/TicketNotes"),
        (Method::POST, "V1.0/CompanyLocations"),
        (Method::POST, "V1.0/TicketAttachments"),
        (Method::GET, "V1.0/ContractServiceAdjustments/1"),
    ] {
        let (status, body) = h.send(method.clone(), path, Some(json!({}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    // 405 stays for a route that exists without that verb.
    for (method, path) in [
        (Method::GET, "V1.0/Tickets"),
        (Method::PATCH, "V1.0/Tickets/5"),
        (Method::DELETE, "V1.0/Tickets/5"),
        (Method::DELETE, "V1.0/Contacts/5"),
        (Method::DELETE, "V1.0/Tickets/1/Notes/3"),
    ] {
        let (status, body) = h.send(method.clone(), path, None).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        assert_eq!(
            body["Message"],
            format!("The requested resource does not support http method '{method}'.")
        );
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f]Z` with 1 to 3 fractional digits, the last one not 0 (PROTOCOL.md §6.4).
fn is_observed_form(text: &str) -> bool {
    let Some(body) = text.strip_suffix('Z') else {
        return false;
    };
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    let shape_ok = seconds.len() == 19
        && seconds.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        });
    let fraction_ok = fraction.is_empty()
        || (fraction.len() <= 3
            && fraction.chars().all(|c| c.is_ascii_digit())
            && !fraction.ends_with('0'));
    shape_ok && fraction_ok
}

#[tokio::test]
async fn date_times_are_written_with_at_most_milliseconds() {
    let h = start(Simulator::builder()).await;
    let cases = [
        ("2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00.123Z"),
        ("2024-05-01T10:00:00.5000000Z", "2024-05-01T10:00:00.5Z"),
        ("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00Z"),
        (
            "2024-05-01T12:00:00.987654321+02:00",
            "2024-05-01T10:00:00.987Z",
        ),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:00Z"),
        ("2024-05-01", "2024-05-01T00:00:00Z"),
    ];
    for (sent, stored) in cases {
        let (status, created) = h
            .post(
                "V1.0/Tickets",
                json!({"companyID": 0, "title": "t", "status": 1, "priority": 2, "dueDateTime": sent}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{sent}: {created}");
        let (_, got) = h.get(&format!("V1.0/Tickets/{}", created["itemId"])).await;
        let item = &got["item"];
        assert_eq!(item["dueDateTime"], stored, "{sent}");
        // Server-set stamps too.
        for stamp in ["createDate", "lastActivityDate"] {
            let text = item[stamp].as_str().unwrap_or_default();
            assert!(is_observed_form(text), "{stamp} = {text:?}");
        }
    }
    // Query answers and next links show the same values.
    let (_, page) = h
        .post(
            "V1.0/Tickets/query",
            json!({"filter": [{"op": "eq", "field": "dueDateTime", "value": "2024-05-01T10:00:00.123Z"}]}),
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
}

#[tokio::test]
async fn zone_information_for_an_unknown_user_uses_the_documented_text() {
    let h = start(Simulator::builder()).await;
    for user in ["nobody@example.com", ""] {
        let response = h
            .client
            .get(h.url(&format!("V1.0/zoneInformation?user={user}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"errors": ["Zone information could not be determined"]})
        );
    }
}

#[tokio::test]
async fn an_invalid_integration_code_uses_the_documented_text() {
    let h = start(Simulator::builder()).await;
    let response = h
        .client
        .get(h.url("V1.0/Tickets/entityInformation"))
        .header("ApiIntegrationCode", "NOT-THE-CODE")
        .header("UserName", autotask_sim::DEFAULT_USERNAME)
        .header("Secret", autotask_sim::DEFAULT_SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"errors": ["IntegrationCode is invalid."]}));
}

#[tokio::test]
async fn a_text_filter_value_on_an_integer_field_uses_the_documented_text() {
    let h = start(Simulator::builder()).await;
    let (status, body) = h
        .post(
            "V1.0/Tickets/query",
            json!({"filter": [{"op": "eq", "field": "status", "value": "material"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        error_text(&body),
        "Conversion failed when converting varchar 'material' to data type int"
    );
}

fn attachment(bytes: usize) -> Value {
    json!({"attachmentType": "FILE_ATTACHMENT", "fullPath": "log.txt", "publish": 1, "title": "log",
           "data": base64::engine::general_purpose::STANDARD.encode(vec![7u8; bytes])})
}

#[tokio::test]
async fn a_file_attachment_needs_data() {
    let h = start(Simulator::builder()).await;
    let ticket = h.ticket();
    let mut body = attachment(10);
    body.as_object_mut().unwrap().remove("data");
    let (status, answer) = h
        .post(&format!("V1.0/Tickets/{ticket}/Attachments"), body.clone())
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{answer}");
    assert!(error_text(&answer).contains("data"), "{answer}");
    body["data"] = Value::Null;
    let (status, answer) = h
        .post(&format!("V1.0/Tickets/{ticket}/Attachments"), body)
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{answer}");
    assert_eq!(h.sim.count("TicketAttachments"), 0, "nothing stored");
}

#[tokio::test]
async fn going_over_the_window_blocks_attachments_for_five_minutes() {
    let h = start(Simulator::builder().limits(Limits {
        attachment_window_bytes: 1_500,
        ..Default::default()
    }))
    .await;
    let ticket = h.ticket();
    let path = format!("V1.0/Tickets/{ticket}/Attachments");
    assert_eq!(h.post(&path, attachment(800)).await.0, StatusCode::OK);
    let (status, crossing) = h.post(&path, attachment(800)).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the upload that crosses the limit is refused: {crossing}"
    );
    let (status, small) = h.post(&path, attachment(10)).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "attachment creation stays blocked: {small}"
    );
    assert_eq!(h.sim.count("TicketAttachments"), 1);
    // Other writes go on.
    let (status, _) = h
        .post(
            "V1.0/Tickets",
            json!({"companyID": 0, "title": "t", "status": 1, "priority": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
