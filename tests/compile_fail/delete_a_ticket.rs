// Tickets cannot be deleted through the Autotask API: the message says so and what to do instead.
async fn close(client: autotask::Client) -> autotask::Result<()> {
    client.tickets().delete(42).await
}

fn main() {
    let _ = close;
}
