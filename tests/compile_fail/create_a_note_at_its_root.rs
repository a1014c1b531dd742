// TicketNotes are created under their ticket: the message names the parent-path accessor.
use autotask::entities::NewTicketNote;

async fn note(client: autotask::Client) -> autotask::Result<i64> {
    let note = NewTicketNote::new(42, "Called the customer", 1, 1);
    client.ticket_notes().create(&note).await
}

fn main() {
    let _ = note;
}
