//! `codegen refresh`: the library's rewrite of the schema from `entityInformation` answers (through an
//! in-memory [`Fetch`]), and the binary's `refresh` / `refresh --check` against a local HTTP server that
//! plays the tenant. Schemas live in temporary directories; the real `schema/` is never touched.

use codegen::refresh::{refresh, Fetch};
use codegen::schema::{self, EntitySchema, SchemaError};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// The schema before the refresh: two fixture entities, as the importer wrote them.
fn current_schema() -> Vec<EntitySchema> {
    ["ActionTypes", "TicketNotes"]
        .iter()
        .map(|name| {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{name}.json"));
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("schema")
        })
        .collect()
}

fn field(name: &str, data_type: &str) -> Value {
    json!({
        "name": name, "dataType": data_type, "length": 0, "isRequired": false, "isReadOnly": false,
        "isQueryable": true, "isReference": false, "referenceEntityType": "", "isPickList": false,
        "picklistValues": null, "picklistParentValueField": "", "isSupportedWebhookField": false
    })
}

fn picklist(name: &str, values: Value) -> Value {
    let mut f = field(name, "integer");
    f["isPickList"] = json!(true);
    f["picklistValues"] = values;
    f
}

fn value(value: &str, label: &str, order: i32, is_system: bool) -> Value {
    json!({
        "value": value, "label": label, "isDefaultValue": false, "sortOrder": order,
        "parentValue": "", "isActive": true, "isSystem": is_system
    })
}

/// What the tenant answers, keyed by the path relative to `/V1.0/`. Fields come in the tenant's order
/// (not canonical), picklists mix system and tenant values, and a key this SDK does not model is present.
fn tenant_answer(path: &str) -> Option<Value> {
    let info = |name: &str, can_delete: bool| {
        json!({ "info": {
            "name": name, "canCreate": true, "canDelete": can_delete, "canQuery": true, "canUpdate": true,
            "userAccessForCreate": "All", "userAccessForDelete": if can_delete { "All" } else { "None" },
            "userAccessForQuery": "All", "userAccessForUpdate": "All",
            "hasUserDefinedFields": false, "supportsWebhookCallouts": !can_delete
        }})
    };
    Some(match path {
        "ActionTypes/entityInformation" => info("ActionType", true),
        "ActionTypes/entityInformation/fields" => {
            let mut name = field("name", "string");
            name["length"] = json!(32);
            name["isRequired"] = json!(true);
            name["tenantOnlyKey"] = json!("ignored");
            json!({ "fields": [
                name,
                picklist("view", json!([
                    value("101", "Our own view", 0, false),
                    value("1", "Opportunity", 1, true),
                    value("2", "Sales", 2, true),
                ])),
                field("isActive", "boolean"),
                field("id", "long"),
                field("isSystemActionType", "boolean"),
            ]})
        }
        "TicketNotes/entityInformation" => info("TicketNote", false),
        "TicketNotes/entityInformation/fields" => json!({ "fields": [
            field("title", "string"),
            picklist("publish", json!([
                value("1", "All Autotask Users", 0, true),
                value("2", "Internal Users Only", 1, true),
                value("9", "Our partners", 2, false),
            ])),
            picklist("noteType", json!([value("13", "Our note type", 0, false)])),
            field("ticketID", "integer"),
            field("id", "long"),
            field("description", "string"),
        ]}),
        _ => return None,
    })
}

/// An in-memory tenant that records what it was asked.
#[derive(Default)]
struct FakeTenant {
    asked: RefCell<Vec<String>>,
}

impl Fetch for FakeTenant {
    fn get_json(&self, path: &str) -> Result<Value, SchemaError> {
        self.asked.borrow_mut().push(path.to_string());
        tenant_answer(path).ok_or_else(|| SchemaError(format!("GET {path}: HTTP 404")))
    }
}

fn field_names(entity: &EntitySchema) -> Vec<&str> {
    entity.fields.iter().map(|f| f.name.as_str()).collect()
}

fn picklist_values<'a>(entity: &'a EntitySchema, field: &str) -> Vec<&'a str> {
    entity
        .field(field)
        .and_then(|f| f.picklist_values.as_ref())
        .map(|values| values.iter().map(|v| v.value.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn refresh_takes_metadata_from_the_tenant_and_keeps_identity_and_routes() {
    let current = current_schema();
    let refreshed = refresh(&current, &FakeTenant::default()).expect("refresh");
    assert_eq!(refreshed.len(), 2);
    for (before, after) in current.iter().zip(&refreshed) {
        assert_eq!(after.name, before.name);
        assert_eq!(after.model, before.model);
        assert_eq!(after.group, before.group);
        assert_eq!(
            after.routes, before.routes,
            "{}: routes are kept",
            after.name
        );
        assert!(after.source.starts_with("refresh:"), "{}", after.source);
    }
    let (action_types, ticket_notes) = (&refreshed[0], &refreshed[1]);
    let name = action_types.field("name").unwrap();
    assert_eq!(
        (name.length, name.is_required),
        (32, true),
        "field metadata is the tenant's"
    );
    assert!(
        ticket_notes.info.supports_webhook_callouts,
        "info is the tenant's"
    );
}

#[test]
fn refresh_drops_tenant_picklist_values() {
    let refreshed = refresh(&current_schema(), &FakeTenant::default()).expect("refresh");
    assert_eq!(picklist_values(&refreshed[0], "view"), ["1", "2"]);
    assert_eq!(picklist_values(&refreshed[1], "publish"), ["1", "2"]);
    assert!(
        picklist_values(&refreshed[1], "noteType").is_empty(),
        "a picklist with only tenant values keeps no value"
    );
    assert!(refreshed[1].field("noteType").unwrap().is_pick_list);
}

#[test]
fn refresh_orders_fields_canonically() {
    let refreshed = refresh(&current_schema(), &FakeTenant::default()).expect("refresh");
    assert_eq!(
        field_names(&refreshed[0]),
        ["id", "isActive", "isSystemActionType", "name", "view"]
    );
    assert_eq!(
        field_names(&refreshed[1]),
        [
            "id",
            "description",
            "noteType",
            "publish",
            "ticketID",
            "title"
        ]
    );
}

#[test]
fn refresh_asks_only_entity_information_and_never_for_udf_definitions() {
    let tenant = FakeTenant::default();
    refresh(&current_schema(), &tenant).expect("refresh");
    assert_eq!(
        *tenant.asked.borrow(),
        [
            "ActionTypes/entityInformation",
            "ActionTypes/entityInformation/fields",
            "TicketNotes/entityInformation",
            "TicketNotes/entityInformation/fields",
        ]
    );
}

#[test]
fn refresh_is_deterministic_and_idempotent() {
    let once = refresh(&current_schema(), &FakeTenant::default()).expect("refresh");
    let again = refresh(&current_schema(), &FakeTenant::default()).expect("refresh");
    let twice = refresh(&once, &FakeTenant::default()).expect("refresh of the refreshed schema");
    let text = |schemas: &[EntitySchema]| {
        schemas
            .iter()
            .map(EntitySchema::to_json)
            .collect::<Vec<_>>()
    };
    assert_eq!(text(&again), text(&once));
    assert_eq!(text(&twice), text(&once));
}

#[test]
fn refresh_names_the_entity_of_an_unexpected_answer() {
    struct Broken;
    impl Fetch for Broken {
        fn get_json(&self, _path: &str) -> Result<Value, SchemaError> {
            Ok(json!({ "error": "not what you expected" }))
        }
    }
    let error =
        refresh(&current_schema(), &Broken).expect_err("an answer without info is an error");
    assert!(
        error
            .0
            .starts_with("ActionTypes/entityInformation: unexpected answer"),
        "{error}"
    );
}

/// A temporary schema directory holding the fixture entities; removed when dropped.
struct TempSchema(PathBuf);

impl TempSchema {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("codegen-refresh-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        schema::write_dir(&dir, &current_schema()).expect("write temporary schema");
        TempSchema(dir)
    }

    fn files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(self.0.join("entities"))
            .expect("entities dir")
            .map(|entry| {
                let path = entry.expect("entry").path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                (name, std::fs::read_to_string(&path).expect("schema file"))
            })
            .collect();
        files.sort();
        files
    }
}

impl Drop for TempSchema {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Serves [`tenant_answer`] over HTTP on a free local port; records each request's line and headers.
fn start_tenant_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
            seen.lock().unwrap().push(head);
            let answer = target.strip_prefix("/V1.0/").and_then(tenant_answer);
            let (status, body) = match answer {
                Some(body) => ("200 OK", body.to_string()),
                None => (
                    "404 Not Found",
                    r#"{"errors":["no such entity"]}"#.to_string(),
                ),
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (url, requests)
}

fn codegen_command(schema: &TempSchema, api_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_codegen"));
    command
        .arg("--schema")
        .arg(&schema.0)
        .env("AUTOTASK_USERNAME", "api-user@example.com")
        .env("AUTOTASK_INTEGRATION_CODE", "TEST-INTEGRATION-CODE")
        .env("AUTOTASK_SECRET", "test-secret")
        .env("AUTOTASK_API_URL", api_url)
        // A proxy configured on the machine must not intercept the local server.
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1");
    command
}

#[test]
fn refresh_check_exits_1_on_drift_and_0_once_refreshed() {
    let (url, requests) = start_tenant_server();
    let schema = TempSchema::new("check");
    let imported = schema.files();

    let check = codegen_command(&schema, &url)
        .args(["refresh", "--check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "drift: {stdout}");
    assert!(stdout.contains("ActionTypes, TicketNotes"), "{stdout}");
    assert_eq!(schema.files(), imported, "--check writes nothing");

    let write = codegen_command(&schema, &url)
        .arg("refresh")
        .output()
        .unwrap();
    assert!(
        write.status.success(),
        "{}",
        String::from_utf8_lossy(&write.stderr)
    );
    let expected: Vec<(String, String)> = refresh(&current_schema(), &FakeTenant::default())
        .unwrap()
        .iter()
        .map(|e| (format!("{}.json", e.name), e.to_json()))
        .collect();
    assert_eq!(
        schema.files(),
        expected,
        "the binary writes what the library computes"
    );

    let check = codegen_command(&schema, &url)
        .args(["refresh", "--check"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "no drift: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    let requests = requests.lock().unwrap();
    assert_eq!(requests.len(), 12, "three runs of four requests");
    for request in requests.iter() {
        assert!(request.starts_with("GET /V1.0/"), "{request}");
        let headers = request.to_ascii_lowercase();
        assert!(
            headers.contains("username: api-user@example.com"),
            "{request}"
        );
        assert!(
            headers.contains("apiintegrationcode: test-integration-code"),
            "{request}"
        );
        assert!(headers.contains("secret: test-secret"), "{request}");
    }
}

#[test]
fn refresh_without_credentials_fails_before_any_request() {
    let (url, requests) = start_tenant_server();
    let schema = TempSchema::new("no-credentials");
    let output = codegen_command(&schema, &url)
        .env_remove("AUTOTASK_SECRET")
        .args(["refresh", "--check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("AUTOTASK_SECRET is not set"));
    assert!(requests.lock().unwrap().is_empty());
}
