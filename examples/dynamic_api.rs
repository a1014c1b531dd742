//! Job 9: the dynamic API: any entity by name, records as JSON, the same query builder as the typed
//! API, filters built by field name and checked against the metadata.
//!
//! ```sh
//! cargo run --example dynamic_api -- Companies companyName "Acme"
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::prelude::*;
use serde_json::Value;

/// The records of `entity` whose `field` begins with `prefix` (at most `limit`), and how many there
/// are in all. `entity` may be a REST collection (`Companies`), a model name (`Company`) or an old
/// py-autotask name (`InstalledProducts`).
pub async fn search(
    client: &Client,
    entity: &str,
    field: &str,
    prefix: &str,
    limit: u64,
) -> Result<(u64, Vec<Value>)> {
    let entity = client.entities().get_entity(entity)?;
    let query = entity
        .query()
        .filter(entity.field(field)?.begins_with(prefix));
    let count = query.count().await?;
    let records = query.max_total_records(limit).all().await?;
    Ok((count, records))
}

/// Creates an action type by name and renames it with a PATCH; its id.
pub async fn create_and_rename(client: &Client) -> Result<i64> {
    let action_types = client.entities().get_entity("ActionTypes")?;
    let id = action_types
        .create(&serde_json::json!({"name": "Site visit", "isActive": true, "view": 1}))
        .await?;
    action_types
        .update(&serde_json::json!({"id": id, "name": "Site visit (on-site)"}))
        .await?;
    Ok(id)
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let entity = args.next().unwrap_or_else(|| "Companies".into());
    let field = args.next().unwrap_or_else(|| "companyName".into());
    let prefix = args.next().unwrap_or_default();
    let connection = connect::connect().await?;
    let (count, records) = search(&connection.client, &entity, &field, &prefix, 5).await?;
    println!(
        "{count} {entity} whose {field} begins with {prefix:?}; the first {}:",
        records.len()
    );
    for record in records {
        println!("  {} {}", record["id"], record[&field]);
    }
    match connection.client.entities().get_entity("Workflows") {
        Err(Error::NotAnEntity { explanation, .. }) => println!("Workflows: {explanation}"),
        other => println!("Workflows: {other:?}"),
    }
    Ok(())
}
