// Ticket notes cannot be deleted at all, not even under their ticket.
async fn remove(client: autotask::Client) -> autotask::Result<()> {
    client.tickets().notes(42).delete(7).await
}

fn main() {
    let _ = remove;
}
