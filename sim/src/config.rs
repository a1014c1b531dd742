//! Configuration types: API users, seed sizes, limits, picklists and UDF definitions.

use std::time::Duration;

/// An API-only user the simulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUser {
    /// The `UserName` header value (an e-mail address).
    pub username: String,
    /// The `Secret` header value.
    pub secret: String,
    /// The `ApiIntegrationCode` header value (the API tracking identifier).
    pub integration_code: String,
    /// The resource id this user acts as (recorded as `creatorResourceID` where such a field exists).
    pub resource_id: i64,
}

impl ApiUser {
    /// A user with these credentials, acting as resource 4.
    pub fn new(
        username: impl Into<String>,
        secret: impl Into<String>,
        integration_code: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            secret: secret.into(),
            integration_code: integration_code.into(),
            resource_id: 4,
        }
    }

    /// The built-in demo user: `sim@example.com` / `secret` / `SIMCODE`.
    pub fn demo() -> Self {
        Self::new(DEFAULT_USERNAME, DEFAULT_SECRET, DEFAULT_INTEGRATION_CODE)
    }
}

/// User name of the built-in demo user.
pub const DEFAULT_USERNAME: &str = "sim@example.com";
/// Secret of the built-in demo user.
pub const DEFAULT_SECRET: &str = "secret";
/// Integration code of the built-in demo user.
pub const DEFAULT_INTEGRATION_CODE: &str = "SIMCODE";

/// What data the simulator starts with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Seed {
    /// Empty tables (plus nothing else).
    #[default]
    None,
    /// The deterministic demo data set with these sizes.
    Demo(SeedSize),
}

/// Sizes of the demo data set. Every reference in the generated data points at an existing record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSize {
    /// Customer companies (the owner company, id 0, is always added).
    pub companies: usize,
    /// Contacts per company.
    pub contacts_per_company: usize,
    /// Resources (technicians).
    pub resources: usize,
    /// Tickets.
    pub tickets: usize,
    /// Notes per ticket.
    pub notes_per_ticket: usize,
    /// Time entries per ticket.
    pub time_entries_per_ticket: usize,
    /// Projects, each with phases and tasks.
    pub projects: usize,
    /// Contracts, each with services.
    pub contracts: usize,
    /// Configuration items.
    pub configuration_items: usize,
    /// Invoices.
    pub invoices: usize,
    /// Quotes (each with its opportunity).
    pub quotes: usize,
}

impl Default for SeedSize {
    fn default() -> Self {
        Self {
            companies: 25,
            contacts_per_company: 3,
            resources: 10,
            tickets: 500,
            notes_per_ticket: 2,
            time_entries_per_ticket: 1,
            projects: 10,
            contracts: 10,
            configuration_items: 50,
            invoices: 20,
            quotes: 10,
        }
    }
}

impl SeedSize {
    /// The default sizes with `tickets` tickets.
    pub fn with_tickets(tickets: usize) -> Self {
        Self {
            tickets,
            ..Self::default()
        }
    }
}

/// Request limits (PROTOCOL.md §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests per rolling hour per database before refusal (default 10,000).
    pub hourly_threshold: u64,
    /// Concurrent requests per (integration code, entity endpoint) (default 3).
    pub thread_limit: usize,
    /// Delay added to each request while usage is at 50–75% of the threshold (default 0).
    pub latency_at_50: Duration,
    /// Delay added to each request while usage is at 75% or more (default 0).
    pub latency_at_75: Duration,
    /// A fixed delay added to every request (default 0), held inside the request's thread slot.
    pub request_latency: Duration,
    /// Largest decoded attachment accepted (default 6 MiB).
    pub attachment_max_bytes: usize,
    /// Attachment bytes accepted per 5-minute window (default 10,000,000).
    pub attachment_window_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            hourly_threshold: 10_000,
            thread_limit: 3,
            latency_at_50: Duration::ZERO,
            latency_at_75: Duration::ZERO,
            request_latency: Duration::ZERO,
            attachment_max_bytes: 6 * 1024 * 1024,
            attachment_window_bytes: 10_000_000,
        }
    }
}

/// One picklist value as the simulator's tenant defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicklistValue {
    /// The integer id stored on records (a string on the metadata wire).
    pub value: i64,
    /// The text `entityInformation/fields` reports for it.
    pub label: String,
    /// Reported as `isDefaultValue`.
    pub is_default: bool,
    /// Reported as `sortOrder` (the display position).
    pub sort_order: i32,
    /// The parent picklist value of a dependent picklist (`subIssueType` → `issueType`).
    pub parent_value: Option<i64>,
    /// Reported as `isActive`; false for retired values.
    pub is_active: bool,
    /// Reported as `isSystem`; false for values the tenant added.
    pub is_system: bool,
}

impl PicklistValue {
    /// An active, non-system value.
    pub fn new(value: i64, label: impl Into<String>) -> Self {
        Self {
            value,
            label: label.into(),
            is_default: false,
            sort_order: 0,
            parent_value: None,
            is_active: true,
            is_system: false,
        }
    }

    /// The same value, belonging to `parent` of the parent picklist.
    pub fn under(mut self, parent: i64) -> Self {
        self.parent_value = Some(parent);
        self
    }

    /// The same value marked as a system value.
    pub fn system(mut self) -> Self {
        self.is_system = true;
        self
    }
}

/// The type of a user-defined field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdfType {
    /// Text of at most [`UdfDefinition::length`] characters (wire type `string`).
    String,
    /// A number (wire type `decimal`); writes must parse as one.
    Number,
    /// A date-time (wire type `datetime`).
    DateTime,
    /// Wire type `boolean`; writes take `true`, `false`, `1` or `0`.
    Boolean,
    /// A picklist UDF (values in [`UdfDefinition::picklist`]).
    List,
}

impl UdfType {
    /// The `type` string of `entityInformation/userDefinedFields`.
    pub fn wire_name(self) -> &'static str {
        match self {
            UdfType::String | UdfType::List => "string",
            UdfType::Number => "decimal",
            UdfType::DateTime => "datetime",
            UdfType::Boolean => "boolean",
        }
    }
}

/// A user-defined field of one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdfDefinition {
    /// REST collection name (`Tickets`).
    pub entity: String,
    /// The UDF name (used in `userDefinedFields[].name` and in `"udf":true` filters).
    pub name: String,
    /// The label shown to users (the name, unless set otherwise).
    pub label: String,
    /// What values writes may give it.
    pub udf_type: UdfType,
    /// Longest string value in characters (8000 for new string UDFs); 0 means no limit.
    pub length: u32,
    /// Reported as the definition's `description`.
    pub description: String,
    /// Creates must give it a non-null value.
    pub is_required: bool,
    /// The allowed values of a [`UdfType::List`] UDF; the metadata reports `isPickList` only when non-empty.
    pub picklist: Vec<PicklistValue>,
}

impl UdfDefinition {
    /// An optional UDF of `entity` with `name` as its label.
    pub fn new(entity: impl Into<String>, name: impl Into<String>, udf_type: UdfType) -> Self {
        let name = name.into();
        Self {
            entity: entity.into(),
            label: name.clone(),
            name,
            length: if udf_type == UdfType::String { 8000 } else { 0 },
            udf_type,
            description: String::new(),
            is_required: false,
            picklist: Vec::new(),
        }
    }
}
