//! The token companion's membership writes to the new pool: a few side by side, all inside the
//! deadline, each failure logged and none retried (the next token writes the marker again, and
//! `cognito-migrate groups --sync` catches up with real groups).

use tokio::task::JoinSet;

use crate::budget::Deadline;
use crate::logging::Line;
use crate::new_pool::NewPool;

/// Memberships written side by side. Cognito allows 10 writes per second per user, so a user in
/// many groups is written a few at a time.
const PARALLEL_WRITES: usize = 4;

/// Who the writes are for, in the log: the request id and the `user_ref` of the token's user.
pub(crate) struct Logged<'a> {
    /// The Lambda request id.
    pub(crate) request_id: &'a str,
    /// The keyed digest of the event's user name.
    pub(crate) user_ref: String,
}

/// Adds the user `username` (canonical, as the new pool answered it) to `groups` in the new
/// pool `pool_id`, a few at a time, before `deadline`; returns how many were written.
pub(crate) async fn add_to_groups<N>(
    new_pool: &N,
    pool_id: &str,
    username: &str,
    groups: &[String],
    deadline: &Deadline,
    logged: &Logged<'_>,
) -> usize
where
    N: NewPool + Clone + Send + Sync + 'static,
{
    let mut pending = groups.iter().cloned();
    let mut tasks = JoinSet::new();
    let mut written = 0;
    let spawn = |tasks: &mut JoinSet<_>, group: String| {
        let new_pool = new_pool.clone();
        let pool_id = pool_id.to_string();
        let user_name = username.to_string();
        tasks.spawn(async move { new_pool.add_to_group(&pool_id, &user_name, &group).await });
    };
    for group in pending.by_ref().take(PARALLEL_WRITES) {
        spawn(&mut tasks, group);
    }
    loop {
        match deadline.run(tasks.join_next()).await {
            Ok(Some(Ok(Ok(())))) => written += 1,
            Ok(Some(Ok(Err(error)))) => Line {
                outcome: "membership-not-written",
                request_id: Some(logged.request_id),
                user_ref: Some(logged.user_ref.clone()),
                error: Some(error.to_string()),
                ..Line::default()
            }
            .warn("a group membership was not written to the new pool"),
            Ok(Some(Err(_))) => {}
            Ok(None) => break,
            Err(_) => {
                tasks.abort_all();
                Line {
                    outcome: "memberships-cut-off",
                    request_id: Some(logged.request_id),
                    user_ref: Some(logged.user_ref.clone()),
                    written: Some(written),
                    of: Some(groups.len()),
                    duration: Some(deadline.elapsed()),
                    ..Line::default()
                }
                .warn("the time budget ended before every membership was written");
                break;
            }
        }
        if let Some(group) = pending.next() {
            spawn(&mut tasks, group);
        }
    }
    written
}
