//! What a webhook registration asks for: the entity kind, the URLs and secret, the subscribed and
//! display-always fields, and the events.

use crate::error::{Error, Result};
use crate::model::entity::FieldName;
use crate::model::wire::Secret;
use serde_json::{json, Value};

/// The five entities Autotask can send webhook callouts for (PROTOCOL.md 6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEntity {
    /// `Companies` (webhooks in `CompanyWebhooks`).
    Company,
    /// `Contacts` (webhooks in `ContactWebhooks`).
    Contact,
    /// `ConfigurationItems` (webhooks in `ConfigurationItemWebhooks`).
    ConfigurationItem,
    /// `Tickets` (webhooks in `TicketWebhooks`).
    Ticket,
    /// `TicketNotes` (webhooks in `TicketNoteWebhooks`).
    TicketNote,
}

impl WebhookEntity {
    /// All five, in the order Autotask's documentation lists them.
    pub const ALL: [WebhookEntity; 5] = [
        WebhookEntity::Company,
        WebhookEntity::Contact,
        WebhookEntity::ConfigurationItem,
        WebhookEntity::Ticket,
        WebhookEntity::TicketNote,
    ];

    /// The REST collection whose writes call out (`Tickets`).
    pub const fn entity(self) -> &'static str {
        match self {
            WebhookEntity::Company => "Companies",
            WebhookEntity::Contact => "Contacts",
            WebhookEntity::ConfigurationItem => "ConfigurationItems",
            WebhookEntity::Ticket => "Tickets",
            WebhookEntity::TicketNote => "TicketNotes",
        }
    }

    /// The singular name, as a callout's `EntityType` carries it (`Ticket`).
    pub const fn model(self) -> &'static str {
        match self {
            WebhookEntity::Company => "Company",
            WebhookEntity::Contact => "Contact",
            WebhookEntity::ConfigurationItem => "ConfigurationItem",
            WebhookEntity::Ticket => "Ticket",
            WebhookEntity::TicketNote => "TicketNote",
        }
    }

    /// The webhook collection (`TicketWebhooks`).
    pub const fn webhooks_entity(self) -> &'static str {
        match self {
            WebhookEntity::Company => "CompanyWebhooks",
            WebhookEntity::Contact => "ContactWebhooks",
            WebhookEntity::ConfigurationItem => "ConfigurationItemWebhooks",
            WebhookEntity::Ticket => "TicketWebhooks",
            WebhookEntity::TicketNote => "TicketNoteWebhooks",
        }
    }

    /// The field-row collection (`TicketWebhookFields`), written under `/{webhooks}/{id}/Fields`.
    pub const fn fields_entity(self) -> &'static str {
        match self {
            WebhookEntity::Company => "CompanyWebhookFields",
            WebhookEntity::Contact => "ContactWebhookFields",
            WebhookEntity::ConfigurationItem => "ConfigurationItemWebhookFields",
            WebhookEntity::Ticket => "TicketWebhookFields",
            WebhookEntity::TicketNote => "TicketNoteWebhookFields",
        }
    }

    /// The excluded-resource collection (`TicketWebhookExcludedResources`), written under
    /// `/{webhooks}/{id}/ExcludedResources`.
    pub const fn excluded_resources_entity(self) -> &'static str {
        match self {
            WebhookEntity::Company => "CompanyWebhookExcludedResources",
            WebhookEntity::Contact => "ContactWebhookExcludedResources",
            WebhookEntity::ConfigurationItem => "ConfigurationItemWebhookExcludedResources",
            WebhookEntity::Ticket => "TicketWebhookExcludedResources",
            WebhookEntity::TicketNote => "TicketNoteWebhookExcludedResources",
        }
    }

    /// The kind whose collection or singular name is `name` (case-insensitive), e.g. a callout's
    /// `EntityType`.
    pub fn from_name(name: &str) -> Option<WebhookEntity> {
        WebhookEntity::ALL.into_iter().find(|kind| {
            kind.entity().eq_ignore_ascii_case(name) || kind.model().eq_ignore_ascii_case(name)
        })
    }
}

/// The field enum of an entity that supports webhooks (`TicketField`), so that a [`WebhookSpec`] can only
/// name fields of its own entity.
pub trait WebhookField: FieldName {
    /// The entity these fields belong to.
    const ENTITY: WebhookEntity;
}

#[cfg(feature = "crm")]
impl WebhookField for crate::entities::CompanyField {
    const ENTITY: WebhookEntity = WebhookEntity::Company;
}

#[cfg(feature = "crm")]
impl WebhookField for crate::entities::ContactField {
    const ENTITY: WebhookEntity = WebhookEntity::Contact;
}

#[cfg(feature = "configuration_items")]
impl WebhookField for crate::entities::ConfigurationItemField {
    const ENTITY: WebhookEntity = WebhookEntity::ConfigurationItem;
}

#[cfg(feature = "service_desk")]
impl WebhookField for crate::entities::TicketField {
    const ENTITY: WebhookEntity = WebhookEntity::Ticket;
}

#[cfg(feature = "service_desk")]
impl WebhookField for crate::entities::TicketNoteField {
    const ENTITY: WebhookEntity = WebhookEntity::TicketNote;
}

/// A webhook to register with [`Webhooks::register`](super::Webhooks::register): built here, checked
/// before anything is sent.
///
/// Defaults: active, subscribed to create, update and delete events, no notification e-mail, no
/// threshold notification, no excluded resources.
///
/// ```
/// # #[cfg(feature = "service_desk")] {
/// use autotask::entities::TicketField;
/// use autotask::webhooks::WebhookSpec;
///
/// let spec = WebhookSpec::tickets(
///     "Status changes",
///     "https://hooks.example.com/autotask",
///     "https://hooks.example.com/autotask/deactivated",
///     "a-secret-of-at-most-64-characters",
/// )
/// .subscribe([TicketField::Status, TicketField::Priority])
/// .display_always([TicketField::TicketNumber])
/// .events(false, true, false);
/// assert_eq!(spec.create_body()["isSubscribedToUpdateEvents"], true);
/// assert_eq!(spec.create_body()["isSubscribedToCreateEvents"], false);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSpec<F> {
    name: String,
    webhook_url: String,
    deactivation_url: String,
    secret: Secret,
    subscribed: Vec<F>,
    display_always: Vec<F>,
    on_create: bool,
    on_update: bool,
    on_delete: bool,
    active: bool,
    notification_email: Option<String>,
    threshold_notification: bool,
    excluded_resources: Vec<i64>,
}

/// Autotask's field length limits of the webhook record (PROTOCOL.md 6.8).
const NAME_MAX: usize = 50;
const URL_MAX: usize = 500;
const SECRET_MAX: usize = 64;
const EMAIL_MAX: usize = 150;

impl<F: WebhookField> WebhookSpec<F> {
    /// A webhook named `name` that POSTs callouts to `webhook_url`, sends the deactivation message to
    /// `deactivation_url`, and signs with `secret` (at most 64 characters).
    pub fn new(
        name: impl Into<String>,
        webhook_url: impl Into<String>,
        deactivation_url: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            webhook_url: webhook_url.into(),
            deactivation_url: deactivation_url.into(),
            secret: Secret::new(secret),
            subscribed: Vec::new(),
            display_always: Vec::new(),
            on_create: true,
            on_update: true,
            on_delete: true,
            active: true,
            notification_email: None,
            threshold_notification: false,
            excluded_resources: Vec::new(),
        }
    }

    /// The entity this webhook watches.
    pub fn entity(&self) -> WebhookEntity {
        F::ENTITY
    }

    /// Fields whose change triggers a callout (at least one is required). Repeats are ignored.
    pub fn subscribe(mut self, fields: impl IntoIterator<Item = F>) -> Self {
        for field in fields {
            if !self.subscribed.contains(&field) {
                self.subscribed.push(field);
            }
        }
        self
    }

    /// Fields sent in every callout, changed or not (e.g. external ids). Repeats are ignored.
    pub fn display_always(mut self, fields: impl IntoIterator<Item = F>) -> Self {
        for field in fields {
            if !self.display_always.contains(&field) {
                self.display_always.push(field);
            }
        }
        self
    }

    /// Which events call out: creates, updates (of a subscribed field), deletes.
    pub fn events(mut self, create: bool, update: bool, delete: bool) -> Self {
        self.on_create = create;
        self.on_update = update;
        self.on_delete = delete;
        self
    }

    /// Registers the webhook inactive (`isActive: false`); activate it later with a PATCH.
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// `notificationEmailAddress` (at most 150 characters).
    pub fn notification_email(mut self, email: impl Into<String>) -> Self {
        self.notification_email = Some(email.into());
        self
    }

    /// `sendThresholdExceededNotification`.
    pub fn threshold_notification(mut self, send: bool) -> Self {
        self.threshold_notification = send;
        self
    }

    /// Resources whose changes never call out (`ExcludedResources` rows).
    pub fn exclude_resources(mut self, resource_ids: impl IntoIterator<Item = i64>) -> Self {
        for id in resource_ids {
            if !self.excluded_resources.contains(&id) {
                self.excluded_resources.push(id);
            }
        }
        self
    }

    /// The subscribed fields.
    pub fn subscribed_fields(&self) -> &[F] {
        &self.subscribed
    }

    /// The display-always fields.
    pub fn display_always_fields(&self) -> &[F] {
        &self.display_always
    }

    /// The excluded resources.
    pub fn excluded_resources(&self) -> &[i64] {
        &self.excluded_resources
    }

    /// One field row per distinct field: (field, isSubscribedField, isDisplayAlwaysField), subscribed
    /// fields first, in the order given.
    pub fn field_rows(&self) -> Vec<(F, bool, bool)> {
        let mut rows: Vec<(F, bool, bool)> = Vec::new();
        for &field in &self.subscribed {
            rows.push((field, true, self.display_always.contains(&field)));
        }
        for &field in &self.display_always {
            if !self.subscribed.contains(&field) {
                rows.push((field, false, true));
            }
        }
        rows
    }

    /// The body of `POST /{Model}Webhooks`.
    pub fn create_body(&self) -> Value {
        let mut body = json!({
            "name": self.name,
            "webhookUrl": self.webhook_url,
            "deactivationUrl": self.deactivation_url,
            "secretKey": self.secret.expose(),
            "isActive": self.active,
            "isSubscribedToCreateEvents": self.on_create,
            "isSubscribedToUpdateEvents": self.on_update,
            "isSubscribedToDeleteEvents": self.on_delete,
            "sendThresholdExceededNotification": self.threshold_notification,
        });
        if let Some(email) = &self.notification_email {
            body["notificationEmailAddress"] = json!(email);
        }
        body
    }

    /// Checks what the API would refuse, or what would make a webhook that never calls out.
    pub fn validate(&self) -> Result<()> {
        let invalid = |what: String| Err(Error::InvalidInput(format!("webhook: {what}")));
        let too_long = |label: &str, value: &str, max: usize| {
            let n = value.chars().count();
            (n > max).then(|| format!("{label} is {n} characters long; the limit is {max}"))
        };
        if self.name.trim().is_empty() {
            return invalid("the name is empty".into());
        }
        if self.secret.is_empty() {
            return invalid("the secret key is empty".into());
        }
        let lengths = [
            too_long("the name", &self.name, NAME_MAX),
            too_long("the webhook URL", &self.webhook_url, URL_MAX),
            too_long("the deactivation URL", &self.deactivation_url, URL_MAX),
            too_long("the secret key", self.secret.expose(), SECRET_MAX),
            self.notification_email
                .as_deref()
                .and_then(|e| too_long("the notification e-mail address", e, EMAIL_MAX)),
        ];
        if let Some(problem) = lengths.into_iter().flatten().next() {
            return invalid(problem);
        }
        for (label, url) in [
            ("webhook URL", &self.webhook_url),
            ("deactivation URL", &self.deactivation_url),
        ] {
            match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                _ => return invalid(format!("the {label} {url:?} is not an http(s) URL")),
            }
        }
        if self.subscribed.is_empty() {
            return invalid(
                "no subscribed field: Autotask activates a webhook only with at least one".into(),
            );
        }
        if !(self.on_create || self.on_update || self.on_delete) {
            return invalid("it is subscribed to no event (create, update or delete)".into());
        }
        Ok(())
    }
}

/// One named constructor per webhook entity (`WebhookSpec::tickets(..)`), each [`WebhookSpec::new`] with
/// the entity's field type fixed, compiled only with the entity's feature group.
macro_rules! named_constructor {
    ($feature:literal, $field:ident, $constructor:ident, $collection:literal) => {
        #[cfg(feature = $feature)]
        impl WebhookSpec<crate::entities::$field> {
            #[doc = concat!("A webhook on `", $collection, "` (see [`WebhookSpec::new`]).")]
            pub fn $constructor(
                name: impl Into<String>,
                webhook_url: impl Into<String>,
                deactivation_url: impl Into<String>,
                secret: impl Into<String>,
            ) -> Self {
                Self::new(name, webhook_url, deactivation_url, secret)
            }
        }
    };
}

named_constructor!("crm", CompanyField, companies, "Companies");
named_constructor!("crm", ContactField, contacts, "Contacts");
named_constructor!(
    "configuration_items",
    ConfigurationItemField,
    configuration_items,
    "ConfigurationItems"
);
named_constructor!("service_desk", TicketField, tickets, "Tickets");
named_constructor!("service_desk", TicketNoteField, ticket_notes, "TicketNotes");

#[cfg(all(test, feature = "service_desk"))]
mod tests {
    use super::*;
    use crate::entities::TicketField;

    fn spec() -> WebhookSpec<TicketField> {
        WebhookSpec::tickets("n", "http://127.0.0.1:1/a", "http://127.0.0.1:1/d", "s")
    }

    #[test]
    fn field_rows_merge_subscribed_and_display_always() {
        let spec = spec()
            .subscribe([TicketField::Status, TicketField::Title, TicketField::Status])
            .display_always([TicketField::Title, TicketField::TicketNumber]);
        assert_eq!(
            spec.field_rows(),
            vec![
                (TicketField::Status, true, false),
                (TicketField::Title, true, true),
                (TicketField::TicketNumber, false, true),
            ]
        );
    }

    #[test]
    fn validation_refuses_what_the_api_would() {
        assert!(spec().validate().is_err(), "no subscribed field");
        let ok = spec().subscribe([TicketField::Status]);
        assert!(ok.validate().is_ok());
        assert!(ok.clone().events(false, false, false).validate().is_err());
        let long_secret = WebhookSpec::tickets("n", "http://h/a", "http://h/d", "k".repeat(65))
            .subscribe([TicketField::Status]);
        assert!(long_secret.validate().is_err());
        let bad_url = WebhookSpec::tickets("n", "ftp://h/a", "http://h/d", "k")
            .subscribe([TicketField::Status]);
        assert!(bad_url.validate().is_err());
    }
}
