//! Job 2: export every ticket to a CSV file for a spreadsheet, resumable after an interruption.
//!
//! `client.export()` streams the whole collection page by page (one page in memory) and writes RFC 4180
//! CSV: a header with the entity's fields, one line per record, and a last `otherFields` column that
//! keeps any field this SDK does not know yet; cells that a spreadsheet would run as formulas are
//! neutralised. The checkpoint (last id and byte position) says where a later run resumes.
//!
//! ```sh
//! cargo run --example export_csv -- tickets.csv
//! ```

#[path = "support/connect.rs"]
mod connect;

use autotask::prelude::*;
use autotask::services::{Checkpoint, Export, ExportFormat};
use std::io::Write;

/// A CSV export that continues after `checkpoint` (a new one exports everything).
pub fn csv_export(client: &Client, checkpoint: Checkpoint) -> Export {
    client
        .export()
        .format(ExportFormat::Csv)
        .escape_formulas(true)
        .resume_from(checkpoint)
}

/// Writes every ticket after the export's checkpoint as CSV to `out`; the records written. Whatever
/// happens, `export.checkpoint()` then says exactly what reached `out`.
pub async fn export_tickets(export: &mut Export, out: &mut impl Write) -> Result<u64> {
    export.entity("Tickets", out).await
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tickets.csv".into());
    let checkpoint_path = format!("{path}.checkpoint.json");
    // A checkpoint left by an interrupted run: continue the file from where it stopped.
    let checkpoint: Checkpoint = match std::fs::read_to_string(&checkpoint_path) {
        Ok(text) => serde_json::from_str(&text)?,
        Err(_) => Checkpoint::new(),
    };
    let connection = connect::connect().await?;
    // Cut back to the checkpoint's byte position: a tail written after the last save goes.
    let mut out = std::io::BufWriter::new(checkpoint.open_file("Tickets", &path)?);
    let saved_to = checkpoint_path.clone();
    // Saved after every page, once the file was flushed: it never claims more than the file holds.
    let mut export = csv_export(&connection.client, checkpoint)
        .on_checkpoint(move |c| std::fs::write(&saved_to, serde_json::to_string(c)?));
    let result = export_tickets(&mut export, &mut out).await;
    out.flush()?;
    std::fs::write(
        &checkpoint_path,
        serde_json::to_string(export.checkpoint())?,
    )?;
    let written = result?;
    println!("wrote {written} tickets to {path} (checkpoint in {checkpoint_path})");
    Ok(())
}
