//! Paging a pool's groups and each group's members, through the run's pacer.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{GroupType, UserType};

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::scan::PAGE_LIMIT;

/// Calls `on_group` for every group of `pool_id`, then `on_member(group, user)` for each of its
/// members (`ListUsersInGroup` returns the whole user, attributes included).
pub async fn each_group_and_member(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    mut on_group: impl FnMut(&GroupType) -> anyhow::Result<()>,
    mut on_member: impl FnMut(&str, &UserType) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
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
            let Some(name) = group.group_name() else {
                continue;
            };
            on_group(group)?;
            let mut members_token: Option<String> = None;
            loop {
                let members = pacer
                    .call(|| {
                        client
                            .list_users_in_group()
                            .user_pool_id(pool_id)
                            .group_name(name)
                            .limit(PAGE_LIMIT)
                            .set_next_token(members_token.clone())
                            .send()
                    })
                    .await
                    .map_err(|e| explain("ListUsersInGroup", pool_id, e))?;
                for user in members.users() {
                    on_member(name, user)?;
                }
                members_token = members.next_token.filter(|t| !t.is_empty());
                if members_token.is_none() {
                    break;
                }
            }
        }
        groups_token = page.next_token.filter(|t| !t.is_empty());
        if groups_token.is_none() {
            return Ok(());
        }
    }
}
