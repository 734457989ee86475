//! The baseline of `scripts/bench-export`: the pager a user would otherwise write by hand, one
//! `ListUsers` request at a time, no limiter, no shards. It only counts users.
//!
//! Usage: `sequential_pager POOL_ID` with `AWS_ENDPOINT_URL`, `AWS_REGION` and credentials in the
//! environment. Prints `{"users": N, "requests": N, "seconds": S}`.

use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool_id = std::env::args()
        .nth(1)
        .ok_or("usage: sequential_pager POOL_ID")?;
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_cognitoidentityprovider::Client::new(&config);
    let started = Instant::now();
    let (mut users, mut requests) = (0usize, 0usize);
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_users()
            .user_pool_id(&pool_id)
            .limit(60)
            .set_pagination_token(token.take())
            .send()
            .await?;
        requests += 1;
        users += page.users().len();
        match page.pagination_token {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => break,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(r#"{{"users": {users}, "requests": {requests}, "seconds": {seconds:.3}}}"#);
    Ok(())
}
