//! Paging a pool's groups and their members, several groups at once, through the run's pacer.
//!
//! One group's members are one chain of tokens, so a group is paged one request at a time; with
//! a 50 ms round trip that is ~18 requests/s, whatever `--rps` allows. Paging up to `concurrency`
//! groups at once lets the pacer, not the round trip, set the rate.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{GroupType, UserType};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::scan::PAGE_LIMIT;

/// One page of a group's members, or why paging it failed.
type MemberPage = anyhow::Result<(String, Vec<UserType>)>;

/// Calls `on_group` for every group of `pool_id` (in the order `ListGroups` gives them), then
/// `on_member(group, user)` for each of their members (`ListUsersInGroup` returns the whole user,
/// attributes included): one group's members in order, different groups' interleaved.
pub async fn each_group_and_member(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    concurrency: u8,
    mut on_group: impl FnMut(&GroupType) -> anyhow::Result<()>,
    mut on_member: impl FnMut(&str, &UserType) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut names = VecDeque::new();
    let mut groups_token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_groups()
                    .user_pool_id(pool_id)
                    .limit(PAGE_LIMIT)
                    .set_next_token(groups_token.clone())
                    .send()
            })
            .await
            .map_err(|e| explain("ListGroups", pool_id, e))?;
        for group in page.groups() {
            if let Some(name) = group.group_name() {
                on_group(group)?;
                names.push_back(name.to_string());
            }
        }
        groups_token = page.next_token.filter(|t| !t.is_empty());
        if groups_token.is_none() {
            break;
        }
    }
    let queue = Arc::new(Mutex::new(names));
    let (pages, mut received) = mpsc::channel::<MemberPage>(usize::from(concurrency.max(1)) * 2);
    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        workers.spawn(page_groups(
            client.clone(),
            pacer.clone(),
            pool_id.to_string(),
            queue.clone(),
            pages.clone(),
        ));
    }
    drop(pages);
    // Dropping `workers` on an early return aborts the groups still being paged.
    while let Some(page) = received.recv().await {
        let (group, users) = page?;
        for user in &users {
            on_member(&group, user)?;
        }
    }
    Ok(())
}

/// Pages the members of groups taken from `queue` until it is empty, sending each page to `pages`.
async fn page_groups(
    client: Client,
    pacer: Arc<Pacer>,
    pool_id: String,
    queue: Arc<Mutex<VecDeque<String>>>,
    pages: mpsc::Sender<MemberPage>,
) {
    loop {
        let next = queue.lock().expect("queue lock").pop_front();
        let Some(group) = next else {
            return;
        };
        let mut token: Option<String> = None;
        loop {
            let answer = pacer
                .call(|| {
                    client
                        .list_users_in_group()
                        .user_pool_id(&pool_id)
                        .group_name(&group)
                        .limit(PAGE_LIMIT)
                        .set_next_token(token.clone())
                        .send()
                })
                .await;
            let members = match answer {
                Ok(members) => members,
                Err(err) => {
                    let _ = pages
                        .send(Err(explain("ListUsersInGroup", &pool_id, err)))
                        .await;
                    return;
                }
            };
            token = members.next_token.filter(|t| !t.is_empty());
            let users = members.users.unwrap_or_default();
            if pages.send(Ok((group.clone(), users))).await.is_err() {
                return;
            }
            if token.is_none() {
                break;
            }
        }
    }
}
