// A PUT clears every writable field it does not carry: only a FullRecord (read by read_for_replace)
// can be replaced, never a record read with include_fields.
use autotask::entities::TicketField;

async fn replace(client: autotask::Client) -> autotask::Result<i64> {
    let partial = client
        .tickets()
        .query()
        .include_fields([TicketField::Title])
        .all()
        .await?;
    client.tickets().replace(&partial[0]).await
}

fn main() {
    let _ = replace;
}
