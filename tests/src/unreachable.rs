//! Endpoints that fail the way an old pool that is down or hangs does, for the tests of the
//! trigger's time budget.

use tokio::net::TcpListener;

/// A port nothing listens on: an old pool that is down.
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A listener that accepts connections and never answers: an old pool that hangs.
pub async fn blackhole() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}
