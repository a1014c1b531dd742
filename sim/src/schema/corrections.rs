//! Where PROTOCOL.md contradicts the checked-in schema, the simulator answers as PROTOCOL.md says.
//! Each correction names its source; the schema itself is fixed upstream (codegen), not here.

use super::Entity;

/// The five `{Model}Webhooks` entities (PROTOCOL.md §6.8).
const WEBHOOK_ENTITIES: [&str; 5] = [
    "CompanyWebhooks",
    "ContactWebhooks",
    "ConfigurationItemWebhooks",
    "TicketWebhooks",
    "TicketNoteWebhooks",
];

/// Applies every correction.
pub fn apply(entities: &mut [Entity]) {
    for entity in entities
        .iter_mut()
        .filter(|e| WEBHOOK_ENTITIES.contains(&e.name.as_str()))
    {
        // §6.8: "`isReady` (read-only)". The imported schema marks it writable.
        if let Some(field) = entity.fields.iter_mut().find(|f| f.name == "isReady") {
            field.is_read_only = true;
        }
    }
}
