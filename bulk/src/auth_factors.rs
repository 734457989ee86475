//! The one per-user look-up of what `ListUsers` does not show: a user's MFA settings and, where
//! the old pool offers sign-in without a password, the factors the user signs in with. `export`
//! (beside its checkpointed scan) and `plan` (beside its report scan) both read users through
//! [`look_up`], each on its own pacer: the look-ups count against the UserRead quota (120 requests
//! per second per account, shared with production traffic), never against the `ListUsers` budget.
//!
//! Where the old pool offers passwordless sign-in the look-up is `AdminGetUserAuthFactors`, which
//! answers both questions in one request: the MFA settings and `ConfiguredUserAuthFactors` (a
//! user with no `PASSWORD` loses nothing by being imported now; a passkey must be registered
//! again). Elsewhere it is `AdminGetUser`, whose `UserMFASettingList` shows the MFA.

use std::num::NonZeroU32;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{UserPoolType, UserStatusType, UserType};
use shared::SourceUser;
use shared::from_sdk::{factors_from_get, user_from_get, user_from_list};
use shared::user::{MfaSettings, SignInFactors};
use tokio::task::JoinSet;

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::scan;
use crate::user_lookup::admin_get_user;

/// The pace of the reports' factor look-ups (`plan`, `status`), flattened into their arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct FactorsPace {
    /// Requests per second for AdminGetUserAuthFactors, made only where the old pool offers a
    /// passwordless first factor (quota category UserRead: 120 per account, shared with your
    /// production sign-ins; paced apart from --rps).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub factors_rps: u32,
}

impl FactorsPace {
    /// The look-ups' own pacer where `old_pool` offers a passwordless first factor (each user's
    /// factors are then read), or `None` (no look-up is made: every user has a password).
    pub fn pacer_for(&self, old_pool: &UserPoolType, max_retries: usize) -> Option<Arc<Pacer>> {
        let passwordless = !crate::pools::passwordless_first_factors(old_pool).is_empty();
        passwordless.then(|| {
            let rps = NonZeroU32::new(self.factors_rps).expect("clap allows 1 to 120");
            Arc::new(Pacer::new(rps, max_retries))
        })
    }
}

/// How users are looked up: the look-ups' own pacer, and whether their sign-in factors are read
/// too (`AdminGetUserAuthFactors`).
#[derive(Clone, Copy)]
pub struct Lookup<'a> {
    /// The pacer of the look-ups.
    pub pacer: &'a Arc<Pacer>,
    /// Read the factors (the old pool offers passwordless sign-in).
    pub factors: bool,
}

/// What one look-up read of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedUp {
    /// Its MFA settings.
    pub mfa: MfaSettings,
    /// The factors it signs in with (`AdminGetUserAuthFactors` only).
    pub factors: Option<SignInFactors>,
}

/// Reads every user of the old pool once, as [`scan::each_page`] does, and hands `each` a page's
/// users as the model reads them, each with its factors and MFA where `lookup` reads them
/// (`AdminGetUserAuthFactors`; the reports' look-up, `plan` and `status`; `None` reads nothing
/// more than `ListUsers` showed). The look-ups run beside the scan
/// ([`scan::each_looked_up_page`]), so the reports take about the longer of the two.
pub async fn each_read_page(
    pool: scan::PoolScan<'_>,
    lookup: Option<Lookup<'_>>,
    mut each: impl AsyncFnMut(Vec<SourceUser>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let start = |users: &[UserType]| {
        let read = lookup.map(|lookup| look_up(pool.client, lookup, pool.pool_id, users));
        async move {
            match read {
                Some(read) => read.await,
                None => Ok(Vec::new()),
            }
        }
    };
    scan::each_looked_up_page(
        pool.client,
        pool.pacer,
        pool.pool_id,
        pool.segments,
        start,
        async |page, read| each(as_read(&page, read)).await,
    )
    .await
}

/// A page's users as the model reads them, each with what was looked up of it (`read`, in page
/// order; empty: nothing more than `ListUsers` showed).
fn as_read(page: &[UserType], read: Vec<Option<LookedUp>>) -> Vec<SourceUser> {
    let mut read = read.into_iter();
    page.iter()
        .map(|listed| {
            let mut user = user_from_list(listed);
            if let Some(LookedUp { mfa, factors }) = read.next().flatten() {
                user.mfa = mfa;
                user.factors = factors;
            }
            user
        })
        .collect()
}

/// What `lookup` reads of every user of a page (in page order), `AdminGetUserAuthFactors` when
/// `lookup.factors`, else `AdminGetUser`. `None` for a federated user (never imported) or one
/// deleted since it was listed. The look-ups start at once, each waiting for its turn at the
/// pacer; the future borrows nothing, so it may run beside the scan (on a task of its own).
pub fn look_up(
    client: &Client,
    lookup: Lookup<'_>,
    pool_id: &str,
    users: &[UserType],
) -> impl Future<Output = anyhow::Result<Vec<Option<LookedUp>>>> + Send + use<> {
    let mut lookups = JoinSet::new();
    for (index, user) in users.iter().enumerate() {
        let Some(username) = user.username().map(String::from) else {
            continue;
        };
        if user.user_status() == Some(&UserStatusType::ExternalProvider) {
            continue;
        }
        let (client, pacer, pool_id) = (client.clone(), lookup.pacer.clone(), pool_id.to_string());
        let factors = lookup.factors;
        lookups.spawn(async move {
            let read = match factors {
                true => read_factors(&client, &pacer, &pool_id, &username).await,
                false => read_mfa(&client, &pacer, &pool_id, &username).await,
            };
            (index, read)
        });
    }
    let count = users.len();
    async move {
        let mut read = vec![None; count];
        while let Some(joined) = lookups.join_next().await {
            let (index, result) = joined?;
            read[index] = result?;
        }
        Ok(read)
    }
}

/// `AdminGetUserAuthFactors`: MFA settings and sign-in factors.
async fn read_factors(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    username: &str,
) -> anyhow::Result<Option<LookedUp>> {
    let result = pacer
        .call(|| {
            client
                .admin_get_user_auth_factors()
                .user_pool_id(pool_id)
                .username(username)
                .send()
        })
        .await;
    match result {
        Ok(output) => {
            let (mfa, factors) = factors_from_get(&output);
            Ok(Some(LookedUp {
                mfa,
                factors: Some(factors),
            }))
        }
        Err(err) if err.code() == Some("UserNotFoundException") => Ok(None),
        Err(err) => Err(explain("AdminGetUserAuthFactors", pool_id, err)),
    }
}

/// `AdminGetUser`: MFA settings only.
async fn read_mfa(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    username: &str,
) -> anyhow::Result<Option<LookedUp>> {
    let user = admin_get_user(client, pacer, pool_id, username).await?;
    Ok(user.map(|output| LookedUp {
        mfa: user_from_get(&output).mfa,
        factors: None,
    }))
}
